//! Datasets labs publish or use, described per DCAT-AP.de: the controlled vocabularies
//! (licences, EU data themes, update frequencies, file types) with their German labels,
//! the political geocoding of DCAT-AP.de, and the fields of a dataset.

use serde::{Deserialize, Serialize};

/// Where the DCAT-AP.de licence vocabulary's concepts live (a concept is
/// `<LICENCES><id>`, e.g. `http://dcat-ap.de/def/licenses/dl-by-de/2.0`).
pub const LICENCES_BASE: &str = "http://dcat-ap.de/def/licenses/";
/// The EU data theme vocabulary.
pub const THEMES_BASE: &str = "http://publications.europa.eu/resource/authority/data-theme/";
/// The EU frequency vocabulary.
pub const FREQUENCIES_BASE: &str = "http://publications.europa.eu/resource/authority/frequency/";
/// The EU file-type vocabulary.
pub const FILE_TYPES_BASE: &str = "http://publications.europa.eu/resource/authority/file-type/";
/// DCAT-AP.de's political geocoding: a federal state by its two-digit key.
pub const STATE_KEY_BASE: &str = "http://dcat-ap.de/def/politicalGeocoding/stateKey/";
/// DCAT-AP.de's political geocoding: a municipality by its AGS.
pub const MUNICIPALITY_KEY_BASE: &str = "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/";
/// The levels of political geocoding.
pub const LEVEL_STATE: &str = "http://dcat-ap.de/def/politicalGeocoding/Level/state";
pub const LEVEL_MUNICIPALITY: &str = "http://dcat-ap.de/def/politicalGeocoding/Level/municipality";

/// A concept of a vocabulary: its code (the last part of its URI) and German label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Concept {
    pub code: &'static str,
    pub label: &'static str,
}

const fn c(code: &'static str, label: &'static str) -> Concept {
    Concept { code, label }
}

/// The licences of DCAT-AP.de's vocabulary (https://www.dcat-ap.de/def/licenses/) that
/// open data is published under, and the two catch-alls.
pub const LICENCES: &[Concept] = &[
    c(
        "dl-by-de/2.0",
        "Datenlizenz Deutschland – Namensnennung – Version 2.0",
    ),
    c(
        "dl-zero-de/2.0",
        "Datenlizenz Deutschland – Zero – Version 2.0",
    ),
    c(
        "cc-by/4.0",
        "Creative Commons Namensnennung 4.0 International (CC BY 4.0)",
    ),
    c(
        "cc-by-sa/4.0",
        "Creative Commons Namensnennung – Weitergabe unter gleichen Bedingungen 4.0 International (CC BY-SA 4.0)",
    ),
    c("cc-zero", "Creative Commons Zero (CC0 1.0)"),
    c("odbl", "Open Data Commons Open Database License (ODbL)"),
    c("odc-by", "Open Data Commons Attribution License (ODC-By)"),
    c(
        "odc-pddl",
        "Open Data Commons Public Domain Dedication and Licence (PDDL)",
    ),
    c(
        "geonutz/20130319",
        "Nutzungsbestimmungen für die Bereitstellung von Geodaten des Bundes",
    ),
    c("other-open", "Andere offene Lizenz"),
    c("other-closed", "Andere eingeschränkte Lizenz"),
];

/// The EU data themes with their German labels.
pub const THEMES: &[Concept] = &[
    c(
        "AGRI",
        "Landwirtschaft, Fischerei, Forstwirtschaft und Nahrungsmittel",
    ),
    c("ECON", "Wirtschaft und Finanzen"),
    c("EDUC", "Bildung, Kultur und Sport"),
    c("ENER", "Energie"),
    c("ENVI", "Umwelt"),
    c("GOVE", "Regierung und öffentlicher Sektor"),
    c("HEAL", "Gesundheit"),
    c("INTR", "Internationale Themen"),
    c("JUST", "Justiz, Rechtssystem und öffentliche Sicherheit"),
    c("REGI", "Regionen und Städte"),
    c("SOCI", "Bevölkerung und Gesellschaft"),
    c("TECH", "Wissenschaft und Technologie"),
    c("TRAN", "Verkehr"),
];

/// The EU update frequencies with their German labels.
pub const FREQUENCIES: &[Concept] = &[
    c("CONT", "kontinuierlich"),
    c("HOURLY", "stündlich"),
    c("DAILY", "täglich"),
    c("WEEKLY", "wöchentlich"),
    c("MONTHLY", "monatlich"),
    c("QUARTERLY", "vierteljährlich"),
    c("ANNUAL_2", "halbjährlich"),
    c("ANNUAL", "jährlich"),
    c("BIENNIAL", "alle zwei Jahre"),
    c("IRREG", "unregelmäßig"),
    c("NEVER", "nie"),
    c("UNKNOWN", "unbekannt"),
];

/// The file types of the EU vocabulary that open data usually comes in.
pub const FILE_TYPES: &[Concept] = &[
    c("CSV", "CSV"),
    c("JSON", "JSON"),
    c("GEOJSON", "GeoJSON"),
    c("XML", "XML"),
    c("XLSX", "Excel (XLSX)"),
    c("XLS", "Excel (XLS)"),
    c("ODS", "OpenDocument-Tabelle (ODS)"),
    c("PDF", "PDF"),
    c("HTML", "HTML"),
    c("TXT", "Text"),
    c("ZIP", "ZIP-Archiv"),
    c("SHP", "Shapefile"),
    c("KML", "KML"),
    c("GML", "GML"),
    c("GPKG", "GeoPackage"),
    c("RDF_TURTLE", "RDF (Turtle)"),
    c("JSON_LD", "JSON-LD"),
    c("RDF_XML", "RDF/XML"),
    c("WMS_SRVC", "WMS-Dienst"),
    c("WFS_SRVC", "WFS-Dienst"),
];

