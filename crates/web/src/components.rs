//! Live components: places in content (from shortcodes such as `project-list` or
//! `home/teaser-blog`) that show current data from the database instead of text typed
//! once. The content pipeline leaves a marker; here each marker becomes HTML.

use std::sync::atomic::{AtomicUsize, Ordering};

use codefor_content::shortcodes;
use codefor_storage::{labs, posts, projects, states, stats};
use serde::Serialize;

use crate::projects::CatalogQuery;
use crate::views::fragment;
use crate::{AppState, WebError};

static IDS: AtomicUsize = AtomicUsize::new(0);

/// A distinct suffix for ids of headings in components (a page may show two).
fn next_id() -> usize {
    IDS.fetch_add(1, Ordering::Relaxed) % 100_000
}

/// Replaces every component marker in `html` by its live content.
pub async fn expand(
    state: &AppState,
    html: &str,
    path: &str,
    query: &CatalogQuery,
) -> Result<String, WebError> {
    let found = shortcodes::components(html);
    if found.is_empty() {
        return Ok(html.to_owned());
    }
    let mut out = String::with_capacity(html.len() + 4096);
    let mut last = 0;
    for c in found {
        out.push_str(&html[last..c.range.start]);
        out.push_str(&render(state, &c.name, path, query).await?);
        last = c.range.end;
    }
    out.push_str(&html[last..]);
    Ok(out)
}

async fn render(
    state: &AppState,
    name: &str,
    path: &str,
    query: &CatalogQuery,
) -> Result<String, WebError> {
    match name {
        "project-list" => crate::projects::catalog(state, query, path).await,
        "projekte/featured-projects" => featured(state).await,
        "labmap-overview" => Ok(format!(
            "{}{}",
            labs_map(state, None).await?,
            labs_by_state(state, None).await?
        )),
        "home/hexagons" | "network-figures" => figures(state).await,
        "home/teaser-blog" => teaser(state).await,
        other => {
            // The pipeline only emits known names; an unknown one is shown, not hidden.
            tracing::warn!(component = other, "unknown component in stored content");
            Ok(String::new())
        }
    }
}

/// The network's live figures: the database's counts plus the meetups ahead.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    #[serde(flatten)]
    pub counts: stats::NetworkFigures,
    /// Dates of meetups in the next 90 days (cancelled ones not counted).
    pub upcoming_meetups: usize,
}

pub async fn figures_data(state: &AppState) -> Result<Figures, WebError> {
    Ok(Figures {
        counts: stats::network(&state.db).await?,
        upcoming_meetups: codefor_core::meetups::upcoming_count(&state.db).await?,
    })
}

pub async fn figures(state: &AppState) -> Result<String, WebError> {
    let f = figures_data(state).await?;
    fragment(
        "components/figures.html",
        crate::ctx! { f => f, id => next_id() },
    )
}

async fn teaser(state: &AppState) -> Result<String, WebError> {
    let (list, _) = posts::page(&state.db, 0, 3).await?;
    let items = crate::posts::items(list);
    fragment(
        "components/posts.html",
        crate::ctx! { posts => items, id => next_id() },
    )
}

async fn featured(state: &AppState) -> Result<String, WebError> {
    let all = projects::list(&state.db, &projects::Filter::default()).await?;
    let showcase: Vec<_> = all.into_iter().filter(|p| p.showcase).take(9).collect();
    let cards = crate::projects::cards(state, showcase).await?;
    fragment(
        "components/featured.html",
        crate::ctx! { projects => cards, id => next_id() },
    )
}

#[derive(Serialize)]
struct StateGroup {
    slug: String,
    name: String,
    labs: Vec<labs::LabSummary>,
}

/// Labs grouped by federal state (states without labs are left out; labs whose state
/// is unknown come last).
/// The map of Germany with every lab, a legend and the data's credit; `focus`: the key
/// of a state to highlight.
pub async fn labs_map(state: &AppState, focus: Option<&str>) -> Result<String, WebError> {
    let svg = crate::map::svg(&labs::list(&state.db).await?, focus);
    fragment("components/labmap.html", crate::ctx! { svg => svg })
}

/// The labs grouped by federal state, with counts; `only`: one state's key.
pub async fn labs_by_state(state: &AppState, only: Option<&str>) -> Result<String, WebError> {
    let all = labs::list(&state.db).await?;
    let mut groups: Vec<StateGroup> = Vec::new();
    for (key, slug, name) in states::all(&state.db).await? {
        if only.is_some_and(|o| o != key) {
            continue;
        }
        let labs: Vec<_> = all
            .iter()
            .filter(|l| l.state_key.as_deref() == Some(&key))
            .cloned()
            .collect();
        if !labs.is_empty() {
            groups.push(StateGroup { slug, name, labs });
        }
    }
    let unplaced: Vec<_> = all
        .iter()
        .filter(|l| l.state_key.is_none())
        .cloned()
        .collect();
    if !unplaced.is_empty() && only.is_none() {
        groups.push(StateGroup {
            slug: "ohne-land".into(),
            name: "Ohne Bundesland".into(),
            labs: unplaced,
        });
    }
    fragment(
        "components/labs_by_state.html",
        crate::ctx! { groups => groups },
    )
}
