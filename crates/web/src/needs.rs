//! Needs in the browser: the overview with filters (`/beduerfnisse/`), bringing a need
//! (`/beduerfnisse/neu/`, drafts on `/konto/beduerfnisse/`), a need's page with its
//! support button, status history, linked projects, the workflow for the adopting
//! lab's leads and admins, the discussion (`need_comments`) and moderation
//! (`moderation`); feeds of new needs overall and per lab; the code of conduct.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::accounts::AccountError;
use codefor_core::forms::FieldErrors;
use codefor_core::needs::{self as core, StepForm};
use codefor_domain::needs::{Sort, Status};
use codefor_domain::permissions::{Action, allows};
use codefor_domain::projects::THEMES;
use codefor_domain::states;
use codefor_storage::needs::{self, Filters, Need, NeedCard, Order};
use serde::Serialize;

use crate::forms::{FormToken, local_next, private, see_other, then_see_other};
use crate::session::{SignedIn, Visitor};
use crate::views::{Chrome, fragment, render};
use crate::{AppState, WebError, dates};

/// What a hidden need is called for everyone but its moderators.
pub const HIDDEN_TITLE: &str = "Ausgeblendetes Bedürfnis";

/// Needs on a page of the overview.
const PER_PAGE: i64 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/beduerfnisse/", get(index))
        .route("/beduerfnisse/index.xml", get(feed))
        .route("/beduerfnisse/lab/{file}", get(lab_feed))
        .route("/beduerfnisse/neu/", get(new_form).post(create))
        .route("/beduerfnisse/{id}/", get(show))
        .route("/beduerfnisse/{id}/bearbeiten", get(edit_form).post(save))
        .route("/beduerfnisse/{id}/einreichen", post(submit))
        .route("/beduerfnisse/{id}/loeschen", post(delete_draft))
        .route("/beduerfnisse/{id}/unterstuetzen", post(support))
        .route("/beduerfnisse/{id}/folgen", post(follow))
        .route("/beduerfnisse/{id}/status", post(step))
        .route("/beduerfnisse/{id}/projekte", post(link_project))
        .route("/konto/beduerfnisse/", get(mine))
        .route("/verhaltenskodex/", get(code_of_conduct))
}

fn theme_label(key: &str) -> &'static str {
    THEMES.iter().find(|t| t.key == key).map_or("", |t| t.label)
}

fn status_label(key: &str) -> &'static str {
    Status::parse(key).map_or("", Status::label_de)
}

/// A need on a card of a list.
#[derive(Debug, Serialize)]
struct CardView {
    id: i64,
    title: String,
    summary: String,
    topic: &'static str,
    status: String,
    status_label: &'static str,
    place: String,
    lab: Option<(String, String)>,
    organization: Option<String>,
    supports: i64,
    comments: i64,
    submitted: String,
}

fn card(n: &NeedCard) -> CardView {
    CardView {
        id: n.id,
        title: n.title.clone(),
        summary: codefor_content::markdown::summary(&n.body, 220),
        topic: theme_label(&n.topic),
        status: n.status.clone(),
        status_label: status_label(&n.status),
        place: place(&n.municipality, n.state_name.as_deref()),
        lab: n.adopted_lab_slug.clone().zip(n.adopted_lab_name.clone()),
        organization: n
            .organization_name
            .clone()
            .filter(|_| n.organization_verified == Some(1)),
        supports: n.support_count,
        comments: n.comment_count,
        submitted: n
            .submitted_at
            .as_deref()
            .map(dates::german)
            .unwrap_or_default(),
    }
}

fn place(municipality: &str, state: Option<&str>) -> String {
    match (municipality.trim(), state) {
        ("", Some(s)) => s.to_owned(),
        ("", None) => "bundesweit".to_owned(),
        (m, Some(s)) => format!("{m}, {s}"),
        (m, None) => m.to_owned(),
    }
}

