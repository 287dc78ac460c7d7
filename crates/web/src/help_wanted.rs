//! Help wanted in the browser: the project page's section „Mitmachen“ (open roles with
//! an „Ich helfe mit“ form; for the project's leads the role forms and the offers
//! received), the same section on a page of its own (`/projekte/<slug>/mitmachen`,
//! also where forms come back with what was wrong), and „Wo kann ich helfen?“
//! (`/helfen/`): open roles across the network, for signed-in people ranked by their
//! skills and labs, filterable by skill without JavaScript.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::accounts::AccountError;
use codefor_core::forms::FieldErrors;
use codefor_core::help_wanted::{self as core, ProjectRef, Seeker};
use codefor_domain::permissions::{Action, allows};
use codefor_domain::profiles::SKILLS;
use codefor_domain::projects::{Commitment, Place};
use codefor_storage::project_roles::{self, Role};
use serde::{Deserialize, Serialize};

use crate::forms::{private, see_other};
use crate::organizations::project;
use crate::session::{SignedIn, Visitor};
use crate::views::{Chrome, fragment, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/helfen/", get(index))
        .route("/projekte/{slug}/mitmachen", get(page))
        .route("/projekte/{slug}/mitmachen/rollen", post(create_role))
        .route("/projekte/{slug}/mitmachen/rollen/{id}", post(update_role))
        .route(
            "/projekte/{slug}/mitmachen/rollen/{id}/status",
            post(set_status),
        )
        .route(
            "/projekte/{slug}/mitmachen/rollen/{id}/loeschen",
            post(delete_role),
        )
        .route("/projekte/{slug}/mitmachen/angebot", post(offer))
        .route(
            "/projekte/{slug}/mitmachen/angebot/zurueckziehen",
            post(withdraw),
        )
}

/// What a form of the section shows again after a failed submission.
#[derive(Debug, Default)]
struct Submitted {
    /// Which form: `neu`, a role's id, or `angebot-<role id>` / `angebot-allgemein`.
    form: String,
    values: HashMap<String, String>,
    /// The skill boxes ticked.
    chosen: Vec<String>,
    errors: FieldErrors,
}

/// A role form (new or for one role), with its values and errors.
#[derive(Debug, Serialize)]
struct RoleForm {
    /// Prefix for the ids of its fields.
    key: String,
    action: String,
    title: String,
    description: String,
    commitment: String,
    place: String,
    more_skills: String,
    skills: Vec<SkillBox>,
    err: BTreeMap<&'static str, String>,
    error_count: usize,
}

#[derive(Debug, Serialize)]
struct SkillBox {
    name: &'static str,
    checked: bool,
}

fn choices<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<serde_json::Value> {
    all.iter()
        .map(|v| serde_json::json!({ "key": key(*v), "label": label(*v) }))
        .collect()
}

fn role_form(key: &str, action: String, role: Option<&Role>, submitted: &Submitted) -> RoleForm {
    let listed = |s: &str| SKILLS.iter().any(|k| k.eq_ignore_ascii_case(s));
    if submitted.form == key {
        let value = |k: &str| submitted.values.get(k).cloned().unwrap_or_default();
        return RoleForm {
            key: key.to_owned(),
            action,
            title: value("title"),
            description: value("description"),
            commitment: value("commitment"),
            place: value("place"),
            more_skills: value("more_skills"),
            skills: SKILLS
                .iter()
                .map(|s| SkillBox {
                    name: s,
                    checked: submitted.chosen.iter().any(|c| c == s),
                })
                .collect(),
            err: submitted.errors.by_field(),
            error_count: submitted.errors.0.len(),
        };
    }
    let skills: &[String] = role.map_or(&[], |r| &r.skills);
    RoleForm {
        key: key.to_owned(),
        action,
        title: role.map(|r| r.title.clone()).unwrap_or_default(),
        description: role.map(|r| r.description.clone()).unwrap_or_default(),
        commitment: role.map_or_else(
            || Commitment::Occasional.as_str().to_owned(),
            |r| r.commitment.clone(),
        ),
        place: role.map_or_else(|| Place::Either.as_str().to_owned(), |r| r.place.clone()),
        more_skills: skills
            .iter()
            .filter(|s| !listed(s))
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        skills: SKILLS
            .iter()
            .map(|s| SkillBox {
                name: s,
                checked: skills.iter().any(|c| c == s),
            })
            .collect(),
        err: BTreeMap::new(),
        error_count: 0,
    }
}

/// A role's description as paragraphs of plain text.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn commitment_label(key: &str) -> &'static str {
    Commitment::parse(key).map_or("", Commitment::label_de)
}

