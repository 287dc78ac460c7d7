//! The public dialog on a need in the browser: the comment section the need page
//! embeds ([`section`]: the first page of the thread as nested lists, a form to write,
//! replies and quotes without JavaScript), the further pages and the section on a page
//! of its own (`/beduerfnisse/<id>/kommentare?seite=N`, also where a form with mistakes
//! comes back), and editing one's own comment for a short while.
//!
//! A long discussion is shown in pages of [`THREADS_PER_PAGE`] top-level comments,
//! oldest first, each with all its replies: a page always holds whole threads, so the
//! thread is laid out the same way on every page ([`core::thread`]), and only the
//! comments of that page are read.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::accounts::AccountError;
use codefor_core::forms::FieldErrors;
use codefor_core::need_comments::{self as core, Draft, MAX_CHARS, PARENT};
use codefor_domain::permissions::{Action, allows};
use codefor_storage::need_comments::{self, Comment, Reader};
use codefor_storage::needs::Need;
use serde::{Deserialize, Serialize};

use crate::forms::{private, see_other, then_see_other};
use crate::session::{SignedIn, Visitor};
use crate::views::{Chrome, fragment, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/beduerfnisse/{id}/kommentare", get(page).post(create))
        .route("/beduerfnisse/{id}/kommentare/{cid}", post(save_edit))
        .route(
            "/beduerfnisse/{id}/kommentare/{cid}/bearbeiten",
            get(edit_form),
        )
}

/// Whether the visitor moderates this need (admins; leads of the lab that adopted it).
pub fn moderates(visitor: &Visitor, need: &Need) -> bool {
    codefor_core::needs::moderates(&visitor.viewer, need)
}

/// The need in the path, when the visitor may see it; 404 otherwise.
pub async fn visible_need(state: &AppState, visitor: &Visitor, id: &str) -> Result<Need, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    match codefor_storage::needs::get(&state.db, id).await? {
        // A hidden need's discussion is its moderators' alone (its page shows why).
        Some(need)
            if codefor_core::needs::visible_to(&need, &visitor.viewer)
                && (need.hidden_reason.is_none() || moderates(visitor, &need)) =>
        {
            Ok(need)
        }
        _ => Err(WebError::NotFound),
    }
}

/// Top-level threads per page of a discussion.
pub const THREADS_PER_PAGE: i64 = 50;

/// Whose eyes a page of the discussion is laid out for (held comments count for their
/// authors and the need's moderators only).
fn reader(visitor: &Visitor, need: &Need) -> Reader {
    Reader {
        moderator: moderates(visitor, need),
        account: visitor.viewer.account_id,
    }
}

/// Where a comment is shown to this visitor: on the need page when its thread is on
/// the first page, else on the page of the discussion that holds it.
pub async fn comment_path(
    state: &AppState,
    visitor: &Visitor,
    need: &Need,
    comment: i64,
) -> Result<String, WebError> {
    let page = need_comments::page_of(
        &state.db,
        need.id,
        comment,
        reader(visitor, need),
        THREADS_PER_PAGE,
    )
    .await?
    .unwrap_or(1);
    Ok(if page <= 1 {
        format!("/beduerfnisse/{}/#kommentar-{comment}", need.id)
    } else {
        format!(
            "/beduerfnisse/{}/kommentare?seite={page}#kommentar-{comment}",
            need.id
        )
    })
}

/// The page numbers a pager lists around `page` of `pages`: the first, the last and
/// the two on either side of the current one; `None` marks a gap.
fn pager_numbers(page: i64, pages: i64) -> Vec<Option<i64>> {
    let mut out = Vec::new();
    let mut last = 0;
    for n in 1..=pages {
        if n == 1 || n == pages || (n - page).abs() <= 2 {
            if n > last + 1 {
                out.push(None);
            }
            out.push(Some(n));
            last = n;
        }
    }
    out
}

/// What the section shows besides the thread: which page, a reply form under one
/// comment (perhaps with a quote), and a form that came back with mistakes.
#[derive(Debug, Default)]
struct View {
    /// The page asked for (1 when absent; clamped to the pages there are).
    page: Option<i64>,
    /// A comment whose page to show instead (the reply form's comment, or a link).
    target: Option<i64>,
    /// The comment whose reply form is open.
    reply_to: Option<i64>,
    /// Prefill the reply with a quote of that comment.
    quote: bool,
    /// The text of the form that came back, and what was wrong.
    body: String,
    errors: FieldErrors,
}

