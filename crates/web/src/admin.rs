//! The admins' page: every account with its roles, granting and withdrawing admin
//! rights, making an account a lab lead, linking it to a person named in content, and
//! the audit log.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::accounts::AccountError;
use codefor_core::admin::{self, Actor};
use codefor_domain::permissions::{Action, allows};
use codefor_storage::{accounts, audit, labs};
use serde::Deserialize;

use crate::editing::Refused;
use crate::forms::{private, see_other};
use crate::session::Visitor;
use crate::views::{Chrome, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/", get(index))
        .route("/admin/konten/{id}/admin", post(set_admin))
        .route("/admin/konten/{id}/lab", post(make_lead))
        .route("/admin/konten/{id}/person", post(link_person))
        .route("/admin/labs/neu/", get(new_lab_form).post(new_lab))
        .route("/admin/papierkorb/", get(trash))
        .route("/admin/papierkorb/{kind}/{id}", post(undelete))
}

async fn trash(State(state): State<AppState>, admin: AdminOnly) -> Result<Response, WebError> {
    let items = codefor_storage::trash::list(&state.db).await?;
    let items: Vec<_> = items
        .into_iter()
        .map(|d| {
            let noun = match d.kind {
                "lab" => "Lab",
                "project" => "Projekt",
                "post" => "Beitrag",
                _ => "Seite",
            };
            serde_json::json!({
                "kind": d.kind, "id": d.id, "key": d.key, "title": d.title, "noun": noun,
                "at": crate::dates::german_datetime(&d.deleted_at), "at_iso": d.deleted_at,
            })
        })
        .collect();
    let chrome = Chrome::load(&state.db).await?;
    let csrf = admin.visitor.csrf();
    let html = render(
        "admin/trash.html",
        &chrome,
        crate::ctx! { title => "Papierkorb", items => items, csrf => csrf },
    )?;
    Ok(private(StatusCode::OK, html))
}

