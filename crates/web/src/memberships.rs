//! Joining a lab in the browser: the request on the lab's page, the leads' dashboard
//! (`/mitglieder/<lab>/`) with the answers and co-leads, leaving.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::accounts::AccountError;
use codefor_core::memberships;
use codefor_domain::permissions::{Action, allows};
use codefor_storage::labs::LabDetail;
use serde::Deserialize;

use crate::editing::Refused;
use crate::forms::{private, see_other};
use crate::session::{SignedIn, Visitor};
use crate::views::{Chrome, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/mitglieder/{slug}/", get(dashboard))
        .route("/mitglieder/{slug}/antwort", post(answer))
        .route("/mitglieder/{slug}/co-leitung", post(appoint))
        .route("/mitglieder/{slug}/status", post(set_status))
        .route("/mitglieder/{slug}/anfragen", post(set_accepting))
        .route("/mitglieder/{slug}/kalender", post(add_calendar))
        .route(
            "/mitglieder/{slug}/kalender/{id}/abrufen",
            post(fetch_calendar),
        )
        .route(
            "/mitglieder/{slug}/kalender/{id}/entfernen",
            post(remove_calendar),
        )
        .route("/beitreten/{slug}/", post(join))
        .route("/verlassen/{slug}/", post(leave))
}

/// A lead of the lab in the path, or an admin (`allows(ManageMembers)`).
pub struct LabManager {
    visitor: Visitor,
    lab: LabDetail,
}

impl FromRequestParts<AppState> for LabManager {
    type Rejection = Refused;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<LabManager, Refused> {
        let slug = parts
            .uri
            .path()
            .trim_start_matches("/mitglieder/")
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
            return Err(Refused::SignIn(format!("/mitglieder/{slug}/")));
        }
        if !allows(&visitor.viewer, &Action::ManageMembers { lab: lab.id }) {
            return Err(Refused::Web(WebError::Forbidden));
        }
        Ok(LabManager { visitor, lab })
    }
}

impl LabManager {
    /// The signed-in account acting (a `LabManager` is always signed in).
    fn actor(&self) -> Result<codefor_storage::accounts::Account, WebError> {
        self.visitor
            .current
            .as_ref()
            .map(|c| c.account.clone())
            .ok_or(WebError::Forbidden)
    }
}

async fn dashboard_page(
    state: &AppState,
    m: &LabManager,
    status: StatusCode,
    alert: Option<String>,
) -> Result<Response, WebError> {
    let pending = codefor_storage::memberships::pending(&state.db, m.lab.id).await?;
    let pending: Vec<_> = pending
        .into_iter()
        .map(|p| {
            serde_json::json!({
                "person_id": p.person_id, "name": p.name, "message": p.message,
                "at": crate::dates::german_datetime(&p.created_at), "at_iso": p.created_at,
            })
        })
        .collect();
    let members = codefor_storage::memberships::members(&state.db, m.lab.id).await?;
    let activity = codefor_core::labs::activity(&state.db, Some(m.lab.id))
        .await?
        .into_iter()
        .next();
    let last = activity.as_ref().and_then(|a| a.last.clone());
    let quiet = activity
        .as_ref()
        .is_some_and(|a| codefor_core::labs::is_quiet(a, state.config.inactive_after_days));
    let sources: Vec<_> = codefor_storage::calendars::of_lab(&state.db, m.lab.id)
        .await?
        .into_iter()
        .map(|s| {
            let when = |at: Option<i64>| {
                at.and_then(|t| jiff::Timestamp::from_second(t).ok())
                    .map(|t| crate::dates::german_datetime(&t.to_string()))
            };
            serde_json::json!({
                "id": s.id, "url": s.url, "events": s.events,
                "checked": when(s.checked_at), "ok": when(s.ok_at),
                "failed": s.error.is_some(),
                "error": s.error,
                "notes": s.notes,
            })
        })
        .collect();
    let meetups = crate::meetups::upcoming_list(state, Some(m.lab.id), 10).await?;
    let chrome = Chrome::load(&state.db).await?;
    let csrf = m.visitor.csrf();
    let html = render(
        "memberships/dashboard.html",
        &chrome,
        crate::ctx! {
            title => format!("Mitglieder: {}", m.lab.lab.name),
            lab => m.lab.lab,
            leads => m.lab.leads,
            pending => pending,
            members => members,
            last => last.as_deref().map(crate::dates::german),
            quiet => quiet,
            sources => sources,
            accepts => codefor_storage::labs::accepts_requests(&state.db, m.lab.id).await?,
            meetups => meetups,
            links => crate::link_health::lab_section(state, m.lab.id).await?,
            days => state.config.inactive_after_days,
            alert => alert,
            csrf => csrf,
        },
    )?;
    Ok(private(status, html))
}

