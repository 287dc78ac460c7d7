//! Organizations in the browser: the list (`/organisationen/`), registering one
//! (`/organisationen/neu/`), an organization's page with what it uses (admins confirm it
//! and add staff there), and the project page's section „Wer nutzt das?“ with its forms
//! (`/projekte/<slug>/nutzung`).

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::accounts::AccountError;
use codefor_core::forms::FieldErrors;
use codefor_core::help_wanted::ProjectRef;
use codefor_core::organizations as core;
use codefor_domain::organizations::Kind;
use codefor_domain::permissions::{Action, allows};
use codefor_domain::states;
use codefor_storage::organizations::{self, Organization};
use serde::Serialize;

use crate::forms::{FormToken, private, see_other};
use crate::session::{SignedIn, Visitor};
use crate::views::{Chrome, fragment, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organisationen/", get(index))
        .route("/organisationen/neu/", get(new_form).post(create))
        .route("/organisationen/{slug}/", get(show))
        .route("/organisationen/{slug}/bestaetigen", post(verify))
        .route("/organisationen/{slug}/mitarbeitende", post(add_staff))
        .route("/projekte/{slug}/nutzung", get(use_page).post(record))
        .route("/projekte/{slug}/nutzung/entfernen", post(remove))
}

/// An organization as pages show it.
#[derive(Debug, Clone, Serialize)]
struct OrgView {
    id: i64,
    slug: String,
    name: String,
    kind: &'static str,
    public: bool,
    state: Option<&'static str>,
    ags: Option<String>,
    /// What kind of key the AGS is, by its length.
    ags_label: &'static str,
    website_url: Option<String>,
    verified: bool,
}

fn view(o: &Organization) -> OrgView {
    let kind = Kind::parse(&o.kind);
    OrgView {
        id: o.id,
        slug: o.slug.clone(),
        name: o.name.clone(),
        kind: kind.map_or("Sonstige", Kind::label_de),
        public: kind.is_some_and(Kind::is_public),
        state: o
            .state_key
            .as_deref()
            .and_then(states::by_key)
            .map(|s| s.name),
        ags: o.ags.clone(),
        ags_label: match o.ags.as_deref().map(str::len) {
            Some(8) => "Amtlicher Gemeindeschlüssel",
            Some(12) => "Regionalschlüssel",
            _ => "Amtlicher Schlüssel",
        },
        website_url: o.website_url.clone(),
        verified: o.verified,
    }
}

/// `2024-03` → `März 2024`, `2024-03-15` → `15. März 2024`.
fn since_de(since: &str) -> String {
    if since.len() == 7 {
        let full = crate::dates::german(&format!("{since}-01"));
        return full
            .split_once(". ")
            .map_or(full.clone(), |(_, rest)| rest.to_owned());
    }
    crate::dates::german(since)
}

async fn index(State(state): State<AppState>) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let list: Vec<_> = organizations::list_with_uses(&state.db)
        .await?
        .iter()
        .map(|(o, uses)| serde_json::json!({ "org": view(o), "uses": uses }))
        .collect();
    let html = render(
        "organizations/index.html",
        &chrome,
        crate::ctx! {
            nav => "organisationen",
            title => "Organisationen",
            description => "Verwaltungen und andere Organisationen, die Projekte aus dem Netzwerk nutzen.",
            organizations => list,
        },
    )?;
    Ok(html.into_response())
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    values: &HashMap<String, String>,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let kinds: Vec<_> = Kind::ALL
        .iter()
        .map(|k| serde_json::json!({ "key": k.as_str(), "label": k.label_de() }))
        .collect();
    let token = FormToken::for_visitor(state, visitor)?;
    let html = render(
        "organizations/form.html",
        &chrome,
        crate::ctx! {
            nav => "organisationen",
            title => "Organisation eintragen",
            v => values,
            err => errors.by_field(),
            error_count => errors.0.len(),
            kinds => kinds,
            states => states::ALL,
            csrf => token.token,
        },
    )?;
    Ok(token.page(status, html))
}

