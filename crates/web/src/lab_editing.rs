//! Editing a lab in the browser: the form with field errors and a Markdown preview that
//! works without JavaScript, the revision history, diffs and restoring.
//!
//! Handlers declare what they need with the [`LabEditor`] extractor: a signed-in
//! visitor allowed to edit the lab named in the path (`allows(EditLab)`), checked on the
//! server before the handler runs.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::forms::FieldErrors;
use codefor_core::labs::{self, LabEdit, LabForm};
use codefor_domain::permissions::{Action, allows};
use codefor_storage::labs::LabDetail;
use codefor_storage::revisions::{self, Author, Kind};
use serde::Deserialize;

use crate::forms::{FormToken, private, see_other};
use crate::session::Visitor;
use crate::views::{Chrome, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{slug}/bearbeiten/", get(edit_form).post(save))
        .route("/{slug}/versionen/", get(history))
        .route("/{slug}/versionen/{number}/", get(revision))
        .route("/{slug}/versionen/{number}/wiederherstellen", post(restore))
}

/// A visitor who may edit the lab named in the path, with the lab.
pub struct LabEditor {
    pub visitor: Visitor,
    pub lab: LabDetail,
}

impl LabEditor {
    fn author(&self) -> Author<'_> {
        match &self.visitor.current {
            Some(c) => Author {
                account_id: Some(c.account.id),
                name: &c.account.display_name,
            },
            None => Author {
                account_id: None,
                name: "",
            },
        }
    }
}

/// Why a request did not get a [`LabEditor`]: no such lab, not signed in (go sign in),
/// or not allowed.
pub enum Refused {
    Web(WebError),
    SignIn(String),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Web(e) => e.into_response(),
            Refused::SignIn(back) => see_other(&format!("/anmelden/?next={back}")),
        }
    }
}

impl FromRequestParts<AppState> for LabEditor {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<LabEditor, Refused> {
        let slug = parts
            .uri
            .path()
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("")
            .to_owned();
        let visitor = parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .unwrap_or_default();
        let lab = codefor_storage::labs::get(&state.db, &slug)
            .await
            .map_err(|e| Refused::Web(e.into()))?
            .ok_or(Refused::Web(WebError::NotFound))?;
        if !visitor.signed_in() {
            return Err(Refused::SignIn(parts.uri.path().to_owned()));
        }
        if !allows(&visitor.viewer, &Action::EditLab { lab: lab.id }) {
            return Err(Refused::Web(WebError::Forbidden));
        }
        Ok(LabEditor { visitor, lab })
    }
}

#[derive(Debug, Default, Deserialize)]
struct EditForm {
    #[serde(flatten)]
    lab: LabForm,
    #[serde(default)]
    summary: String,
    /// Which button was pressed: `preview` or `save`.
    #[serde(default)]
    intent: String,
}

async fn edit_page(
    state: &AppState,
    editor: &LabEditor,
    status: StatusCode,
    form: &LabForm,
    summary: &str,
    errors: &FieldErrors,
    preview: Option<String>,
) -> Result<Response, WebError> {
    let token = FormToken::for_visitor(state, &editor.visitor)?;
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "labs/edit.html",
        &chrome,
        crate::ctx! {
            title => format!("{} bearbeiten", editor.lab.lab.name),
            lab => editor.lab.lab,
            form => FormView::of(form),
            summary => summary,
            err => errors.0.iter().map(|e| (e.field, e.message.clone())).collect::<std::collections::BTreeMap<_, _>>(),
            error_count => errors.0.len(),
            preview => preview,
            csrf => token.token.clone(),
        },
    )?;
    Ok(token.page(status, html))
}

/// The form's values for the template.
#[derive(Debug, serde::Serialize)]
struct FormView<'a> {
    name: &'a str,
    city: &'a str,
    meeting: &'a str,
    body_md: &'a str,
    links: &'a str,
    leads: &'a str,
}

