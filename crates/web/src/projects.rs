//! The project catalog: overview with filters by lab, topic and status, every
//! project's page, and the JSON of today's site.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::Html;
use codefor_domain::ProjectStatus;
use codefor_storage::{labs, media, pages, projects};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::views::{Chrome, fragment, has_h1, render};
use crate::{AppState, WebError, components, dates};

/// The catalog's filter as it appears in the URL (`?lab=berlin&thema=Umwelt&status=idea`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct CatalogQuery {
    #[serde(default)]
    pub lab: Option<String>,
    #[serde(default, rename = "thema")]
    pub topic: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

impl CatalogQuery {
    /// The filter of a request; a malformed query string only means "no filter", and
    /// values with a NUL (which no stored value has) are ignored.
    pub fn from_uri(uri: &axum::http::Uri) -> CatalogQuery {
        let mut q = Query::<CatalogQuery>::try_from_uri(uri)
            .map(|Query(q)| q)
            .unwrap_or_default();
        for v in [&mut q.lab, &mut q.topic, &mut q.status] {
            if v.as_deref().is_some_and(|s| s.contains('\0')) {
                *v = None;
            }
        }
        q
    }

    /// Whether a query string holds nothing but filter keys (so the page may be cached).
    pub fn only_filters(query: &str) -> bool {
        query.split('&').filter(|kv| !kv.is_empty()).all(|kv| {
            let key = kv.split('=').next().unwrap_or("");
            matches!(key, "lab" | "thema" | "status")
        })
    }

    fn filter(&self) -> projects::Filter {
        let nonempty = |s: &Option<String>| s.as_ref().filter(|s| !s.is_empty()).cloned();
        projects::Filter {
            lab: nonempty(&self.lab),
            topic: nonempty(&self.topic),
            status: self.status.as_deref().and_then(ProjectStatus::parse),
            include_drafts: false,
        }
    }
}

/// A project as cards show it.
#[derive(Debug, Serialize)]
pub struct Card {
    url: String,
    title: String,
    summary: Option<String>,
    status: Option<&'static str>,
    status_label: Option<&'static str>,
    status_text: Option<String>,
    image: Option<String>,
    image_url: Option<String>,
    image_missing: bool,
    labs: Vec<projects::LabRef>,
}

pub async fn cards(
    state: &AppState,
    list: Vec<projects::ProjectSummary>,
) -> Result<Vec<Card>, WebError> {
    let wanted: Vec<&str> = list.iter().filter_map(|p| p.image.as_deref()).collect();
    let stored: HashSet<String> = media::existing(&state.db, &wanted).await?;
    Ok(list
        .into_iter()
        .map(|p| Card {
            url: codefor_core::urls::project(&p.slug),
            image_missing: p.image.as_ref().is_some_and(|i| !stored.contains(i)),
            image_url: p.image.as_deref().map(codefor_core::urls::media),
            image: p.image,
            title: p.title,
            summary: p.summary,
            status: p.status.map(ProjectStatus::as_str),
            status_label: p.status.map(ProjectStatus::label_de),
            status_text: p.status_text,
            labs: p.labs,
        })
        .collect())
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct TopicCount {
    name: String,
    count: i64,
}

/// The filter form and the matching projects; `action` is the page the form is on.
pub async fn catalog(
    state: &AppState,
    query: &CatalogQuery,
    action: &str,
) -> Result<String, WebError> {
    let filter = query.filter();
    let filtered = filter.lab.is_some() || filter.topic.is_some() || filter.status.is_some();
    let list = cards(state, projects::list(&state.db, &filter).await?).await?;
    let lab_choices: Vec<_> = labs::list(&state.db)
        .await?
        .into_iter()
        .filter(|l| l.project_count > 0)
        .map(|l| json!({ "slug": l.slug, "name": l.name }))
        .collect();
    let topics: Vec<_> = projects::topics(&state.db)
        .await?
        .into_iter()
        .map(|(name, count)| TopicCount { name, count })
        .collect();
    let statuses: Vec<_> = ProjectStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str(),
            label: s.label_de(),
        })
        .collect();
    fragment(
        "catalog.html",
        crate::ctx! {
            action => action,
            filter => json!({
                "lab": filter.lab,
                "topic": filter.topic,
                "status": filter.status.map(ProjectStatus::as_str),
            }),
            filtered => filtered,
            projects => list,
            labs => lab_choices,
            topics => topics,
            statuses => statuses,
        },
    )
}

/// `/projekte/`: the section's introduction (an editable page) and the whole catalog.
pub async fn index(
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Html<String>, WebError> {
    let query = CatalogQuery::from_uri(&uri);
    let chrome = Chrome::load(&state.db).await?;
    let intro = pages::get(&state.db, "projekte").await?;
    let body = match &intro {
        Some(p) => Some(components::expand(&state, &p.body_html, "/projekte/", &query).await?),
        None => None,
    };
    // When the introduction already embeds the catalog, do not show it twice.
    let catalog = match &body {
        Some(b) if b.contains("class=\"catalog\"") => String::new(),
        _ => catalog(&state, &query, "/projekte/").await?,
    };
    render(
        "projects.html",
        &chrome,
        crate::ctx! {
            nav => "projects",
            title => "Projekte",
            description => "Offene Software aus dem Netzwerk, zum Nachnutzen: nach Lab, Thema und Status.",
            body_has_h1 => body.as_deref().is_some_and(has_h1),
            body => body,
            catalog => catalog,
        },
    )
}

/// `/projekte/<slug>/`; `Ok(None)` when there is no such project.
pub async fn show(state: &AppState, slug: &str) -> Result<Option<Html<String>>, WebError> {
    let Some(detail) = projects::get(&state.db, slug).await? else {
        return Ok(None);
    };
    let p = &detail.project;
    if p.draft {
        // Drafts are kept, not published (as Hugo did); editing comes with accounts.
        return Ok(None);
    }
    let chrome = Chrome::load(&state.db).await?;
    let image = crate::media::Picture::of(state, p.image.as_deref()).await?;
    let description = crate::views::description(p.summary.as_deref(), &p.body_md);
    render(
        "project.html",
        &chrome,
        crate::ctx! {
            nav => "projects",
            edit => crate::editing::edit_link(state, &codefor_core::urls::project(slug)).await?,
            title => p.title.clone(),
            description => description,
            status => p.status.map(ProjectStatus::as_str),
            status_label => p.status.map(ProjectStatus::label_de),
            date_de => p.date.as_deref().map(dates::german),
            image_url => image.url,
            image_missing => image.missing,
            labs => detail.labs,
            collaborators => detail.collaborators,
            project => detail.project,
        },
    )
    .map(Some)
}

/// `/projekte/index.json` in today's shape: `{"projects":[{"description","metadata"}]}`.
pub async fn json(State(state): State<AppState>) -> Result<Json<serde_json::Value>, WebError> {
    let list: Vec<_> = projects::export(&state.db)
        .await?
        .into_iter()
        .map(|(metadata, description)| json!({ "description": description, "metadata": metadata }))
        .collect();
    Ok(Json(json!({ "projects": list })))
}
