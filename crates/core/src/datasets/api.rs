//! Datasets as records of the open-data API (`/api/v1/datasets`), with their
//! distributions; the collection itself is wired in `crate::open_data`.

use codefor_domain::datasets as vocab;
use codefor_storage::datasets::Dataset as Stored;
use serde::Serialize;
use utoipa::ToSchema;

use crate::link_health::{self, LinkStatus};
use crate::open_data::{Collection, Urls};

/// A dataset a lab publishes or uses, described per DCAT-AP.de.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// The dataset's slug.
    pub id: String,
    #[schema(format = "uri")]
    pub url: String,
    #[schema(format = "uri")]
    pub html_url: String,
    /// Its IRI in the DCAT-AP.de catalog (`/catalog.ttl`).
    #[schema(format = "uri")]
    pub catalog_iri: String,
    pub title: String,
    /// Markdown as written.
    pub description: String,
    /// The description rendered and sanitized.
    pub description_html: String,
    /// API URL of the lab that publishes or uses the dataset.
    #[schema(format = "uri")]
    pub lab: String,
    /// `publishes` or `uses`: how the lab relates to the dataset.
    pub relation: String,
    /// Who publishes it: an organization or the lab itself.
    pub publisher: Publisher,
    /// A licence URI of the DCAT-AP.de licence vocabulary.
    #[schema(format = "uri")]
    pub licence: String,
    /// EU data theme codes (`http://publications.europa.eu/resource/authority/data-theme/<code>`).
    pub themes: Vec<String>,
    pub keywords: Vec<String>,
    /// API URL of the federal state it covers.
    pub state: Option<String>,
    /// Amtlicher Gemeindeschlüssel (8 digits) of the municipality it covers.
    pub ags: Option<String>,
    /// Temporal coverage: first day.
    #[schema(format = Date)]
    pub temporal_start: Option<String>,
    /// Temporal coverage: last day.
    #[schema(format = Date)]
    pub temporal_end: Option<String>,
    /// The dataset's public contact point.
    pub contact: Option<Contact>,
    #[schema(format = "uri")]
    pub landing_page: Option<String>,
    /// The health of the landing page link (background link check).
    pub link_status: Vec<LinkStatus>,
    /// EU frequency code (`http://publications.europa.eu/resource/authority/frequency/<code>`).
    pub frequency: Option<String>,
    /// When it was first published (date or date and time, as its publisher gives it).
    pub issued: Option<String>,
    /// When it last changed (date or date and time, as its publisher gives it).
    pub modified: Option<String>,
    pub distributions: Vec<Distribution>,
    /// Its identifier in the catalog it was harvested from.
    pub source: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// The publisher of a dataset.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Publisher {
    pub name: String,
    /// API URL of the organization; `null` when the lab publishes it.
    pub organization: Option<String>,
}

/// A public contact point.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
    #[schema(format = "uri")]
    pub url: Option<String>,
}

/// One way to get the data.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    pub title: String,
    #[schema(format = "uri")]
    pub access_url: String,
    #[schema(format = "uri")]
    pub download_url: Option<String>,
    /// EU file-type code (`http://publications.europa.eu/resource/authority/file-type/<code>`).
    pub format: Option<String>,
    /// IANA media type.
    pub media_type: Option<String>,
    /// Licence URI (the dataset's when it has none of its own).
    #[schema(format = "uri")]
    pub licence: String,
    /// The health of the access and download links (background link check).
    pub link_status: Vec<LinkStatus>,
}

/// The API records of stored datasets.
pub fn records(urls: &Urls, list: Vec<Stored>) -> Vec<Dataset> {
    list.into_iter()
        .map(|d| {
            let f = d.fields;
            let has_contact =
                !f.contact_name.is_empty() || f.contact_email.is_some() || f.contact_url.is_some();
            Dataset {
                url: urls.api(Collection::Datasets, &d.slug),
                html_url: urls.html(&format!("/daten/{}/", d.slug)),
                catalog_iri: crate::dcat::dataset_iri(urls.origin(), &d.slug),
                lab: urls.api(Collection::Labs, &d.lab_slug),
                publisher: match d.organization {
                    Some((slug, name)) => Publisher {
                        name,
                        organization: Some(urls.api(Collection::Organizations, &slug)),
                    },
                    None => Publisher {
                        name: d.lab_name,
                        organization: None,
                    },
                },
                state: f
                    .state_key
                    .as_deref()
                    .and_then(codefor_domain::states::by_key)
                    .map(|s| urls.api(Collection::States, s.slug)),
                contact: has_contact.then_some(Contact {
                    name: f.contact_name,
                    email: f.contact_email,
                    url: f.contact_url,
                }),
                distributions: f
                    .distributions
                    .into_iter()
                    .map(|x| Distribution {
                        title: x.title,
                        access_url: x.access_url,
                        download_url: x.download_url,
                        format: x.format,
                        media_type: x.media_type,
                        licence: x.licence.unwrap_or_else(|| f.licence.clone()),
                        link_status: Vec::new(),
                    })
                    .collect(),
                title: f.title,
                description: f.description,
                description_html: d.description_html,
                relation: f.relation,
                licence: vocab::licence(&f.licence)
                    .map_or(f.licence.clone(), |c| vocab::licence_uri(c.code)),
                themes: f.themes,
                keywords: f.keywords,
                ags: f.ags,
                temporal_start: f.temporal_start,
                temporal_end: f.temporal_end,
                landing_page: f.landing_page,
                link_status: Vec::new(),
                frequency: f.frequency,
                issued: f.issued,
                modified: f.modified,
                source: d.source_uri,
                created_at: d.created_at,
                updated_at: d.updated_at,
                id: d.slug,
            }
        })
        .collect()
}

/// [`records`] with the health of their links (landing page; access and download URLs of
/// each distribution) from the background link check, in one lookup.
pub async fn records_checked(
    db: &codefor_storage::Db,
    urls: &Urls,
    list: Vec<Stored>,
) -> Result<Vec<Dataset>, codefor_storage::DbError> {
    let mut records = records(urls, list);
    let checked = |u: &&String| link_health::normalize(u).is_some();
    let all: Vec<String> = records
        .iter()
        .flat_map(|d| {
            d.landing_page.iter().chain(
                d.distributions
                    .iter()
                    .flat_map(|x| std::iter::once(&x.access_url).chain(&x.download_url)),
            )
        })
        .filter(checked)
        .cloned()
        .collect();
    let health = link_health::health_of(db, &all).await?;
    for d in &mut records {
        let landing: Vec<&str> = d
            .landing_page
            .iter()
            .filter(checked)
            .map(String::as_str)
            .collect();
        d.link_status = link_health::statuses_of(&landing, &health);
        for x in &mut d.distributions {
            let own: Vec<&str> = std::iter::once(&x.access_url)
                .chain(&x.download_url)
                .filter(checked)
                .map(String::as_str)
                .collect();
            x.link_status = link_health::statuses_of(&own, &health);
        }
    }
    Ok(records)
}
