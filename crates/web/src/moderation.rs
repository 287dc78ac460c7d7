//! Moderation of needs in the browser: „Melden“ for everyone signed in (a form on the
//! need page, a page of its own per comment), the moderators'
//! panel on a need page ([`need_panel`]: hide with a public reason, restore, lock the
//! thread, release what was held, the open reports), the same actions on comments, and
//! the queue at `/moderation/` (open reports, held needs and comments) — admins see
//! everything, leads what concerns the needs their labs adopted.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::accounts::AccountError;
use codefor_core::forms::FieldErrors;
use codefor_core::moderation::{self as core, MAX_HIDE_REASON, MAX_REPORT};
use codefor_domain::permissions::{Action, allows};
use codefor_storage::need_comments::Comment;
use codefor_storage::needs::Need;
use codefor_storage::reports::{self, Report};
use serde::Deserialize;

use crate::forms::{private, see_other, then_see_other};
use crate::need_comments::{comment_path, moderates, visible_need};
use crate::session::{SignedIn, Visitor};
use crate::views::{Chrome, fragment, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/moderation/", get(queue))
        .route("/moderation/meldungen/{rid}/verwerfen", post(dismiss))
        .route("/beduerfnisse/{id}/melden", post(report_need))
        .route(
            "/beduerfnisse/{id}/kommentare/{cid}/melden",
            get(report_comment_form).post(report_comment),
        )
        .route("/beduerfnisse/{id}/moderation", post(moderate_need))
        .route(
            "/beduerfnisse/{id}/kommentare/{cid}/moderation",
            post(moderate_comment),
        )
}

/// Where a report or moderation points to on the site (a comment: the page of the
/// discussion that holds it, whichever that is by then).
fn target_path(need: i64, comment: Option<i64>) -> String {
    match comment {
        Some(c) => format!("/beduerfnisse/{need}/kommentare?beitrag={c}#kommentar-{c}"),
        None => format!("/beduerfnisse/{need}/"),
    }
}

fn report_view(r: &Report) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "need_id": r.need_id,
        "need_title": r.need_title,
        "comment_id": r.comment_id,
        "path": target_path(r.need_id, r.comment_id),
        "reason": r.reason,
        "reporter": r.reporter_name.as_deref().unwrap_or(codefor_core::need_comments::DELETED_ACCOUNT),
        "at": crate::dates::german_datetime(&r.created_at),
        "at_iso": r.created_at,
    })
}

