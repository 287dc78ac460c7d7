//! Editing a project of the catalog: title, summary, status, description, topics, links.

use std::collections::HashMap;

use codefor_domain::{DevelopmentStatus, Link, Maintenance};
use codefor_storage::projects::{self, EditableFields};
use codefor_storage::revisions::{Author, Kind};
use codefor_storage::{Connection, Db, DbError};
use serde::{Deserialize, Serialize};

use crate::editing::{self, Editable, Field, Input, value};
use crate::forms::{self, FieldErrors};
use crate::publiccode::{self, Problem};

pub mod document;
pub mod sync;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectEdit {
    pub title: String,
    pub summary: String,
    /// A [`DevelopmentStatus`] key, or empty.
    pub development_status: String,
    /// A [`Maintenance`] key, or empty.
    pub maintenance: String,
    pub looking_for_people: bool,
    /// Keys of the controlled themes.
    pub themes: Vec<String>,
    /// Free tags.
    pub topics: Vec<String>,
    pub body_md: String,
    pub features: Vec<String>,
    /// SPDX licence expression, or empty.
    pub license: String,
    pub repository_url: String,
    pub sync_enabled: bool,
    pub website_url: String,
    pub documentation_url: String,
    pub software_type: String,
    pub platforms: Vec<String>,
    pub languages: Vec<String>,
    pub requirements: String,
    pub contact_email: String,
    pub links: Vec<Link>,
    /// The status of revisions taken before the split into development status and
    /// maintenance (`in_progress`, …); read, never written.
    #[serde(rename = "status", skip_serializing)]
    pub legacy_status: String,
}

const STATUSES: &[(&str, &str)] = &[
    ("", "Keine Angabe"),
    ("concept", "Idee"),
    ("development", "In Entwicklung"),
    ("beta", "Im Test"),
    ("stable", "Im Einsatz"),
    ("obsolete", "Eingestellt"),
];

const MAINTENANCE: &[(&str, &str)] = &[
    ("", "Keine Angabe"),
    ("community", "Gepflegt von Ehrenamtlichen"),
    (
        "internal",
        "Gepflegt von der Stelle, der das Repository gehört",
    ),
    ("contract", "Gepflegt im Auftrag (Wartungsvertrag)"),
    ("none", "Wird nicht gepflegt"),
];

/// The controlled themes as form choices (checked against the domain's list in a test).
const THEMES: &[(&str, &str)] = &[
    ("gesellschaft", "Gesellschaft und Soziales"),
    ("politik", "Politik und Verwaltung"),
    ("umwelt", "Umwelt und Klima"),
    ("mobilitaet", "Mobilität"),
    ("daten", "Offene Daten und Karten"),
    ("kultur", "Kultur und Bildung"),
    ("gesundheit", "Gesundheit"),
    ("stadt", "Stadt und Wohnen"),
];

/// publiccode.yml `softwareType` values with German labels.
pub const SOFTWARE_TYPES: &[(&str, &str)] = &[
    ("", "Keine Angabe"),
    ("standalone/web", "Webanwendung"),
    ("standalone/mobile", "App für Smartphones"),
    ("standalone/desktop", "Programm für den Computer"),
    ("standalone/backend", "Dienst im Hintergrund (Backend)"),
    ("standalone/iot", "Für vernetzte Geräte (IoT)"),
    ("standalone/other", "Eigenständig, anderer Art"),
    ("addon", "Erweiterung einer anderen Software"),
    ("library", "Bibliothek für Entwicklerinnen und Entwickler"),
    ("configurationFiles", "Konfiguration, Skripte, Anleitungen"),
];

