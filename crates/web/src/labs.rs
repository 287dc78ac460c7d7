//! Labs: the overview grouped by federal state, each lab's page, and the JSON of
//! today's site.

use axum::Json;
use axum::extract::State;
use axum::response::Html;
use codefor_domain::permissions::{Action, allows};
use codefor_domain::profiles::Onlooker;
use codefor_domain::states;
use codefor_storage::memberships::Standing;
use codefor_storage::{labs, posts, projects};
use serde_json::json;

use crate::views::{Chrome, render};
use crate::{AppState, WebError, components};

pub async fn index(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let overview = components::labs_by_state(&state, None).await?;
    let figures = components::figures(&state).await?;
    let map = components::labs_map(&state, None).await?;
    render(
        "labs.html",
        &chrome,
        crate::ctx! {
            nav => "labs",
            title => "Labs",
            description => "Alle Labs des Netzwerks nach Bundesland: wo sie sind und wann sie sich treffen.",
            overview => overview,
            figures => figures,
            map => map,
        },
    )
}

/// `/labs/<state>/`: the labs of one federal state, on the map and as a list.
pub async fn of_state(
    State(state): State<AppState>,
    axum::extract::Path(slug): axum::extract::Path<String>,
) -> Result<Html<String>, WebError> {
    let federal = states::by_slug(&slug).ok_or(WebError::NotFound)?;
    let chrome = Chrome::load(&state.db).await?;
    let all = labs::list(&state.db).await?;
    let count = all
        .iter()
        .filter(|l| l.state_key.as_deref() == Some(federal.key))
        .count();
    let overview = components::labs_by_state(&state, Some(federal.key)).await?;
    let map = components::labs_map(&state, Some(federal.key)).await?;
    render(
        "labs.html",
        &chrome,
        crate::ctx! {
            nav => "labs",
            title => format!("Labs in {}", federal.name),
            description => format!("Die Labs des Netzwerks in {}: wo sie sind und wann sie sich treffen.", federal.name),
            state => federal,
            count => count,
            overview => overview,
            map => map,
        },
    )
}

/// `/<slug>/`: one lab's page. `Ok(None)` when no lab has this slug.
pub async fn show(state: &AppState, slug: &str) -> Result<Option<Html<String>>, WebError> {
    let Some(detail) = labs::get(&state.db, slug).await? else {
        return Ok(None);
    };
    let chrome = Chrome::load(&state.db).await?;
    let filter = projects::Filter {
        lab: Some(slug.to_owned()),
        ..Default::default()
    };
    let cards = crate::projects::cards(state, projects::list(&state.db, &filter).await?).await?;
    let lab_posts = crate::posts::items(posts::of_lab(&state.db, slug, 12).await?);
    let state_info = detail.lab.state_key.as_deref().and_then(states::by_key);
    let description = format!(
        "{} in {}: Treffen, Kontakt, Projekte und Beiträge.",
        detail.lab.name, detail.lab.city
    );
    // Members as each one chose to be seen; joining as the visitor stands.
    let viewer = crate::session::current_view().viewer;
    let onlooker = if viewer.is_signed_in() {
        Onlooker::Member
    } else {
        Onlooker::Anyone
    };
    let members = codefor_core::memberships::visible_members(
        codefor_storage::memberships::members(&state.db, detail.id).await?,
        onlooker,
    );
    let view = crate::session::current_view();
    let standing = if !view.signed_in {
        "anonymous"
    } else {
        // The session already loaded the account: its person tells where it stands.
        let standing = match view.person_id {
            Some(person) => {
                codefor_storage::memberships::standing(&state.db, detail.id, person).await?
            }
            None => Standing::None,
        };
        match standing {
            Standing::None => "none",
            Standing::Requested => "requested",
            Standing::Member => "member",
            Standing::Lead => "lead",
        }
    };
    let manage = allows(&viewer, &Action::ManageMembers { lab: detail.id });
    let pending = if manage {
        codefor_storage::memberships::pending(&state.db, detail.id)
            .await?
            .len()
    } else {
        0
    };
    let meetups = crate::meetups::upcoming_list(state, Some(detail.id), 5).await?;
    let plan = allows(
        &viewer,
        &Action::ManageMeetups {
            labs: vec![detail.id],
        },
    );
    let needs =
        crate::needs::lab_section(state, detail.id, detail.lab.state_key.as_deref()).await?;
    let datasets = crate::datasets::lab_section(state, detail.id, slug).await?;
    render(
        "lab.html",
        &chrome,
        crate::ctx! {
            nav => "labs",
            title => detail.lab.name.clone(),
            description => description,
            edit => crate::editing::edit_link(state, &codefor_core::urls::lab(slug)).await?,
            jsonld => crate::metadata::lab(&detail),
            lab => detail.lab,
            state => state_info,
            leads => detail.leads,
            members => members,
            standing => standing,
            manage => manage,
            pending => pending,
            csrf => view.csrf,
            projects => cards,
            posts => lab_posts,
            meetups => meetups,
            plan => plan,
            accepts => labs::accepts_requests(&state.db, detail.id).await?,
            needs => needs,
            datasets => datasets,
        },
    )
    .map(Some)
}

/// `/labs/index.json` in today's shape: `{"labs":[{"description","metadata"}]}` with the
/// front matter as metadata and the Markdown as description.
pub async fn json(State(state): State<AppState>) -> Result<Json<serde_json::Value>, WebError> {
    let labs: Vec<_> = labs::export(&state.db)
        .await?
        .into_iter()
        .map(|(metadata, description)| json!({ "description": description, "metadata": metadata }))
        .collect();
    Ok(Json(json!({ "labs": labs })))
}

/// `/api/network.json`: the live figures of the network.
pub async fn figures_json(
    State(state): State<AppState>,
) -> Result<Json<crate::components::Figures>, WebError> {
    Ok(Json(crate::components::figures_data(&state).await?))
}
