//! Editing a page such as About or Imprint (admins only).

use std::collections::HashMap;

use codefor_storage::pages;
use codefor_storage::revisions::{Author, Kind};
use codefor_storage::{Connection, Db, DbError};
use serde::{Deserialize, Serialize};

use crate::editing::{Editable, Field, Input, value};
use crate::forms::{self, FieldErrors};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageEdit {
    pub title: String,
    pub description: String,
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
        name: "description",
        label: "Beschreibung für Suchmaschinen",
        input: Input::Text {
            rows: 2,
            markdown: false,
        },
        hint: "Ein Satz; erscheint in Suchergebnissen.",
        required: false,
    },
    Field {
        name: "body_md",
        label: "Inhalt",
        input: Input::Text {
            rows: 20,
            markdown: true,
        },
        hint: "Markdown. Die Seite bringt ihre Überschrift selbst mit („# Titel“).",
        required: false,
    },
];

impl Editable for PageEdit {
    const KIND: Kind = Kind::Page;
    const FIELDS: &'static [Field] = FIELDS;

    fn values(&self) -> Vec<String> {
        vec![
            self.title.clone(),
            self.description.clone(),
            self.body_md.clone(),
        ]
    }

    fn parse(form: &HashMap<String, String>) -> Result<PageEdit, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = forms::required(&mut errors, "title", "Titel", value(form, "title"), 200);
        let description = forms::optional(
            &mut errors,
            "description",
            "Beschreibung für Suchmaschinen",
            value(form, "description"),
            300,
        )
        .unwrap_or_default();
        let body_md = forms::optional(
            &mut errors,
            "body_md",
            "Inhalt",
            value(form, "body_md"),
            100_000,
        )
        .unwrap_or_default();
        errors.into_result(PageEdit {
            title,
            description,
            body_md,
        })
    }

    fn body_md(&self) -> &str {
        &self.body_md
    }

    fn own_title(&self) -> Option<&str> {
        None
    }

    async fn load(db: &Db, id: i64) -> Result<Option<PageEdit>, DbError> {
        let Some(path) = pages::path_of(db, id).await? else {
            return Ok(None);
        };
        Ok(pages::get(db, &path).await?.map(|p| PageEdit {
            title: p.title,
            description: p.description.unwrap_or_default(),
            body_md: p.body_md,
        }))
    }

    async fn store(
        &self,
        conn: &mut Connection,
        id: i64,
        body_html: &str,
        _author: Author<'_>,
    ) -> Result<(), DbError> {
        pages::update_editable(
            conn,
            id,
            &self.title,
            (!self.description.is_empty()).then_some(self.description.as_str()),
            &self.body_md,
            body_html,
        )
        .await
    }
}