async fn undelete(
    State(state): State<AppState>,
    admin: AdminOnly,
    Path((kind, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let kind = codefor_storage::revisions::Kind::parse(&kind).ok_or(WebError::NotFound)?;
    let key = codefor_storage::trash::list(&state.db)
        .await?
        .into_iter()
        .find(|d| d.kind == kind.as_str() && d.id == id)
        .map(|d| d.key)
        .ok_or(WebError::NotFound)?;
    // Named like the editing URLs and the delete entry: `project projekte/<slug>`.
    let path = match kind {
        codefor_storage::revisions::Kind::Project => format!("projekte/{key}"),
        codefor_storage::revisions::Kind::Post => format!("blog/{key}"),
        _ => key,
    };
    admin::undelete(
        &state.db,
        Actor::of(&admin.account),
        kind,
        id,
        &format!("{} {path}", kind.as_str()),
    )
    .await?;
    Ok(see_other("/admin/papierkorb/"))
}

/// A signed-in admin (`allows(ManageRoles)`), checked before the handler runs.
pub struct AdminOnly {
    pub visitor: Visitor,
    pub account: accounts::Account,
}

impl FromRequestParts<AppState> for AdminOnly {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<AdminOnly, Refused> {
        let visitor = parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .unwrap_or_default();
        let Some(current) = visitor.current.clone() else {
            return Err(Refused::SignIn(parts.uri.path().to_owned()));
        };
        if !allows(&visitor.viewer, &Action::ManageRoles) {
            return Err(Refused::Web(WebError::Forbidden));
        }
        Ok(AdminOnly {
            visitor,
            account: current.account,
        })
    }
}

async fn page(
    state: &AppState,
    admin: &AdminOnly,
    status: StatusCode,
    alert: Option<String>,
) -> Result<Response, WebError> {
    let list = accounts::list(&state.db).await?;
    let lab_list = labs::ids(&state.db).await?;
    let quiet = codefor_core::labs::quiet(&state.db, state.config.inactive_after_days).await?;
    let quiet: Vec<_> = quiet
        .into_iter()
        .map(|a| {
            serde_json::json!({
                "slug": a.slug, "name": a.name,
                "last": a.last.as_deref().map(crate::dates::german),
            })
        })
        .collect();
    let log = audit::recent(&state.db, 100).await?;
    let log: Vec<_> = log
        .into_iter()
        .map(|e| {
            serde_json::json!({
                "at": crate::dates::german_datetime(&e.at),
                "at_iso": e.at,
                "actor": e.actor,
                "action": action_label(&e.action),
                "target": e.target,
                "detail": e.detail,
            })
        })
        .collect();
    let labs_json: Vec<_> = lab_list
        .iter()
        .map(|(_, slug, name)| serde_json::json!({ "slug": slug, "name": name }))
        .collect();
    let chrome = Chrome::load(&state.db).await?;
    let csrf = admin.visitor.csrf();
    let html = render(
        "admin/index.html",
        &chrome,
        crate::ctx! {
            title => "Verwaltung",
            accounts => list,
            labs => labs_json,
            log => log,
            quiet => quiet,
            days => state.config.inactive_after_days,
            alert => alert,
            me => admin.account.id,
            csrf => csrf,
        },
    )?;
    Ok(private(status, html))
}

async fn index(State(state): State<AppState>, admin: AdminOnly) -> Result<Response, WebError> {
    page(&state, &admin, StatusCode::OK, None).await
}

/// After an admin action: back to the list, or the list with what went wrong.
async fn done(
    state: &AppState,
    admin: &AdminOnly,
    result: Result<(), AccountError>,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(see_other("/admin/")),
        Err(AccountError::Invalid(errors)) => {
            let text = errors.joined();
            page(state, admin, StatusCode::UNPROCESSABLE_ENTITY, Some(text)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct AdminForm {
    #[serde(default)]
    admin: String,
}

async fn set_admin(
    State(state): State<AppState>,
    admin: AdminOnly,
    Path(id): Path<i64>,
    Form(form): Form<AdminForm>,
) -> Result<Response, WebError> {
    let result =
        admin::set_admin(&state.db, Actor::of(&admin.account), id, form.admin == "1").await;
    done(&state, &admin, result).await
}

#[derive(Debug, Default, Deserialize)]
struct LabForm {
    #[serde(default)]
    lab: String,
}

async fn make_lead(
    State(state): State<AppState>,
    admin: AdminOnly,
    Path(id): Path<i64>,
    Form(form): Form<LabForm>,
) -> Result<Response, WebError> {
    let result = admin::make_lead(&state.db, Actor::of(&admin.account), id, &form.lab).await;
    done(&state, &admin, result).await
}

#[derive(Debug, Default, Deserialize)]
struct PersonForm {
    #[serde(default)]
    person: String,
}

async fn link_person(
    State(state): State<AppState>,
    admin: AdminOnly,
    Path(id): Path<i64>,
    Form(form): Form<PersonForm>,
) -> Result<Response, WebError> {
    let result = admin::link_person(&state.db, Actor::of(&admin.account), id, &form.person).await;
    done(&state, &admin, result).await
}

async fn new_lab_page(
    state: &AppState,
    admin: &AdminOnly,
    status: StatusCode,
    values: &std::collections::HashMap<String, String>,
    errors: &codefor_core::forms::FieldErrors,
) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let csrf = admin.visitor.csrf();
    let states: Vec<_> = codefor_domain::states::ALL
        .iter()
        .map(|s| serde_json::json!({ "key": s.key, "name": s.name }))
        .collect();
    let html = render(
        "admin/new_lab.html",
        &chrome,
        crate::ctx! {
            title => "Neues Lab",
            v => values,
            err => errors.by_field(),
            error_count => errors.0.len(),
            states => states,
            csrf => csrf,
        },
    )?;
    Ok(private(status, html))
}

async fn new_lab_form(
    State(state): State<AppState>,
    admin: AdminOnly,
) -> Result<Response, WebError> {
    new_lab_page(
        &state,
        &admin,
        StatusCode::OK,
        &Default::default(),
        &Default::default(),
    )
    .await
}

async fn new_lab(
    State(state): State<AppState>,
    admin: AdminOnly,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    let parsed = match codefor_core::labs::parse_new(&form) {
        Ok(lab) => lab,
        Err(errors) => {
            return new_lab_page(
                &state,
                &admin,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                &errors,
            )
            .await;
        }
    };
    let author = codefor_storage::revisions::Author {
        account_id: Some(admin.account.id),
        name: &admin.account.display_name,
    };
    match codefor_core::labs::create(&state.db, &parsed, author).await {
        Ok(_) => Ok(see_other(&codefor_core::urls::lab(&parsed.slug))),
        Err(AccountError::Invalid(errors)) => {
            new_lab_page(
                &state,
                &admin,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                &errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// What an audit entry's action means, in words.
fn action_label(action: &str) -> String {
    let (kind, verb) = action.split_once('.').unwrap_or(("", action));
    let noun = match kind {
        "lab" => "Lab",
        "project" => "Projekt",
        "post" => "Beitrag",
        "page" => "Seite",
        _ => "",
    };
    match (kind, verb) {
        ("role", "admin.grant") => "Admin-Rechte erteilt".to_owned(),
        ("role", "admin.withdraw") => "Admin-Rechte entzogen".to_owned(),
        ("role", "lead.grant") => "als Leitung eingetragen".to_owned(),
        ("role", "lead.withdraw") => "als Leitung ausgetragen".to_owned(),
        ("person", "link") => "Konto mit Person verknüpft".to_owned(),
        ("person", "claim") => "Person beansprucht".to_owned(),
        ("account", "password.reset") => "Passwort zurückgesetzt".to_owned(),
        ("account", "delete") => "Konto gelöscht".to_owned(),
        ("lab", "create") => "Lab gegründet".to_owned(),
        ("lab", "deactivate") => "Lab als inaktiv markiert".to_owned(),
        ("lab", "revive") => "Lab wieder aktiv".to_owned(),
        ("membership", "accept") => "Beitritt angenommen".to_owned(),
        ("membership", "decline") => "Beitritt abgelehnt".to_owned(),
        ("membership", "leave") => "Lab verlassen".to_owned(),
        ("proposal", "approve") => "Vorschlag angenommen".to_owned(),
        ("proposal", "decline") => "Vorschlag abgelehnt".to_owned(),
        ("need", "status") => "Bedürfnis: neuer Stand".to_owned(),
        ("need", "project.link") => "Bedürfnis: Projekt verknüpft".to_owned(),
        ("need", "project.unlink") => "Bedürfnis: Projekt-Verknüpfung gelöst".to_owned(),
        ("need", "hide") => "Bedürfnis ausgeblendet".to_owned(),
        ("need", "unhide") => "Bedürfnis wieder eingeblendet".to_owned(),
        ("need", "lock") => "Diskussion gesperrt".to_owned(),
        ("need", "unlock") => "Diskussion entsperrt".to_owned(),
        ("need", "release") => "Bedürfnis freigegeben".to_owned(),
        ("comment", "hide") => "Kommentar ausgeblendet".to_owned(),
        ("comment", "unhide") => "Kommentar wieder eingeblendet".to_owned(),
        ("comment", "release") => "Kommentar freigegeben".to_owned(),
        ("report", "dismiss") => "Meldung verworfen".to_owned(),
        (_, "restore") => format!("{noun}: Version wiederhergestellt"),
        (_, "delete") => format!("{noun} gelöscht"),
        (_, "undelete") => format!("{noun} aus dem Papierkorb geholt"),
        _ => action.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn moderation_actions_read_as_words() {
        assert_eq!(
            super::action_label("comment.hide"),
            "Kommentar ausgeblendet"
        );
        assert_eq!(super::action_label("need.status"), "Bedürfnis: neuer Stand");
    }

    #[test]
    fn audit_actions_read_as_words() {
        assert_eq!(
            super::action_label("role.lead.grant"),
            "als Leitung eingetragen"
        );
        assert_eq!(super::action_label("project.delete"), "Projekt gelöscht");
        assert_eq!(
            super::action_label("page.restore"),
            "Seite: Version wiederhergestellt"
        );
        assert_eq!(super::action_label("neu.unbekannt"), "neu.unbekannt");
    }
}
