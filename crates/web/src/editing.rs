//! Editing in the browser, for every kind of record at one set of URLs that name the
//! record by its public path:
//!
//! - `/bearbeiten/<path>`: the form, with field errors in place and a Markdown preview
//!   that works without JavaScript (a second submit button);
//! - `/versionen/<path>`: the history; `?nr=N` shows what revision N changed;
//! - `/wiederherstellen/<path>` (POST, field `nr`): restore revision N as a new one.
//!
//! Handlers declare what they need with the [`Editor`] extractor: a signed-in visitor
//! whom `allows` permits to edit the record named in the path, checked on the server
//! before any handler runs.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::editing::{self, Editable};
use codefor_core::forms::FieldErrors;
use codefor_core::labs::LabEdit;
use codefor_core::pages::PageEdit;
use codefor_core::posts::PostEdit;
use codefor_core::projects::ProjectEdit;
use codefor_core::urls;
use codefor_domain::permissions::{Action, allows};
use codefor_storage::revisions::{self, Author, Kind};
use codefor_storage::{labs, pages, posts, projects};
use serde::{Deserialize, Serialize};

use crate::forms::{FormToken, private, see_other};
use crate::session::Visitor;
use crate::views::{Chrome, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bearbeiten/{*path}", get(edit_form).post(save))
        .route("/versionen/{*path}", get(history))
        .route("/wiederherstellen/{*path}", post(restore))
        .route("/loeschen/{*path}", get(delete_form).post(delete))
        .route("/vorschau/{*path}", post(live_preview))
}

/// The record a request is about.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    #[serde(skip)]
    pub kind: Kind,
    #[serde(skip)]
    pub id: i64,
    /// What the record is called, e.g. `OK Lab Kiel`.
    pub title: String,
    /// Its public URL, e.g. `/kiel/`.
    pub public: String,
    /// Its path in editing URLs: `/bearbeiten/<key>`.
    pub key: String,
    /// What kind it is, for people: `Lab`, `Projekt`, `Beitrag`, `Seite`.
    pub noun: &'static str,
    #[serde(skip)]
    pub action: Action,
}

/// Which record a public path names: projects and posts by their prefix, then a lab
/// (one segment), then a page.
pub async fn resolve(state: &AppState, path: &str) -> Result<Option<Target>, WebError> {
    let key = path.trim_matches('/').to_owned();
    if key.is_empty() || key.len() > 300 {
        return Ok(None);
    }
    let lab_ids = |slugs: Vec<String>, all: &[(i64, String, String)]| -> Vec<i64> {
        slugs
            .iter()
            .filter_map(|s| {
                all.iter()
                    .find(|(_, slug, _)| slug == s)
                    .map(|(id, _, _)| *id)
            })
            .collect()
    };
    if let Some(slug) = key.strip_prefix("projekte/") {
        let Some(d) = projects::get(&state.db, slug).await? else {
            return Ok(None);
        };
        let all = labs::ids(&state.db).await?;
        let labs = lab_ids(d.labs.iter().map(|l| l.slug.clone()).collect(), &all);
        return Ok(Some(Target {
            kind: Kind::Project,
            id: d.id,
            title: d.project.title.clone(),
            public: urls::project(slug),
            key,
            noun: "Projekt",
            action: Action::EditProject { labs },
        }));
    }
    if let Some(slug) = key.strip_prefix("blog/") {
        let Some(d) = posts::get(&state.db, slug).await? else {
            return Ok(None);
        };
        let all = labs::ids(&state.db).await?;
        let labs = lab_ids(d.labs.iter().map(|l| l.slug.clone()).collect(), &all);
        return Ok(Some(Target {
            kind: Kind::Post,
            id: d.id,
            title: d.post.title.clone(),
            public: urls::post(slug),
            key,
            noun: "Beitrag",
            action: Action::EditPost { labs },
        }));
    }
    if !key.contains('/')
        && let Some(d) = labs::get(&state.db, &key).await?
    {
        return Ok(Some(Target {
            kind: Kind::Lab,
            id: d.id,
            title: d.lab.name.clone(),
            public: urls::lab(&key),
            key,
            noun: "Lab",
            action: Action::EditLab { lab: d.id },
        }));
    }
    if let Some(id) = pages::id_of(&state.db, &key).await?
        && let Some(page) = pages::get(&state.db, &key).await?
    {
        return Ok(Some(Target {
            kind: Kind::Page,
            id,
            title: page.title,
            public: urls::page(&key),
            key,
            noun: "Seite",
            action: Action::EditPage,
        }));
    }
    Ok(None)
}