fn place_label(key: &str) -> &'static str {
    Place::parse(key).map_or("", Place::label_de)
}

/// The project page's section „Mitmachen“ (`id="mitmachen"`): the open roles with an
/// „Ich helfe mit“ form for signed-in people (a sign-in link for others), a general
/// offer when the project looks for people but names no role, and for its leads the
/// role forms and the offers received.
pub async fn project_section(
    state: &AppState,
    visitor: &Visitor,
    project_id: i64,
    slug: &str,
    lab_ids: &[i64],
    looking_for_people: bool,
) -> Result<String, WebError> {
    section(
        state,
        visitor,
        (project_id, slug, lab_ids, looking_for_people),
        &Submitted::default(),
    )
    .await
}

async fn section(
    state: &AppState,
    visitor: &Visitor,
    (project_id, slug, lab_ids, looking_for_people): (i64, &str, &[i64], bool),
    submitted: &Submitted,
) -> Result<String, WebError> {
    let manage = allows(
        &visitor.viewer,
        &Action::EditProject {
            labs: lab_ids.to_vec(),
        },
    );
    let mine: Vec<project_roles::Offer> = match &visitor.current {
        Some(c) => project_roles::offers_by(&state.db, c.account.id)
            .await?
            .into_iter()
            .filter(|o| o.project_id == project_id)
            .collect(),
        None => Vec::new(),
    };
    let my_offer = |role: Option<i64>| mine.iter().find(|o| o.role_id == role).map(|o| o.id);
    let offer_state = |key: &str| {
        let this = submitted.form == key;
        (
            if this {
                submitted.values.get("message").cloned().unwrap_or_default()
            } else {
                String::new()
            },
            if this {
                Some(submitted.errors.joined())
            } else {
                None
            },
        )
    };
    let roles = project_roles::of_project(&state.db, project_id).await?;
    let open_count = roles.iter().filter(|r| r.open).count();
    let role_views: Vec<_> = roles
        .iter()
        .filter(|r| r.open || manage)
        .map(|r| {
            let (message, offer_error) = offer_state(&format!("angebot-{}", r.id));
            serde_json::json!({
                "id": r.id,
                "title": r.title,
                "paragraphs": paragraphs(&r.description),
                "skills": r.skills,
                "commitment": commitment_label(&r.commitment),
                "place": place_label(&r.place),
                "open": r.open,
                "my_offer": my_offer(Some(r.id)),
                "message": message,
                "offer_error": offer_error,
                "form": manage.then(|| role_form(
                    &r.id.to_string(),
                    format!("/projekte/{slug}/mitmachen/rollen/{}", r.id),
                    Some(r),
                    submitted,
                )),
            })
        })
        .collect();
    let (general_message, general_error) = offer_state("angebot-allgemein");
    let offers: Vec<_> = if manage {
        project_roles::offers_for(&state.db, project_id)
            .await?
            .into_iter()
            .map(|o| {
                serde_json::json!({
                    "name": o.name,
                    "email": o.email,
                    "role": o.role_title,
                    "paragraphs": paragraphs(&o.message),
                    "at": crate::dates::german_datetime(&o.created_at),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let new_form = manage.then(|| {
        role_form(
            "neu",
            format!("/projekte/{slug}/mitmachen/rollen"),
            None,
            submitted,
        )
    });
    fragment(
        "help_wanted/project_section.html",
        crate::ctx! {
            slug => slug,
            roles => role_views,
            open_count => open_count,
            general => looking_for_people && open_count == 0,
            my_general_offer => my_offer(None),
            general_message => general_message,
            general_error => general_error,
            manage => manage,
            offers => offers,
            new_form => new_form,
            open_new => submitted.form == "neu",
            offer_alert => submitted
                .form
                .starts_with("angebot-")
                .then(|| submitted.errors.joined()),
            commitments => choices(&Commitment::ALL, Commitment::as_str, Commitment::label_de),
            places => choices(&Place::ALL, Place::as_str, Place::label_de),
            signed_in => visitor.signed_in(),
            csrf => visitor.csrf(),
        },
    )
}

fn target(p: &ProjectRef) -> (i64, &str, &[i64], bool) {
    (p.id, &p.slug, &p.labs, p.looking_for_people)
}

/// `/projekte/<slug>/mitmachen`: the section on a page of its own.
async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let p = project(&state, &slug).await?;
    let html = project_section(
        &state,
        &visitor,
        p.id,
        &p.slug,
        &p.labs,
        p.looking_for_people,
    )
    .await?;
    standalone(&state, &visitor, &p, html, StatusCode::OK).await
}

async fn standalone(
    state: &AppState,
    visitor: &Visitor,
    project: &ProjectRef,
    section: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let title = format!("Mitmachen bei {}", project.title);
    crate::projects::section_page(
        state,
        visitor,
        "help_wanted/page.html",
        &title,
        project,
        section,
        status,
    )
    .await
}

/// The section again with what was wrong, on its own page.
async fn refused(
    state: &AppState,
    visitor: &Visitor,
    project: &ProjectRef,
    submitted: Submitted,
    error: AccountError,
) -> Result<Response, WebError> {
    match error {
        AccountError::Invalid(errors) => {
            let submitted = Submitted {
                errors,
                ..submitted
            };
            let html = section(state, visitor, target(project), &submitted).await?;
            standalone(
                state,
                visitor,
                project,
                html,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        e => Err(e.into()),
    }
}

/// The project in the path, when the visitor is one of its leads (or an admin).
async fn managed(state: &AppState, visitor: &Visitor, slug: &str) -> Result<ProjectRef, WebError> {
    let p = project(state, slug).await?;
    if !allows(
        &visitor.viewer,
        &Action::EditProject {
            labs: p.labs.clone(),
        },
    ) {
        return Err(WebError::Forbidden);
    }
    Ok(p)
}

/// A role form's fields and the ticked skill boxes.
fn split_form(pairs: Vec<(String, String)>) -> (HashMap<String, String>, Vec<String>) {
    let mut chosen = Vec::new();
    let mut form = HashMap::new();
    for (k, v) in pairs {
        if k == "skill" {
            chosen.push(v);
        } else {
            form.insert(k, v);
        }
    }
    (form, chosen)
}

fn back(p: &ProjectRef) -> Response {
    see_other(&format!("/projekte/{}/#mitmachen", p.slug))
}

async fn create_role(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(slug): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let p = managed(&state, &visitor, &slug).await?;
    let (values, chosen) = split_form(pairs);
    let result = match core::parse_role(&values, &chosen) {
        Ok(role) => core::create_role(&state.db, &current.account, &p, &role)
            .await
            .map(|_| ()),
        Err(errors) => Err(errors.into()),
    };
    state.cache.recheck();
    match result {
        Ok(()) => Ok(back(&p)),
        Err(e) => {
            let submitted = Submitted {
                form: "neu".to_owned(),
                values,
                chosen,
                errors: FieldErrors::default(),
            };
            refused(&state, &visitor, &p, submitted, e).await
        }
    }
}

fn role_id(id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

async fn update_role(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let p = managed(&state, &visitor, &slug).await?;
    let id = role_id(&id)?;
    let (values, chosen) = split_form(pairs);
    let result = match core::parse_role(&values, &chosen) {
        Ok(role) => core::update_role(&state.db, &current.account, &p, id, &role).await,
        Err(errors) => Err(errors.into()),
    };
    state.cache.recheck();
    match result {
        Ok(true) => Ok(back(&p)),
        Ok(false) => Err(WebError::NotFound),
        Err(e) => {
            let submitted = Submitted {
                form: id.to_string(),
                values,
                chosen,
                errors: FieldErrors::default(),
            };
            refused(&state, &visitor, &p, submitted, e).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct StatusForm {
    #[serde(default)]
    open: String,
}

async fn set_status(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    Form(form): Form<StatusForm>,
) -> Result<Response, WebError> {
    let p = managed(&state, &visitor, &slug).await?;
    let id = role_id(&id)?;
    if !core::set_open(&state.db, &current.account, &p, id, form.open == "1").await? {
        return Err(WebError::NotFound);
    }
    state.cache.recheck();
    Ok(back(&p))
}

async fn delete_role(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let p = managed(&state, &visitor, &slug).await?;
    let id = role_id(&id)?;
    if !core::delete_role(&state.db, &current.account, &p, id).await? {
        return Err(WebError::NotFound);
    }
    state.cache.recheck();
    Ok(back(&p))
}

#[derive(Debug, Default, Deserialize)]
struct OfferForm {
    /// A role's id, or empty for the project in general.
    #[serde(default)]
    role: String,
    #[serde(default)]
    message: String,
}

async fn offer(
    State(state): State<AppState>,
    headers: HeaderMap,
    SignedIn { visitor, current }: SignedIn,
    Path(slug): Path<String>,
    Form(form): Form<OfferForm>,
) -> Result<Response, WebError> {
    let p = project(&state, &slug).await?;
    if !allows(&visitor.viewer, &Action::OfferHelp) {
        return Err(WebError::Forbidden);
    }
    let (role, key) = match form.role.trim() {
        "" => (Ok(None), "angebot-allgemein".to_owned()),
        id => (
            id.parse::<i64>().map(Some),
            format!("angebot-{}", id.trim()),
        ),
    };
    let result = match role {
        Ok(role) => {
            core::offer(
                &state.db,
                &state.config.mailer,
                &state.origin(&headers),
                &current.account,
                &p,
                role,
                &form.message,
            )
            .await
        }
        Err(_) => Err(FieldErrors::one("role", "Diese Rolle gibt es nicht.").into()),
    };
    match result {
        Ok(()) => Ok(back(&p)),
        Err(e) => {
            let submitted = Submitted {
                form: key,
                values: HashMap::from([("message".to_owned(), form.message.clone())]),
                ..Submitted::default()
            };
            refused(&state, &visitor, &p, submitted, e).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct WithdrawForm {
    #[serde(default)]
    offer: String,
    /// `helfen` to go back to „Wo kann ich helfen?“.
    #[serde(default)]
    zurueck: String,
}

async fn withdraw(
    State(state): State<AppState>,
    SignedIn { current, .. }: SignedIn,
    Path(slug): Path<String>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response, WebError> {
    let id: i64 = form.offer.trim().parse().map_err(|_| WebError::NotFound)?;
    if !core::withdraw(&state.db, &current.account, id).await? {
        return Err(WebError::NotFound);
    }
    if form.zurueck == "helfen" {
        return Ok(see_other("/helfen/#meine-angebote"));
    }
    Ok(see_other(&format!("/projekte/{slug}/#mitmachen")))
}

#[derive(Debug, Default, Deserialize)]
struct HelpQuery {
    #[serde(default)]
    faehigkeit: String,
}

/// `/helfen/`: „Wo kann ich helfen?“.
async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<HelpQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let seeker = match &visitor.current {
        Some(c) => Some(Seeker::of(&state.db, &c.account, &visitor.viewer).await?),
        None => None,
    };
    let skill = q.faehigkeit.trim();
    let skill = (!skill.is_empty()).then_some(skill);
    let lab_names = codefor_storage::labs::ids(&state.db).await?;
    let found: Vec<_> = core::openings(&state.db, seeker.as_ref(), skill)
        .await?
        .into_iter()
        .map(|m| {
            let labs: Vec<_> = m
                .opening
                .labs
                .iter()
                .filter_map(|slug| {
                    lab_names
                        .iter()
                        .find(|(_, s, _)| s == slug)
                        .map(|(_, s, n)| serde_json::json!({ "slug": s, "name": n }))
                })
                .collect();
            let skills: Vec<_> = m
                .opening
                .role
                .skills
                .iter()
                .map(|s| serde_json::json!({ "name": s, "mine": m.matched.contains(s) }))
                .collect();
            serde_json::json!({
                "id": m.opening.role.id,
                "title": m.opening.role.title,
                "paragraphs": paragraphs(&m.opening.role.description),
                "commitment": commitment_label(&m.opening.role.commitment),
                "place": place_label(&m.opening.role.place),
                "skills": skills,
                "matched": m.matched.len(),
                "in_my_lab": m.in_my_lab,
                "project_slug": m.opening.project_slug,
                "project_title": m.opening.project_title,
                "labs": labs,
            })
        })
        .collect();
    let mine: Vec<_> = match &visitor.current {
        Some(c) => project_roles::offers_by(&state.db, c.account.id)
            .await?
            .into_iter()
            .map(|o| {
                serde_json::json!({
                    "id": o.id,
                    "project_slug": o.project_slug,
                    "project_title": o.project_title,
                    "role": o.role_title,
                    "at": crate::dates::german_datetime(&o.created_at),
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let html = render(
        "help_wanted/index.html",
        &chrome,
        crate::ctx! {
            nav => "helfen",
            title => "Wo kann ich helfen?",
            description => "Offene Rollen in den Projekten der OK Labs: wer gesucht wird, wie viel Zeit es braucht, vor Ort oder von zu Hause.",
            openings => found,
            skills => core::skill_choices(&state.db).await?,
            skill => skill.unwrap_or_default(),
            signed_in => visitor.signed_in(),
            my_skills => seeker.as_ref().map(|s| s.skills.clone()).unwrap_or_default(),
            mine => mine,
            csrf => visitor.csrf(),
        },
    )?;
    if visitor.signed_in() {
        Ok(private(StatusCode::OK, html))
    } else {
        Ok(html.into_response())
    }
}
