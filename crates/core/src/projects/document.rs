//! A project as a publiccode.yml [`Document`], and a document as a project's fields.
//!
//! Export never invents facts: where the project lacks a mandatory value, the document
//! gets a marked stand-in ([`Placeholder`]) that keeps the file valid, and the page and
//! the export report list it as missing.

use codefor_domain::projects::{THEMES, theme};
use codefor_domain::{DevelopmentStatus, Maintenance};
use codefor_storage::projects::ProjectDetail;

use crate::projects::ProjectEdit;
use crate::publiccode::{
    self, Contact, Dependency, DependencyKind, Document, LONG_DESCRIPTION_MAX,
    LONG_DESCRIPTION_MIN, Placeholder, SHORT_DESCRIPTION_MAX,
};

/// The language of the descriptions the catalog writes.
pub const LANGUAGE: &str = "de";

/// The stand-in licence when none is known: a valid SPDX reference that says so.
pub const UNKNOWN_LICENSE: &str = "LicenseRef-codefor-unbekannt";

/// The publiccode.yml of a project. `users` are the names of organizations using it,
/// `origin` the site's address (`https://codefor.de`).
pub fn to_document(detail: &ProjectDetail, users: &[String], origin: &str) -> Document {
    let p = &detail.project;
    let m = &detail.meta;
    let page = format!("{origin}{}", crate::urls::project(&p.slug));
    // Start from the last file read for this project, so keys the catalog does not edit
    // (dependsOn, country sections, logos, …) survive.
    let mut doc: Document = m
        .publiccode
        .clone()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    doc.placeholders.clear();
    let missing = |doc: &mut Document, key: &str, reason: &str| {
        doc.placeholders.push(Placeholder {
            key: key.to_owned(),
            reason: reason.to_owned(),
        });
    };
    doc.name = p.title.clone();
    match &p.repository_url {
        Some(url) => doc.url = url.clone(),
        None => {
            doc.url = page.clone();
            missing(
                &mut doc,
                "url",
                "Kein Repository angegeben; hier steht die Adresse der Projektseite.",
            );
        }
    }
    doc.landing_url = m.website_url.clone();
    if m.platforms.is_empty() {
        doc.platforms = vec!["unbekannt".to_owned()];
        missing(&mut doc, "platforms", "Plattformen sind nicht angegeben.");
    } else {
        doc.platforms = m.platforms.clone();
    }
    doc.categories
        .retain(|c| publiccode::CATEGORIES.contains(&c.as_str()));
    if doc.categories.is_empty() {
        doc.categories = vec!["digital-citizenship".to_owned()];
        missing(
            &mut doc,
            "categories",
            "Keine Software-Kategorie bekannt; „digital-citizenship“ steht stellvertretend.",
        );
    }
    // Users the file names stay; the organizations recorded here join them.
    for name in users {
        if !doc.used_by.contains(name) {
            doc.used_by.push(name.clone());
        }
    }
    match p.development_status {
        Some(s) => doc.development_status = s.as_str().to_owned(),
        None => {
            doc.development_status = DevelopmentStatus::Development.as_str().to_owned();
            missing(
                &mut doc,
                "developmentStatus",
                "Der Stand der Entwicklung ist nicht angegeben.",
            );
        }
    }
    match &m.software_type {
        Some(t) => doc.software_type = t.clone(),
        None => {
            doc.software_type = "standalone/other".to_owned();
            missing(
                &mut doc,
                "softwareType",
                "Die Art der Software ist nicht angegeben.",
            );
        }
    }
    let mut scope: Vec<String> = p
        .themes
        .iter()
        .filter_map(|t| theme(t).map(|t| t.scope.to_owned()))
        .collect();
    // Scopes no theme stands for stay as the file has them.
    for s in &doc.scope {
        if !scope.contains(s) && !THEMES.iter().any(|t| t.scope == s) {
            scope.push(s.clone());
        }
    }
    doc.scope = scope;
    // The German description is the catalog's; other languages from the file stay.
    let mut description = doc.description.remove(LANGUAGE).unwrap_or_default();
    let summary = p.summary.clone().unwrap_or_default();
    let summary = summary.trim();
    if summary.is_empty() {
        description.short_description = cut(&p.title, SHORT_DESCRIPTION_MAX);
        missing(
            &mut doc,
            "description.de.shortDescription",
            "Keine Kurzbeschreibung; hier steht der Titel.",
        );
    } else if summary.chars().count() > SHORT_DESCRIPTION_MAX {
        description.short_description = cut(summary, SHORT_DESCRIPTION_MAX);
        missing(
            &mut doc,
            "description.de.shortDescription",
            "Die Kurzbeschreibung ist länger als 150 Zeichen und wurde gekürzt.",
        );
    } else {
        description.short_description = summary.to_owned();
    }
    let body = p.body_md.trim();
    if body.chars().count() < LONG_DESCRIPTION_MIN {
        let note = format!(
            "Für dieses Projekt fehlt noch eine ausführliche Beschreibung von mindestens \
             {LONG_DESCRIPTION_MIN} Zeichen. Was bekannt ist, steht auf der Projektseite: {page}"
        );
        description.long_description = if body.is_empty() {
            note
        } else {
            format!("{body}\n\n{note}")
        };
        missing(
            &mut doc,
            "description.de.longDescription",
            "Die Beschreibung ist kürzer als 150 Zeichen.",
        );
    } else if body.chars().count() > LONG_DESCRIPTION_MAX {
        description.long_description = cut(body, LONG_DESCRIPTION_MAX);
        missing(
            &mut doc,
            "description.de.longDescription",
            "Die Beschreibung ist länger als 10.000 Zeichen und wurde gekürzt.",
        );
    } else {
        description.long_description = body.to_owned();
    }
    if m.features.is_empty() {
        description.features = vec!["Noch nicht beschrieben – siehe Projektseite".to_owned()];
        missing(
            &mut doc,
            "description.de.features",
            "Es sind keine Funktionen angegeben.",
        );
    } else {
        description.features = m.features.clone();
    }
    description.documentation = m.documentation_url.clone();
    doc.description.insert(LANGUAGE.to_owned(), description);
    match &m.license {
        Some(l) => doc.license = l.clone(),
        None => {
            doc.license = UNKNOWN_LICENSE.to_owned();
            missing(&mut doc, "legal.license", "Die Lizenz ist nicht angegeben.");
        }
    }
    let contacts: Vec<Contact> = detail
        .collaborators
        .iter()
        .map(|c| Contact {
            name: c.name.clone(),
            ..Contact::default()
        })
        .collect();
    match p.maintenance {
        Some(Maintenance::None) => {
            doc.maintenance_type = "none".to_owned();
            doc.contacts.clear();
            doc.contractors.clear();
        }
        Some(Maintenance::Contract) if !doc.contractors.is_empty() => {
            doc.maintenance_type = "contract".to_owned();
        }
        Some(kind @ (Maintenance::Community | Maintenance::Internal))
            if !contacts.is_empty() || !doc.contacts.is_empty() =>
        {
            doc.maintenance_type = kind.as_str().to_owned();
            // The file's contacts (with their addresses) come first; else the
            // collaborators, by name only.
            if doc.contacts.is_empty() {
                doc.contacts = contacts;
            }
            doc.contractors.clear();
        }
        other => {
            doc.maintenance_type = "none".to_owned();
            doc.contacts.clear();
            doc.contractors.clear();
            let reason = match other {
                Some(Maintenance::Contract) => {
                    "Gepflegt im Auftrag, aber kein Auftragnehmer bekannt."
                }
                Some(_) => "Gepflegt, aber keine Ansprechperson bekannt.",
                None => "Wer die Software pflegt, ist nicht angegeben.",
            };
            missing(&mut doc, "maintenance.type", reason);
        }
    }
    if m.languages.is_empty() {
        doc.available_languages = vec![LANGUAGE.to_owned()];
        missing(
            &mut doc,
            "localisation.availableLanguages",
            "Die Sprachen der Software sind nicht angegeben.",
        );
    } else {
        doc.available_languages = m.languages.clone();
    }
    // Only a file says whether the software is built for several languages.
    if m.publiccode.is_none() {
        doc.localisation_ready = false;
        missing(
            &mut doc,
            "localisation.localisationReady",
            "Ob die Software für mehrere Sprachen eingerichtet ist, ist nicht angegeben.",
        );
    }
    // The requirements written on the site are the open dependencies: a file's entry of
    // the same name keeps its versions, others are added by name, removed ones go.
    let wanted: Vec<&str> = m
        .requirements_md
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut open: Vec<Dependency> = Vec::new();
    for name in &wanted {
        let known = doc
            .depends_on
            .iter()
            .find(|d| d.kind == DependencyKind::Open && d.name == *name)
            .cloned();
        open.push(known.unwrap_or(Dependency {
            kind: DependencyKind::Open,
            name: (*name).to_owned(),
            ..Dependency::default()
        }));
    }
    doc.depends_on.retain(|d| d.kind != DependencyKind::Open);
    doc.depends_on.splice(0..0, open);
    doc
}