/// The overview's query: every key a filter link carries.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct ListQuery {
    #[serde(default)]
    stand: String,
    #[serde(default)]
    thema: String,
    #[serde(default)]
    land: String,
    #[serde(default)]
    lab: String,
    #[serde(default)]
    ohne_lab: String,
    #[serde(default)]
    sortierung: String,
    #[serde(default)]
    seite: String,
}

impl ListQuery {
    /// The query string with `key` set to `value` (removed when empty); back to page 1.
    fn with(&self, key: &str, value: &str) -> String {
        let mut pairs: Vec<(&str, String)> = vec![
            ("stand", self.stand.clone()),
            ("thema", self.thema.clone()),
            ("land", self.land.clone()),
            ("lab", self.lab.clone()),
            ("ohne_lab", self.ohne_lab.clone()),
            ("sortierung", self.sortierung.clone()),
        ];
        for (k, v) in &mut pairs {
            if *k == key {
                *v = value.to_owned();
            }
        }
        if key == "seite" {
            pairs.push(("seite", value.to_owned()));
        }
        let query: Vec<String> = pairs
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                )
            })
            .collect();
        if query.is_empty() {
            "/beduerfnisse/".to_owned()
        } else {
            format!("/beduerfnisse/?{}", query.join("&"))
        }
    }
}

#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
    /// The list without this filter (for the chosen-filter chips).
    href: String,
}

async fn index(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let labs = codefor_storage::labs::ids(&state.db).await?;
    let status = Status::parse(q.stand.trim()).filter(|s| *s != Status::Draft);
    let topic = THEMES.iter().find(|t| t.key == q.thema.trim());
    let fstate = states::by_slug(q.land.trim());
    let lab = labs.iter().find(|(_, s, _)| *s == q.lab.trim());
    let without_lab = q.ohne_lab == "1";
    let sort = Sort::parse(q.sortierung.trim()).unwrap_or_default();
    // Far beyond the last page is the last page's neighbour, never an overflow.
    let page: i64 = q.seite.trim().parse().unwrap_or(1).clamp(1, 100_000);
    let filters = Filters {
        status: status.map(|s| s.as_str().to_owned()),
        topic: topic.map(|t| t.key.to_owned()),
        state: fstate.map(|s| s.key.to_owned()),
        lab: lab.map(|(id, _, _)| *id),
        without_lab,
    };
    let order = match sort {
        Sort::Newest => Order::Newest,
        Sort::Support => Order::Support,
        Sort::Activity => Order::Activity,
    };
    let (cards, total) =
        needs::list(&state.db, &filters, order, PER_PAGE, (page - 1) * PER_PAGE).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let choice = |key: &str, value: &str, label: &str, current: &str| Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        selected: value == current,
        href: q.with(key, ""),
    };
    let statuses: Vec<Choice> = Status::PUBLIC
        .iter()
        .map(|s| choice("stand", s.as_str(), s.label_de(), q.stand.trim()))
        .collect();
    let themes: Vec<Choice> = THEMES
        .iter()
        .map(|t| choice("thema", t.key, t.label, q.thema.trim()))
        .collect();
    let state_choices: Vec<Choice> = states::ALL
        .iter()
        .map(|s| choice("land", s.slug, s.name, q.land.trim()))
        .collect();
    let lab_choices: Vec<Choice> = labs
        .iter()
        .map(|(_, slug, name)| choice("lab", slug, name, q.lab.trim()))
        .collect();
    let sorts: Vec<Choice> = Sort::ALL
        .iter()
        .map(|s| choice("sortierung", s.key(), s.label_de(), sort.key()))
        .collect();
    let filtered =
        status.is_some() || topic.is_some() || fstate.is_some() || lab.is_some() || without_lab;
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "needs/index.html",
        &chrome,
        crate::ctx! {
            nav => "beduerfnisse",
            title => "Bedürfnisse",
            description => "Was Menschen und Verwaltungen an Daten und Software fehlt – gesammelt, diskutiert und von den OK Labs übernommen.",
            needs => cards.iter().map(card).collect::<Vec<_>>(),
            total => total,
            page => page,
            pages => pages,
            prev => (page > 1).then(|| q.with("seite", &(page - 1).to_string())),
            next => (page < pages).then(|| q.with("seite", &(page + 1).to_string())),
            statuses => statuses,
            themes => themes,
            states => state_choices,
            labs => lab_choices,
            sorts => sorts,
            without_lab => without_lab,
            without_lab_href => q.with("ohne_lab", ""),
            filtered => filtered,
            feed => lab.map_or_else(|| "/beduerfnisse/index.xml".to_owned(), |(_, s, _)| format!("/beduerfnisse/lab/{s}.xml")),
        },
    )?;
    Ok(html.into_response())
}