/// The need page's moderation part (`id="moderation"`): a „Melden“ form for people
/// signed in, and for the need's moderators the controls and its open reports (of the
/// need and of its comments). Empty for visitors not signed in.
pub async fn need_panel(
    state: &AppState,
    visitor: &Visitor,
    need: &Need,
) -> Result<String, WebError> {
    let Some(me) = visitor.viewer.account_id else {
        return Ok(String::new());
    };
    let moderator = moderates(visitor, need);
    let reported = reports::open_by(&state.db, need.id, me)
        .await?
        .contains(&None);
    let open: Vec<_> = if moderator {
        reports::open_of_need(&state.db, need.id)
            .await?
            .iter()
            .map(report_view)
            .collect()
    } else {
        Vec::new()
    };
    fragment(
        "moderation/panel.html",
        crate::ctx! {
            need_id => need.id,
            moderator => moderator,
            can_report => !moderator && need.hidden_reason.is_none() && need.author_id != Some(me),
            reported => reported,
            hidden_reason => need.hidden_reason,
            locked => need.locked != 0,
            held => need.held != 0,
            reports => open,
            max_report => MAX_REPORT,
            max_reason => MAX_HIDE_REASON,
            csrf => visitor.csrf(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
struct ReasonForm {
    #[serde(default)]
    grund: String,
    #[serde(default)]
    aktion: String,
    /// `moderation` to go back to the queue.
    #[serde(default)]
    zurueck: String,
}

/// What a form that came back with a mistake was about.
struct Retry<'a> {
    need: &'a Need,
    comment: Option<i64>,
    /// `melden` or `ausblenden`.
    kind: &'static str,
    action: String,
    grund: &'a str,
    zurueck: &'a str,
    errors: FieldErrors,
}

async fn retry(state: &AppState, visitor: &Visitor, r: Retry<'_>) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let title = match (r.kind, r.comment) {
        ("melden", Some(_)) => "Beitrag melden",
        ("melden", None) => "Bedürfnis melden",
        (_, Some(_)) => "Beitrag ausblenden",
        _ => "Bedürfnis moderieren",
    };
    let html = render(
        "moderation/retry.html",
        &chrome,
        crate::ctx! {
            nav => "beduerfnisse",
            title => title,
            need => serde_json::json!({ "id": r.need.id, "title": r.need.title }),
            back => target_path(r.need.id, r.comment),
            kind => r.kind,
            action => r.action,
            grund => r.grund,
            zurueck => r.zurueck,
            err => r.errors.joined(),
            max_report => MAX_REPORT,
            max_reason => MAX_HIDE_REASON,
            csrf => visitor.csrf(),
        },
    )?;
    Ok(private(StatusCode::UNPROCESSABLE_ENTITY, html))
}

fn comment_id(cid: &str) -> Result<i64, WebError> {
    cid.parse().map_err(|_| WebError::NotFound)
}

async fn report_need(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, WebError> {
    let need = visible_need(&state, &visitor, &id).await?;
    if !allows(&visitor.viewer, &Action::Participate) {
        return Err(WebError::Forbidden);
    }
    match core::report(&state.db, &current.account, &need, None, &form.grund).await {
        Ok(()) => Ok(see_other(&format!("/beduerfnisse/{}/#moderation", need.id))),
        Err(AccountError::Invalid(errors)) => {
            retry(
                &state,
                &visitor,
                Retry {
                    need: &need,
                    comment: None,
                    kind: "melden",
                    action: format!("/beduerfnisse/{}/melden", need.id),
                    grund: &form.grund,
                    zurueck: "",
                    errors,
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The comment in the path, when the visitor may report it: only comments the reporter
/// can see (held ones are no one else's business), by people who may take part.
async fn reportable(
    state: &AppState,
    visitor: &Visitor,
    id: &str,
    cid: &str,
) -> Result<(Need, Comment), WebError> {
    let need = visible_need(state, visitor, id).await?;
    let cid = comment_id(cid)?;
    let comment = match codefor_storage::need_comments::get(&state.db, need.id, cid).await? {
        Some(c) if c.held == 0 || c.author_id == visitor.viewer.account_id => c,
        _ => return Err(WebError::NotFound),
    };
    if !allows(&visitor.viewer, &Action::Participate) {
        return Err(WebError::Forbidden);
    }
    Ok((need, comment))
}

/// The report page of a comment: the comment (its public reason instead when it is
/// hidden) and the form, with what was wrong when it came back.
async fn report_page(
    state: &AppState,
    visitor: &Visitor,
    need: &Need,
    comment: &Comment,
    grund: &str,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    // Before the form is sent: say why there is nothing to do instead of a form.
    let refused = if !errors.is_empty() {
        None
    } else if comment.hidden_reason.is_some() {
        Some("Die Moderation hat diesen Beitrag schon ausgeblendet.")
    } else {
        let me = visitor.viewer.account_id.unwrap_or_default();
        reports::open_by(&state.db, need.id, me)
            .await?
            .contains(&Some(comment.id))
            .then_some("Du hast diesen Beitrag schon gemeldet. Die Moderation sieht ihn sich an.")
    };
    let status = match refused {
        Some(_) if comment.hidden_reason.is_some() => StatusCode::FORBIDDEN,
        _ => status,
    };
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "moderation/report.html",
        &chrome,
        crate::ctx! {
            nav => "beduerfnisse",
            title => "Beitrag melden",
            need => serde_json::json!({ "id": need.id, "title": need.title }),
            comment => serde_json::json!({
                "id": comment.id,
                "author": codefor_core::need_comments::author_name(comment),
                "deleted_author": comment.author_id.is_none(),
                "at": crate::dates::german_datetime(&comment.created_at),
                "at_iso": comment.created_at,
                "hidden_reason": comment.hidden_reason,
                "body_html": if comment.hidden_reason.is_none() { comment.body_html.as_str() } else { "" },
            }),
            back => comment_path(state, visitor, need, comment.id).await?,
            refused => refused,
            grund => grund,
            err => errors.get(core::REASON),
            max_report => MAX_REPORT,
            csrf => visitor.csrf(),
        },
    )?;
    Ok(private(status, html))
}

/// `/beduerfnisse/<id>/kommentare/<cid>/melden`: the comment and a form to report it.
/// People not signed in are sent to sign in and back.
async fn report_comment_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((id, cid)): Path<(String, String)>,
) -> Result<Response, WebError> {
    if !visitor.signed_in() {
        let (Ok(id), Ok(cid)) = (id.parse::<i64>(), cid.parse::<i64>()) else {
            return Err(WebError::NotFound);
        };
        return Ok(see_other(&format!(
            "/anmelden/?next=/beduerfnisse/{id}/kommentare/{cid}/melden"
        )));
    }
    let (need, comment) = reportable(&state, &visitor, &id, &cid).await?;
    report_page(
        &state,
        &visitor,
        &need,
        &comment,
        "",
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn report_comment(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path((id, cid)): Path<(String, String)>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, WebError> {
    let (need, comment) = reportable(&state, &visitor, &id, &cid).await?;
    let result = core::report(
        &state.db,
        &current.account,
        &need,
        Some(comment.id),
        &form.grund,
    )
    .await;
    let to = match result {
        Ok(()) => Ok(comment_path(&state, &visitor, &need, comment.id).await?),
        Err(e) => Err(e),
    };
    // Back to the report page, with what was wrong.
    then_see_other(to, async |errors, status| {
        report_page(
            &state,
            &visitor,
            &need,
            &comment,
            &form.grund,
            &errors,
            status,
        )
        .await
    })
    .await
}

/// The need in the path, when the visitor moderates it.
async fn moderated(state: &AppState, visitor: &Visitor, id: &str) -> Result<Need, WebError> {
    let need = visible_need(state, visitor, id).await?;
    if !moderates(visitor, &need) {
        return Err(WebError::Forbidden);
    }
    Ok(need)
}

fn back_to(zurueck: &str, path: &str) -> Response {
    if zurueck == "moderation" {
        see_other("/moderation/")
    } else {
        see_other(path)
    }
}

async fn moderate_need(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, WebError> {
    let need = moderated(&state, &visitor, &id).await?;
    let result = match core::parse_need_action(&form.aktion, &form.grund) {
        Ok(action) => core::moderate_need(&state.db, &current.account, &need, &action).await,
        Err(errors) => Err(errors.into()),
    };
    state.cache.recheck();
    match result {
        Ok(true) => Ok(back_to(
            &form.zurueck,
            &format!("/beduerfnisse/{}/#moderation", need.id),
        )),
        Ok(false) => Err(WebError::NotFound),
        Err(AccountError::Invalid(errors)) => {
            retry(
                &state,
                &visitor,
                Retry {
                    need: &need,
                    comment: None,
                    kind: "ausblenden",
                    action: format!("/beduerfnisse/{}/moderation", need.id),
                    grund: &form.grund,
                    zurueck: &form.zurueck,
                    errors,
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn moderate_comment(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path((id, cid)): Path<(String, String)>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, WebError> {
    let need = moderated(&state, &visitor, &id).await?;
    let cid = comment_id(&cid)?;
    let result = match core::parse_comment_action(&form.aktion, &form.grund) {
        Ok(action) => {
            core::moderate_comment(&state.db, &current.account, &need, cid, &action).await
        }
        Err(errors) => Err(errors.into()),
    };
    state.cache.recheck();
    match result {
        Ok(true) => Ok(back_to(
            &form.zurueck,
            &comment_path(&state, &visitor, &need, cid).await?,
        )),
        Ok(false) => Err(WebError::NotFound),
        Err(AccountError::Invalid(errors)) => {
            retry(
                &state,
                &visitor,
                Retry {
                    need: &need,
                    comment: Some(cid),
                    kind: "ausblenden",
                    action: format!("/beduerfnisse/{}/kommentare/{cid}/moderation", need.id),
                    grund: &form.grund,
                    zurueck: &form.zurueck,
                    errors,
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn dismiss(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(rid): Path<String>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, WebError> {
    let rid: i64 = rid.parse().map_err(|_| WebError::NotFound)?;
    let report = reports::get(&state.db, rid)
        .await?
        .ok_or(WebError::NotFound)?;
    if !allows(
        &visitor.viewer,
        &Action::ModerateNeed {
            adopted_by: report.adopted_lab_id,
        },
    ) {
        return Err(WebError::Forbidden);
    }
    // Dismissed already (by someone else meanwhile): nothing left to do.
    core::dismiss(&state.db, &current.account, &report).await?;
    Ok(back_to(
        &form.zurueck,
        &format!("/beduerfnisse/{}/#moderation", report.need_id),
    ))
}

/// How many entries of each kind the queue shows at most.
const QUEUE_LIMIT: i64 = 200;

/// `/moderation/`: open reports, held needs and held comments — all of them for admins,
/// those about needs their labs adopted for leads.
async fn queue(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    if !visitor.signed_in() {
        return Ok(see_other("/anmelden/?next=/moderation/"));
    }
    let admin = visitor.viewer.admin;
    if !admin && visitor.viewer.leads.is_empty() {
        return Err(WebError::Forbidden);
    }
    let labs = (!admin).then_some(visitor.viewer.leads.as_slice());
    let open: Vec<_> = reports::open(&state.db, labs, QUEUE_LIMIT)
        .await?
        .iter()
        .map(report_view)
        .collect();
    let lab_slugs: Vec<String> = codefor_storage::labs::ids(&state.db)
        .await?
        .into_iter()
        .filter(|(id, _, _)| visitor.viewer.leads.contains(id))
        .map(|(_, slug, _)| slug)
        .collect();
    let held_needs: Vec<_> = codefor_storage::needs::held(&state.db)
        .await?
        .into_iter()
        .filter(|n| {
            admin
                || n.adopted_lab_slug
                    .as_ref()
                    .is_some_and(|s| lab_slugs.contains(s))
        })
        .map(|n| {
            serde_json::json!({
                "id": n.id,
                "title": n.title,
                "summary": codefor_content::markdown::summary(&n.body, 200),
                "at": n.submitted_at.as_deref().map(crate::dates::german_datetime),
            })
        })
        .collect();
    let held_comments: Vec<_> = codefor_storage::need_comments::held(&state.db, labs, QUEUE_LIMIT)
        .await?
        .into_iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "need_id": c.need_id,
                "need_title": c.need_title,
                "author": c.author_name.as_deref().unwrap_or(codefor_core::need_comments::DELETED_ACCOUNT),
                "summary": codefor_content::markdown::summary(&c.body, 200),
                "at": crate::dates::german_datetime(&c.created_at),
                "at_iso": c.created_at,
            })
        })
        .collect();
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "moderation/queue.html",
        &chrome,
        crate::ctx! {
            title => "Moderation",
            admin => admin,
            reports => open,
            held_needs => held_needs,
            held_comments => held_comments,
            csrf => visitor.csrf(),
        },
    )?;
    Ok(private(StatusCode::OK, html))
}
