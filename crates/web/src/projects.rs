//! The project catalog: overview with filters by lab, topic and status, every
//! project's page, and the JSON of today's site.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use codefor_core::projects::{ImportError, document};
use codefor_core::publiccode::Problem;
use codefor_domain::permissions::{Action, allows};
use codefor_domain::{DevelopmentStatus, states};
use codefor_storage::projects::ProjectDetail;
use codefor_storage::revisions::Author;
use codefor_storage::{catalog, labs, media, pages, projects};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::forms::{FormToken, see_other};
use crate::session::{SignedIn, Visitor};
use crate::views::{Chrome, fragment, has_h1, render};
use crate::{AppState, WebError, components, dates};

/// The catalog's filters, order and page as they appear in the URL
/// (`?thema=umwelt&land=berlin&stand=stable&lizenz=MIT&genutzt=1&mitmachen=1&sortierung=aktiv&seite=2`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct CatalogQuery {
    #[serde(default)]
    pub lab: Option<String>,
    #[serde(default, rename = "thema")]
    pub theme: Option<String>,
    /// A federal state's slug.
    #[serde(default, rename = "land")]
    pub state: Option<String>,
    /// A development status (`stable`); `status` is the old name.
    #[serde(default, rename = "stand", alias = "status")]
    pub status: Option<String>,
    #[serde(default, rename = "lizenz")]
    pub license: Option<String>,
    #[serde(default, rename = "genutzt")]
    pub in_use: Option<String>,
    #[serde(default, rename = "mitmachen")]
    pub looking: Option<String>,
    #[serde(default, rename = "sortierung")]
    pub sort: Option<String>,
    #[serde(default, rename = "seite")]
    pub page: Option<String>,
}

/// The URL keys of [`CatalogQuery`].
const QUERY_KEYS: &[&str] = &[
    "lab",
    "thema",
    "land",
    "stand",
    "status",
    "lizenz",
    "genutzt",
    "mitmachen",
    "sortierung",
    "seite",
];

/// Projects per catalog page.
pub const PER_PAGE: u32 = 24;

impl CatalogQuery {
    /// The filter of a request; a malformed query string only means "no filter", and
    /// values with a NUL (which no stored value has) are ignored.
    pub fn from_uri(uri: &axum::http::Uri) -> CatalogQuery {
        let mut q = Query::<CatalogQuery>::try_from_uri(uri)
            .map(|Query(q)| q)
            .unwrap_or_default();
        for v in [
            &mut q.lab,
            &mut q.theme,
            &mut q.state,
            &mut q.status,
            &mut q.license,
            &mut q.in_use,
            &mut q.looking,
            &mut q.sort,
            &mut q.page,
        ] {
            if v.as_deref()
                .is_some_and(|s| s.contains('\0') || s.trim().is_empty() || s.len() > 200)
            {
                *v = None;
            }
        }
        q
    }

    /// Whether a query string holds nothing but catalog keys (so the page may be cached).
    pub fn only_filters(query: &str) -> bool {
        query.split('&').filter(|kv| !kv.is_empty()).all(|kv| {
            let key = kv.split('=').next().unwrap_or("");
            QUERY_KEYS.contains(&key)
        })
    }

    fn filters(&self) -> catalog::Filters {
        catalog::Filters {
            // A theme key, or a free word of old links (`?thema=Umwelt`) read as its theme.
            theme: self.theme.as_deref().and_then(|t| {
                codefor_domain::projects::theme(t)
                    .map(|t| t.key.to_owned())
                    .or_else(|| {
                        codefor_domain::projects::themes_of_tags(&[t.to_owned()])
                            .into_iter()
                            .next()
                    })
            }),
            lab: self.lab.clone(),
            state: self
                .state
                .as_deref()
                .and_then(|s| states::by_slug(s).or_else(|| states::by_key(s)))
                .map(|s| s.key.to_owned()),
            // A development status, or a status of the old site (`?status=in_production`).
            status: self.status.as_deref().and_then(|s| {
                DevelopmentStatus::parse(s)
                    .or_else(|| codefor_domain::ProjectStatus::parse(s).map(|p| p.split().0))
            }),
            license: self.license.clone(),
            in_use: self.in_use.as_deref() == Some("1"),
            looking: self.looking.as_deref() == Some("1"),
        }
    }

