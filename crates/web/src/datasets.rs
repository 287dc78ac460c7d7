//! Datasets in the browser (`/daten/`): the list with filters, each dataset's page, the
//! forms to add, edit and delete (a lab's leads and admins), harvesting from another
//! DCAT catalog (`/daten/ernten/`), the section on each lab's page, and the whole
//! catalog as Turtle (`/catalog.ttl`) and JSON-LD (`/catalog.jsonld`).

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::accounts::AccountError;
use codefor_core::datasets::{self as core, DIST_FIELDS, MAX_DISTRIBUTIONS};
use codefor_core::forms::FieldErrors;
use codefor_domain::datasets::{self as vocab, Fields, Relation};
use codefor_domain::permissions::{Action, allows};
use codefor_domain::states;
use codefor_storage::datasets::{self as store, Dataset, Filter};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::admin::AdminOnly;
use crate::forms::{private, see_other};
use crate::session::{SignedIn, Visitor};
use crate::views::{Chrome, fragment, render};
use crate::{AppState, WebError};

/// Datasets per page of the list.
const PER_PAGE: i64 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/daten/", get(index))
        .route("/daten/neu/", get(new_form).post(create))
        .route("/daten/ernten/", get(harvest_form).post(harvest))
        .route("/daten/papierkorb/", get(trash))
        .route("/daten/papierkorb/{id}", post(restore))
        .route("/daten/{slug}/", get(show))
        .route("/daten/{slug}/bearbeiten", get(edit_form).post(update))
        .route("/daten/{slug}/loeschen", post(delete))
        .route("/catalog.ttl", get(catalog_ttl))
        .route("/catalog.jsonld", get(catalog_jsonld))
}

fn label_of(list: &'static [vocab::Concept], code: &str) -> &'static str {
    list.iter().find(|c| c.code == code).map_or("", |c| c.label)
}

fn licence_label(uri: &str) -> String {
    vocab::licence(uri).map_or_else(|| uri.to_owned(), |c| c.label.to_owned())
}

/// A dataset as pages show it: labels beside codes.
fn view(d: &Dataset) -> Value {
    let f = &d.fields;
    let state = f.state_key.as_deref().and_then(states::by_key);
    json!({
        "slug": d.slug,
        "title": f.title,
        "description_html": d.description_html,
        "lab": { "slug": d.lab_slug, "name": d.lab_name },
        "relation": Relation::parse(&f.relation).map_or("", Relation::label_de),
        "relation_key": f.relation,
        "publisher": d.organization.as_ref().map_or_else(
            || json!({ "name": d.lab_name, "href": format!("/{}/", d.lab_slug) }),
            |(slug, name)| json!({ "name": name, "href": format!("/organisationen/{slug}/") }),
        ),
        "licence": { "uri": f.licence, "label": licence_label(&f.licence) },
        "themes": f.themes.iter().map(|t| json!({ "code": t, "label": label_of(vocab::THEMES, t) })).collect::<Vec<_>>(),
        "keywords": f.keywords,
        "state": state.map(|s| json!({ "name": s.name, "key": s.key })),
        "ags": f.ags,
        "temporal_start": f.temporal_start.as_deref().map(crate::dates::german),
        "temporal_end": f.temporal_end.as_deref().map(crate::dates::german),
        "contact_name": f.contact_name,
        "contact_email": f.contact_email,
        "contact_url": f.contact_url,
        "landing_page": f.landing_page,
        "frequency": f.frequency.as_deref().map(|c| label_of(vocab::FREQUENCIES, c)),
        "issued": f.issued.as_deref().map(crate::dates::german),
        "modified": f.modified.as_deref().map(crate::dates::german),
        "distributions": f.distributions.iter().map(|x| json!({
            "title": if x.title.is_empty() { x.format.as_deref().map_or("Zugang", |c| label_of(vocab::FILE_TYPES, c)).to_owned() } else { x.title.clone() },
            "access_url": x.access_url,
            "download_url": x.download_url,
            "format": x.format.as_deref().map(|c| label_of(vocab::FILE_TYPES, c)),
            "media_type": x.media_type,
            "licence": x.licence.as_deref().map(licence_label),
        })).collect::<Vec<_>>(),
        "harvested": d.source_uri.is_some(),
    })
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    thema: Option<String>,
    land: Option<String>,
    lab: Option<String>,
    beziehung: Option<String>,
    seite: Option<String>,
}

fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if let Some(v) = v {
            ser.append_pair(k, v);
        }
    }
    let q = ser.finish();
    if q.is_empty() {
        "/daten/".to_owned()
    } else {
        format!("/daten/?{q}")
    }
}