/// "Edit" and "Versions" links for the page at `public_path`, when the visitor of the
/// current request may edit its record (nothing for anonymous visitors, whose pages
/// come from the cache).
pub async fn edit_link(state: &AppState, public_path: &str) -> Result<Option<Target>, WebError> {
    let viewer = crate::session::current_view().viewer;
    if !viewer.is_signed_in() {
        return Ok(None);
    }
    Ok(resolve(state, public_path)
        .await?
        .filter(|t| allows(&viewer, &t.action)))
}

/// A visitor allowed to edit the record named in the path, with the record.
pub struct Editor {
    pub visitor: Visitor,
    pub target: Target,
}

impl Editor {
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

    fn csrf(&self) -> String {
        self.visitor.csrf()
    }
}

/// Why a request was not let through: not found or not allowed (a page), or not signed
/// in (off to the sign-in page, and back afterwards).
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

impl FromRequestParts<AppState> for Editor {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Editor, Refused> {
        let path = parts.uri.path();
        let record = path
            .strip_prefix("/bearbeiten/")
            .or_else(|| path.strip_prefix("/versionen/"))
            .or_else(|| path.strip_prefix("/wiederherstellen/"))
            .or_else(|| path.strip_prefix("/loeschen/"))
            .or_else(|| path.strip_prefix("/vorschau/"))
            .unwrap_or("");
        let visitor = parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .unwrap_or_default();
        let target = resolve(state, record)
            .await
            .map_err(Refused::Web)?
            .ok_or(Refused::Web(WebError::NotFound))?;
        if !visitor.signed_in() {
            return Err(Refused::SignIn(path.to_owned()));
        }
        if !allows(&visitor.viewer, &target.action) {
            return Err(Refused::Web(WebError::Forbidden));
        }
        Ok(Editor { visitor, target })
    }
}

/// Runs `$body` with `$E` bound to the edit type of `$kind`.
macro_rules! with_edit {
    ($kind:expr, $E:ident => $body:expr) => {
        match $kind {
            Kind::Lab => {
                type $E = LabEdit;
                $body
            }
            Kind::Project => {
                type $E = ProjectEdit;
                $body
            }
            Kind::Post => {
                type $E = PostEdit;
                $body
            }
            Kind::Page => {
                type $E = PageEdit;
                $body
            }
        }
    };
}

/// A field of the form with its value and error, for the template.
#[derive(Debug, Serialize)]
struct FormField {
    #[serde(flatten)]
    spec: editing::Field,
    value: String,
    error: Option<String>,
}

/// What the edit form shows besides the record: the values, errors, a preview, and the
/// revision the form started from.
#[derive(Default)]
struct Sheet<'a> {
    values: HashMap<String, String>,
    summary: &'a str,
    errors: FieldErrors,
    preview: Option<String>,
    hints: Vec<String>,
    /// The newest revision when the form was opened (0: none yet); a save from an older
    /// one would silently undo someone else's change.
    base: i64,
    /// Set when someone else saved meanwhile: their revision's number.
    conflict: Option<i64>,
}

async fn edit_page<E: Editable>(
    state: &AppState,
    editor: &Editor,
    status: StatusCode,
    sheet: Sheet<'_>,
) -> Result<Response, WebError> {
    let token = FormToken::for_visitor(state, &editor.visitor)?;
    let chrome = Chrome::load(&state.db).await?;
    let fields: Vec<FormField> = E::FIELDS
        .iter()
        .map(|f| FormField {
            spec: *f,
            value: match (sheet.values.get(f.name), f.input) {
                (Some(v), _) => v.clone(),
                // A submitted form carries each checkbox on its own (`themes_umwelt=1`).
                (None, editing::Input::Choices(choices)) => choices
                    .iter()
                    .filter(|(key, _)| {
                        sheet
                            .values
                            .get(&format!("{}_{key}", f.name))
                            .map(String::as_str)
                            == Some("1")
                    })
                    .map(|(key, _)| *key)
                    .collect::<Vec<_>>()
                    .join(","),
                (None, _) => String::new(),
            },
            error: sheet.errors.get(f.name).map(str::to_owned),
        })
        .collect();
    let html = render(
        "editing/edit.html",
        &chrome,
        crate::ctx! {
            title => format!("{} bearbeiten", editor.target.title),
            target => editor.target,
            fields => fields,
            summary => sheet.summary,
            error_count => sheet.errors.0.len(),
            preview => sheet.preview,
            hints => sheet.hints,
            base => sheet.base,
            conflict => sheet.conflict,
            csrf => token.token.clone(),
        },
    )?;
    Ok(token.page(status, html))
}