    fn sort(&self) -> catalog::Sort {
        self.sort
            .as_deref()
            .and_then(catalog::Sort::parse)
            .unwrap_or_default()
    }

    fn page(&self) -> u32 {
        self.page
            .as_deref()
            .and_then(|p| p.parse::<u32>().ok())
            .filter(|p| (1..=100_000).contains(p))
            .unwrap_or(1)
    }

    /// This query as a URL query string with `key` set to `value` (or removed when
    /// `None`); changing a filter goes back to the first page.
    fn with(&self, key: &str, value: Option<&str>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let state = self
            .state
            .as_deref()
            .and_then(|s| states::by_slug(s).or_else(|| states::by_key(s)))
            .map(|s| s.slug.to_owned());
        let current: [(&str, Option<String>); 9] = [
            ("thema", self.theme.clone()),
            ("lab", self.lab.clone()),
            ("land", state),
            ("stand", self.status.clone()),
            ("lizenz", self.license.clone()),
            ("genutzt", self.in_use.clone().filter(|v| v == "1")),
            ("mitmachen", self.looking.clone().filter(|v| v == "1")),
            ("sortierung", self.sort.clone()),
            ("seite", (self.page() > 1).then(|| self.page().to_string())),
        ];
        for (k, v) in current {
            let v = if k == key {
                value.map(str::to_owned)
            } else {
                v
            };
            let v = if key != "seite" && k == "seite" {
                None
            } else {
                v
            };
            if let Some(v) = v {
                pairs.push((k, v));
            }
        }
        let encoded: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        if encoded.is_empty() {
            String::new()
        } else {
            format!("?{}", encoded.join("&"))
        }
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
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
    license: Option<String>,
    users: i64,
    open_roles: i64,
    looking: bool,
    /// No sign of life for longer than the configured time.
    quiet: bool,
}

/// Whether a project with this last sign of life (`YYYY-MM-DD`) counts as quiet.
pub fn is_quiet(state: &AppState, last_activity: Option<&str>) -> bool {
    let days = state.config.project_stale_days;
    let (Some(last), true) = (last_activity, days > 0) else {
        return false;
    };
    let cutoff = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(days.saturating_mul(24)))
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default();
    last.get(..10).is_some_and(|d| d < cutoff.as_str())
}

pub async fn cards(
    state: &AppState,
    list: Vec<projects::ProjectSummary>,
) -> Result<Vec<Card>, WebError> {
    let ids: Vec<i64> = list.iter().map(|p| p.id).collect();
    let (users, roles) = catalog::adoption_counts(&state.db, &ids).await?;
    let items = list
        .into_iter()
        .map(|p| catalog::Item {
            users: users.get(&p.id).copied().unwrap_or(0),
            open_roles: roles.get(&p.id).copied().unwrap_or(0),
            project: p,
        })
        .collect();
    item_cards(state, items).await
}

async fn item_cards(state: &AppState, list: Vec<catalog::Item>) -> Result<Vec<Card>, WebError> {
    let wanted: Vec<&str> = list
        .iter()
        .filter_map(|i| i.project.image.as_deref())
        .collect();
    let stored: HashSet<String> = media::existing(&state.db, &wanted).await?;
    Ok(list
        .into_iter()
        .map(|item| {
            let p = item.project;
            Card {
                url: codefor_core::urls::project(&p.slug),
                image_missing: p.image.as_ref().is_some_and(|i| !stored.contains(i)),
                image_url: p.image.as_deref().map(codefor_core::urls::media),
                image: p.image,
                title: p.title,
                summary: p.summary,
                status: p.development_status.map(DevelopmentStatus::as_str),
                status_label: p.development_status.map(DevelopmentStatus::label_de),
                status_text: p.status_text,
                labs: p.labs,
                quiet: is_quiet(state, p.last_activity.as_deref()),
                license: p.license,
                users: item.users,
                open_roles: item.open_roles,
                looking: p.looking_for_people || item.open_roles > 0,
            }
        })
        .collect())
}

/// One value of a facet as the filter form shows it.
#[derive(Serialize)]
struct Option_ {
    value: String,
    label: String,
    count: i64,
    selected: bool,
    /// The catalog with this value chosen (or unchosen when selected).
    href: String,
}