async fn dashboard(State(state): State<AppState>, m: LabManager) -> Result<Response, WebError> {
    dashboard_page(&state, &m, StatusCode::OK, None).await
}

/// Back to the dashboard, or the dashboard with what went wrong.
async fn done(
    state: &AppState,
    m: &LabManager,
    result: Result<(), AccountError>,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(see_other(&format!("/mitglieder/{}/", m.lab.lab.slug))),
        Err(AccountError::Invalid(errors)) => {
            let text = errors.joined();
            dashboard_page(state, m, StatusCode::UNPROCESSABLE_ENTITY, Some(text)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct AnswerForm {
    #[serde(default)]
    person: i64,
    #[serde(default)]
    accept: String,
}

async fn answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    m: LabManager,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let actor = m.actor()?;
    let origin = state.origin(&headers);
    let result = memberships::decide(
        &state.db,
        &state.config.mailer,
        &origin,
        &actor,
        &m.lab,
        form.person,
        form.accept == "1",
    )
    .await;
    done(&state, &m, result).await
}

#[derive(Debug, Default, Deserialize)]
struct PersonForm {
    #[serde(default)]
    person: i64,
}

async fn appoint(
    State(state): State<AppState>,
    m: LabManager,
    Form(form): Form<PersonForm>,
) -> Result<Response, WebError> {
    let actor = m.actor()?;
    let result = memberships::appoint(&state.db, &actor, &m.lab, form.person).await;
    done(&state, &m, result).await
}

#[derive(Debug, Default, Deserialize)]
struct JoinForm {
    #[serde(default)]
    message: String,
}

async fn join(
    State(state): State<AppState>,
    headers: HeaderMap,
    SignedIn { current, .. }: SignedIn,
    Path(slug): Path<String>,
    Form(form): Form<JoinForm>,
) -> Result<Response, WebError> {
    let lab = codefor_storage::labs::get(&state.db, &slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let origin = state.origin(&headers);
    match memberships::ask(
        &state.db,
        &state.config.mailer,
        &origin,
        &current.account,
        &lab,
        &form.message,
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/{slug}/#mitmachen"))),
        Err(AccountError::Invalid(errors)) => Err(WebError::BadRequest(
            errors
                .0
                .first()
                .map(|e| e.message.trim_end_matches('.').to_owned())
                .unwrap_or_default(),
        )),
        Err(e) => Err(e.into()),
    }
}

async fn leave(
    State(state): State<AppState>,
    SignedIn { current, .. }: SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let lab = codefor_storage::labs::get(&state.db, &slug)
        .await?
        .ok_or(WebError::NotFound)?;
    memberships::leave(&state.db, &current.account, &lab).await?;
    Ok(see_other(&format!("/{slug}/#mitmachen")))
}

#[derive(Debug, Default, Deserialize)]
struct StatusForm {
    #[serde(default)]
    active: String,
}

async fn set_status(
    State(state): State<AppState>,
    m: LabManager,
    Form(form): Form<StatusForm>,
) -> Result<Response, WebError> {
    let actor = m.actor()?;
    let author = codefor_storage::revisions::Author {
        account_id: Some(actor.id),
        name: &actor.display_name,
    };
    codefor_core::labs::set_active(&state.db, author, &m.lab, form.active == "1").await?;
    Ok(see_other(&format!("/mitglieder/{}/", m.lab.lab.slug)))
}

#[derive(Debug, Default, Deserialize)]
struct CalendarForm {
    #[serde(default)]
    url: String,
}

async fn add_calendar(
    State(state): State<AppState>,
    m: LabManager,
    Form(form): Form<CalendarForm>,
) -> Result<Response, WebError> {
    let actor = m.actor()?;
    let result = codefor_core::calendars::sync::register(
        &state.db,
        &actor,
        m.lab.id,
        &m.lab.lab.slug,
        &form.url,
    )
    .await;
    match result {
        Ok(id) => {
            // The first fetch right away, so the lead sees at once whether it works.
            if let Some(source) = codefor_storage::calendars::get(&state.db, id).await? {
                sync_now(&state, &source).await?;
            }
            Ok(see_other(&format!(
                "/mitglieder/{}/#kalender",
                m.lab.lab.slug
            )))
        }
        Err(e) => done(&state, &m, Err(e)).await,
    }
}

async fn sync_now(
    state: &AppState,
    source: &codefor_storage::calendars::Source,
) -> Result<(), WebError> {
    use codefor_core::calendars::sync::{self, SyncError};
    match sync::sync(&state.db, source, &state.config.calendar_fetch).await {
        // A failed fetch is recorded on the source and shown on the dashboard.
        Ok(_) | Err(SyncError::Source(_)) => {
            state.cache.recheck();
            Ok(())
        }
        Err(SyncError::Db(e)) => Err(e.into()),
    }
}

/// The source in the path, when it belongs to the lab in the path.
async fn lab_source(
    state: &AppState,
    m: &LabManager,
    id: i64,
) -> Result<codefor_storage::calendars::Source, WebError> {
    codefor_storage::calendars::get(&state.db, id)
        .await?
        .filter(|s| s.lab_id == m.lab.id)
        .ok_or(WebError::NotFound)
}

async fn fetch_calendar(
    State(state): State<AppState>,
    m: LabManager,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let source = lab_source(&state, &m, id).await?;
    sync_now(&state, &source).await?;
    Ok(see_other(&format!(
        "/mitglieder/{}/#kalender",
        m.lab.lab.slug
    )))
}

async fn remove_calendar(
    State(state): State<AppState>,
    m: LabManager,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let actor = m.actor()?;
    let source = lab_source(&state, &m, id).await?;
    let mut tx = state.db.begin().await?;
    codefor_storage::calendars::remove(&mut tx, m.lab.id, source.id).await?;
    codefor_storage::audit::record(
        &mut tx,
        Some(actor.id),
        &actor.display_name,
        "calendar.remove",
        &m.lab.lab.slug,
        &source.url,
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(see_other(&format!(
        "/mitglieder/{}/#kalender",
        m.lab.lab.slug
    )))
}

async fn set_accepting(
    State(state): State<AppState>,
    m: LabManager,
    Form(form): Form<StatusForm>,
) -> Result<Response, WebError> {
    let actor = m.actor()?;
    let accepts = form.active == "1";
    let mut tx = state.db.begin().await?;
    codefor_storage::labs::set_accepts_requests(&mut tx, m.lab.id, accepts).await?;
    codefor_storage::audit::record(
        &mut tx,
        Some(actor.id),
        &actor.display_name,
        if accepts {
            "lab.requests.open"
        } else {
            "lab.requests.close"
        },
        &m.lab.lab.slug,
        "",
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    state.cache.recheck();
    Ok(see_other(&format!(
        "/mitglieder/{}/#anfragen",
        m.lab.lab.slug
    )))
}