/// At most `max` characters, cut at a word and ended with "…".
fn cut(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max - 1).collect();
    let head = match head.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => &head[..i],
        _ => head.as_str(),
    };
    format!("{}…", head.trim_end())
}

/// A project's editable fields filled from a document; what the document does not say
/// keeps the project's current value (`current`).
pub fn apply(doc: &Document, current: &ProjectEdit) -> ProjectEdit {
    let mut edit = current.clone();
    // Stand-ins a file marks as such (our own export's) are not facts to take over.
    let stand_in = |key: &str| doc.placeholders.iter().any(|p| p.key == key);
    let description = [LANGUAGE, "en"]
        .iter()
        .find_map(|l| doc.description.get_key_value(*l))
        .or_else(|| doc.description.iter().next());
    if !doc.name.trim().is_empty() {
        edit.title = doc.name.trim().to_owned();
    }
    if let Some((lang, d)) = description {
        let key = |k: &str| format!("description.{lang}.{k}");
        if !d.short_description.trim().is_empty() && !stand_in(&key("shortDescription")) {
            edit.summary = d.short_description.trim().to_owned();
        }
        if !d.long_description.trim().is_empty() && !stand_in(&key("longDescription")) {
            edit.body_md = d.long_description.trim().to_owned();
        }
        if !d.features.is_empty() && !stand_in(&key("features")) {
            edit.features = d.features.clone();
        }
        if let Some(doc_url) = &d.documentation {
            edit.documentation_url = doc_url.clone();
        }
    }
    if let Some(s) =
        DevelopmentStatus::parse(&doc.development_status).filter(|_| !stand_in("developmentStatus"))
    {
        edit.development_status = s.as_str().to_owned();
    }
    if let Some(m) =
        Maintenance::parse(&doc.maintenance_type).filter(|_| !stand_in("maintenance.type"))
    {
        edit.maintenance = m.as_str().to_owned();
    }
    if !doc.license.is_empty() && doc.license != UNKNOWN_LICENSE && !stand_in("legal.license") {
        edit.license = doc.license.clone();
    }
    if (doc.url.starts_with("https://") || doc.url.starts_with("http://")) && !stand_in("url") {
        edit.repository_url = doc
            .url
            .trim_end_matches('/')
            .trim_end_matches(".git")
            .to_owned();
    }
    if let Some(landing) = &doc.landing_url {
        edit.website_url = landing.clone();
    }
    if crate::projects::SOFTWARE_TYPES
        .iter()
        .any(|(k, _)| !k.is_empty() && *k == doc.software_type)
        && !stand_in("softwareType")
    {
        edit.software_type = doc.software_type.clone();
    }
    if !doc.platforms.is_empty() && !stand_in("platforms") {
        edit.platforms = doc.platforms.clone();
    }
    if !doc.available_languages.is_empty() && !stand_in("localisation.availableLanguages") {
        edit.languages = doc.available_languages.clone();
    }
    let requirements: Vec<&str> = doc
        .depends_on
        .iter()
        .filter(|d| d.kind == DependencyKind::Open)
        .map(|d| d.name.as_str())
        .collect();
    if !requirements.is_empty() {
        edit.requirements = requirements.join("\n");
    }
    for t in THEMES {
        if doc.scope.iter().any(|s| s == t.scope) && !edit.themes.iter().any(|x| x == t.key) {
            edit.themes.push(t.key.to_owned());
        }
    }
    edit.themes
        .sort_by_key(|k| THEMES.iter().position(|t| t.key == k));
    edit
}

