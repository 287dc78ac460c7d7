//! publiccode.yml, standard 0.5 (<https://yml.publiccode.tools>): read a file into a
//! [`Document`] ([`parse`], [`parse_bytes`]), say what is wrong with it ([`check`]) and
//! write one ([`to_yaml`]).
//!
//! Volunteers write these files by hand, so reading collects every problem at once, each
//! with its dotted key (`description.de.shortDescription`, `maintenance.contacts[0].name`),
//! a line where one is known, a German sentence and a correct example. Files come from
//! strangers' repositories: input over [`MAX_BYTES`], alias bombs, deep nesting and
//! foreign tags are refused before they cost much.
//!
//! - [`yaml`]: the YAML reader with its limits, into a tree that knows its lines.
//! - [`read`]: that tree into a [`Document`], with type problems.
//! - [`check`]: the values of a [`Document`] against the standard.
//! - [`write`]: a [`Document`] as publiccode.yml, with placeholders marked.

mod check;
mod examples;
mod read;
mod write;
mod yaml;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use check::check;
pub use write::to_yaml;

/// The version of the standard this module reads and writes.
pub const VERSION: &str = "0.5";

/// Larger input is refused before parsing. Real files are a few KiB.
pub const MAX_BYTES: usize = 256 * 1024;

/// The standard's categories list (docs/standard/categories-list.rst).
pub const CATEGORIES: &[&str] = &[
    "accounting",
    "agile-project-management",
    "applicant-tracking",
    "application-development",
    "appointment-scheduling",
    "backup",
    "billing-and-invoicing",
    "blog",
    "budgeting",
    "business-intelligence",
    "business-process-management",
    "cad",
    "call-center-management",
    "cloud-management",
    "collaboration",
    "communications",
    "compliance-management",
    "contact-management",
    "content-management",
    "crm",
    "customer-service-and-support",
    "data-analytics",
    "data-collection",
    "data-visualization",
    "design",
    "design-system",
    "digital-asset-management",
    "digital-citizenship",
    "document-management",
    "donor-management",
    "e-commerce",
    "e-signature",
    "educational-content",
    "email-management",
    "email-marketing",
    "employee-management",
    "enterprise-project-management",
    "enterprise-social-networking",
    "erp",
    "event-management",
    "facility-management",
    "feedback-and-reviews-management",
    "financial-reporting",
    "fleet-management",
    "fundraising",
    "gamification",
    "geographic-information-systems",
    "grant-management",
    "graphic-design",
    "help-desk",
    "hr",
    "ide",
    "identity-management",
    "instant-messaging",
    "inventory-management",
    "it-asset-management",
    "it-development",
    "it-management",
    "it-security",
    "it-service-management",
    "knowledge-management",
    "learning-management-system",
    "marketing",
    "mind-mapping",
    "mobile-marketing",
    "mobile-payment",
    "network-management",
    "office",
    "online-booking",
    "online-community",
    "payment-gateway",
    "payroll",
    "predictive-analysis",
    "procurement",
    "productivity-suite",
    "project-collaboration",
    "project-management",
    "property-management",
    "real-estate-management",
    "remote-support",
    "resource-management",
    "sales-management",
    "seo",
    "service-desk",
    "social-media-management",
    "survey",
    "talent-management",
    "task-management",
    "taxes-management",
    "test-management",
    "time-management",
    "time-tracking",
    "translation",
    "video-conferencing",
    "video-editing",
    "visitor-management",
    "voip",
    "warehouse-management",
    "web-collaboration",
    "web-conferencing",
    "website-builder",
    "whistleblowing",
    "workflow-management",
];

/// The standard's scope list for `intendedAudience.scope` (docs/standard/scope-list.rst).
pub const SCOPES: &[&str] = &[
    "agriculture",
    "culture",
    "defence",
    "education",
    "emergency-services",
    "employment",
    "energy",
    "environment",
    "finance-and-economic-development",
    "foreign-affairs",
    "healthcare",
    "infrastructures",
    "justice",
    "local-authorities",
    "manufacturing",
    "research",
    "science-and-technology",
    "security",
    "society",
    "sport",
    "tourism",
    "transportation",
    "welfare",
];

/// The platforms the standard names; other human-readable values are allowed.
pub const PLATFORMS: &[&str] = &["web", "windows", "mac", "linux", "ios", "android"];

/// Allowed values of `developmentStatus`.
pub const DEVELOPMENT_STATUSES: &[&str] = &["concept", "development", "beta", "stable", "obsolete"];