/// A form's text and what was wrong with it.
#[derive(Debug, Serialize)]
struct FormView {
    body: String,
    /// Messages per field, several for one field joined.
    err: std::collections::BTreeMap<&'static str, String>,
    messages: Vec<String>,
}

impl FormView {
    fn new(body: String, errors: &FieldErrors) -> FormView {
        let mut err: std::collections::BTreeMap<&'static str, String> = Default::default();
        for e in &errors.0 {
            let entry = err.entry(e.field).or_default();
            if !entry.is_empty() {
                entry.push(' ');
            }
            entry.push_str(&e.message);
        }
        FormView {
            body,
            err,
            messages: errors.0.iter().map(|e| e.message.clone()).collect(),
        }
    }
}

/// The need page's comment section (`id="kommentare"`): the heading with the number of
/// public comments, the first page of the thread with a pager to the others, a form for
/// signed-in people (a sign-in link for others), or a notice when the discussion is
/// locked.
pub async fn section(state: &AppState, visitor: &Visitor, need: &Need) -> Result<String, WebError> {
    Ok(render_section(state, visitor, need, &View::default())
        .await?
        .0)
}

/// The section and the page of the discussion it shows.
async fn render_section(
    state: &AppState,
    visitor: &Visitor,
    need: &Need,
    view: &View,
) -> Result<(String, i64), WebError> {
    let moderator = moderates(visitor, need);
    let me = visitor.viewer.account_id;
    let reader = reader(visitor, need);
    // A hidden need shows only its reason; its moderators still see the dialog.
    let show_thread = need.status != "draft" && (need.hidden_reason.is_none() || moderator);
    let (comments, page, pages) = if show_thread {
        let threads = need_comments::threads(&state.db, need.id, reader).await?;
        let pages = ((threads + THREADS_PER_PAGE - 1) / THREADS_PER_PAGE).max(1);
        let target = match view.target {
            Some(id) => {
                need_comments::page_of(&state.db, need.id, id, reader, THREADS_PER_PAGE).await?
            }
            None => None,
        };
        let page = target.or(view.page).unwrap_or(1).clamp(1, pages);
        let comments =
            need_comments::page(&state.db, need.id, reader, THREADS_PER_PAGE, page).await?;
        (comments, page, pages)
    } else {
        (Vec::new(), 1, 1)
    };
    let visible = |c: &Comment| c.held == 0 || moderator || (me.is_some() && c.author_id == me);
    let placed = core::thread(&comments, visible);
    let mine_reported = match me {
        Some(id) => codefor_storage::reports::open_by(&state.db, need.id, id).await?,
        None => Vec::new(),
    };
    let now = codefor_core::accounts::unix_now();
    let open = core::closed_reason(need).is_none();
    let reply_to = view.reply_to.filter(|id| {
        open && visitor.signed_in() && comments.iter().any(|c| c.id == *id && c.public())
    });
    let reply_form = reply_to.map(|id| {
        let body = if !view.body.is_empty() || !view.errors.is_empty() {
            view.body.clone()
        } else if view.quote {
            comments
                .iter()
                .find(|c| c.id == id)
                .map(|c| core::quote(core::author_name(c), &c.body))
                .unwrap_or_default()
        } else {
            String::new()
        };
        FormView::new(body, &view.errors)
    });
    // A form that came back shows its mistakes where it was: under the comment
    // replied to, else (also when that reply form cannot be shown) at the end.
    let new_form = if reply_to.is_none() {
        FormView::new(view.body.clone(), &view.errors)
    } else {
        FormView::new(String::new(), &FieldErrors::default())
    };
    let mut items = Vec::with_capacity(placed.len());
    for (n, &(i, depth)) in placed.iter().enumerate() {
        let c = &comments[i];
        let previous = n.checked_sub(1).map_or(0, |p| placed[p].1);
        let next = placed.get(n + 1).map_or(0, |p| p.1);
        let own = me.is_some() && c.author_id == me;
        let signed_in = visitor.signed_in();
        items.push(serde_json::json!({
            "id": c.id,
            "depth": depth,
            // Nested lists: a first reply opens a list; after a comment without
            // replies its item closes, and so do the lists it ends.
            "opens": depth > previous,
            "nest": next > depth,
            "up": (depth - next).max(0),
            "author": core::author_name(c),
            "deleted_author": c.author_id.is_none(),
            "own": own,
            "held": c.held != 0,
            "hidden_reason": c.hidden_reason,
            "body_html": c.body_html,
            "body": if moderator && c.hidden_reason.is_some() { c.body.as_str() } else { "" },
            "at": crate::dates::german_datetime(&c.created_at),
            "at_iso": c.created_at,
            "edited": c.edited_at.as_deref().map(crate::dates::german_datetime),
            "edited_iso": c.edited_at,
            "can_reply": signed_in && open && c.public(),
            "can_edit": own && visitor.current.as_ref().is_some_and(|cur| {
                core::edit_refused(&cur.account, need, c, now).is_none()
            }),
            "reply_here": reply_to == Some(c.id),
            "reported": mine_reported.contains(&Some(c.id)),
            "can_report": signed_in && !own && c.hidden_reason.is_none() && !moderator,
        }));
    }
    let locked = need.locked != 0;
    let pager: Vec<_> = pager_numbers(page, pages)
        .into_iter()
        .map(|n| serde_json::json!({ "n": n, "current": n == Some(page) }))
        .collect();
    let html = fragment(
        "needs/comments.html",
        crate::ctx! {
            need_id => need.id,
            count => need.comment_count,
            comments => items,
            page => page,
            pages => pages,
            pager => pager,
            per_page => THREADS_PER_PAGE,
            show_thread => show_thread,
            draft => need.status == "draft",
            held_need => need.held != 0,
            hidden_need => need.hidden_reason.is_some(),
            locked => locked,
            open => open,
            signed_in => visitor.signed_in(),
            moderator => moderator,
            new_form => new_form,
            reply_form => reply_form,
            max_chars => MAX_CHARS,
            max_links => codefor_core::participation::MAX_LINKS,
            honeypot => codefor_core::participation::HONEYPOT,
            csrf => visitor.csrf(),
        },
    )?;
    Ok((html, page))
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    #[serde(default)]
    seite: String,
    #[serde(default)]
    antwort: String,
    #[serde(default)]
    zitat: String,
    #[serde(default)]
    beitrag: String,
}