const FIELDS: &[Field] = &[
    Field {
        name: "title",
        label: "Titel",
        input: Input::Line,
        hint: "",
        required: true,
    },
    Field {
        name: "summary",
        label: "Kurzbeschreibung",
        input: Input::Text {
            rows: 2,
            markdown: false,
        },
        hint: "Ein Satz für die Übersicht, höchstens 150 Zeichen (so verlangt es publiccode.yml).",
        required: false,
    },
    Field {
        name: "development_status",
        label: "Stand der Entwicklung",
        input: Input::Choice(STATUSES),
        hint: "„Im Einsatz“ heißt: veröffentlicht und bereit für den Einsatz.",
        required: false,
    },
    Field {
        name: "maintenance",
        label: "Pflege",
        input: Input::Choice(MAINTENANCE),
        hint: "Wer hält die Software aktuell?",
        required: false,
    },
    Field {
        name: "looking_for_people",
        label: "Das Projekt sucht Mitmachende",
        input: Input::Flag,
        hint: "Einzelne Rollen legst du auf der Projektseite unter „Mitmachen“ an.",
        required: false,
    },
    Field {
        name: "themes",
        label: "Themen",
        input: Input::Choices(THEMES),
        hint: "",
        required: false,
    },
    Field {
        name: "topics",
        label: "Schlagwörter",
        input: Input::Line,
        hint: "Durch Kommas getrennt, zum Beispiel „Radverkehr, Lärm“.",
        required: false,
    },
    Field {
        name: "body_md",
        label: "Beschreibung",
        input: Input::Text {
            rows: 14,
            markdown: true,
        },
        hint: "Markdown. Mit „Vorschau“ siehst du, wie es aussieht. Für publiccode.yml mindestens 150 Zeichen.",
        required: false,
    },
    Field {
        name: "features",
        label: "Funktionen",
        input: Input::Text {
            rows: 5,
            markdown: false,
        },
        hint: "Eine Funktion pro Zeile, so wie eine Verwaltung sie versteht, zum Beispiel „Zeigt freie Kita-Plätze auf einer Karte“.",
        required: false,
    },
    Field {
        name: "license",
        label: "Lizenz",
        input: Input::Line,
        hint: "Als SPDX-Kennung, zum Beispiel „EUPL-1.2“, „MIT“ oder „AGPL-3.0-or-later“.",
        required: false,
    },
    Field {
        name: "repository_url",
        label: "Repository",
        input: Input::Line,
        hint: "Die Adresse des Quellcodes, zum Beispiel https://github.com/okfde/projekt.",
        required: false,
    },
    Field {
        name: "sync_enabled",
        label: "Angaben aus der publiccode.yml im Repository übernehmen",
        input: Input::Flag,
        hint: "Dann liest codefor die Datei regelmäßig und aktualisiert dieses Projekt; was ihr hier ändert, überschreibt die nächste Übernahme.",
        required: false,
    },
    Field {
        name: "website_url",
        label: "Website",
        input: Input::Line,
        hint: "Wo man die Software benutzen oder mehr über sie erfahren kann.",
        required: false,
    },
    Field {
        name: "documentation_url",
        label: "Dokumentation",
        input: Input::Line,
        hint: "Eine Anleitung für Nutzerinnen und Nutzer oder für den Betrieb.",
        required: false,
    },
    Field {
        name: "software_type",
        label: "Art der Software",
        input: Input::Choice(SOFTWARE_TYPES),
        hint: "",
        required: false,
    },
    Field {
        name: "platforms",
        label: "Plattformen",
        input: Input::Line,
        hint: "Worauf man sie benutzt, durch Kommas getrennt: web, android, ios, windows, mac, linux.",
        required: false,
    },
    Field {
        name: "languages",
        label: "Sprachen der Software",
        input: Input::Line,
        hint: "Sprachkürzel, durch Kommas getrennt, zum Beispiel „de, en“.",
        required: false,
    },
    Field {
        name: "requirements",
        label: "Voraussetzungen für den Betrieb",
        input: Input::Text {
            rows: 4,
            markdown: false,
        },
        hint: "Was eine Verwaltung braucht, eine Angabe pro Zeile, zum Beispiel „PostgreSQL 14 oder neuer“.",
        required: false,
    },
    Field {
        name: "contact_email",
        label: "Kontakt-Adresse",
        input: Input::Line,
        hint: "Öffentlich sichtbar: an wen sich eine Verwaltung wenden kann, die das Projekt nutzen will.",
        required: false,
    },
    Field {
        name: "links",
        label: "Links",
        input: Input::Text {
            rows: 4,
            markdown: false,
        },
        hint: "Ein Link pro Zeile: „Name | https://…“ (Code, Website, Demo).",
        required: false,
    },
];