/// The values of a need form as it was sent (or as the need is).
fn values_of(need: &Need) -> HashMap<String, String> {
    let mut v = HashMap::new();
    v.insert("title".to_owned(), need.title.clone());
    v.insert("body".to_owned(), need.body.clone());
    v.insert("affected".to_owned(), need.affected.clone());
    v.insert("missing".to_owned(), need.missing.clone());
    v.insert("ort".to_owned(), need.municipality.clone());
    v.insert("thema".to_owned(), need.topic.clone());
    v.insert(
        "land".to_owned(),
        need.state_key
            .as_deref()
            .and_then(states::by_key)
            .map(|s| s.slug.to_owned())
            .unwrap_or_default(),
    );
    v.insert("lab".to_owned(), need.lab_slug.clone().unwrap_or_default());
    v.insert(
        "organisation".to_owned(),
        need.organization_slug.clone().unwrap_or_default(),
    );
    v
}

/// The form to bring a need (`need` when editing).
async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    need: Option<&Need>,
    values: &HashMap<String, String>,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let Some(current) = &visitor.current else {
        return Err(WebError::Forbidden);
    };
    let chrome = Chrome::load(&state.db).await?;
    let labs: Vec<_> = codefor_storage::labs::ids(&state.db)
        .await?
        .into_iter()
        .map(|(_, slug, name)| serde_json::json!({ "key": slug, "label": name }))
        .collect();
    let mut organizations: Vec<_> =
        codefor_storage::organizations::of_account(&state.db, current.account.id)
            .await?
            .into_iter()
            .map(|o| serde_json::json!({ "key": o.slug, "label": o.name }))
            .collect();
    // The organization the need names stays choosable for whoever edits it.
    if let Some(n) = need
        && let (Some(slug), Some(name)) = (&n.organization_slug, &n.organization_name)
        && !organizations.iter().any(|o| o["key"] == slug.as_str())
    {
        organizations.push(serde_json::json!({ "key": slug, "label": name }));
    }
    let themes: Vec<_> = THEMES
        .iter()
        .map(|t| serde_json::json!({ "key": t.key, "label": t.label }))
        .collect();
    let states: Vec<_> = states::ALL
        .iter()
        .map(|s| serde_json::json!({ "key": s.slug, "label": s.name }))
        .collect();
    let token = FormToken::for_visitor(state, visitor)?;
    let html = render(
        "needs/form.html",
        &chrome,
        crate::ctx! {
            nav => "beduerfnisse",
            title => if need.is_some() { "Bedürfnis bearbeiten" } else { "Ein Bedürfnis einbringen" },
            need => need.map(|n| serde_json::json!({ "id": n.id, "title": n.title, "draft": n.status == "draft" })),
            action => need.map_or_else(|| "/beduerfnisse/neu/".to_owned(), |n| format!("/beduerfnisse/{}/bearbeiten", n.id)),
            v => values,
            err => errors.by_field(),
            error_count => errors.0.len(),
            themes => themes,
            states => states,
            labs => labs,
            organizations => organizations,
            limits => serde_json::json!({
                "title": core::TITLE_MAX, "body": core::BODY_MAX,
                "affected": core::AFFECTED_MAX, "missing": core::MISSING_MAX,
                "links": codefor_core::participation::MAX_LINKS,
            }),
            csrf => token.token,
        },
    )?;
    Ok(token.page(status, html))
}