/// `/daten/`: all datasets, filtered by theme, federal state, lab and relation.
async fn index(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let theme = nonempty(&q.thema).filter(|t| vocab::theme(t).is_some());
    let federal = nonempty(&q.land).and_then(|s| states::by_slug(&s));
    let lab = nonempty(&q.lab);
    let relation = nonempty(&q.beziehung).filter(|r| Relation::parse(r).is_some());
    // Lenient like `/beduerfnisse/`: no number is the first page, far beyond the last
    // page is the last page's neighbour, never an overflow.
    let page: i64 = q
        .seite
        .as_deref()
        .map(str::trim)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);
    let filter = Filter {
        theme: theme.clone(),
        state_key: federal.map(|s| s.key.to_owned()),
        lab: lab.clone(),
        relation: relation.clone(),
    };
    let (list, total) = store::list(
        &state.db,
        &filter,
        PER_PAGE,
        (page - 1).saturating_mul(PER_PAGE),
    )
    .await?;
    let pages = (total.saturating_add(PER_PAGE - 1) / PER_PAGE).max(1);
    let current = [
        ("thema", theme.as_deref()),
        ("land", federal.map(|s| s.slug)),
        ("lab", lab.as_deref()),
        ("beziehung", relation.as_deref()),
    ];
    // Each chosen filter links to the list without it.
    let without = |key: &str| {
        query_string(
            &current
                .iter()
                .map(|(k, v)| (*k, if *k == key { None } else { *v }))
                .collect::<Vec<_>>(),
        )
    };
    let page_href = |n: i64| {
        let mut pairs = current.to_vec();
        let n = n.to_string();
        pairs.push(("seite", Some(n.as_str())));
        query_string(&pairs)
    };
    let option = |key: &str, value: &str, label: &str, selected: bool| json!({ "value": value, "label": label, "selected": selected, "href": without(key) });
    let themes: Vec<_> = vocab::THEMES
        .iter()
        .map(|t| option("thema", t.code, t.label, theme.as_deref() == Some(t.code)))
        .collect();
    let state_options: Vec<_> = states::ALL
        .iter()
        .map(|s| {
            option(
                "land",
                s.slug,
                s.name,
                federal.is_some_and(|f| f.key == s.key),
            )
        })
        .collect();
    let labs: Vec<_> = codefor_storage::labs::names(&state.db)
        .await?
        .into_iter()
        .map(|(slug, name)| {
            let selected = lab.as_deref() == Some(slug.as_str());
            option("lab", &slug, &name, selected)
        })
        .collect();
    let relations: Vec<_> = Relation::ALL
        .iter()
        .map(|r| {
            let label = match r {
                Relation::Publishes => "von Labs veröffentlicht",
                Relation::Uses => "von Labs genutzt",
            };
            option(
                "beziehung",
                r.as_str(),
                label,
                relation.as_deref() == Some(r.as_str()),
            )
        })
        .collect();
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "datasets/index.html",
        &chrome,
        crate::ctx! {
            title => "Daten",
            description => "Datensätze, die die Labs des Netzwerks veröffentlichen oder nutzen – mit Lizenz, Themen und Zugängen, auch als DCAT-AP.de-Katalog.",
            datasets => list.iter().map(view).collect::<Vec<_>>(),
            total => total,
            page => page,
            pages => pages,
            prev => (page > 1).then(|| page_href(page - 1)),
            next => (page < pages).then(|| page_href(page + 1)),
            filtered => current.iter().any(|(_, v)| v.is_some()),
            themes => themes,
            states => state_options,
            labs => labs,
            relations => relations,
        },
    )?;
    Ok(html.into_response())
}