/// A comma- or line-separated list: trimmed, each once, at most `max` of at most `len`
/// characters.
fn list(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    text: &str,
    max: usize,
    len: usize,
    separators: &[char],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in text.split(separators) {
        let item = item.trim();
        if item.is_empty() || out.iter().any(|t| t == item) {
            continue;
        }
        if item.chars().count() > len {
            errors.add(
                field,
                format!("„{item}“ ist zu lang (höchstens {len} Zeichen)."),
            );
            return out;
        }
        out.push(item.to_owned());
    }
    if out.len() > max {
        errors.add(
            field,
            format!("Höchstens {max} Einträge bei „{label}“, bitte."),
        );
    }
    out
}

/// An optional http(s) address.
fn web_address(errors: &mut FieldErrors, field: &'static str, label: &str, text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let ok = url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    if !ok || text.len() > 500 {
        errors.add(
            field,
            format!("„{label}“ muss eine Web-Adresse sein, die mit https:// beginnt."),
        );
    }
    text.to_owned()
}

/// Checks an SPDX licence expression; the error says what a valid one looks like.
pub fn check_license(text: &str) -> Result<(), String> {
    match spdx::Expression::parse(text) {
        Ok(_) => Ok(()),
        Err(_) => Err(format!(
            "„{text}“ ist keine gültige SPDX-Lizenzangabe. Schreibe die Kennung der Lizenz, zum Beispiel „EUPL-1.2“, „MIT“, „GPL-3.0-or-later“ oder „Apache-2.0 OR MIT“ (Liste: https://spdx.org/licenses/)."
        )),
    }
}

impl Editable for ProjectEdit {
    const KIND: Kind = Kind::Project;
    const FIELDS: &'static [Field] = FIELDS;

    fn values(&self) -> Vec<String> {
        let flag = |b: bool| if b { "1" } else { "" }.to_owned();
        vec![
            self.title.clone(),
            self.summary.clone(),
            self.development_status.clone(),
            self.maintenance.clone(),
            flag(self.looking_for_people),
            self.themes.join(","),
            self.topics.join(", "),
            self.body_md.clone(),
            self.features.join("\n"),
            self.license.clone(),
            self.repository_url.clone(),
            flag(self.sync_enabled),
            self.website_url.clone(),
            self.documentation_url.clone(),
            self.software_type.clone(),
            self.platforms.join(", "),
            self.languages.join(", "),
            self.requirements.clone(),
            self.contact_email.clone(),
            editing::links_text(&self.links),
        ]
    }