async fn new_form(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    if !visitor.signed_in() {
        return Ok(see_other("/anmelden/?next=/beduerfnisse/neu/"));
    }
    if !allows(&visitor.viewer, &Action::Participate) {
        return Err(WebError::Forbidden);
    }
    form_page(
        &state,
        &visitor,
        None,
        &HashMap::new(),
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    if !allows(&visitor.viewer, &Action::Participate) {
        return Err(WebError::Forbidden);
    }
    let submit = form.get("aktion").map(String::as_str) != Some("entwurf");
    let result = match core::parse(&state.db, &current.account, &form, None).await {
        Ok(need) => {
            core::create(
                &state.db,
                state.config.participation,
                &current.account,
                &need,
                submit,
            )
            .await
        }
        Err(e) => Err(e),
    };
    state.cache.recheck();
    then_see_other(result.map(core::path), async |errors, status| {
        form_page(&state, &visitor, None, &form, &errors, status).await
    })
    .await
}

/// After a form of the need page: on to `to`, or the page again with what was wrong.
async fn answer(
    state: &AppState,
    visitor: &Visitor,
    need: &Need,
    result: Result<(), AccountError>,
    to: &str,
    (form, values): (&'static str, HashMap<String, String>),
) -> Result<Response, WebError> {
    if result.is_ok() {
        state.cache.recheck();
    }
    then_see_other(result.map(|()| to.to_owned()), async |errors, status| {
        let submitted = Submitted {
            form,
            values,
            errors,
        };
        need_page(state, visitor, need, &submitted, status).await
    })
    .await
}

/// The need with this id as the path names it.
async fn load(state: &AppState, id: &str) -> Result<Need, WebError> {
    let id: i64 = id.trim().parse().map_err(|_| WebError::NotFound)?;
    needs::get(&state.db, id).await?.ok_or(WebError::NotFound)
}

/// The need, when this visitor may see its page.
async fn load_visible(state: &AppState, visitor: &Visitor, id: &str) -> Result<Need, WebError> {
    let need = load(state, id).await?;
    if core::visible_to(&need, &visitor.viewer) {
        Ok(need)
    } else {
        Err(WebError::NotFound)
    }
}

/// What a form of the need page shows again after a failed submission.
#[derive(Debug, Default)]
struct Submitted {
    /// `status`, `projekt`, `unterstuetzen`.
    form: &'static str,
    values: HashMap<String, String>,
    errors: FieldErrors,
}

/// A step of the status history as the page shows it.
#[derive(Debug, Serialize)]
struct EventView {
    status: &'static str,
    reason: Vec<String>,
    lab: Option<(String, String)>,
    actor: String,
    date: String,
    datetime: String,
}

/// A step the viewer may take from here.
#[derive(Debug, Serialize)]
struct StepChoice {
    key: &'static str,
    label: &'static str,
    hint: &'static str,
}

async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let need = load_visible(&state, &visitor, &id).await?;
    need_page(
        &state,
        &visitor,
        &need,
        &Submitted::default(),
        StatusCode::OK,
    )
    .await
}

fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn need_page(
    state: &AppState,
    visitor: &Visitor,
    need: &Need,
    submitted: &Submitted,
    status: StatusCode,
) -> Result<Response, WebError> {
    let viewer = &visitor.viewer;
    let me = visitor.current.as_ref().map(|c| c.account.id);
    let moderator = core::moderates(viewer, need);
    let author = me.is_some() && me == need.author_id;
    let current = Status::parse(&need.status).unwrap_or(Status::Draft);
    let hidden = need.hidden_reason.is_some();
    let show_all = !hidden || moderator;
    let (supported, following) = match me {
        Some(a) => (
            needs::supports(&state.db, need.id, a).await?,
            needs::follows(&state.db, need.id, a).await?,
        ),
        None => (false, false),
    };
    let events: Vec<EventView> = needs::events(&state.db, need.id)
        .await?
        .into_iter()
        .map(|e| EventView {
            status: status_label(&e.status),
            reason: paragraphs(&e.reason),
            lab: e.lab_slug.zip(e.lab_name),
            actor: e.actor_name,
            date: dates::german_datetime(&e.created_at),
            datetime: e.created_at,
        })
        .collect();
    let projects = needs::projects_of(&state.db, need.id).await?;
    let edited = needs::last_edited(&state.db, need.id).await?;
    // The labs this viewer could adopt the need for.
    let all_labs = codefor_storage::labs::ids(&state.db).await?;
    // Only a first adoption names a lab; going back to "adopted" keeps the lab.
    let adopt_labs: Vec<_> = all_labs
        .iter()
        .filter(|_| need.adopted_lab_id.is_none())
        .filter(|(id, _, _)| core::may_step(viewer, need, Status::Adopted, Some(*id)))
        .map(|(_, slug, name)| serde_json::json!({ "key": slug, "label": name }))
        .collect();
    let steps: Vec<StepChoice> = current
        .next()
        .iter()
        .filter(|to| {
            if **to == Status::Adopted && need.adopted_lab_id.is_none() {
                !adopt_labs.is_empty()
            } else {
                core::may_step(viewer, need, **to, None)
            }
        })
        .map(|to| StepChoice {
            key: to.as_str(),
            label: to.label_de(),
            hint: to.reason_hint_de(),
        })
        .collect();
    let manage = allows(
        viewer,
        &Action::ChangeNeedStatus {
            adopted_by: need.adopted_lab_id,
        },
    );
    let merged_into = match need.merged_into {
        Some(id) => needs::get(&state.db, id)
            .await?
            .filter(core::listed)
            .map(|n| serde_json::json!({ "id": n.id, "title": n.title })),
        None => None,
    };
    let comments = if show_all && current != Status::Draft {
        crate::need_comments::section(state, visitor, need).await?
    } else {
        String::new()
    };
    let moderation = if current != Status::Draft {
        crate::moderation::need_panel(state, visitor, need).await?
    } else {
        String::new()
    };
    let byline = match (&need.organization_name, need.organization_verified) {
        (Some(org), Some(1)) => serde_json::json!({
            "organization": org, "organization_slug": need.organization_slug, "verified": true,
        }),
        (Some(org), _) => serde_json::json!({
            "organization": org, "organization_slug": need.organization_slug, "verified": false,
        }),
        _ => serde_json::json!({}),
    };
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "needs/show.html",
        &chrome,
        crate::ctx! {
            nav => "beduerfnisse",
            // Only what everyone may see: never drafts, held or hidden needs.
            jsonld => core::listed(need).then(|| crate::metadata::need(need.id, &need.title, &need.body, theme_label(&need.topic), need.submitted_at.as_deref())),
            title => if show_all { need.title.clone() } else { HIDDEN_TITLE.to_owned() },
            description => if show_all { codefor_content::markdown::summary(&need.body, 160) } else { String::new() },
            need => serde_json::json!({
                "id": need.id,
                "title": if show_all { need.title.as_str() } else { HIDDEN_TITLE },
                "body_html": need.body_html,
                "affected": paragraphs(&need.affected),
                "missing_html": (!need.missing.is_empty()).then(|| core::render_missing(&need.missing)),
                "topic": theme_label(&need.topic),
                "topic_key": need.topic,
                "place": place(&need.municipality, need.state_name.as_deref()),
                "state_slug": need.state_key.as_deref().and_then(states::by_key).map(|s| s.slug),
                "lab": need.lab_slug.clone().zip(need.lab_name.clone()),
                "author": need.author_name,
                "status": need.status,
                "status_label": current.label_de(),
                "adopted_lab": need.adopted_lab_slug.clone().zip(need.adopted_lab_name.clone()),
                "contact": need.contact_name,
                "supports": need.support_count,
                "submitted": need.submitted_at.as_deref().map(dates::german),
                "submitted_at": need.submitted_at,
                "draft": current == Status::Draft,
                "held": need.held == 1,
                "locked": need.locked == 1,
                "hidden_reason": need.hidden_reason,
                "final": current.is_final(),
            }),
            byline => byline,
            edited => edited.as_deref().map(|e| serde_json::json!({ "at": e, "de": dates::german_datetime(e) })),
            merged_into => merged_into,
            show_all => show_all,
            signed_in => visitor.signed_in(),
            author => author,
            may_edit => allows(viewer, &Action::EditNeed { author }) && !current.is_final(),
            supported => supported,
            following => following,
            can_support => core::listed(need) && !current.is_final(),
            events => events,
            projects => projects,
            steps => steps,
            adopt_labs => adopt_labs,
            manage => manage,
            form => submitted.form,
            fv => &submitted.values,
            err => submitted.errors.by_field(),
            error_count => submitted.errors.0.len(),
            comments => comments,
            moderation => moderation,
            csrf => visitor.csrf(),
        },
    )?;
    if visitor.signed_in() || !core::listed(need) {
        Ok(private(status, html))
    } else {
        Ok((status, html).into_response())
    }
}