/// The filter form, the facet counts and one page of matching projects; `action` is the
/// page the form is on.
pub async fn catalog(
    state: &AppState,
    query: &CatalogQuery,
    action: &str,
) -> Result<String, WebError> {
    let filters = query.filters();
    let sort = query.sort();
    let page = query.page();
    let result = catalog::search(&state.db, &filters, sort, page, PER_PAGE).await?;
    let f = &result.facets;
    let options = |key: &str,
                   counts: &[catalog::Count],
                   chosen: Option<&str>,
                   label: &dyn Fn(&str) -> Option<String>|
     -> Vec<Option_> {
        let mut out: Vec<Option_> = counts
            .iter()
            .filter_map(|c| {
                let selected = chosen == Some(c.value.as_str());
                Some(Option_ {
                    label: label(&c.value)?,
                    count: c.count,
                    href: format!(
                        "{action}{}#katalog",
                        query.with(key, (!selected).then_some(c.value.as_str()))
                    ),
                    selected,
                    value: c.value.clone(),
                })
            })
            .collect();
        // A chosen value that no longer matches anything stays visible with 0.
        if let Some(chosen) = chosen
            && !out.iter().any(|o| o.value == chosen)
            && let Some(l) = label(chosen)
        {
            out.push(Option_ {
                value: chosen.to_owned(),
                label: l,
                count: 0,
                selected: true,
                href: format!("{action}{}#katalog", query.with(key, None)),
            });
        }
        out
    };
    let themes = options("thema", &f.themes, filters.theme.as_deref(), &|v| {
        codefor_domain::projects::theme(v).map(|t| t.label.to_owned())
    });
    // Names only: the lab facet counts come with the search.
    let lab_names: std::collections::HashMap<String, String> = labs::ids(&state.db)
        .await?
        .into_iter()
        .map(|(_, slug, name)| (slug, name))
        .collect();
    let mut lab_options = options("lab", &f.labs, filters.lab.as_deref(), &|v| {
        lab_names.get(v).cloned()
    });
    lab_options.sort_by(|a, b| a.label.cmp(&b.label));
    let state_options = options(
        "land",
        &f.states
            .iter()
            .filter_map(|c| {
                states::by_key(&c.value).map(|s| catalog::Count {
                    value: s.slug.to_owned(),
                    count: c.count,
                })
            })
            .collect::<Vec<_>>(),
        filters
            .state
            .as_deref()
            .and_then(states::by_key)
            .map(|s| s.slug),
        &|v| states::by_slug(v).map(|s| s.name.to_owned()),
    );
    let mut statuses = options(
        "stand",
        &f.statuses,
        filters.status.map(DevelopmentStatus::as_str),
        &|v| DevelopmentStatus::parse(v).map(|s| s.label_de().to_owned()),
    );
    statuses.sort_by_key(|o| {
        DevelopmentStatus::ALL
            .iter()
            .position(|s| s.as_str() == o.value)
    });
    let licenses = options("lizenz", &f.licenses, filters.license.as_deref(), &|v| {
        Some(v.to_owned())
    });
    let sorts: Vec<_> = catalog::Sort::ALL
        .iter()
        .map(|s| {
            json!({
                "value": s.as_str(),
                "label": s.label_de(),
                "selected": *s == sort,
            })
        })
        .collect();
    let pages = (result.total + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE);
    let page_link = |n: i64| {
        format!(
            "{action}{}#katalog",
            query.with("seite", (n > 1).then(|| n.to_string()).as_deref())
        )
    };
    let list = item_cards(state, result.items).await?;
    let toggle =
        |key: &str, on: bool| format!("{action}{}#katalog", query.with(key, (!on).then_some("1")));
    fragment(
        "catalog.html",
        crate::ctx! {
            action => action,
            filtered => filters.any(),
            projects => list,
            total => result.total,
            page => page,
            pages => pages,
            prev => (i64::from(page) > 1).then(|| page_link(i64::from(page) - 1)),
            next => (i64::from(page) < pages).then(|| page_link(i64::from(page) + 1)),
            themes => themes,
            labs => lab_options,
            states => state_options,
            statuses => statuses,
            licenses => licenses,
            sorts => sorts,
            in_use => json!({ "count": f.in_use, "on": filters.in_use, "href": toggle("genutzt", filters.in_use) }),
            looking => json!({ "count": f.looking, "on": filters.looking, "href": toggle("mitmachen", filters.looking) }),
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

/// A section of a project page (who uses it, roles) on a page of its own, where a form
/// with mistakes comes back; private when the visitor is signed in.
pub(crate) async fn section_page(
    state: &AppState,
    visitor: &Visitor,
    template: &str,
    title: &str,
    project: &impl Serialize,
    section: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        template,
        &chrome,
        crate::ctx! {
            nav => "projects",
            title => title,
            project => project,
            section => section,
        },
    )?;
    if visitor.signed_in() {
        Ok(crate::forms::private(status, html))
    } else {
        Ok((status, html).into_response())
    }
}

/// The ids of a project's labs, for permission checks.
pub async fn lab_ids(state: &AppState, detail: &ProjectDetail) -> Result<Vec<i64>, WebError> {
    let all = labs::ids(&state.db).await?;
    Ok(detail
        .labs
        .iter()
        .filter_map(|l| {
            all.iter()
                .find(|(_, s, _)| *s == l.slug)
                .map(|(id, _, _)| *id)
        })
        .collect())
}

/// A published project by slug, or 404.
async fn published(state: &AppState, slug: &str) -> Result<ProjectDetail, WebError> {
    match projects::get(&state.db, slug).await? {
        Some(d) if !d.project.draft => Ok(d),
        _ => Err(WebError::NotFound),
    }
}

/// `/projekte/<slug>/`; `Ok(None)` when there is no such project.
pub async fn show(
    state: &AppState,
    current: &Visitor,
    slug: &str,
) -> Result<Option<Html<String>>, WebError> {
    let Some(detail) = projects::get(&state.db, slug).await? else {
        return Ok(None);
    };
    if detail.project.draft {
        // Drafts are kept, not published (as Hugo did).
        return Ok(None);
    }
    let labs_of = lab_ids(state, &detail).await?;
    let is_lead = allows(
        &current.viewer,
        &Action::EditProject {
            labs: labs_of.clone(),
        },
    );
    let chrome = Chrome::load(&state.db).await?;
    let p = &detail.project;
    let m = &detail.meta;
    let image = crate::media::Picture::of(state, p.image.as_deref()).await?;
    let description = crate::views::description(p.summary.as_deref(), &p.body_md);
    let origin = state.origin(&axum::http::HeaderMap::new());
    let missing: Vec<_> = document::missing(&detail, &origin)
        .into_iter()
        .map(|ph| json!({ "key": ph.key, "label": document::key_label(&ph.key), "reason": ph.reason }))
        .collect();
    let themes: Vec<_> = p
        .themes
        .iter()
        .filter_map(|t| codefor_domain::projects::theme(t))
        .map(|t| json!({ "key": t.key, "label": t.label }))
        .collect();
    let adoption =
        crate::organizations::project_section(state, current, detail.id, slug, &labs_of).await?;
    let help = crate::help_wanted::project_section(
        state,
        current,
        detail.id,
        slug,
        &labs_of,
        p.looking_for_people,
    )
    .await?;
    let license_hint = m.license.as_deref().map(codefor_domain::licenses::hint);
    render(
        "project.html",
        &chrome,
        crate::ctx! {
            nav => "projects",
            edit => crate::editing::edit_link(state, &codefor_core::urls::project(slug)).await?,
            og_image => image.url.as_deref().filter(|_| !image.missing).map(crate::metadata::absolute),
            jsonld => crate::metadata::project(&detail),
            title => p.title.clone(),
            description => description,
            status => p.development_status.map(DevelopmentStatus::as_str),
            status_label => p.development_status.map(DevelopmentStatus::label_de),
            status_hint => p.development_status.map(DevelopmentStatus::hint_de),
            maintenance_label => p.maintenance.map(codefor_domain::Maintenance::label_de),
            software_type_label => m.software_type.as_deref().and_then(|t| {
                codefor_core::projects::SOFTWARE_TYPES
                    .iter()
                    .find(|(k, _)| *k == t)
                    .map(|(_, l)| *l)
            }),
            date_de => p.date.as_deref().map(dates::german),
            last_activity_de => m.last_activity.as_deref().map(dates::german),
            quiet => is_quiet(state, m.last_activity.as_deref()),
            image_url => image.url,
            image_missing => image.missing,
            labs => detail.labs,
            collaborators => detail.collaborators,
            themes => themes,
            meta => m,
            license_hint => license_hint,
            requirements => m.requirements_md.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>(),
            missing => missing,
            is_lead => is_lead,
            sync => detail.sync,
            sync_checked_de => detail.sync.checked_at.map(dates::german_unix),
            sync_ok_de => detail.sync.ok_at.map(dates::german_unix),
            adoption => adoption,
            help => help,
            needs => crate::needs::of_project(state, detail.id).await?,
            csrf => current.csrf(),
            project => detail.project,
        },
    )
    .map(Some)
}

/// `/projekte/<slug>/publiccode.yml`: the project as a publiccode.yml (standard 0.5).
pub async fn publiccode_yml(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let detail = published(&state, &slug).await?;
    let users: Vec<String> = codefor_storage::organizations::users_of(&state.db, detail.id)
        .await?
        .into_iter()
        .map(|u| u.organization.name)
        .collect();
    let doc = document::to_document(&detail, &users, &state.origin(&headers));
    Ok((
        [(header::CONTENT_TYPE, "application/yaml; charset=utf-8")],
        codefor_core::publiccode::to_yaml(&doc),
    )
        .into_response())
}

/// The import form of a project, for its leads.
async fn lead_of(
    state: &AppState,
    visitor: &Visitor,
    slug: &str,
) -> Result<ProjectDetail, WebError> {
    let detail = published(state, slug).await?;
    let labs = lab_ids(state, &detail).await?;
    if !allows(&visitor.viewer, &Action::EditProject { labs }) {
        return Err(WebError::Forbidden);
    }
    Ok(detail)
}

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

#[derive(Default)]
struct ImportPage {
    text: String,
    repository: String,
    /// Where the file came from: `text`, `file` or `repository`.
    source: String,
    problems: Vec<Problem>,
    alert: Option<String>,
    /// Said after a file was taken over (with its warnings, if any).
    notice: Option<String>,
}

async fn import_page(
    state: &AppState,
    visitor: &Visitor,
    detail: &ProjectDetail,
    page: ImportPage,
    status: StatusCode,
) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let token = FormToken::for_visitor(state, visitor)?;
    let problems: Vec<_> = page
        .problems
        .iter()
        .map(|p| {
            json!({
                "key": p.key,
                "line": p.line,
                "error": p.is_error(),
                "message": p.message,
                "example": p.example,
            })
        })
        .collect();
    let html = render(
        "projects/import.html",
        &chrome,
        crate::ctx! {
            nav => "projects",
            title => format!("publiccode.yml übernehmen: {}", detail.project.title),
            project => detail.project,
            repository => if page.repository.is_empty() { detail.project.repository_url.clone().unwrap_or_default() } else { page.repository.clone() },
            text => page.text,
            problems => problems,
            error_count => page.problems.iter().filter(|p| p.is_error()).count(),
            alert => page.alert,
            notice => page.notice,
            source => if page.source.is_empty() { "text".to_owned() } else { page.source.clone() },
            csrf => token.token.as_str(),
        },
    )?;
    Ok(token.page(status, html))
}

/// `GET /projekte/<slug>/publiccode/`: paste, upload or fetch a publiccode.yml.
pub async fn import_form(
    State(state): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let detail = lead_of(&state, &visitor, &slug).await?;
    import_page(
        &state,
        &visitor,
        &detail,
        ImportPage::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /projekte/<slug>/publiccode/`: the file from the form (pasted text, an uploaded
/// file, or the repository), checked and taken over.
pub async fn import(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Path(slug): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let detail = lead_of(&state, &visitor, &slug).await?;
    let (mut text, mut upload, mut repository, mut source) =
        (String::new(), Vec::new(), String::new(), String::new());
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(WebError::BadRequest(format!(
                    "Das Formular kam unvollständig an ({e})"
                )));
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        let bytes = field.bytes().await.map_err(|e| {
            WebError::BadRequest(format!("Das Formular kam unvollständig an ({e})"))
        })?;
        match name.as_str() {
            "text" => text = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => upload = bytes.to_vec(),
            "repository" => repository = String::from_utf8_lossy(&bytes).trim().to_owned(),
            "source" => source = String::from_utf8_lossy(&bytes).into_owned(),
            _ => {}
        }
    }
    let refuse = |repository: String, alert: &str| ImportPage {
        repository,
        source: source.clone(),
        alert: Some(alert.to_owned()),
        ..ImportPage::default()
    };
    let bytes: Vec<u8> = match source.as_str() {
        "repository" => {
            match codefor_core::repositories::read_file(
                &repository,
                codefor_core::projects::sync::FILE,
                &interactive(&state),
            )
            .await
            {
                Ok(file) => file.text.into_bytes(),
                Err(e) => {
                    let page = refuse(repository, &e.to_string());
                    return import_page(&state, &visitor, &detail, page, UNPROCESSABLE).await;
                }
            }
        }
        "file" if !upload.is_empty() => upload,
        "file" => {
            let page = refuse(repository, "Bitte wähle eine Datei aus.");
            return import_page(&state, &visitor, &detail, page, UNPROCESSABLE).await;
        }
        _ => text.clone().into_bytes(),
    };
    let author = Author {
        account_id: Some(current.account.id),
        name: &current.account.display_name,
    };
    match codefor_core::projects::import_publiccode(
        &state.db,
        detail.id,
        &bytes,
        author,
        "Aus einer publiccode.yml übernommen",
    )
    .await
    {
        Ok(imported) if imported.warnings.is_empty() => {
            state.cache.recheck();
            Ok(see_other(&format!(
                "{}#publiccode",
                codefor_core::urls::project(&slug)
            )))
        }
        Ok(imported) => {
            // Taken over, with remarks worth reading before the next file.
            state.cache.recheck();
            let notice = match imported.revision {
                Some(n) => format!("Übernommen als Version {n}."),
                None => "Die Datei enthielt nichts Neues für dieses Projekt.".to_owned(),
            };
            let page = ImportPage {
                problems: imported.warnings,
                notice: Some(notice),
                ..ImportPage::default()
            };
            import_page(&state, &visitor, &detail, page, StatusCode::OK).await
        }
        Err(ImportError::Invalid(problems)) => {
            let page = ImportPage {
                text: if source == "text" || source.is_empty() {
                    text
                } else {
                    String::new()
                },
                repository,
                source,
                problems,
                ..ImportPage::default()
            };
            import_page(&state, &visitor, &detail, page, UNPROCESSABLE).await
        }
        Err(ImportError::NotFound) => Err(WebError::NotFound),
        Err(ImportError::Db(e)) => Err(e.into()),
    }
}

/// The repository policy for reads a person waits for: a deadline well within the
/// request timeout, so the answer is our message, not the server's.
fn interactive(state: &AppState) -> codefor_core::repositories::GitPolicy {
    let mut policy = state.config.repository_fetch.clone();
    policy.timeout = policy.timeout.min(std::time::Duration::from_secs(20));
    policy
}

/// `POST /projekte/<slug>/abgleich`: the leads sync from the repository now.
pub async fn sync_now(
    State(state): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let detail = lead_of(&state, &visitor, &slug).await?;
    let Some(url) = detail
        .project
        .repository_url
        .clone()
        .filter(|_| detail.sync.enabled)
    else {
        return Err(WebError::BadRequest(
            "Für dieses Projekt ist kein Abgleich mit dem Repository eingerichtet.".to_owned(),
        ));
    };
    // One sync a minute is plenty; a double click does not fetch twice.
    let now = jiff::Timestamp::now().as_second();
    if detail.sync.checked_at.is_some_and(|at| now - at < 60) {
        return Err(WebError::BadRequest(
            "Das Projekt wurde gerade eben abgeglichen; versuche es in einer Minute noch einmal."
                .to_owned(),
        ));
    }
    let target = projects::SyncTarget {
        id: detail.id,
        slug: slug.clone(),
        repository_url: url,
        checked_at: detail.sync.checked_at,
    };
    codefor_core::projects::sync::sync_one(&state.db, &target, &interactive(&state)).await?;
    state.cache.recheck();
    Ok(see_other(&format!(
        "{}#publiccode",
        codefor_core::urls::project(&slug)
    )))
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