    fn parse(form: &HashMap<String, String>) -> Result<ProjectEdit, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = forms::required(&mut errors, "title", "Titel", value(form, "title"), 150);
        let summary = forms::optional(
            &mut errors,
            "summary",
            "Kurzbeschreibung",
            value(form, "summary"),
            400,
        )
        .unwrap_or_default();
        let choice = |errors: &mut FieldErrors, name: &'static str, choices: &[(&str, &str)]| {
            let v = value(form, name).trim().to_owned();
            if !choices.iter().any(|(key, _)| *key == v) {
                errors.add(name, "Bitte wähle aus der Liste.");
            }
            v
        };
        let development_status = choice(&mut errors, "development_status", STATUSES);
        let maintenance = choice(&mut errors, "maintenance", MAINTENANCE);
        let software_type = choice(&mut errors, "software_type", SOFTWARE_TYPES);
        let flag = |name: &str| value(form, name) == "1";
        let themes: Vec<String> = THEMES
            .iter()
            .filter(|(key, _)| flag(&format!("themes_{key}")))
            .map(|(key, _)| (*key).to_owned())
            .collect();
        let body_md = forms::optional(
            &mut errors,
            "body_md",
            "Beschreibung",
            value(form, "body_md"),
            50_000,
        )
        .unwrap_or_default();
        let topics = list(
            &mut errors,
            "topics",
            "Schlagwörter",
            value(form, "topics"),
            12,
            50,
            &[',', '\n'],
        );
        let features = list(
            &mut errors,
            "features",
            "Funktionen",
            value(form, "features"),
            30,
            300,
            &['\n'],
        );
        let license = value(form, "license").trim().to_owned();
        if !license.is_empty()
            && let Err(why) = check_license(&license)
        {
            errors.add("license", why);
        }
        let repository_url = web_address(
            &mut errors,
            "repository_url",
            "Repository",
            value(form, "repository_url"),
        );
        let sync_enabled = flag("sync_enabled");
        if sync_enabled && repository_url.is_empty() {
            errors.add(
                "sync_enabled",
                "Zum Übernehmen aus dem Repository braucht es die Adresse des Repositorys.",
            );
        }
        let website_url = web_address(
            &mut errors,
            "website_url",
            "Website",
            value(form, "website_url"),
        );
        let documentation_url = web_address(
            &mut errors,
            "documentation_url",
            "Dokumentation",
            value(form, "documentation_url"),
        );
        let platforms = list(
            &mut errors,
            "platforms",
            "Plattformen",
            value(form, "platforms"),
            10,
            40,
            &[',', '\n'],
        );
        let languages = list(
            &mut errors,
            "languages",
            "Sprachen",
            value(form, "languages"),
            30,
            20,
            &[',', '\n'],
        );
        if let Some(bad) = languages.iter().find(|l| {
            !l.split('-').all(|part| {
                !part.is_empty()
                    && part.len() <= 8
                    && part.chars().all(|c| c.is_ascii_alphanumeric())
            })
        }) {
            errors.add(
                "languages",
                format!("„{bad}“ ist kein Sprachkürzel. Schreibe zum Beispiel „de“ oder „en“."),
            );
        }
        let requirements = forms::optional(
            &mut errors,
            "requirements",
            "Voraussetzungen",
            value(form, "requirements"),
            5_000,
        )
        .unwrap_or_default();
        let contact_email = value(form, "contact_email").trim().to_owned();
        if !contact_email.is_empty() {
            let mut mail_errors = FieldErrors::default();
            forms::email(&mut mail_errors, "contact_email", &contact_email);
            if !mail_errors.is_empty() {
                errors.add("contact_email", "Das sieht nicht nach einer E-Mail-Adresse aus (Beispiel: projekt@beispiel.de).");
            }
        }
        let links = editing::parse_links(&mut errors, "links", value(form, "links"), 30);
        errors.into_result(ProjectEdit {
            title,
            summary,
            development_status,
            maintenance,
            looking_for_people: flag("looking_for_people"),
            themes,
            topics,
            body_md,
            features,
            license,
            repository_url,
            sync_enabled,
            website_url,
            documentation_url,
            software_type,
            platforms,
            languages,
            requirements,
            contact_email,
            links,
            legacy_status: String::new(),
        })
    }

    fn body_md(&self) -> &str {
        &self.body_md
    }

    fn own_title(&self) -> Option<&str> {
        Some(&self.title)
    }

    async fn load(db: &Db, id: i64) -> Result<Option<ProjectEdit>, DbError> {
        let Some(slug) = projects::slug_of(db, id).await? else {
            return Ok(None);
        };
        Ok(projects::get(db, &slug).await?.map(|d| {
            let (p, m) = (d.project, d.meta);
            ProjectEdit {
                title: p.title,
                summary: p.summary.unwrap_or_default(),
                development_status: p
                    .development_status
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                maintenance: p
                    .maintenance
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                looking_for_people: p.looking_for_people,
                themes: p.themes,
                topics: p.topics,
                body_md: p.body_md,
                features: m.features,
                license: m.license.unwrap_or_default(),
                repository_url: p.repository_url.unwrap_or_default(),
                sync_enabled: d.sync.enabled,
                website_url: m.website_url.unwrap_or_default(),
                documentation_url: m.documentation_url.unwrap_or_default(),
                software_type: m.software_type.unwrap_or_default(),
                platforms: m.platforms,
                languages: m.languages,
                requirements: m.requirements_md,
                contact_email: m.contact_email.unwrap_or_default(),
                links: p.links,
                legacy_status: String::new(),
            }
        }))
    }

    async fn store(
        &self,
        conn: &mut Connection,
        id: i64,
        body_html: &str,
        _author: Author<'_>,
    ) -> Result<(), DbError> {
        // A revision from before the split says its status in the old words.
        let (mut development_status, mut maintenance) = (
            DevelopmentStatus::parse(&self.development_status),
            Maintenance::parse(&self.maintenance),
        );
        let mut looking_for_people = self.looking_for_people;
        if let Some(old) = codefor_domain::ProjectStatus::parse(&self.legacy_status) {
            let (d, m, l) = old.split();
            development_status = Some(d);
            maintenance = m.or(maintenance);
            looking_for_people = l;
        }
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let meta = projects::Meta {
            license: some(&self.license),
            website_url: some(&self.website_url),
            documentation_url: some(&self.documentation_url),
            software_type: some(&self.software_type),
            platforms: self.platforms.clone(),
            languages: self.languages.clone(),
            features: self.features.clone(),
            requirements_md: self.requirements.clone(),
            contact_email: some(&self.contact_email),
            last_activity: None,
            publiccode: None,
        };
        projects::update_editable(
            conn,
            id,
            &EditableFields {
                title: &self.title,
                summary: (!self.summary.is_empty()).then_some(self.summary.as_str()),
                development_status,
                maintenance,
                looking_for_people,
                body_md: &self.body_md,
                body_html,
                themes: &self.themes,
                topics: &self.topics,
                links: &self.links,
                repository_url: (!self.repository_url.is_empty())
                    .then_some(self.repository_url.as_str()),
                sync_enabled: self.sync_enabled,
                meta: &meta,
            },
        )
        .await
    }
}