async fn edit_form(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let need = load_visible(&state, &visitor, &id).await?;
    may_edit(&visitor, &current, &need)?;
    form_page(
        &state,
        &visitor,
        Some(&need),
        &values_of(&need),
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// The author edits their need until it reaches the end of its workflow; admins any.
fn may_edit(
    visitor: &Visitor,
    current: &codefor_core::accounts::Current,
    need: &Need,
) -> Result<(), WebError> {
    let author = need.author_id == Some(current.account.id);
    let open = !Status::parse(&need.status).is_some_and(Status::is_final);
    if allows(&visitor.viewer, &Action::EditNeed { author }) && open {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

async fn save(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let need = load_visible(&state, &visitor, &id).await?;
    may_edit(&visitor, &current, &need)?;
    let submit = form.get("aktion").map(String::as_str) == Some("einreichen")
        && need.status == Status::Draft.as_str();
    let result = match core::parse(&state.db, &current.account, &form, Some(&need)).await {
        Ok(checked) => core::update(&state.db, &current.account, &need, &checked).await,
        Err(e) => Err(e),
    };
    let result = match result {
        Ok(()) if submit => {
            core::submit(
                &state.db,
                state.config.participation,
                &current.account,
                &need,
            )
            .await
        }
        other => other,
    };
    state.cache.recheck();
    then_see_other(
        result.map(|()| core::path(need.id)),
        async |errors, status| {
            form_page(&state, &visitor, Some(&need), &form, &errors, status).await
        },
    )
    .await
}

async fn submit(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let need = load_visible(&state, &visitor, &id).await?;
    if need.author_id != Some(current.account.id) {
        return Err(WebError::Forbidden);
    }
    let result = core::submit(
        &state.db,
        state.config.participation,
        &current.account,
        &need,
    )
    .await
    .map(|_| ());
    answer(
        &state,
        &visitor,
        &need,
        result,
        &core::path(need.id),
        ("status", HashMap::new()),
    )
    .await
}

async fn delete_draft(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let need = load_visible(&state, &visitor, &id).await?;
    if need.author_id != Some(current.account.id) {
        return Err(WebError::Forbidden);
    }
    let result = core::delete_draft(&state.db, &current.account, &need).await;
    answer(
        &state,
        &visitor,
        &need,
        result,
        "/konto/beduerfnisse/",
        ("status", HashMap::new()),
    )
    .await
}

#[derive(Debug, Default, serde::Deserialize)]
struct OnOff {
    #[serde(default)]
    unterstuetzen: String,
    #[serde(default)]
    folgen: String,
    #[serde(default)]
    zurueck: String,
}

async fn support(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<OnOff>,
) -> Result<Response, WebError> {
    if !allows(&visitor.viewer, &Action::Participate) {
        return Err(WebError::Forbidden);
    }
    let need = load_visible(&state, &visitor, &id).await?;
    let result = core::support(
        &state.db,
        &current.account,
        &need,
        form.unterstuetzen != "0",
    )
    .await
    .map(|_| ());
    answer(
        &state,
        &visitor,
        &need,
        result,
        &format!("{}#unterstuetzen", core::path(need.id)),
        ("unterstuetzen", HashMap::new()),
    )
    .await
}

async fn follow(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<OnOff>,
) -> Result<Response, WebError> {
    if !allows(&visitor.viewer, &Action::Participate) {
        return Err(WebError::Forbidden);
    }
    let need = load_visible(&state, &visitor, &id).await?;
    core::follow(&state.db, &current.account, &need, form.folgen != "0").await?;
    let back = if form.zurueck.trim().is_empty() {
        format!("{}#folgen", core::path(need.id))
    } else {
        local_next(Some(form.zurueck.trim()))
    };
    Ok(see_other(&back))
}

async fn step(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let need = load_visible(&state, &visitor, &id).await?;
    let value = |k: &str| form.get(k).cloned().unwrap_or_default();
    let to = Status::parse(value("status").trim());
    // Who may take a step at all; the lab of an adoption is checked with its details.
    // A hidden or held need rests until its moderators act.
    let resting = need.hidden_reason.is_some() || need.held == 1;
    let allowed = (!resting || core::moderates(&visitor.viewer, &need))
        && match to {
            Some(Status::Adopted) if need.adopted_lab_id.is_none() => {
                !visitor.viewer.leads.is_empty() || visitor.viewer.admin
            }
            Some(to) => core::may_step(&visitor.viewer, &need, to, None),
            None => core::moderates(&visitor.viewer, &need) || !visitor.viewer.leads.is_empty(),
        };
    if !allowed {
        return Err(WebError::Forbidden);
    }
    let step = StepForm {
        to: value("status"),
        reason: value("grund"),
        lab: value("lab"),
        contact: value("kontakt"),
        merged_into: value("ziel"),
        project: project_slug(&value("projekt")),
    };
    let result = core::step(&state.db, &current.account, &visitor.viewer, &need, &step)
        .await
        .map(|_| ());
    answer(
        &state,
        &visitor,
        &need,
        result,
        &format!("{}#verlauf", core::path(need.id)),
        ("status", form),
    )
    .await
}

/// A project named by its slug, its path or its whole address.
fn project_slug(text: &str) -> String {
    let t = text.trim();
    let t = t.split_once("/projekte/").map_or(t, |(_, rest)| rest);
    t.trim_matches('/').to_owned()
}

async fn link_project(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let need = load_visible(&state, &visitor, &id).await?;
    if !allows(
        &visitor.viewer,
        &Action::ChangeNeedStatus {
            adopted_by: need.adopted_lab_id,
        },
    ) {
        return Err(WebError::Forbidden);
    }
    let on = form.get("aktion").map(String::as_str) != Some("entfernen");
    let slug = project_slug(form.get("projekt").map_or("", String::as_str));
    let result = core::link_project(&state.db, &current.account, &need, &slug, on)
        .await
        .map(|_| ());
    answer(
        &state,
        &visitor,
        &need,
        result,
        &format!("{}#projekte", core::path(need.id)),
        ("projekt", form),
    )
    .await
}

/// `/konto/beduerfnisse/`: one's own needs, drafts and held ones included.
async fn mine(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
) -> Result<Response, WebError> {
    let list = needs::by_author(&state.db, current.account.id).await?;
    let cards: Vec<_> = list
        .iter()
        .map(|n| serde_json::json!({ "card": card(n), "draft": n.status == "draft" }))
        .collect();
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "needs/mine.html",
        &chrome,
        crate::ctx! {
            nav => "beduerfnisse",
            title => "Deine Bedürfnisse",
            needs => cards,
            csrf => visitor.csrf(),
        },
    )?;
    Ok(private(StatusCode::OK, html))
}

async fn code_of_conduct(State(state): State<AppState>) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "needs/code_of_conduct.html",
        &chrome,
        crate::ctx! {
            nav => "beduerfnisse",
            title => "Verhaltenskodex",
            description => "Wie wir im Netzwerk Code for Germany miteinander sprechen.",
        },
    )?;
    Ok(html.into_response())
}

/// A lab page's invitation to act: open needs in its area no lab has adopted yet.
pub async fn lab_section(
    state: &AppState,
    lab_id: i64,
    state_key: Option<&str>,
) -> Result<String, WebError> {
    let (cards, total) = needs::open_near(&state.db, lab_id, state_key, 5).await?;
    let more = state_key
        .and_then(states::by_key)
        .map(|s| format!("/beduerfnisse/?land={}&ohne_lab=1", s.slug));
    fragment(
        "needs/lab_section.html",
        crate::ctx! {
            needs => cards.iter().map(card).collect::<Vec<_>>(),
            total => total,
            more => more,
        },
    )
}

/// The needs a project answers, for its page.
pub async fn of_project(
    state: &AppState,
    project_id: i64,
) -> Result<Vec<serde_json::Value>, WebError> {
    Ok(needs::needs_of_project(&state.db, project_id)
        .await?
        .into_iter()
        .map(|n| {
            serde_json::json!({
                "id": n.id,
                "title": n.title,
                "status": status_label(&n.status),
            })
        })
        .collect())
}

/// `/beduerfnisse/index.xml`: the newest needs.
async fn feed(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let origin = crate::feeds::origin(&state, &headers);
    let list = needs::newest(&state.db, None, 20).await?;
    Ok(crate::feeds::rss_response(&crate::feeds::channel(
        "Code for Germany: Bedürfnisse",
        format!("{origin}/beduerfnisse/"),
        "Neue Bedürfnisse, die Menschen und Verwaltungen ins Netzwerk Code for Germany einbringen.",
        feed_items(&origin, &list),
    )))
}

/// `/beduerfnisse/lab/<lab>.xml`: new needs in a lab's area and those it adopted.
async fn lab_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let slug = file.strip_suffix(".xml").ok_or(WebError::NotFound)?;
    let lab = codefor_storage::labs::get(&state.db, slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let id = lab.id;
    let state_key = lab.lab.state_key.clone();
    let origin = crate::feeds::origin(&state, &headers);
    let list = needs::newest(&state.db, Some((id, state_key.as_deref())), 20).await?;
    Ok(crate::feeds::rss_response(&crate::feeds::channel(
        &format!("{}: Bedürfnisse", lab.lab.name),
        format!("{origin}/{slug}/"),
        &format!(
            "Neue Bedürfnisse in der Gegend von {} und die, die das Lab übernommen hat.",
            lab.lab.name
        ),
        feed_items(&origin, &list),
    )))
}

fn feed_items(origin: &str, list: &[NeedCard]) -> Vec<rss::Item> {
    list.iter()
        .map(|n| {
            crate::feeds::item(
                n.title.clone(),
                format!("{origin}{}", core::path(n.id)),
                n.submitted_at.as_deref(),
                Some(format!(
                    "{} · {} · {}",
                    status_label(&n.status),
                    place(&n.municipality, n.state_name.as_deref()),
                    codefor_content::markdown::summary(&n.body, 300)
                )),
            )
        })
        .collect()
}