/// `/daten/<slug>/`: one dataset with everything about it.
async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let d = store::get(&state.db, &slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let manage = allows(&visitor.viewer, &Action::EditLab { lab: d.lab_id });
    let versions = if manage {
        store::versions(&state.db, d.id)
            .await?
            .into_iter()
            .map(|v| {
                json!({
                    "number": v.number,
                    "author": v.author,
                    "summary": v.summary,
                    "at": crate::dates::german_datetime(&v.created_at),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "datasets/show.html",
        &chrome,
        crate::ctx! {
            title => d.fields.title.clone(),
            description => codefor_content::markdown::summary(&d.fields.description, 160),
            jsonld => crate::metadata::dataset_of(&d),
            d => view(&d),
            manage => manage,
            versions => versions,
        },
    )?;
    Ok(if manage {
        private(StatusCode::OK, html)
    } else {
        html.into_response()
    })
}

/// The lab a form is for, when the visitor may manage its datasets.
async fn managed_lab(
    state: &AppState,
    visitor: &Visitor,
    slug: &str,
) -> Result<(i64, String, String), WebError> {
    let detail = codefor_storage::labs::get(&state.db, slug)
        .await?
        .ok_or(WebError::NotFound)?;
    if !allows(&visitor.viewer, &Action::EditLab { lab: detail.id }) {
        return Err(WebError::Forbidden);
    }
    Ok((detail.id, detail.lab.slug, detail.lab.name))
}

/// A dataset the visitor may edit.
async fn managed_dataset(
    state: &AppState,
    visitor: &Visitor,
    slug: &str,
) -> Result<Dataset, WebError> {
    let d = store::get(&state.db, slug)
        .await?
        .ok_or(WebError::NotFound)?;
    if !allows(&visitor.viewer, &Action::EditLab { lab: d.lab_id }) {
        return Err(WebError::Forbidden);
    }
    Ok(d)
}

/// The form's values: from what was sent, or from the dataset.
fn values_of(f: &Fields) -> BTreeMap<String, String> {
    let mut v = BTreeMap::new();
    let mut put = |k: &str, s: &str| {
        v.insert(k.to_owned(), s.to_owned());
    };
    put("relation", &f.relation);
    put("title", &f.title);
    put("description", &f.description);
    put(
        "organization",
        &f.organization_id.map(|i| i.to_string()).unwrap_or_default(),
    );
    put("licence", &f.licence);
    put("keywords", &f.keywords.join(", "));
    put("state_key", f.state_key.as_deref().unwrap_or(""));
    put("ags", f.ags.as_deref().unwrap_or(""));
    put("temporal_start", f.temporal_start.as_deref().unwrap_or(""));
    put("temporal_end", f.temporal_end.as_deref().unwrap_or(""));
    put("contact_name", &f.contact_name);
    put("contact_email", f.contact_email.as_deref().unwrap_or(""));
    put("contact_url", f.contact_url.as_deref().unwrap_or(""));
    put("landing_page", f.landing_page.as_deref().unwrap_or(""));
    put("frequency", f.frequency.as_deref().unwrap_or(""));
    put("issued", f.issued.as_deref().unwrap_or(""));
    put("modified", f.modified.as_deref().unwrap_or(""));
    v
}

/// What the form shows: values, ticked themes, distribution rows, per-field errors.
struct FormState {
    values: BTreeMap<String, String>,
    themes: Vec<String>,
    rows: Vec<[String; 6]>,
}

impl FormState {
    fn of_fields(f: &Fields) -> FormState {
        FormState {
            values: values_of(f),
            themes: f.themes.clone(),
            rows: f
                .distributions
                .iter()
                .map(|d| {
                    [
                        d.title.clone(),
                        d.access_url.clone(),
                        d.download_url.clone().unwrap_or_default(),
                        d.format.clone().unwrap_or_default(),
                        d.media_type.clone().unwrap_or_default(),
                        d.licence.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        }
    }

    /// Exactly what was sent, so nothing typed is lost.
    fn of_form(form: &[(String, String)]) -> FormState {
        let get = |k: &str| {
            form.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let mut values = BTreeMap::new();
        for k in [
            "relation",
            "title",
            "description",
            "organization",
            "licence",
            "keywords",
            "state_key",
            "ags",
            "temporal_start",
            "temporal_end",
            "contact_name",
            "contact_email",
            "contact_url",
            "landing_page",
            "frequency",
            "issued",
            "modified",
        ] {
            values.insert(k.to_owned(), get(k));
        }
        let rows = DIST_FIELDS
            .iter()
            .map(|row| row.map(get))
            .filter(|r| r.iter().any(|v| !v.trim().is_empty()))
            .collect();
        FormState {
            values,
            themes: form
                .iter()
                .filter(|(k, _)| k == "theme")
                .map(|(_, v)| v.clone())
                .collect(),
            rows,
        }
    }
}

fn concepts(list: &'static [vocab::Concept], base: Option<&str>) -> Vec<Value> {
    list.iter()
        .map(|c| {
            let value = base.map_or_else(|| c.code.to_owned(), |b| format!("{b}{}", c.code));
            json!({ "value": value, "label": c.label })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    signed: &SignedIn,
    status: StatusCode,
    (lab_slug, lab_name): (&str, &str),
    dataset: Option<&Dataset>,
    form: &FormState,
    errors: &FieldErrors,
) -> Result<Response, WebError> {
    // The rows sent or stored, then empty ones up to the form's limit (at least one).
    let mut rows = form.rows.clone();
    let wanted = (rows.len() + 1).clamp(2, MAX_DISTRIBUTIONS);
    while rows.len() < wanted {
        rows.push(Default::default());
    }
    // Never more rows than the form has names for.
    let rows: Vec<_> = rows
        .iter()
        .zip(DIST_FIELDS.iter())
        .enumerate()
        .map(|(i, (r, names))| {
            json!({
                "n": i + 1,
                "names": names,
                "values": r,
            })
        })
        .collect();
    let organizations: Vec<_> = codefor_storage::organizations::list(&state.db)
        .await?
        .into_iter()
        .map(|o| json!({ "value": o.id.to_string(), "label": o.name }))
        .collect();
    let (title, action) = match dataset {
        Some(d) => (
            format!("„{}“ bearbeiten", d.fields.title),
            format!("/daten/{}/bearbeiten", d.slug),
        ),
        None => (
            format!("Neuer Datensatz von {lab_name}"),
            "/daten/neu/".to_owned(),
        ),
    };
    let version = match dataset {
        Some(d) => {
            let mut conn = state
                .db
                .pool()
                .acquire()
                .await
                .map_err(codefor_storage::DbError::from)?;
            Some(store::latest_version(&mut conn, d.id).await?)
        }
        None => None,
    };
    let stale = errors.get("version").map(str::to_owned);
    let field_errors = errors.0.iter().filter(|e| e.field != "version").count();
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "datasets/form.html",
        &chrome,
        crate::ctx! {
            title => title,
            action => action,
            lab => json!({ "slug": lab_slug, "name": lab_name }),
            d => dataset.map(|d| json!({ "slug": d.slug, "title": d.fields.title })),
            v => form.values,
            chosen_themes => form.themes,
            rows => rows,
            err => errors.by_field(),
            error_count => field_errors,
            stale => stale,
            version => version,
            relations => Relation::ALL.iter().map(|r| json!({ "value": r.as_str(), "label": match r { Relation::Publishes => "Das Lab veröffentlicht ihn", Relation::Uses => "Das Lab nutzt ihn" } })).collect::<Vec<_>>(),
            licences => concepts(vocab::LICENCES, Some(vocab::LICENCES_BASE)),
            themes => concepts(vocab::THEMES, None),
            frequencies => concepts(vocab::FREQUENCIES, None),
            file_types => concepts(vocab::FILE_TYPES, None),
            states => states::ALL.iter().map(|s| json!({ "value": s.key, "label": s.name })).collect::<Vec<_>>(),
            organizations => organizations,
            csrf => signed.current.session.csrf_token,
        },
    )?;
    Ok(private(status, html))
}

#[derive(Debug, Deserialize)]
struct LabQuery {
    lab: Option<String>,
}

/// `/daten/neu/?lab=<lab>`: the form for a new dataset of a lab.
async fn new_form(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(q): Query<LabQuery>,
) -> Result<Response, WebError> {
    let lab = q.lab.ok_or(WebError::NotFound)?;
    let (_, slug, name) = managed_lab(&state, &signed.visitor, &lab).await?;
    let fresh = Fields {
        relation: Relation::Publishes.as_str().to_owned(),
        contact_name: name.clone(),
        ..Fields::default()
    };
    form_page(
        &state,
        &signed,
        StatusCode::OK,
        (&slug, &name),
        None,
        &FormState::of_fields(&fresh),
        &FieldErrors::default(),
    )
    .await
}

fn lab_field(form: &[(String, String)]) -> String {
    form.iter()
        .find(|(k, _)| k == "lab")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn create(
    State(state): State<AppState>,
    signed: SignedIn,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (lab_id, slug, name) = managed_lab(&state, &signed.visitor, &lab_field(&form)).await?;
    match core::create(&state.db, &signed.current.account, lab_id, &form).await {
        Ok(new) => Ok(see_other(&format!("/daten/{new}/"))),
        Err(AccountError::Invalid(errors)) => {
            form_page(
                &state,
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                (&slug, &name),
                None,
                &FormState::of_form(&form),
                &errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `/daten/<slug>/bearbeiten`.
async fn edit_form(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let d = managed_dataset(&state, &signed.visitor, &slug).await?;
    form_page(
        &state,
        &signed,
        StatusCode::OK,
        (&d.lab_slug, &d.lab_name),
        Some(&d),
        &FormState::of_fields(&d.fields),
        &FieldErrors::default(),
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(slug): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let d = managed_dataset(&state, &signed.visitor, &slug).await?;
    match core::update(&state.db, &signed.current.account, &d, &form).await {
        Ok(slug) => Ok(see_other(&format!("/daten/{slug}/"))),
        Err(AccountError::Invalid(errors)) => {
            // An outdated form: 409, with the person's input kept.
            let status = if errors.get("version").is_some() {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            // The form again, on the newest version.
            let d = store::get(&state.db, &slug)
                .await?
                .ok_or(WebError::NotFound)?;
            form_page(
                &state,
                &signed,
                status,
                (&d.lab_slug, &d.lab_name),
                Some(&d),
                &FormState::of_form(&form),
                &errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let d = managed_dataset(&state, &signed.visitor, &slug).await?;
    core::delete(&state.db, &signed.current.account, &d).await?;
    Ok(see_other(&format!("/{}/#daten", d.lab_slug)))
}

async fn harvest_page(
    state: &AppState,
    signed: &SignedIn,
    status: StatusCode,
    (lab_slug, lab_name): (&str, &str),
    url: &str,
    error: Option<String>,
    report: Option<&core::HarvestReport>,
) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "datasets/harvest.html",
        &chrome,
        crate::ctx! {
            title => format!("Datensätze für {lab_name} ernten"),
            lab => json!({ "slug": lab_slug, "name": lab_name }),
            url => url,
            error => error,
            report => report,
            csrf => signed.current.session.csrf_token,
        },
    )?;
    Ok(private(status, html))
}

/// `/daten/ernten/?lab=<lab>`: the form to harvest another catalog.
async fn harvest_form(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(q): Query<LabQuery>,
) -> Result<Response, WebError> {
    let lab = q.lab.ok_or(WebError::NotFound)?;
    let (_, slug, name) = managed_lab(&state, &signed.visitor, &lab).await?;
    harvest_page(
        &state,
        &signed,
        StatusCode::OK,
        (&slug, &name),
        "",
        None,
        None,
    )
    .await
}

async fn harvest(
    State(state): State<AppState>,
    signed: SignedIn,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (lab_id, slug, name) = managed_lab(&state, &signed.visitor, &lab_field(&form)).await?;
    let url = form
        .iter()
        .find(|(k, _)| k == "url")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    if url.is_empty() {
        return harvest_page(
            &state,
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            (&slug, &name),
            &url,
            Some("Bitte gib die Adresse des Katalogs an.".to_owned()),
            None,
        )
        .await;
    }
    match core::harvest(
        &state.db,
        &state.config.calendar_fetch,
        &signed.current.account,
        lab_id,
        &url,
    )
    .await
    {
        Ok(report) => {
            harvest_page(
                &state,
                &signed,
                StatusCode::OK,
                (&slug, &name),
                &url,
                None,
                Some(&report),
            )
            .await
        }
        Err(core::HarvestError::Db(e)) => Err(e.into()),
        Err(e) => {
            tracing::info!(error = ?e, url, "harvest refused");
            harvest_page(
                &state,
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                (&slug, &name),
                &url,
                Some(e.to_string()),
                None,
            )
            .await
        }
    }
}

/// `/daten/papierkorb/`: deleted datasets, for admins to bring back.
async fn trash(State(state): State<AppState>, admin: AdminOnly) -> Result<Response, WebError> {
    let items: Vec<_> = store::deleted(&state.db)
        .await?
        .into_iter()
        .map(|d| {
            json!({
                "id": d.id,
                "slug": d.slug,
                "title": d.title,
                "lab": d.lab_name,
                "at": crate::dates::german_datetime(&d.deleted_at),
            })
        })
        .collect();
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "datasets/trash.html",
        &chrome,
        crate::ctx! {
            title => "Gelöschte Datensätze",
            items => items,
            csrf => admin.visitor.csrf(),
        },
    )?;
    Ok(private(StatusCode::OK, html))
}

async fn restore(
    State(state): State<AppState>,
    admin: AdminOnly,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    if !core::restore(&state.db, &admin.account, id).await? {
        return Err(WebError::NotFound);
    }
    Ok(see_other("/daten/papierkorb/"))
}

/// The section „Daten“ on a lab's page (`id="daten"`).
pub async fn lab_section(
    state: &AppState,
    lab_id: i64,
    lab_slug: &str,
) -> Result<String, WebError> {
    let list = store::of_lab(&state.db, lab_id).await?;
    let viewer = crate::session::current_view().viewer;
    fragment(
        "datasets/lab_section.html",
        crate::ctx! {
            lab_slug => lab_slug,
            datasets => list.iter().map(view).collect::<Vec<_>>(),
            manage => allows(&viewer, &Action::EditLab { lab: lab_id }),
        },
    )
}

fn rdf_response(body: Vec<u8>, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// `/catalog.ttl`: the DCAT-AP.de catalog as Turtle.
async fn catalog_ttl(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let triples = codefor_core::dcat::catalog(&state.db, &state.origin(&headers)).await?;
    let body =
        codefor_core::dcat::to_turtle(&triples).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(rdf_response(body, "text/turtle; charset=utf-8"))
}

/// `/catalog.jsonld`: the DCAT-AP.de catalog as JSON-LD.
async fn catalog_jsonld(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let triples = codefor_core::dcat::catalog(&state.db, &state.origin(&headers)).await?;
    let body =
        codefor_core::dcat::to_jsonld(&triples).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(rdf_response(body, "application/ld+json"))
}