/// The number of the record's newest revision, 0 when it has none.
async fn latest(state: &AppState, editor: &Editor) -> Result<i64, WebError> {
    Ok(revisions::latest(&state.db, editor.target.kind, editor.target.id).await?)
}

async fn edit_form(State(state): State<AppState>, editor: Editor) -> Result<Response, WebError> {
    let base = latest(&state, &editor).await?;
    with_edit!(editor.target.kind, E => {
        let current = E::load(&state.db, editor.target.id).await?.unwrap_or_default();
        let sheet = Sheet { values: editing::form_values(&current), base, ..Sheet::default() };
        edit_page::<E>(&state, &editor, StatusCode::OK, sheet).await
    })
}

async fn save(
    State(state): State<AppState>,
    editor: Editor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    with_edit!(editor.target.kind, E => save_as::<E>(&state, &editor, form).await)
}

async fn save_as<E: Editable>(
    state: &AppState,
    editor: &Editor,
    form: HashMap<String, String>,
) -> Result<Response, WebError> {
    let summary: String = editing::value(&form, "summary").chars().take(200).collect();
    let base: i64 = editing::value(&form, "base").parse().unwrap_or(-1);
    let parsed = E::parse(&form);
    if editing::value(&form, "intent") == "preview" {
        let body = match E::FIELDS
            .iter()
            .find(|f| matches!(f.input, editing::Input::Text { markdown: true, .. }))
        {
            Some(f) => editing::value(&form, f.name),
            None => "",
        };
        let title = E::FIELDS.first().map(|f| editing::value(&form, f.name));
        let (html, hints) = preview_of::<E>(state, editor, body, title).await?;
        let sheet = Sheet {
            summary: &summary,
            errors: parsed.err().unwrap_or_default(),
            preview: Some(html),
            hints,
            base,
            values: form,
            conflict: None,
        };
        return edit_page::<E>(state, editor, StatusCode::OK, sheet).await;
    }
    let newest = latest(state, editor).await?;
    if base != newest {
        // Someone saved since this form was opened: show the person their input and
        // let them decide, instead of silently undoing the other change.
        let sheet = Sheet {
            summary: &summary,
            errors: parsed.err().unwrap_or_default(),
            base: newest,
            conflict: Some(newest),
            values: form,
            ..Sheet::default()
        };
        return edit_page::<E>(state, editor, StatusCode::CONFLICT, sheet).await;
    }
    match parsed {
        Ok(edit) => {
            editing::save(
                &state.db,
                editor.target.id,
                &editor.target.public,
                &edit,
                editor.author(),
                &summary,
            )
            .await?;
            Ok(see_other(&format!("{}?gespeichert", editor.target.public)))
        }
        Err(errors) => {
            let sheet = Sheet {
                summary: &summary,
                errors,
                base,
                values: form,
                ..Sheet::default()
            };
            edit_page::<E>(state, editor, StatusCode::UNPROCESSABLE_ENTITY, sheet).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct RevisionQuery {
    nr: Option<i64>,
}

async fn history(
    State(state): State<AppState>,
    editor: Editor,
    Query(q): Query<RevisionQuery>,
) -> Result<Response, WebError> {
    let list = revisions::list(&state.db, editor.target.kind, editor.target.id).await?;
    let latest = list.first().map(|r| r.number);
    let chrome = Chrome::load(&state.db).await?;
    if let Some(number) = q.nr {
        let changes =
            with_edit!(editor.target.kind, E => diff_of::<E>(&state, &editor, number).await?);
        let Some((this, changes)) = changes else {
            return Err(WebError::NotFound);
        };
        let html = render(
            "editing/revision.html",
            &chrome,
            crate::ctx! {
                title => format!("Version {number}: {}", editor.target.title),
                target => editor.target,
                number => number,
                author => this.author,
                summary => this.summary,
                at => crate::dates::german_datetime(&this.created_at),
                at_iso => this.created_at,
                changes => changes,
                is_latest => latest == Some(number),
                csrf => editor.csrf(),
            },
        )?;
        return Ok(private(StatusCode::OK, html));
    }
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
    let html = render(
        "editing/history.html",
        &chrome,
        crate::ctx! {
            title => format!("Versionen: {}", editor.target.title),
            target => editor.target,
            revisions => items,
            latest => latest,
        },
    )?;
    Ok(private(StatusCode::OK, html))
}

/// Revision `number` and what it changed against the one before.
async fn diff_of<E: Editable>(
    state: &AppState,
    editor: &Editor,
    number: i64,
) -> Result<Option<(revisions::Revision, Vec<editing::FieldDiff>)>, WebError> {
    let (kind, id) = (editor.target.kind, editor.target.id);
    let Some(this) = revisions::get(&state.db, kind, id, number).await? else {
        return Ok(None);
    };
    let new: E = editing::snapshot(&this)?;
    let old: E = match revisions::get(&state.db, kind, id, number - 1).await? {
        Some(previous) => editing::snapshot(&previous)?,
        None => E::default(),
    };
    let changes = editing::diff(&old, &new);
    Ok(Some((this, changes)))
}

async fn restore(
    State(state): State<AppState>,
    editor: Editor,
    Form(form): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let number: i64 = form
        .get("nr")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| WebError::BadRequest("Welche Version? Das Feld „nr“ fehlt".into()))?;
    let t = &editor.target;
    let audit_target = format!("{} {}", t.kind.as_str(), t.key);
    let restored = with_edit!(t.kind, E => editing::restore::<E>(
        &state.db, t.id, &t.public, number, editor.author(), &audit_target,
    ).await?);
    match restored {
        Some(_) => Ok(see_other(&format!("/versionen/{}/", t.key))),
        None => Err(WebError::NotFound),
    }
}

/// An admin deleting the record named in the path (`allows(Delete)` besides editing).
pub struct Deleter(Editor);

impl FromRequestParts<AppState> for Deleter {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Deleter, Refused> {
        let editor = Editor::from_request_parts(parts, state).await?;
        if !allows(&editor.visitor.viewer, &Action::Delete) {
            return Err(Refused::Web(WebError::Forbidden));
        }
        Ok(Deleter(editor))
    }
}

async fn delete_form(
    State(state): State<AppState>,
    Deleter(editor): Deleter,
) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "editing/delete.html",
        &chrome,
        crate::ctx! {
            title => format!("{} löschen", editor.target.title),
            target => editor.target,
            csrf => editor.csrf(),
        },
    )?;
    Ok(private(StatusCode::OK, html))
}