async fn new_form(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    if !visitor.signed_in() {
        return Ok(see_other("/anmelden/?next=/organisationen/neu/"));
    }
    if !allows(&visitor.viewer, &Action::OfferHelp) {
        return Err(WebError::Forbidden);
    }
    form_page(
        &state,
        &visitor,
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
    if !allows(&visitor.viewer, &Action::OfferHelp) {
        return Err(WebError::Forbidden);
    }
    let result = match core::parse(&form) {
        Ok(org) => core::create(&state.db, &current.account, &org).await,
        Err(errors) => Err(errors.into()),
    };
    match result {
        Ok(slug) => {
            state.cache.recheck();
            Ok(see_other(&format!("/organisationen/{slug}/")))
        }
        Err(AccountError::Invalid(errors)) => {
            form_page(
                &state,
                &visitor,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn load(state: &AppState, slug: &str) -> Result<Organization, WebError> {
    organizations::by_slug(&state.db, slug)
        .await?
        .ok_or(WebError::NotFound)
}

async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let org = load(&state, &slug).await?;
    org_page(
        &state,
        &visitor,
        &org,
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn org_page(
    state: &AppState,
    visitor: &Visitor,
    org: &Organization,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let uses: Vec<_> = organizations::uses_of(&state.db, org.id)
        .await?
        .into_iter()
        .map(|(slug, title, since, note)| {
            serde_json::json!({
                "slug": slug,
                "title": title,
                "since": since.as_deref().map(since_de),
                "note": note,
            })
        })
        .collect();
    let admin = allows(&visitor.viewer, &Action::VerifyOrganization);
    let is_staff = match &visitor.current {
        Some(c) => organizations::is_member(&state.db, org.id, c.account.id).await?,
        None => false,
    };
    // Names of staff for admins and the staff themselves; nobody else.
    let staff: Vec<String> = if admin || is_staff {
        organizations::members(&state.db, org.id)
            .await?
            .into_iter()
            .map(|(_, name, _)| name)
            .collect()
    } else {
        Vec::new()
    };
    let html = render(
        "organizations/show.html",
        &chrome,
        crate::ctx! {
            nav => "organisationen",
            title => org.name.clone(),
            description => format!("{}: welche Projekte aus dem Netzwerk Code for Germany sie nutzt.", org.name),
            org => view(org),
            uses => uses,
            admin => admin,
            is_staff => is_staff,
            staff => staff,
            err => errors.by_field(),
            error_count => errors.0.len(),
            csrf => visitor.csrf(),
        },
    )?;
    if visitor.signed_in() {
        Ok(private(status, html))
    } else {
        Ok((status, html).into_response())
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct VerifyForm {
    #[serde(default)]
    verified: String,
}

async fn verify(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(slug): Path<String>,
    Form(form): Form<VerifyForm>,
) -> Result<Response, WebError> {
    if !allows(&visitor.viewer, &Action::VerifyOrganization) {
        return Err(WebError::Forbidden);
    }
    let org = load(&state, &slug).await?;
    core::set_verified(&state.db, &current.account, &org, form.verified == "1").await?;
    state.cache.recheck();
    Ok(see_other(&format!("/organisationen/{}/", org.slug)))
}

#[derive(Debug, Default, serde::Deserialize)]
struct StaffForm {
    #[serde(default)]
    email: String,
}

async fn add_staff(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(slug): Path<String>,
    Form(form): Form<StaffForm>,
) -> Result<Response, WebError> {
    if !allows(&visitor.viewer, &Action::VerifyOrganization) {
        return Err(WebError::Forbidden);
    }
    let org = load(&state, &slug).await?;
    match core::add_staff(&state.db, &current.account, &org, &form.email).await {
        Ok(()) => {
            state.cache.recheck();
            Ok(see_other(&format!(
                "/organisationen/{}/#mitarbeitende",
                org.slug
            )))
        }
        Err(AccountError::Invalid(errors)) => {
            org_page(
                &state,
                &visitor,
                &org,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// What the section's form shows again after a failed submission.
#[derive(Debug, Default)]
struct Submitted {
    values: HashMap<String, String>,
    errors: FieldErrors,
}

/// The project page's section „Wer nutzt das?“ (`id="nutzung"`): the organizations that
/// use the project and, for its leads and for staff of any organization, the form to
/// record a use and buttons to remove one.
pub async fn project_section(
    state: &AppState,
    visitor: &Visitor,
    project_id: i64,
    slug: &str,
    lab_ids: &[i64],
) -> Result<String, WebError> {
    section(
        state,
        visitor,
        project_id,
        slug,
        lab_ids,
        &Submitted::default(),
    )
    .await
}

async fn section(
    state: &AppState,
    visitor: &Visitor,
    project_id: i64,
    slug: &str,
    lab_ids: &[i64],
    submitted: &Submitted,
) -> Result<String, WebError> {
    let (lead, mine) = recorders(state, visitor, lab_ids).await?;
    let mine_ids: Vec<i64> = mine.iter().map(|o| o.id).collect();
    let usages: Vec<_> = organizations::users_of(&state.db, project_id)
        .await?
        .into_iter()
        .map(|u| {
            serde_json::json!({
                "org": view(&u.organization),
                "since": u.since.as_deref().map(since_de),
                "note": u.note,
                "by_staff": u.by_staff,
                "removable": lead || mine_ids.contains(&u.organization.id),
            })
        })
        .collect();
    // Leads (and admins) pick any organization, staff one of their own.
    let choices: Vec<OrgView> = if lead {
        organizations::list(&state.db)
            .await?
            .iter()
            .map(view)
            .collect()
    } else {
        mine.iter().map(view).collect()
    };
    let errors: BTreeMap<&str, String> = submitted.errors.by_field();
    fragment(
        "organizations/project_section.html",
        crate::ctx! {
            slug => slug,
            usages => usages,
            can_record => !choices.is_empty(),
            lead => lead,
            choices => choices,
            signed_in => visitor.signed_in(),
            csrf => visitor.csrf(),
            v => submitted.values,
            err => errors,
            error_count => submitted.errors.0.len(),
        },
    )
}

/// Whether the visitor may record uses of this project for any organization (a lead of
/// one of its labs, or an admin), and the organizations they are staff of.
async fn recorders(
    state: &AppState,
    visitor: &Visitor,
    lab_ids: &[i64],
) -> Result<(bool, Vec<Organization>), WebError> {
    let Some(current) = &visitor.current else {
        return Ok((false, Vec::new()));
    };
    let lead = allows(
        &visitor.viewer,
        &Action::RecordUse {
            labs: lab_ids.to_vec(),
            staff: false,
        },
    );
    let mine = organizations::of_account(&state.db, current.account.id).await?;
    Ok((lead, mine))
}

/// The published project in the path, or 404.
pub(crate) async fn project(state: &AppState, slug: &str) -> Result<ProjectRef, WebError> {
    codefor_core::help_wanted::project(&state.db, slug)
        .await?
        .ok_or(WebError::NotFound)
}

/// `/projekte/<slug>/nutzung`: the section on a page of its own (also where the form
/// comes back with what was wrong).
async fn use_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let project = project(&state, &slug).await?;
    let html = project_section(&state, &visitor, project.id, &project.slug, &project.labs).await?;
    standalone(&state, &visitor, &project, html, StatusCode::OK).await
}

async fn standalone(
    state: &AppState,
    visitor: &Visitor,
    project: &ProjectRef,
    section: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let title = format!("Wer nutzt {}?", project.title);
    crate::projects::section_page(
        state,
        visitor,
        "organizations/use_page.html",
        &title,
        project,
        section,
        status,
    )
    .await
}

/// The chosen organization of a use form: refused with 403 when the visitor may record
/// nothing at all, with a field error when the choice is not an organization.
async fn chosen(
    state: &AppState,
    visitor: &Visitor,
    project: &ProjectRef,
    form: &HashMap<String, String>,
) -> Result<Result<Organization, FieldErrors>, WebError> {
    let (lead, mine) = recorders(state, visitor, &project.labs).await?;
    if !lead && mine.is_empty() {
        return Err(WebError::Forbidden);
    }
    let id = form
        .get("organization")
        .and_then(|v| v.trim().parse::<i64>().ok());
    let org = match id {
        Some(id) => organizations::by_id(&state.db, id).await?,
        None => None,
    };
    let Some(org) = org else {
        return Ok(Err(FieldErrors::one(
            "organization",
            "Bitte wähle die Organisation aus der Liste.",
        )));
    };
    if !core::may_record_use(&state.db, &visitor.viewer, &project.labs, org.id).await? {
        return Err(WebError::Forbidden);
    }
    Ok(Ok(org))
}

async fn record(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(slug): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let project = project(&state, &slug).await?;
    let result = match chosen(&state, &visitor, &project, &form).await? {
        Ok(org) => match core::parse_use(&form) {
            Ok(used) => {
                core::record_use(
                    &state.db,
                    &current.account,
                    &visitor.viewer,
                    (project.id, &project.slug, &project.labs),
                    &org,
                    &used,
                )
                .await
            }
            Err(errors) => Err(errors.into()),
        },
        Err(errors) => Err(errors.into()),
    };
    state.cache.recheck();
    match result {
        Ok(()) => Ok(see_other(&format!("/projekte/{}/#nutzung", project.slug))),
        Err(AccountError::Invalid(errors)) => {
            let submitted = Submitted {
                values: form,
                errors,
            };
            let html = section(
                &state,
                &visitor,
                project.id,
                &project.slug,
                &project.labs,
                &submitted,
            )
            .await?;
            standalone(
                &state,
                &visitor,
                &project,
                html,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(slug): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let project = project(&state, &slug).await?;
    let org = match chosen(&state, &visitor, &project, &form).await? {
        Ok(org) => org,
        Err(_) => return Err(WebError::NotFound),
    };
    core::remove_use(
        &state.db,
        &current.account,
        &visitor.viewer,
        (project.id, &project.slug, &project.labs),
        &org,
    )
    .await?;
    state.cache.recheck();
    Ok(see_other(&format!("/projekte/{}/#nutzung", project.slug)))
}