/// Allowed values of `softwareType`.
pub const SOFTWARE_TYPES: &[&str] = &[
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
];

/// Allowed values of `maintenance.type`.
pub const MAINTENANCE_TYPES: &[&str] = &["internal", "contract", "community", "none"];

/// Longest `description.[lang].shortDescription`, in characters.
pub const SHORT_DESCRIPTION_MAX: usize = 150;
/// Shortest `description.[lang].longDescription`, in characters.
pub const LONG_DESCRIPTION_MIN: usize = 150;
/// Longest `description.[lang].longDescription`, in characters.
pub const LONG_DESCRIPTION_MAX: usize = 10_000;
/// Longest `description.[lang].genericName` (deprecated), in characters.
pub const GENERIC_NAME_MAX: usize = 35;

/// One publiccode.yml. Empty strings and lists stand for absent keys; `extra` keeps the
/// top-level keys this module does not model (country sections such as `it:`,
/// deprecated keys) so that reading and writing loses nothing of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Document {
    pub name: String,
    pub application_suite: Option<String>,
    pub url: String,
    pub landing_url: Option<String>,
    pub is_based_on: Vec<String>,
    pub organization_uri: Option<String>,
    pub software_version: Option<String>,
    /// `YYYY-MM-DD`.
    pub release_date: Option<String>,
    pub logo: Option<String>,
    pub platforms: Vec<String>,
    pub categories: Vec<String>,
    pub used_by: Vec<String>,
    pub roadmap: Option<String>,
    pub development_status: String,
    pub software_type: String,
    /// `intendedAudience.scope`.
    pub scope: Vec<String>,
    /// `intendedAudience.countries`: lowercase ISO 3166-1 alpha-2 codes.
    pub countries: Vec<String>,
    /// `intendedAudience.unsupportedCountries`.
    pub unsupported_countries: Vec<String>,
    /// BCP 47 language tag → description in that language.
    pub description: BTreeMap<String, Description>,
    /// `legal.license`: an SPDX expression.
    pub license: String,
    pub main_copyright_owner: Option<String>,
    pub repo_owner: Option<String>,
    /// `maintenance.type`.
    pub maintenance_type: String,
    pub contacts: Vec<Contact>,
    pub contractors: Vec<Contractor>,
    pub localisation_ready: bool,
    pub available_languages: Vec<String>,
    /// `dependsOn.open`, `.proprietary` and `.hardware`, in that order when written.
    pub depends_on: Vec<Dependency>,
    /// Top-level keys not modelled above, kept for round trips.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Mandatory values the record does not have; see [`Placeholder`].
    pub placeholders: Vec<Placeholder>,
}

/// `description.[lang]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Description {
    pub localised_name: Option<String>,
    /// At most 150 characters.
    pub short_description: String,
    /// 150 to 10,000 characters; mandatory in at least one language.
    pub long_description: String,
    pub documentation: Option<String>,
    pub api_documentation: Option<String>,
    /// Mandatory in at least one language.
    pub features: Vec<String>,
    pub screenshots: Vec<String>,
    pub videos: Vec<String>,
    pub awards: Vec<String>,
}

/// `maintenance.contacts[]`: a person who maintains the software.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub affiliation: Option<String>,
}

/// `maintenance.contractors[]`: who is paid to maintain the software, until when.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contractor {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub until: String,
    pub email: Option<String>,
    pub website: Option<String>,
}

/// Which list of `dependsOn` a dependency belongs to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DependencyKind {
    #[default]
    Open,
    Proprietary,
    Hardware,
}

impl DependencyKind {
    pub const ALL: [DependencyKind; 3] = [
        DependencyKind::Open,
        DependencyKind::Proprietary,
        DependencyKind::Hardware,
    ];

    /// The key under `dependsOn`.
    pub fn key(self) -> &'static str {
        match self {
            DependencyKind::Open => "open",
            DependencyKind::Proprietary => "proprietary",
            DependencyKind::Hardware => "hardware",
        }
    }
}

/// `dependsOn.{open,proprietary,hardware}[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dependency {
    pub kind: DependencyKind,
    pub name: String,
    pub version_min: Option<String>,
    pub version_max: Option<String>,
    pub version: Option<String>,
    pub optional: Option<bool>,
}

/// A mandatory value the record does not have: the writer emits a marked stand-in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placeholder {
    /// Dotted, e.g. `legal.license` or `description.de.longDescription`.
    pub key: String,
    /// Why it is missing, in German, one line.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file does not follow the standard.
    Error,
    /// The file follows it, but something is old, unknown or unusual.
    Warning,
}

