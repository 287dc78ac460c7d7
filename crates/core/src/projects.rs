//! Editing a project of the catalog: title, summary, status, description, topics, links.

use std::collections::HashMap;

use codefor_domain::{Link, ProjectStatus};
use codefor_storage::projects::{self, EditableFields};
use codefor_storage::revisions::{Author, Kind};
use codefor_storage::{Connection, Db, DbError};
use serde::{Deserialize, Serialize};

use crate::editing::{self, Editable, Field, Input, value};
use crate::forms::{self, FieldErrors};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectEdit {
    pub title: String,
    pub summary: String,
    /// A [`ProjectStatus`] key, or empty.
    pub status: String,
    pub body_md: String,
    pub topics: Vec<String>,
    pub links: Vec<Link>,
}

const STATUSES: &[(&str, &str)] = &[
    ("", "Keine Angabe"),
    ("idea", "Idee"),
    ("in_progress", "In Arbeit"),
    ("looking_for_people", "Sucht Mitmachende"),
    ("in_production", "Im Einsatz"),
    ("finished", "Abgeschlossen"),
    ("discontinued", "Eingestellt"),
];

const FIELDS: &[Field] = &[
    Field {
        name: "title",
        label: "Titel",
        input: Input::Line,
        hint: "",
        required: true,
    },
    Field {
        name: "summary",
        label: "Kurzbeschreibung",
        input: Input::Text {
            rows: 2,
            markdown: false,
        },
        hint: "Ein, zwei Sätze für die Übersicht.",
        required: false,
    },
    Field {
        name: "status",
        label: "Stand",
        input: Input::Choice(STATUSES),
        hint: "",
        required: false,
    },
    Field {
        name: "body_md",
        label: "Beschreibung",
        input: Input::Text {
            rows: 14,
            markdown: true,
        },
        hint: "Markdown. Mit „Vorschau“ siehst du, wie es aussieht.",
        required: false,
    },
    Field {
        name: "topics",
        label: "Themen",
        input: Input::Line,
        hint: "Durch Kommas getrennt, zum Beispiel „Mobilität, Umwelt“.",
        required: false,
    },
    Field {
        name: "links",
        label: "Links",
        input: Input::Text {
            rows: 4,
            markdown: false,
        },
        hint: "Ein Link pro Zeile: „Name | https://…“ (Code, Website, Demo).",
        required: false,
    },
];

impl Editable for ProjectEdit {
    const KIND: Kind = Kind::Project;
    const FIELDS: &'static [Field] = FIELDS;

    fn values(&self) -> Vec<String> {
        vec![
            self.title.clone(),
            self.summary.clone(),
            self.status.clone(),
            self.body_md.clone(),
            self.topics.join(", "),
            editing::links_text(&self.links),
        ]
    }

    fn parse(form: &HashMap<String, String>) -> Result<ProjectEdit, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = forms::required(&mut errors, "title", "Titel", value(form, "title"), 150);
        let summary = forms::optional(
            &mut errors,
            "summary",
            "Kurzbeschreibung",
            value(form, "summary"),
            400,
        )
        .unwrap_or_default();
        let status = value(form, "status").trim().to_owned();
        if !status.is_empty() && ProjectStatus::parse(&status).is_none() {
            errors.add("status", "Bitte wähle einen Stand aus der Liste.");
        }
        let body_md = forms::optional(
            &mut errors,
            "body_md",
            "Beschreibung",
            value(form, "body_md"),
            50_000,
        )
        .unwrap_or_default();
        let mut topics: Vec<String> = Vec::new();
        for topic in value(form, "topics").split([',', '\n']) {
            let topic = topic.trim();
            if topic.is_empty() || topics.iter().any(|t| t == topic) {
                continue;
            }
            if topic.chars().count() > 50 {
                errors.add(
                    "topics",
                    format!("„{topic}“ ist zu lang (höchstens 50 Zeichen)."),
                );
                break;
            }
            topics.push(topic.to_owned());
        }
        if topics.len() > 12 {
            errors.add("topics", "Höchstens 12 Themen, bitte.");
        }
        let links = editing::parse_links(&mut errors, "links", value(form, "links"), 30);
        errors.into_result(ProjectEdit {
            title,
            summary,
            status,
            body_md,
            topics,
            links,
        })
    }

    fn body_md(&self) -> &str {
        &self.body_md
    }

    fn own_title(&self) -> Option<&str> {
        Some(&self.title)
    }

    async fn load(db: &Db, id: i64) -> Result<Option<ProjectEdit>, DbError> {
        let Some(slug) = projects::slug_of(db, id).await? else {
            return Ok(None);
        };
        Ok(projects::get(db, &slug).await?.map(|d| ProjectEdit {
            title: d.project.title,
            summary: d.project.summary.unwrap_or_default(),
            status: d
                .project
                .status
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            body_md: d.project.body_md,
            topics: d.project.topics,
            links: d.project.links,
        }))
    }

    async fn store(
        &self,
        conn: &mut Connection,
        id: i64,
        body_html: &str,
        _author: Author<'_>,
    ) -> Result<(), DbError> {
        projects::update_editable(
            conn,
            id,
            &EditableFields {
                title: &self.title,
                summary: (!self.summary.is_empty()).then_some(self.summary.as_str()),
                status: (!self.status.is_empty()).then_some(self.status.as_str()),
                body_md: &self.body_md,
                body_html,
                topics: &self.topics,
                links: &self.links,
            },
        )
        .await
    }
}
