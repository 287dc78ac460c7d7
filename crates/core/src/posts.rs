//! Editing a blog post: title, summary and text.

use std::collections::HashMap;

use codefor_storage::posts::{self, EditableFields};
use codefor_storage::revisions::{Author, Kind};
use codefor_storage::{Connection, Db, DbError};
use serde::{Deserialize, Serialize};

use crate::editing::{Editable, Field, Input, value};
use crate::forms::{self, FieldErrors};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PostEdit {
    pub title: String,
    pub summary: String,
    pub body_md: String,
}

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
        label: "Anreißer",
        input: Input::Text {
            rows: 2,
            markdown: false,
        },
        hint: "Erscheint in der Übersicht und in Feeds.",
        required: false,
    },
    Field {
        name: "body_md",
        label: "Text",
        input: Input::Text {
            rows: 18,
            markdown: true,
        },
        hint: "Markdown. Mit „Vorschau“ siehst du, wie es aussieht.",
        required: false,
    },
];

impl Editable for PostEdit {
    const KIND: Kind = Kind::Post;
    const FIELDS: &'static [Field] = FIELDS;

    fn values(&self) -> Vec<String> {
        vec![
            self.title.clone(),
            self.summary.clone(),
            self.body_md.clone(),
        ]
    }

    fn parse(form: &HashMap<String, String>) -> Result<PostEdit, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = forms::required(&mut errors, "title", "Titel", value(form, "title"), 200);
        let summary = forms::optional(
            &mut errors,
            "summary",
            "Anreißer",
            value(form, "summary"),
            500,
        )
        .unwrap_or_default();
        let body_md = forms::optional(
            &mut errors,
            "body_md",
            "Text",
            value(form, "body_md"),
            100_000,
        )
        .unwrap_or_default();
        errors.into_result(PostEdit {
            title,
            summary,
            body_md,
        })
    }

    fn body_md(&self) -> &str {
        &self.body_md
    }

    fn own_title(&self) -> Option<&str> {
        Some(&self.title)
    }

    async fn load(db: &Db, id: i64) -> Result<Option<PostEdit>, DbError> {
        let Some(slug) = posts::slug_of(db, id).await? else {
            return Ok(None);
        };
        Ok(posts::get(db, &slug).await?.map(|d| PostEdit {
            title: d.post.title,
            summary: d.post.summary.unwrap_or_default(),
            body_md: d.post.body_md,
        }))
    }

    async fn store(
        &self,
        conn: &mut Connection,
        id: i64,
        body_html: &str,
        _author: Author<'_>,
    ) -> Result<(), DbError> {
        posts::update_editable(
            conn,
            id,
            &EditableFields {
                title: &self.title,
                summary: (!self.summary.is_empty()).then_some(self.summary.as_str()),
                body_md: &self.body_md,
                body_html,
            },
        )
        .await
    }
}