fn find(list: &'static [Concept], code: &str) -> Option<&'static Concept> {
    list.iter().find(|c| c.code == code)
}

/// A licence by its URI (`http://dcat-ap.de/def/licenses/…`; the `https://www.` form of
/// the vocabulary's web pages is accepted too).
pub fn licence(uri: &str) -> Option<&'static Concept> {
    let code = uri
        .strip_prefix(LICENCES_BASE)
        .or_else(|| uri.strip_prefix("https://www.dcat-ap.de/def/licenses/"))
        .or_else(|| uri.strip_prefix("https://dcat-ap.de/def/licenses/"))
        .or_else(|| uri.strip_prefix("http://www.dcat-ap.de/def/licenses/"))?;
    find(LICENCES, code.trim_end_matches('/'))
}

/// The canonical URI of a licence code.
pub fn licence_uri(code: &str) -> String {
    format!("{LICENCES_BASE}{code}")
}

pub fn theme(code: &str) -> Option<&'static Concept> {
    find(THEMES, code)
}

pub fn frequency(code: &str) -> Option<&'static Concept> {
    find(FREQUENCIES, code)
}

pub fn file_type(code: &str) -> Option<&'static Concept> {
    find(FILE_TYPES, code)
}

/// The code of a concept URI under `base` when the vocabulary `list` knows it.
pub fn code_of(list: &'static [Concept], base: &str, uri: &str) -> Option<&'static str> {
    let code = uri.strip_prefix(base)?;
    find(list, code).map(|c| c.code)
}

/// How a lab relates to a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Publishes,
    Uses,
}

impl Relation {
    pub const ALL: [Relation; 2] = [Relation::Publishes, Relation::Uses];

    pub fn parse(s: &str) -> Option<Relation> {
        match s {
            "publishes" => Some(Relation::Publishes),
            "uses" => Some(Relation::Uses),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Publishes => "publishes",
            Relation::Uses => "uses",
        }
    }

    /// „Veröffentlicht“ / „Genutzt“ (followed by „von <lab>“ where the lab is named).
    pub fn label_de(self) -> &'static str {
        match self {
            Relation::Publishes => "Veröffentlicht",
            Relation::Uses => "Genutzt",
        }
    }
}

/// Whether `ags` is an Amtlicher Gemeindeschlüssel: eight digits starting with the key
/// of a federal state.
pub fn valid_ags(ags: &str) -> bool {
    ags.len() == 8
        && ags.bytes().all(|b| b.is_ascii_digit())
        && crate::states::by_key(&ags[..2]).is_some()
}

/// One way to get a dataset (a file, an API, a page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distribution {
    pub title: String,
    pub access_url: String,
    pub download_url: Option<String>,
    /// An EU file-type code.
    pub format: Option<String>,
    /// An IANA media type.
    pub media_type: Option<String>,
    /// A licence URI; `None`: the dataset's.
    pub licence: Option<String>,
}

/// What describes a dataset: everything that is edited, versioned and harvested.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fields {
    /// `publishes` or `uses` ([`Relation`]).
    pub relation: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    /// The publishing organization; `None`: the lab itself.
    pub organization_id: Option<i64>,
    /// A licence URI of [`LICENCES`].
    pub licence: String,
    /// EU data theme codes.
    pub themes: Vec<String>,
    pub keywords: Vec<String>,
    pub state_key: Option<String>,
    pub ags: Option<String>,
    pub temporal_start: Option<String>,
    pub temporal_end: Option<String>,
    pub contact_name: String,
    pub contact_email: Option<String>,
    pub contact_url: Option<String>,
    pub landing_page: Option<String>,
    /// An EU frequency code.
    pub frequency: Option<String>,
    pub issued: Option<String>,
    pub modified: Option<String>,
    pub distributions: Vec<Distribution>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_resolve_both_ways() {
        let uri = licence_uri("dl-by-de/2.0");
        assert_eq!(uri, "http://dcat-ap.de/def/licenses/dl-by-de/2.0");
        assert!(licence(&uri).is_some());
        assert!(licence("https://www.dcat-ap.de/def/licenses/cc-by/4.0").is_some());
        assert!(licence("http://dcat-ap.de/def/licenses/frei").is_none());
        assert!(licence("cc-by/4.0").is_none());
        assert_eq!(
            code_of(THEMES, THEMES_BASE, &format!("{THEMES_BASE}TRAN")),
            Some("TRAN")
        );
        assert_eq!(code_of(THEMES, THEMES_BASE, "TRAN"), None);
        assert!(frequency("ANNUAL").is_some() && file_type("CSV").is_some());
    }

    #[test]
    fn municipality_keys() {
        assert!(valid_ags("11000000"));
        assert!(valid_ags("05315000"));
        for bad in [
            "1100000",
            "110000000",
            "17000000",
            "00000000",
            "0531500x",
            "",
        ] {
            assert!(!valid_ags(bad), "{bad}");
        }
    }
}