/// What reading a publiccode.yml into a project did.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The revision the change made; `None` when the file said nothing new.
    pub revision: Option<i64>,
    /// What the file could still do better.
    pub warnings: Vec<Problem>,
}

/// Reads a publiccode.yml (pasted, uploaded or fetched) into project `id`: checked
/// against the standard first (every problem with its key, line and an example; nothing
/// is written then), then applied as one edit with its own revision. The file itself is
/// kept, so keys the catalog does not edit survive the next export.
pub async fn import_publiccode(
    db: &Db,
    id: i64,
    bytes: &[u8],
    author: Author<'_>,
    summary: &str,
) -> Result<Imported, ImportError> {
    let parsed = publiccode::parse_bytes(bytes).map_err(ImportError::Invalid)?;
    let current = ProjectEdit::load(db, id)
        .await?
        .ok_or(ImportError::NotFound)?;
    // What the file brings must fit the form's limits, so the next edit on the site does
    // not fail on fields the lead never touched.
    // Only the fields the file changes are checked: a value the project had before is not
    // the file's fault.
    let new = document::apply(&parsed.document, &current);
    if let Err(errors) = ProjectEdit::parse(&as_form(&new)) {
        let (before, after) = (editing::form_values(&current), editing::form_values(&new));
        let changed = FieldErrors(
            errors
                .0
                .into_iter()
                .filter(|e| before.get(e.field) != after.get(e.field))
                .collect(),
        );
        if !changed.is_empty() {
            return Err(ImportError::Invalid(form_problems(&changed)));
        }
    }
    let slug = projects::slug_of(db, id)
        .await?
        .ok_or(ImportError::NotFound)?;
    let revision = if new == current {
        None
    } else {
        Some(editing::save(db, id, &crate::urls::project(&slug), &new, author, summary).await?)
    };
    // The file itself: keys the form does not show (categories, logos, other languages)
    // change the export, so pages are renewed when it changed.
    let json = serde_json::to_value(&parsed.document).map_err(DbError::from)?;
    let before = projects::get(db, &slug)
        .await?
        .and_then(|d| d.meta.publiccode);
    if before.as_ref() != Some(&json) {
        let mut tx = db.begin().await?;
        projects::set_publiccode(&mut tx, id, &json.to_string()).await?;
        codefor_storage::bump_content_version(&mut tx).await?;
        codefor_storage::commit(tx).await?;
    }
    Ok(Imported {
        revision,
        warnings: parsed.warnings,
    })
}