/// Every published project as a publiccode.yml document, by slug.
pub async fn export_all(
    db: &codefor_storage::Db,
    origin: &str,
) -> Result<Vec<(String, Document)>, codefor_storage::DbError> {
    let list =
        codefor_storage::projects::list(db, &codefor_storage::projects::Filter::default()).await?;
    let mut out = Vec::with_capacity(list.len());
    for summary in list {
        let Some(detail) = codefor_storage::projects::get(db, &summary.slug).await? else {
            continue;
        };
        let users: Vec<String> = codefor_storage::organizations::users_of(db, detail.id)
            .await?
            .into_iter()
            .map(|u| u.organization.name)
            .collect();
        out.push((summary.slug, to_document(&detail, &users, origin)));
    }
    Ok(out)
}

/// The placeholders of a project's export as (key, reason), for its page and reports.
pub fn missing(detail: &ProjectDetail, origin: &str) -> Vec<Placeholder> {
    to_document(detail, &[], origin).placeholders
}

/// The documentation's German label for a publiccode.yml key, for lists of what is missing.
pub fn key_label(key: &str) -> &'static str {
    match key {
        "url" => "Repository",
        "platforms" => "Plattformen",
        "categories" => "Software-Kategorie",
        "developmentStatus" => "Stand der Entwicklung",
        "softwareType" => "Art der Software",
        "description.de.shortDescription" => "Kurzbeschreibung",
        "description.de.longDescription" => "Beschreibung (mindestens 150 Zeichen)",
        "description.de.features" => "Funktionen",
        "legal.license" => "Lizenz",
        "maintenance.type" => "Pflege und Ansprechpersonen",
        "localisation.availableLanguages" => "Sprachen der Software",
        "localisation.localisationReady" => "Mehrsprachigkeit",
        _ => "Angabe",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_word() {
        assert_eq!(cut("kurz", 10), "kurz");
        let long = "eins zwei drei vier fünf sechs";
        let c = cut(long, 16);
        assert!(c.chars().count() <= 16, "{c}");
        assert_eq!(c, "eins zwei drei…");
    }
}
