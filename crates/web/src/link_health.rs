//! Link health in the browser: the section „Defekte Links“ on a lab's dashboard
//! (`/mitglieder/<lab>/`, see [`lab_section`]) and the admins' list of every broken link
//! at `/admin/links/`. The checking itself runs in the background
//! (`codefor_core::link_health`).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use codefor_core::link_health::{self, Health};

use crate::admin::AdminOnly;
use crate::dates::german_datetime;
use crate::forms::private;
use crate::views::{Chrome, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/links/", get(admin_page))
}

/// What the templates of `link_health/` show: the problems with their dates in German,
/// and the counts.
fn view(health: &Health) -> serde_json::Value {
    let when = |at: &Option<String>| at.as_deref().map(german_datetime);
    let problems: Vec<_> = health
        .problems
        .iter()
        .map(|p| {
            serde_json::json!({
                "url": p.used.url, "noun": p.used.noun, "title": p.used.title,
                "field": p.used.field, "view_path": p.used.view_path,
                "edit_path": p.used.edit_path, "status": p.status, "text": p.text,
                "since": when(&p.since), "since_iso": p.since,
                "checked": when(&p.last_checked), "checked_iso": p.last_checked,
            })
        })
        .collect();
    serde_json::json!({
        "problems": problems,
        "urls": health.urls,
        "transient": health.transient,
        "unchecked": health.unchecked,
        "last_checked": when(&health.last_checked),
        "last_checked_iso": health.last_checked,
    })
}

/// The context of the dashboard section `link_health/section.html` for `lab`'s records.
pub async fn lab_section(state: &AppState, lab: i64) -> Result<serde_json::Value, WebError> {
    Ok(view(&link_health::problems(&state.db, Some(lab)).await?))
}

async fn admin_page(
    State(state): State<AppState>,
    _admin: AdminOnly,
) -> Result<Response, WebError> {
    let health = link_health::problems(&state.db, None).await?;
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "link_health/admin.html",
        &chrome,
        crate::ctx! { title => "Defekte Links", links => view(&health) },
    )?;
    Ok(private(StatusCode::OK, html))
}