/// A project's fields as the edit form sends them (a checkbox per chosen theme).
fn as_form(edit: &ProjectEdit) -> HashMap<String, String> {
    let mut form = editing::form_values(edit);
    for theme in &edit.themes {
        form.insert(format!("themes_{theme}"), "1".to_owned());
    }
    form
}

/// Form errors of a file's values, named by the file's keys.
fn form_problems(errors: &FieldErrors) -> Vec<Problem> {
    errors
        .0
        .iter()
        .map(|e| {
            let key = match e.field {
                "title" => "name",
                "summary" => "description.de.shortDescription",
                "body_md" => "description.de.longDescription",
                "features" => "description.de.features",
                "license" => "legal.license",
                "repository_url" => "url",
                "website_url" => "landingURL",
                "documentation_url" => "description.de.documentation",
                "platforms" => "platforms",
                "languages" => "localisation.availableLanguages",
                "requirements" => "dependsOn.open",
                other => other,
            };
            Problem {
                key: key.to_owned(),
                line: None,
                severity: publiccode::Severity::Error,
                message: format!("Für dieses Projekt nicht übernehmbar: {}", e.message),
                example: None,
            }
        })
        .collect()
}

/// Why a publiccode.yml was not taken over.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file does not follow the standard")]
    Invalid(Vec<Problem>),
    #[error("no such project")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_choices_match_the_vocabulary() {
        let domain: Vec<(&str, &str)> = codefor_domain::projects::THEMES
            .iter()
            .map(|t| (t.key, t.label))
            .collect();
        assert_eq!(THEMES, domain.as_slice());
        let statuses: Vec<&str> = STATUSES[1..].iter().map(|(k, _)| *k).collect();
        let domain: Vec<&str> = DevelopmentStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(statuses, domain);
    }

    #[test]
    fn theme_scopes_and_software_types_are_the_standards() {
        for t in codefor_domain::projects::THEMES {
            assert!(publiccode::SCOPES.contains(&t.scope), "{}", t.scope);
        }
        for (key, _) in SOFTWARE_TYPES.iter().skip(1) {
            assert!(publiccode::SOFTWARE_TYPES.contains(key), "{key}");
        }
    }

    #[test]
    fn licences_are_checked_as_spdx_expressions() {
        assert!(check_license("EUPL-1.2").is_ok());
        assert!(check_license("Apache-2.0 OR MIT").is_ok());
        assert!(check_license("GPL-3.0-or-later").is_ok());
        assert!(check_license("LicenseRef-codefor-eigene").is_ok());
        assert!(check_license("GPL 3").is_err());
        assert!(check_license("").is_err());
    }
}