/// `/beduerfnisse/<id>/kommentare`: the section on a page of its own. `?seite=N` shows
/// page N of the discussion (clamped to the pages there are; anything else is page 1);
/// `?antwort=<cid>` opens the page holding that comment with the reply form under it,
/// `&zitat=1` fills the form with a quote; `?beitrag=<cid>` opens the page holding that
/// comment (a link that stays right when pages move).
async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let need = visible_need(&state, &visitor, &id).await?;
    let reply_to: Option<i64> = q.antwort.trim().parse().ok();
    let view = View {
        page: q.seite.trim().parse().ok(),
        target: reply_to.or_else(|| q.beitrag.trim().parse().ok()),
        reply_to,
        quote: q.zitat == "1",
        ..View::default()
    };
    let (html, page) = render_section(&state, &visitor, &need, &view).await?;
    standalone(&state, &visitor, &need, html, page, StatusCode::OK).await
}

async fn standalone(
    state: &AppState,
    visitor: &Visitor,
    need: &Need,
    section: String,
    page: i64,
    status: StatusCode,
) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let title = if page > 1 {
        format!("Diskussion: {} – Seite {page}", need.title)
    } else {
        format!("Diskussion: {}", need.title)
    };
    let html = render(
        "needs/comment_page.html",
        &chrome,
        crate::ctx! {
            nav => "beduerfnisse",
            title => title,
            need => serde_json::json!({ "id": need.id, "title": need.title }),
            section => section,
        },
    )?;
    if visitor.signed_in() {
        Ok(private(status, html))
    } else {
        Ok((status, html).into_response())
    }
}

#[derive(Debug, Default, Deserialize)]
struct CommentForm {
    #[serde(default)]
    body: String,
    /// The comment replied to (empty for a new thread).
    #[serde(default)]
    antwort: String,
    /// The honeypot.
    #[serde(default)]
    website: String,
}