impl<'a> FormView<'a> {
    fn of(f: &'a LabForm) -> FormView<'a> {
        FormView {
            name: &f.name,
            city: &f.city,
            meeting: &f.meeting,
            body_md: &f.body_md,
            links: &f.links,
            leads: &f.leads,
        }
    }
}

async fn edit_form(State(state): State<AppState>, editor: LabEditor) -> Result<Response, WebError> {
    let form = LabEdit::of(&editor.lab).to_form();
    edit_page(
        &state,
        &editor,
        StatusCode::OK,
        &form,
        "",
        &FieldErrors::default(),
        None,
    )
    .await
}

async fn save(
    State(state): State<AppState>,
    editor: LabEditor,
    Form(form): Form<EditForm>,
) -> Result<Response, WebError> {
    let parsed = form.lab.parse();
    if form.intent == "preview" {
        let preview = codefor_content::markdown::render_plain(&form.lab.body_md);
        let errors = parsed.err().unwrap_or_default();
        return edit_page(
            &state,
            &editor,
            StatusCode::OK,
            &form.lab,
            &form.summary,
            &errors,
            Some(preview),
        )
        .await;
    }
    match parsed {
        Ok(edit) => {
            labs::save(
                &state.db,
                editor.lab.id,
                &edit,
                editor.author(),
                &form.summary,
            )
            .await?;
            Ok(see_other(&format!("/{}/?gespeichert", editor.lab.lab.slug)))
        }
        Err(errors) => {
            edit_page(
                &state,
                &editor,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.lab,
                &form.summary,
                &errors,
                None,
            )
            .await
        }
    }
}

async fn history(State(state): State<AppState>, editor: LabEditor) -> Result<Response, WebError> {
    let list = revisions::list(&state.db, Kind::Lab, editor.lab.id).await?;
    let items: Vec<_> = list
        .iter()
        .map(|r| {
            serde_json::json!({
                "number": r.number,
                "author": r.author,
                "summary": r.summary,
                "at": crate::dates::german_datetime(&r.created_at),
                "at_iso": r.created_at,
            })
        })
        .collect();
    let token = FormToken::for_visitor(&state, &editor.visitor)?;
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "labs/history.html",
        &chrome,
        crate::ctx! {
            title => format!("Versionen: {}", editor.lab.lab.name),
            lab => editor.lab.lab,
            revisions => items,
            latest => list.first().map(|r| r.number),
            csrf => token.token.clone(),
        },
    )?;
    Ok(private(StatusCode::OK, html))
}

async fn revision(
    State(state): State<AppState>,
    editor: LabEditor,
    Path((_, number)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let Some(this) = revisions::get(&state.db, Kind::Lab, editor.lab.id, number).await? else {
        return Err(WebError::NotFound);
    };
    let new = labs::snapshot(&this)?;
    let old = match revisions::get(&state.db, Kind::Lab, editor.lab.id, number - 1).await? {
        Some(previous) => labs::snapshot(&previous)?,
        None => LabEdit::default(),
    };
    let changes = labs::diff(&old, &new);
    let latest = revisions::list(&state.db, Kind::Lab, editor.lab.id)
        .await?
        .first()
        .map(|r| r.number);
    let token = FormToken::for_visitor(&state, &editor.visitor)?;
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "labs/revision.html",
        &chrome,
        crate::ctx! {
            title => format!("Version {number}: {}", editor.lab.lab.name),
            lab => editor.lab.lab,
            number => number,
            author => this.author,
            summary => this.summary,
            at => crate::dates::german_datetime(&this.created_at),
            at_iso => this.created_at,
            changes => changes,
            is_latest => latest == Some(number),
            csrf => token.token.clone(),
        },
    )?;
    Ok(private(StatusCode::OK, html))
}

async fn restore(
    State(state): State<AppState>,
    editor: LabEditor,
    Path((_, number)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let slug = editor.lab.lab.slug.clone();
    match labs::restore(&state.db, editor.lab.id, number, editor.author(), &slug).await? {
        Some(_) => Ok(see_other(&format!("/{slug}/versionen/"))),
        None => Err(WebError::NotFound),
    }
}
