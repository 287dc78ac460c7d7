//! Proposing a new lab (`/labs/vorschlagen/`, everyone signed in) and the admins' queue
//! of proposals (`/admin/vorschlaege/`).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::accounts::AccountError;
use codefor_core::forms::FieldErrors;
use codefor_core::proposals;

use crate::admin::AdminOnly;
use crate::forms::{private, see_other};
use crate::session::SignedIn;
use crate::views::{Chrome, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/labs/vorschlagen/", get(form).post(propose))
        .route("/admin/vorschlaege/", get(queue))
        .route("/admin/vorschlaege/{id}", post(decide))
}

fn states() -> Vec<serde_json::Value> {
    codefor_domain::states::ALL
        .iter()
        .map(|s| serde_json::json!({ "key": s.key, "name": s.name }))
        .collect()
}

async fn form_page(
    state: &AppState,
    signed: &SignedIn,
    status: StatusCode,
    values: &HashMap<String, String>,
    errors: &FieldErrors,
    sent: bool,
) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "proposals/form.html",
        &chrome,
        crate::ctx! {
            title => "Ein Lab vorschlagen",
            v => values,
            err => errors.by_field(),
            error_count => errors.0.len(),
            states => states(),
            sent => sent,
            csrf => signed.current.session.csrf_token,
        },
    )?;
    Ok(private(status, html))
}

async fn form(State(state): State<AppState>, signed: SignedIn) -> Result<Response, WebError> {
    form_page(
        &state,
        &signed,
        StatusCode::OK,
        &HashMap::new(),
        &FieldErrors::default(),
        false,
    )
    .await
}

async fn propose(
    State(state): State<AppState>,
    signed: SignedIn,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    match proposals::propose(&state.db, &signed.current.account, &values).await {
        Ok(_) => {
            form_page(
                &state,
                &signed,
                StatusCode::OK,
                &HashMap::new(),
                &FieldErrors::default(),
                true,
            )
            .await
        }
        Err(AccountError::Invalid(errors)) => {
            form_page(
                &state,
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                &values,
                &errors,
                false,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn queue_page(
    state: &AppState,
    admin: &AdminOnly,
    status: StatusCode,
    alert: Option<String>,
) -> Result<Response, WebError> {
    let open = codefor_storage::proposals::open(&state.db).await?;
    let items: Vec<_> = open
        .into_iter()
        .map(|p| {
            let state_name = codefor_domain::states::by_key(&p.state_key)
                .map(|s| s.name)
                .unwrap_or("");
            serde_json::json!({
                "id": p.id, "name": p.name, "city": p.city, "state": state_name,
                "leads": p.leads, "meeting": p.meeting, "note": p.note,
                "slug": codefor_domain::slug::slugify(&p.city),
                "at": crate::dates::german_datetime(&p.created_at), "at_iso": p.created_at,
            })
        })
        .collect();
    let chrome = Chrome::load(&state.db).await?;
    let csrf = admin.visitor.csrf();
    let html = render(
        "proposals/queue.html",
        &chrome,
        crate::ctx! { title => "Vorschläge für neue Labs", items => items, alert => alert, csrf => csrf },
    )?;
    Ok(private(status, html))
}

async fn queue(State(state): State<AppState>, admin: AdminOnly) -> Result<Response, WebError> {
    queue_page(&state, &admin, StatusCode::OK, None).await
}

async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    admin: AdminOnly,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let origin = state.origin(&headers);
    let result = proposals::decide(
        &state.db,
        &state.config.mailer,
        &origin,
        &admin.account,
        id,
        get("decision") == "approve",
        get("reason"),
        get("slug"),
    )
    .await;
    match result {
        Ok(()) => Ok(see_other("/admin/vorschlaege/")),
        Err(AccountError::Invalid(errors)) => {
            let text = errors.joined();
            queue_page(&state, &admin, StatusCode::UNPROCESSABLE_ENTITY, Some(text)).await
        }
        Err(e) => Err(e.into()),
    }
}