async fn create(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CommentForm>,
) -> Result<Response, WebError> {
    let need = visible_need(&state, &visitor, &id).await?;
    if !allows(&visitor.viewer, &Action::Participate) {
        return Err(WebError::Forbidden);
    }
    let parent = match form.antwort.trim() {
        "" => Ok(None),
        p => p.parse::<i64>().map(Some),
    };
    let result = match parent {
        Ok(parent) => {
            core::post(
                &state.db,
                state.config.participation,
                &current.account,
                &need,
                &Draft {
                    body: &form.body,
                    parent,
                    honeypot: &form.website,
                },
            )
            .await
        }
        Err(_) => Err(FieldErrors::one(PARENT, "Diesen Beitrag gibt es nicht.").into()),
    };
    state.cache.recheck();
    match result {
        Ok(posted) => Ok(see_other(
            &comment_path(&state, &visitor, &need, posted.id).await?,
        )),
        Err(AccountError::Invalid(errors)) => {
            // Back on the page of the comment replied to, else on the first.
            let reply_to = parent.ok().flatten();
            let view = View {
                target: reply_to,
                reply_to,
                body: form.body,
                errors,
                ..View::default()
            };
            let (html, page) = render_section(&state, &visitor, &need, &view).await?;
            standalone(
                &state,
                &visitor,
                &need,
                html,
                page,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The comment in the path, of the need in the path.
async fn comment_of(state: &AppState, need: &Need, cid: &str) -> Result<Comment, WebError> {
    let cid: i64 = cid.parse().map_err(|_| WebError::NotFound)?;
    need_comments::get(&state.db, need.id, cid)
        .await?
        .ok_or(WebError::NotFound)
}

/// The comment to edit: only its author may (`Action::EditComment`).
async fn own_comment(
    state: &AppState,
    visitor: &Visitor,
    id: &str,
    cid: &str,
) -> Result<(Need, Comment), WebError> {
    let need = visible_need(state, visitor, id).await?;
    let comment = comment_of(state, &need, cid).await?;
    let author =
        visitor.viewer.account_id.is_some() && comment.author_id == visitor.viewer.account_id;
    if !allows(&visitor.viewer, &Action::EditComment { author }) || !author {
        return Err(WebError::Forbidden);
    }
    Ok((need, comment))
}

async fn edit_page(
    state: &AppState,
    visitor: &Visitor,
    need: &Need,
    comment: &Comment,
    body: &str,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let refused = visitor.current.as_ref().and_then(|c| {
        core::edit_refused(
            &c.account,
            need,
            comment,
            codefor_core::accounts::unix_now(),
        )
    });
    let until = core::editable_until(&comment.created_at).map(crate::dates::german_unix);
    let versions = need_comments::versions(&state.db, comment.id).await?.len();
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "needs/comment_edit.html",
        &chrome,
        crate::ctx! {
            nav => "beduerfnisse",
            title => "Beitrag bearbeiten",
            need => serde_json::json!({ "id": need.id, "title": need.title }),
            comment_id => comment.id,
            refused => refused,
            until => until,
            versions => versions,
            form => FormView::new(body.to_owned(), errors),
            max_chars => MAX_CHARS,
            max_links => codefor_core::participation::MAX_LINKS,
            csrf => visitor.csrf(),
        },
    )?;
    // Past the window, the page says so instead of showing a form.
    let status = if refused.is_some() && status == StatusCode::OK {
        StatusCode::FORBIDDEN
    } else {
        status
    };
    Ok(private(status, html))
}

async fn edit_form(
    State(state): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path((id, cid)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (need, comment) = own_comment(&state, &visitor, &id, &cid).await?;
    edit_page(
        &state,
        &visitor,
        &need,
        &comment,
        &comment.body,
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
struct EditForm {
    #[serde(default)]
    body: String,
}

async fn save_edit(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path((id, cid)): Path<(String, String)>,
    Form(form): Form<EditForm>,
) -> Result<Response, WebError> {
    let (need, comment) = own_comment(&state, &visitor, &id, &cid).await?;
    let result = core::edit(&state.db, &current.account, &need, &comment, &form.body).await;
    state.cache.recheck();
    let to = match result {
        Ok(()) => Ok(comment_path(&state, &visitor, &need, comment.id).await?),
        Err(e) => Err(e),
    };
    then_see_other(to, async |errors, status| {
        edit_page(
            &state, &visitor, &need, &comment, &form.body, &errors, status,
        )
        .await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pager_lists_the_ends_and_the_neighbours() {
        assert_eq!(pager_numbers(1, 1), [Some(1)]);
        assert_eq!(pager_numbers(1, 3), [Some(1), Some(2), Some(3)]);
        assert_eq!(
            pager_numbers(10, 20),
            [
                Some(1),
                None,
                Some(8),
                Some(9),
                Some(10),
                Some(11),
                Some(12),
                None,
                Some(20)
            ]
        );
        assert_eq!(
            pager_numbers(2, 7),
            [Some(1), Some(2), Some(3), Some(4), None, Some(7)]
        );
        // On the last page of four, every number is a neighbour: no gap.
        assert_eq!(pager_numbers(4, 4), [Some(1), Some(2), Some(3), Some(4)]);
    }
}