/// One thing wrong with a file or a [`Document`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Dotted path, e.g. `description.de.shortDescription` or
    /// `maintenance.contacts[0].name`; empty for the file as a whole.
    pub key: String,
    /// 1-based line in the file, where known.
    pub line: Option<usize>,
    pub severity: Severity,
    /// A German sentence a volunteer can act on: what is wrong.
    pub message: String,
    /// A correct YAML snippet for this key.
    pub example: Option<String>,
}

impl Problem {
    /// An error for `key`, with the example for that key.
    pub(crate) fn error(key: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem::new(Severity::Error, key.into(), message.into())
    }

    /// A warning for `key`, with the example for that key.
    pub(crate) fn warning(key: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem::new(Severity::Warning, key.into(), message.into())
    }

    fn new(severity: Severity, key: String, message: String) -> Problem {
        let example = examples::for_key(&key);
        Problem {
            key,
            line: None,
            severity,
            message,
            example,
        }
    }

    fn at(mut self, line: Option<usize>) -> Problem {
        self.line = line;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(line) = self.line {
            write!(f, "Zeile {line}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A file that follows the standard, and what could still be better.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub document: Document,
    pub warnings: Vec<Problem>,
}

/// Reads raw bytes (an uploaded or fetched file): refuses more than [`MAX_BYTES`] and
/// anything that is not UTF-8 before parsing.
pub fn parse_bytes(bytes: &[u8]) -> Result<Parsed, Vec<Problem>> {
    if bytes.len() > MAX_BYTES {
        return Err(vec![too_large(bytes.len())]);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            Err(vec![
                Problem::error(
                    "",
                    "Die Datei ist nicht in UTF-8 gespeichert. publiccode.yml muss UTF-8 sein: \
                     speichere sie in deinem Editor mit der Kodierung „UTF-8“.",
                )
                .at(Some(line)),
            ])
        }
    }
}

/// Reads a publiccode.yml. `Err` holds every problem found (errors and warnings, by
/// line); `Ok` a document without errors and its warnings.
pub fn parse(text: &str) -> Result<Parsed, Vec<Problem>> {
    if text.len() > MAX_BYTES {
        return Err(vec![too_large(text.len())]);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root = yaml::load(text).map_err(|p| vec![p])?;
    let read::Read {
        mut document,
        problems: mut found,
        lines,
    } = read::document(&root);
    document.placeholders = write::placeholders_in(text);
    if found.iter().any(|p| p.key.is_empty() && p.is_error()) {
        // Not a mapping at all: listing every missing key would bury the one problem.
        return Err(found);
    }

    // Values are checked on the document. A key whose type was already wrong is empty
    // there: it is not reported again, nor as missing the list or section it is in.
    let typed: Vec<String> = found
        .iter()
        .filter(|p| p.is_error())
        .map(|p| p.key.clone())
        .collect();
    for (p, missing) in check::checked(&document) {
        let said = typed
            .iter()
            .any(|t| covers(t, &p.key) || (missing && covers(&p.key, t)));
        if !said {
            found.push(p);
        }
    }
    for p in &mut found {
        if p.line.is_none() {
            p.line = line_of(&lines, &p.key);
        }
    }
    // By line, file-wide ones and keys without a line last; stable, so the order of
    // discovery stays within a line.
    found.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
    if found.iter().any(Problem::is_error) {
        Err(found)
    } else {
        Ok(Parsed {
            document,
            warnings: found,
        })
    }
}

fn too_large(len: usize) -> Problem {
    Problem::error(
        "",
        format!(
            "Die Datei ist {} KiB groß; mehr als {} KiB lesen wir nicht. Eine publiccode.yml \
             ist meist nur wenige KiB groß: kürze lange Texte oder entferne Eingebettetes.",
            len.div_ceil(1024),
            MAX_BYTES / 1024
        ),
    )
}

/// Whether a problem at `outer` already speaks for `inner` (the same key or one inside it).
pub(crate) fn covers(outer: &str, inner: &str) -> bool {
    if outer.is_empty() {
        return false;
    }
    inner == outer
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// The line of `key`, or of the nearest enclosing key that has one.
fn line_of(lines: &BTreeMap<String, usize>, key: &str) -> Option<usize> {
    let mut key = key;
    loop {
        if let Some(line) = lines.get(key) {
            return Some(*line);
        }
        let cut = key.rfind(['.', '['])?;
        key = &key[..cut];
    }
}
