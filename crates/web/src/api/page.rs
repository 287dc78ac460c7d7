//! `/api/`: the API explained in German, rendered from the generated OpenAPI document,
//! so the page lists exactly what the API serves.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Html;
use codefor_core::open_data::{self as od, Collection, Param};
use serde::Serialize;

use crate::{AppState, WebError};

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Html<String>, WebError> {
    super::render_page(&state, &headers).await
}

/// The id of the first record of each collection (for the examples).
pub async fn first_ids(
    db: &codefor_storage::Db,
    urls: &od::Urls,
) -> Result<HashMap<Collection, String>, WebError> {
    let mut first = HashMap::new();
    let one = [("limit".to_owned(), "1".to_owned())];
    for c in od::collections() {
        let query = od::Query::parse(*c, &one).map_err(|e| WebError::Internal(e.to_string()))?;
        let page = od::list(db, *c, urls, &query)
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
        let id = page.data.first().map(|r| match &r["id"] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        if let Some(id) = id {
            first.insert(*c, id);
        }
    }
    Ok(first)
}

/// One endpoint as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    pub path: String,
    /// The anchor of a collection's list (`#labs`), where the page links to it.
    pub anchor: Option<String>,
    pub what: String,
    pub params: Vec<ParamView>,
    pub responses: Vec<(String, String)>,
    pub example: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParamView {
    pub name: String,
    pub place: &'static str,
    pub what: String,
    pub values: Vec<String>,
}

/// What a path serves, in German.
fn what(path: &str) -> (String, Option<Collection>) {
    let rest = path.trim_start_matches("/api/v1/");
    if rest == "network" {
        return ("Die Kennzahlen des Netzwerks.".to_owned(), None);
    }
    if let Some(name) = rest.strip_suffix(".csv") {
        let c = Collection::parse(name);
        let title = c.map_or(name.to_owned(), |c| c.title_de().to_owned());
        return (
            format!("{title}: alle (mit denselben Filtern) als CSV-Datei."),
            c,
        );
    }
    if let Some(name) = rest.strip_suffix("/{id}") {
        let c = Collection::parse(name);
        let title = c.map_or(name.to_owned(), |c| c.title_de().to_owned());
        return (
            format!("{title}: ein Datensatz, über seine Kennung (id)."),
            c,
        );
    }
    let c = Collection::parse(rest);
    let title = c.map_or(rest.to_owned(), |c| c.title_de().to_owned());
    (
        format!("{title}: eine Seite der Liste, in fester Reihenfolge."),
        c,
    )
}

/// An example URL that answers: a detail only with the id of a real record (`None`
/// while the collection is empty), a list with one of its filters.
fn example(
    path: &str,
    c: Option<Collection>,
    params: &[Param],
    origin: &str,
    first: &HashMap<Collection, String>,
) -> Option<String> {
    let path = if path.contains("{id}") {
        let id = first.get(&c?)?;
        path.replace("{id}", &od::encode_segment(id))
    } else {
        path.to_owned()
    };
    let mut url = format!("{origin}{path}");
    if let Some(p) = params
        .iter()
        .find(|p| !p.example.is_empty() && p.name != "limit")
    {
        url.push_str(&format!("?{}={}", p.name, od::encode_segment(p.example)));
    } else if params.iter().any(|p| p.name == "limit") {
        url.push_str("?limit=10");
    }
    Some(url)
}

/// The endpoints of the document, in its order.
/// `first` holds the id of a real record per collection, for example URLs that answer.
pub fn endpoints(
    doc: &utoipa::openapi::OpenApi,
    origin: &str,
    first: &HashMap<Collection, String>,
) -> Vec<Endpoint> {
    // In the document's order (a JSON object would sort the paths).
    doc.paths
        .paths
        .iter()
        .filter_map(|(path, item)| {
            let item = serde_json::to_value(item).ok()?;
            let op = item.get("get")?;
            let (what, c) = what(path);
            let own: Vec<Param> = match c {
                Some(c) if path.ends_with(".csv") => od::csv_params(c),
                Some(c) if !path.ends_with("{id}") => c.params(),
                _ => Vec::new(),
            };
            let params = op
                .get("parameters")
                .and_then(|p| p.as_array())
                .map(|list| {
                    list.iter()
                        .map(|p| {
                            let name = p["name"].as_str().unwrap_or_default().to_owned();
                            let what = own
                                .iter()
                                .find(|o| o.name == name)
                                .map(|o| o.description_de.to_owned())
                                .unwrap_or_else(|| {
                                    "Die Kennung des Datensatzes (sein Kurzname, wo er einen hat)."
                                        .to_owned()
                                });
                            let values = p["schema"]["enum"]
                                .as_array()
                                .map(|v| {
                                    v.iter()
                                        .filter_map(|x| x.as_str().map(str::to_owned))
                                        .collect()
                                })
                                .unwrap_or_default();
                            ParamView {
                                place: if p["in"] == "path" { "Pfad" } else { "Abfrage" },
                                name,
                                what,
                                values,
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let responses = op
                .get("responses")
                .and_then(|r| r.as_object())
                .map(|r| {
                    r.iter()
                        .map(|(code, v)| {
                            (
                                code.clone(),
                                v["description"].as_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let anchor = path
                .strip_prefix("/api/v1/")
                .filter(|p| !p.contains(['/', '.']))
                .map(str::to_owned);
            Some(Endpoint {
                anchor,
                example: example(path, c, &own, origin, first),
                path: path.clone(),
                what,
                params,
                responses,
            })
        })
        .collect()
}