async fn delete(
    State(state): State<AppState>,
    Deleter(editor): Deleter,
) -> Result<Response, WebError> {
    let t = &editor.target;
    let actor = match &editor.visitor.current {
        Some(c) => codefor_core::admin::Actor::of(&c.account),
        None => return Err(WebError::Forbidden),
    };
    codefor_core::admin::delete(
        &state.db,
        actor,
        t.kind,
        t.id,
        &format!("{} {}", t.kind.as_str(), t.key),
    )
    .await?;
    Ok(see_other("/admin/papierkorb/"))
}

/// The record's body rendered as saving would render it, with the link checks' hints.
async fn preview_of<E: Editable>(
    state: &AppState,
    editor: &Editor,
    body: &str,
    title: Option<&str>,
) -> Result<(String, Vec<String>), WebError> {
    let own_title = if E::KIND == Kind::Page { None } else { title };
    Ok(editing::render_body(&state.db, &editor.target.public, body, own_title).await?)
}

/// `POST /vorschau/<path>` (`body_md`, `title`): the live preview of the edit form's
/// script, as JSON `{"html", "hints"}`.
async fn live_preview(
    State(state): State<AppState>,
    editor: Editor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let body = editing::value(&form, "body_md");
    let title = form.get("title").map(String::as_str);
    let (html, hints) =
        with_edit!(editor.target.kind, E => preview_of::<E>(&state, &editor, body, title).await?);
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        axum::Json(serde_json::json!({ "html": html, "hints": hints })),
    )
        .into_response())
}
