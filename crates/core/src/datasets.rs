//! Datasets of labs: checking what a lead enters (or what a harvest brings), saving with
//! a version, deleting, and harvesting from another DCAT catalog.

pub mod api;

use codefor_domain::datasets::{self as vocab, Distribution, Fields, Relation};
use codefor_storage::accounts::Account;
use codefor_storage::datasets::{self as store, Dataset};
use codefor_storage::revisions::Author;
use codefor_storage::{Db, DbError, audit};

use crate::accounts::AccountError;
use crate::calendars::fetch::{self, FetchError, FetchPolicy, Fetched, Validators};
use crate::dcat::{self, Syntax};
use crate::forms::{self, FieldErrors};

/// Distribution rows of the form.
pub const MAX_DISTRIBUTIONS: usize = 8;
/// Distributions of one dataset at most (harvested ones may have more rows than the form).
pub const MAX_DISTRIBUTIONS_HARVESTED: usize = 50;
/// Keywords of one dataset at most.
pub const MAX_KEYWORDS: usize = 30;
/// Datasets one harvest takes at most.
pub const MAX_HARVESTED: usize = 500;

/// Field names of the distribution rows of the form (row × field), so errors can name
/// each input.
pub const DIST_FIELDS: [[&str; 6]; MAX_DISTRIBUTIONS] = [
    [
        "dist_title_0",
        "dist_access_0",
        "dist_download_0",
        "dist_format_0",
        "dist_media_0",
        "dist_licence_0",
    ],
    [
        "dist_title_1",
        "dist_access_1",
        "dist_download_1",
        "dist_format_1",
        "dist_media_1",
        "dist_licence_1",
    ],
    [
        "dist_title_2",
        "dist_access_2",
        "dist_download_2",
        "dist_format_2",
        "dist_media_2",
        "dist_licence_2",
    ],
    [
        "dist_title_3",
        "dist_access_3",
        "dist_download_3",
        "dist_format_3",
        "dist_media_3",
        "dist_licence_3",
    ],
    [
        "dist_title_4",
        "dist_access_4",
        "dist_download_4",
        "dist_format_4",
        "dist_media_4",
        "dist_licence_4",
    ],
    [
        "dist_title_5",
        "dist_access_5",
        "dist_download_5",
        "dist_format_5",
        "dist_media_5",
        "dist_licence_5",
    ],
    [
        "dist_title_6",
        "dist_access_6",
        "dist_download_6",
        "dist_format_6",
        "dist_media_6",
        "dist_licence_6",
    ],
    [
        "dist_title_7",
        "dist_access_7",
        "dist_download_7",
        "dist_format_7",
        "dist_media_7",
        "dist_licence_7",
    ],
];

/// The form's name for field `k` (0 title … 5 licence) of distribution row `i`.
fn dist_field(i: usize, k: usize) -> &'static str {
    DIST_FIELDS
        .get(i)
        .and_then(|row| row.get(k))
        .copied()
        .unwrap_or("distributions")
}

/// The form's values (a field may repeat: the theme boxes).
pub type FormValues = [(String, String)];

fn one<'a>(form: &'a FormValues, name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn opt(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// The fields as the form sends them, not yet checked.
pub fn from_form(form: &FormValues) -> Fields {
    let keywords = one(form, "keywords")
        .split([',', '\n'])
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .fold(Vec::<String>::new(), |mut all, k| {
            if !all.contains(&k) {
                all.push(k);
            }
            all
        });
    let distributions = (0..MAX_DISTRIBUTIONS)
        .map(|i| {
            let v = |k: usize| one(form, dist_field(i, k)).trim().to_owned();
            Distribution {
                title: v(0),
                access_url: v(1),
                download_url: opt(&v(2)),
                format: opt(&v(3)),
                media_type: opt(&v(4)),
                licence: opt(&v(5)),
            }
        })
        // A row left empty is no distribution.
        .filter(|d| *d != Distribution::default())
        .collect();
    Fields {
        relation: one(form, "relation").trim().to_owned(),
        title: one(form, "title").trim().to_owned(),
        description: one(form, "description").trim().replace("\r\n", "\n"),
        organization_id: one(form, "organization").trim().parse().ok(),
        licence: one(form, "licence").trim().to_owned(),
        themes: form
            .iter()
            .filter(|(k, _)| k == "theme")
            .map(|(_, v)| v.trim().to_owned())
            .collect(),
        keywords,
        state_key: opt(one(form, "state_key")),
        ags: opt(one(form, "ags")),
        temporal_start: opt(one(form, "temporal_start")),
        temporal_end: opt(one(form, "temporal_end")),
        contact_name: one(form, "contact_name").trim().to_owned(),
        contact_email: opt(one(form, "contact_email")),
        contact_url: opt(one(form, "contact_url")),
        landing_page: opt(one(form, "landing_page")),
        frequency: opt(one(form, "frequency")),
        issued: opt(one(form, "issued")),
        modified: opt(one(form, "modified")),
        distributions,
    }
}

/// A web address: `http(s)`, no spaces, at most 2,000 characters.
fn check_url(errors: &mut FieldErrors, field: &'static str, label: &str, value: &str) {
    let ok = value.len() <= 2000
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && url::Url::parse(value).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
        });
    if !ok {
        errors.add(
            field,
            format!(
                "„{label}“ ist keine gültige Web-Adresse; sie beginnt mit https:// oder http:// \
                 (Beispiel: https://daten.example.org/baeume.csv)."
            ),
        );
    }
}

fn is_date(value: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    value.len() == 10 && time::Date::parse(value, &format).is_ok()
}

fn is_date_time(value: &str) -> bool {
    is_date(value)
        || time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
            .is_ok()
        || time::PrimitiveDateTime::parse(
            value,
            &time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        )
        .is_ok()
}

fn check_date(errors: &mut FieldErrors, field: &'static str, label: &str, value: Option<&str>) {
    if let Some(v) = value
        && !is_date(v)
    {
        errors.add(
            field,
            format!("„{label}“ ist kein gültiges Datum (Beispiel: 2024-03-31)."),
        );
    }
}

/// An IANA media type such as `text/csv`.
fn is_media_type(value: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 127
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    value
        .split_once('/')
        .is_some_and(|(t, s)| token(t) && token(s))
}

/// Checks fields (from the form or a harvest), normalizes the licence URIs, and names
/// each mistake at its field.
pub fn check(f: &mut Fields) -> FieldErrors {
    let mut errors = FieldErrors::default();
    if Relation::parse(&f.relation).is_none() {
        errors.add(
            "relation",
            "Bitte wähle, ob das Lab den Datensatz veröffentlicht oder nutzt.",
        );
    }
    f.title = forms::required(&mut errors, "title", "Titel", &f.title, 200);
    if f.description.trim().is_empty() {
        errors.add("description", "Bitte beschreibe den Datensatz.");
    } else if f.description.chars().count() > 20_000 {
        errors.add(
            "description",
            "„Beschreibung“ darf höchstens 20.000 Zeichen lang sein.",
        );
    }
    match vocab::licence(&f.licence) {
        Some(c) => f.licence = vocab::licence_uri(c.code),
        None if f.licence.is_empty() => errors.add("licence", "Bitte wähle eine Lizenz."),
        None => errors.add(
            "licence",
            format!(
                "Die Lizenz „{}“ gehört nicht zum DCAT-AP.de-Lizenzvokabular; bitte wähle eine aus der Liste.",
                f.licence
            ),
        ),
    }
    if let Some(t) = f.themes.iter().find(|t| vocab::theme(t).is_none()) {
        errors.add("theme", format!("„{t}“ ist kein Thema der EU-Datenthemen."));
    }
    f.themes.dedup();
    if f.keywords.len() > MAX_KEYWORDS {
        errors.add(
            "keywords",
            format!("Bitte höchstens {MAX_KEYWORDS} Schlagwörter."),
        );
    } else if f.keywords.iter().any(|k| k.chars().count() > 60) {
        errors.add(
            "keywords",
            "Ein Schlagwort darf höchstens 60 Zeichen lang sein.",
        );
    } else if f.keywords.iter().any(|k| k.chars().any(char::is_control)) {
        errors.add(
            "keywords",
            "Schlagwörter dürfen keine Steuerzeichen enthalten.",
        );
    }
    if let Some(s) = &f.state_key
        && codefor_domain::states::by_key(s).is_none()
    {
        errors.add("state_key", "Bitte wähle ein Bundesland aus der Liste.");
    }
    if let Some(a) = &f.ags {
        if !vocab::valid_ags(a) {
            errors.add(
                "ags",
                "Der Gemeindeschlüssel (AGS) hat acht Ziffern und beginnt mit dem Schlüssel \
                 des Bundeslands (Beispiel: 05315000 für Köln).",
            );
        } else if let Some(s) = &f.state_key
            && !a.starts_with(s.as_str())
        {
            errors.add(
                "ags",
                "Der Gemeindeschlüssel liegt nicht im gewählten Bundesland.",
            );
        }
    }
    check_date(
        &mut errors,
        "temporal_start",
        "Zeitraum von",
        f.temporal_start.as_deref(),
    );
    check_date(
        &mut errors,
        "temporal_end",
        "Zeitraum bis",
        f.temporal_end.as_deref(),
    );
    if let (Some(s), Some(e)) = (&f.temporal_start, &f.temporal_end)
        && is_date(s)
        && is_date(e)
        && e < s
    {
        errors.add(
            "temporal_end",
            "Das Ende des Zeitraums liegt vor seinem Anfang.",
        );
    }
    if f.contact_name.chars().count() > 200 || f.contact_name.chars().any(char::is_control) {
        errors.add(
            "contact_name",
            "„Kontakt“ darf höchstens 200 Zeichen und keine Steuerzeichen enthalten.",
        );
    }
    if let Some(e) = &f.contact_email {
        let mut own = FieldErrors::default();
        forms::email(&mut own, "contact_email", e);
        errors.0.extend(own.0);
    }
    if let Some(u) = &f.contact_url {
        check_url(&mut errors, "contact_url", "Kontakt-Webseite", u);
    }
    if let Some(u) = &f.landing_page {
        check_url(&mut errors, "landing_page", "Webseite des Datensatzes", u);
    }
    if let Some(fr) = &f.frequency
        && vocab::frequency(fr).is_none()
    {
        errors.add(
            "frequency",
            "Bitte wähle eine Aktualisierungshäufigkeit aus der Liste.",
        );
    }
    for (field, label, value) in [
        ("issued", "Veröffentlicht am", &f.issued),
        ("modified", "Zuletzt geändert am", &f.modified),
    ] {
        if let Some(v) = value
            && !is_date_time(v)
        {
            errors.add(
                field,
                format!("„{label}“ ist kein gültiges Datum (Beispiel: 2024-03-31)."),
            );
        }
    }
    if f.distributions.len() > MAX_DISTRIBUTIONS_HARVESTED {
        errors.add(
            "distributions",
            format!("Höchstens {MAX_DISTRIBUTIONS_HARVESTED} Distributionen."),
        );
    }
    for (i, d) in f.distributions.iter_mut().enumerate() {
        if d.title.chars().count() > 200 || d.title.chars().any(char::is_control) {
            errors.add(
                dist_field(i, 0),
                "Der Titel darf höchstens 200 Zeichen und keine Steuerzeichen enthalten.",
            );
        }
        if d.access_url.is_empty() {
            errors.add(
                dist_field(i, 1),
                format!("Distribution {}: Bitte gib die Zugangs-URL an.", i + 1),
            );
        } else {
            check_url(&mut errors, dist_field(i, 1), "Zugangs-URL", &d.access_url);
        }
        if let Some(u) = &d.download_url {
            check_url(&mut errors, dist_field(i, 2), "Download-URL", u);
        }
        if let Some(fmt) = &d.format
            && vocab::file_type(fmt).is_none()
        {
            errors.add(dist_field(i, 3), "Bitte wähle ein Format aus der Liste.");
        }
        if let Some(m) = &d.media_type
            && !is_media_type(m)
        {
            errors.add(
                dist_field(i, 4),
                "Der Medientyp hat die Form typ/untertyp (Beispiel: text/csv).",
            );
        }
        if let Some(l) = &d.licence {
            match vocab::licence(l) {
                Some(c) => {
                    let uri = vocab::licence_uri(c.code);
                    d.licence = (uri != f.licence).then_some(uri);
                }
                None => errors.add(
                    dist_field(i, 5),
                    format!("Die Lizenz „{l}“ gehört nicht zum DCAT-AP.de-Lizenzvokabular."),
                ),
            }
        }
    }
    errors
}

/// Addresses under `/daten/` that are not datasets.
const RESERVED: &[&str] = &["neu", "ernten", "papierkorb"];

/// A free address for a new dataset, from its title.
async fn free_slug(conn: &mut codefor_storage::Connection, title: &str) -> Result<String, DbError> {
    let mut base = codefor_domain::slug::slugify(title);
    base.truncate(80);
    let base = base.trim_end_matches('-').to_owned();
    let base = if base.is_empty() {
        "datensatz".to_owned()
    } else {
        base
    };
    let mut slug = base.clone();
    let mut n = 2;
    // `neu`, `ernten` and `papierkorb` are pages of `/daten/` themselves.
    while RESERVED.contains(&slug.as_str()) || store::slug_taken(conn, &slug).await? {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Ok(slug)
}

async fn check_organization(db: &Db, f: &Fields, errors: &mut FieldErrors) -> Result<(), DbError> {
    if let Some(id) = f.organization_id
        && codefor_storage::organizations::by_id(db, id)
            .await?
            .is_none()
    {
        errors.add(
            "organization",
            "Bitte wähle eine Organisation aus der Liste.",
        );
    }
    Ok(())
}

fn author(account: &Account) -> Author<'_> {
    Author {
        account_id: Some(account.id),
        name: &account.display_name,
    }
}

/// Creates a dataset of `lab_id` from the form; returns its slug. The caller checked
/// that the account may (`EditLab`).
pub async fn create(
    db: &Db,
    account: &Account,
    lab_id: i64,
    form: &FormValues,
) -> Result<String, AccountError> {
    let mut fields = from_form(form);
    let mut errors = check(&mut fields);
    check_organization(db, &fields, &mut errors).await?;
    errors.into_result(())?;
    let html = codefor_content::markdown::render_plain(&fields.description);
    let mut tx = db.begin().await?;
    let slug = free_slug(&mut tx, &fields.title).await?;
    let id = store::create(&mut tx, lab_id, &slug, &fields, &html, None).await?;
    store::record_version(&mut tx, id, author(account), "Angelegt", &fields).await?;
    audit::record(
        &mut tx,
        Some(account.id),
        &account.display_name,
        "dataset.create",
        &slug,
        "",
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(slug)
}

/// Why a save from an outdated form is refused.
pub const STALE: &str = "Jemand hat den Datensatz geändert, seit du das Formular geöffnet hast. \
     Deine Eingaben stehen unten; schau dir die aktuelle Fassung an und speichere dann noch einmal.";

/// Saves an edit of a dataset with a new version; returns its slug. The form's `version`
/// (the newest version when it was opened) must still be the newest.
pub async fn update(
    db: &Db,
    account: &Account,
    dataset: &Dataset,
    form: &FormValues,
) -> Result<String, AccountError> {
    let mut fields = from_form(form);
    let mut errors = check(&mut fields);
    check_organization(db, &fields, &mut errors).await?;
    errors.into_result(())?;
    let opened_on: Option<i64> = one(form, "version").trim().parse().ok();
    let mut tx = db.begin().await?;
    store::lock(&mut tx, dataset.id).await?;
    // A save from a form opened on an older version would undo someone else's change.
    if let Some(v) = opened_on
        && v != store::latest_version(&mut tx, dataset.id).await?
    {
        return Err(FieldErrors::one("version", STALE).into());
    }
    if fields == dataset.fields {
        return Ok(dataset.slug.clone());
    }
    let html = codefor_content::markdown::render_plain(&fields.description);
    store::update(&mut tx, dataset.id, &fields, &html).await?;
    store::record_version(&mut tx, dataset.id, author(account), "Bearbeitet", &fields).await?;
    audit::record(
        &mut tx,
        Some(account.id),
        &account.display_name,
        "dataset.update",
        &dataset.slug,
        "",
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(dataset.slug.clone())
}

/// Deletes a dataset (softly: admins can bring it back).
pub async fn delete(db: &Db, account: &Account, dataset: &Dataset) -> Result<(), AccountError> {
    let mut tx = db.begin().await?;
    store::delete(&mut tx, dataset.id).await?;
    audit::record(
        &mut tx,
        Some(account.id),
        &account.display_name,
        "dataset.delete",
        &dataset.slug,
        "",
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Brings a deleted dataset back (admins); `false` when it was not deleted.
pub async fn restore(db: &Db, account: &Account, id: i64) -> Result<bool, AccountError> {
    let mut tx = db.begin().await?;
    let done = store::restore(&mut tx, id).await?;
    if done {
        audit::record(
            &mut tx,
            Some(account.id),
            &account.display_name,
            "dataset.restore",
            &id.to_string(),
            "",
        )
        .await?;
    }
    codefor_storage::commit(tx).await?;
    Ok(done)
}

/// What a harvest did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct HarvestReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: Vec<Skipped>,
    /// Datasets taken over, but not completely (`reason` says what was left out).
    pub notes: Vec<Skipped>,
    /// The syntax the catalog was read as.
    pub syntax: String,
}

/// A dataset of the catalog that was not taken over, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub name: String,
    pub reason: String,
}

/// Why a harvest wrote nothing. `Display` is a German sentence for the lead.
#[derive(Debug, thiserror::Error)]
pub enum HarvestError {
    #[error("{}", fetch_message(.0))]
    Fetch(#[from] FetchError),
    #[error("{0}")]
    Parse(String),
    #[error("Der Katalog enthält keinen Datensatz (dcat:Dataset).")]
    Empty,
    #[error(
        "Der Katalog enthält mehr als {MAX_HARVESTED} Datensätze; so viele nimmt eine Ernte nicht auf."
    )]
    TooMany,
    #[error("Die Datenbank ist gerade nicht erreichbar; bitte versuche es gleich noch einmal.")]
    Db(#[from] DbError),
}

/// The fetch's sentence, where it speaks of calendars, about catalogs.
fn fetch_message(e: &FetchError) -> String {
    match e {
        FetchError::BadUrl(u) => format!(
            "„{u}“ ist keine gültige Web-Adresse. Bitte die vollständige Adresse des Katalogs \
             eintragen, beginnend mit https://."
        ),
        FetchError::TooLarge { limit } => format!(
            "Der Katalog ist größer als {} MiB; so große Kataloge nimmt eine Ernte nicht auf.",
            limit / (1024 * 1024)
        ),
        FetchError::TooManyRedirects { limit } => format!(
            "Die Adresse leitet öfter als {limit}-mal weiter. Bitte die endgültige Adresse des \
             Katalogs eintragen."
        ),
        FetchError::NotText { host } => format!(
            "Die Datei von {host} ist keine Textdatei in UTF-8 und damit kein Katalog in \
             Turtle, RDF/XML oder JSON-LD."
        ),
        other => other.to_string(),
    }
}

/// The largest catalog a harvest reads.
pub const MAX_CATALOG_BYTES: usize = 16 * 1024 * 1024;

/// Fetches the catalog at `url` (safely: see [`fetch`]) and takes over its datasets for
/// the lab, all in one transaction: datasets are matched by their dct:identifier (else
/// IRI), so a second harvest updates (with a version) instead of duplicating. Nothing is
/// written when the catalog cannot be fetched or read.
pub async fn harvest(
    db: &Db,
    policy: &FetchPolicy,
    account: &Account,
    lab_id: i64,
    url: &str,
) -> Result<HarvestReport, HarvestError> {
    // Catalogs are larger than calendars; the other limits stay.
    let policy = FetchPolicy {
        max_bytes: policy.max_bytes.max(MAX_CATALOG_BYTES),
        ..policy.clone()
    };
    let accept = "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.9, \
                  application/json;q=0.5, */*;q=0.1";
    let fetched = fetch::fetch_accepting(url, &Validators::default(), &policy, accept).await?;
    let (text, content_type) = match fetched {
        Fetched::Body {
            text, content_type, ..
        } => (text, content_type),
        // Without validators the server has nothing to confirm.
        Fetched::NotModified => return Err(HarvestError::Empty),
    };
    let syntax = Syntax::guess(url, content_type.as_deref(), &text);
    let base = fetch::parse_url(url)?.to_string();
    let triples = dcat::parse(&text, &base, syntax).map_err(HarvestError::Parse)?;
    harvest_triples(db, account, lab_id, &triples, syntax).await
}

/// Takes over the datasets of parsed triples (see [`harvest`]).
pub async fn harvest_triples(
    db: &Db,
    account: &Account,
    lab_id: i64,
    triples: &[oxrdf::Triple],
    syntax: Syntax,
) -> Result<HarvestReport, HarvestError> {
    let found = dcat::datasets_in(triples);
    if found.is_empty() {
        return Err(HarvestError::Empty);
    }
    if found.len() > MAX_HARVESTED {
        return Err(HarvestError::TooMany);
    }
    let organizations = codefor_storage::organizations::list(db).await?;
    let mut report = HarvestReport {
        syntax: syntax.name().to_owned(),
        ..HarvestReport::default()
    };
    let mut tx = db.begin().await?;
    let mut seen = std::collections::HashSet::new();
    for mut h in found {
        let Some(source) = h.source.clone() else {
            report.skipped.push(Skipped {
                name: h.label,
                reason: "Der Datensatz hat weder eine Kennung (dct:identifier) noch eine IRI."
                    .to_owned(),
            });
            continue;
        };
        if !seen.insert(source.clone()) {
            report.skipped.push(Skipped {
                name: h.label,
                reason: format!("Die Kennung „{source}“ kommt im Katalog mehrfach vor."),
            });
            continue;
        }
        if !h.problems.is_empty() {
            report.skipped.push(Skipped {
                name: h.label,
                reason: h.problems.join(" "),
            });
            continue;
        }
        h.fields.organization_id = h.publisher_name.as_deref().and_then(|name| {
            organizations
                .iter()
                .find(|o| o.name.eq_ignore_ascii_case(name.trim()))
                .map(|o| o.id)
        });
        // The edit form has room for `MAX_DISTRIBUTIONS`; more would be lost (or worse)
        // at the first edit, so a harvest keeps the first ones and says so.
        let found_distributions = h.fields.distributions.len();
        h.fields.distributions.truncate(MAX_DISTRIBUTIONS);
        let errors = check(&mut h.fields);
        if !errors.is_empty() {
            report.skipped.push(Skipped {
                name: h.label,
                reason: errors.joined(),
            });
            continue;
        }
        let note = (found_distributions > MAX_DISTRIBUTIONS).then(|| Skipped {
            name: h.label.clone(),
            reason: format!(
                "Der Datensatz hat {found_distributions} Distributionen; übernommen sind \
                 die ersten {MAX_DISTRIBUTIONS} nach Zugangs-URL."
            ),
        });
        let fields = h.fields;
        let html = codefor_content::markdown::render_plain(&fields.description);
        match store::by_source(&mut tx, lab_id, &source).await? {
            Some((_, true)) => report.skipped.push(Skipped {
                name: h.label,
                reason: "Der Datensatz wurde hier gelöscht; eine Ernte holt ihn nicht zurück."
                    .to_owned(),
            }),
            Some((existing, false)) => {
                // The lab's own choices stay: how it relates to the dataset.
                let fields = Fields {
                    relation: existing.fields.relation.clone(),
                    ..fields
                };
                report.notes.extend(note);
                if fields == existing.fields {
                    report.unchanged += 1;
                } else {
                    store::update(&mut tx, existing.id, &fields, &html).await?;
                    store::record_version(
                        &mut tx,
                        existing.id,
                        author(account),
                        "Geerntet",
                        &fields,
                    )
                    .await?;
                    report.updated += 1;
                }
            }
            None => {
                let slug = free_slug(&mut tx, &fields.title).await?;
                let id =
                    store::create(&mut tx, lab_id, &slug, &fields, &html, Some(&source)).await?;
                store::record_version(&mut tx, id, author(account), "Geerntet", &fields).await?;
                report.notes.extend(note);
                report.created += 1;
            }
        }
    }
    audit::record(
        &mut tx,
        Some(account.id),
        &account.display_name,
        "dataset.harvest",
        &lab_id.to_string(),
        &format!(
            "neu {}, geändert {}, unverändert {}, übersprungen {}",
            report.created,
            report.updated,
            report.unchanged,
            report.skipped.len()
        ),
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(report)
}

/// Demo datasets of our own invention for the demo network (`demo::seed`): skipped when
/// their address is taken, so seeding twice changes nothing.
pub async fn seed_demo(conn: &mut codefor_storage::Connection) -> Result<(), DbError> {
    let kiel_city =
        codefor_storage::organizations::id_by_slug(conn, "landeshauptstadt-kiel-demo").await?;
    let demo: [(&str, &str, Fields); 3] = [
        (
            "kiel",
            "pegelstaende-kieler-foerde-demo",
            Fields {
                relation: "publishes".into(),
                title: "Pegelstände der Kieler Förde (Demo)".into(),
                description: "Wasserstände an drei Messpunkten der Förde, alle zehn Minuten \
                    gemessen und vom Lab als offene Daten gesammelt. *Ausgedachte Demodaten.*"
                    .into(),
                licence: vocab::licence_uri("dl-by-de/2.0"),
                themes: vec!["ENVI".into(), "REGI".into()],
                keywords: vec!["Pegel".into(), "Förde".into(), "Hochwasser".into()],
                state_key: Some("01".into()),
                ags: Some("01002000".into()),
                temporal_start: Some("2023-01-01".into()),
                contact_name: "OK Lab Kiel".into(),
                contact_email: Some("daten@kiel.example.org".into()),
                landing_page: Some("https://kiel.example.org/pegel".into()),
                frequency: Some("CONT".into()),
                issued: Some("2023-02-01".into()),
                distributions: vec![
                    Distribution {
                        title: "Messwerte als CSV".into(),
                        access_url: "https://kiel.example.org/pegel/messwerte.csv".into(),
                        download_url: Some("https://kiel.example.org/pegel/messwerte.csv".into()),
                        format: Some("CSV".into()),
                        media_type: Some("text/csv".into()),
                        licence: None,
                    },
                    Distribution {
                        title: "Messpunkte als GeoJSON".into(),
                        access_url: "https://kiel.example.org/pegel/messpunkte.geojson".into(),
                        download_url: None,
                        format: Some("GEOJSON".into()),
                        media_type: Some("application/geo+json".into()),
                        licence: None,
                    },
                ],
                ..Fields::default()
            },
        ),
        (
            "kiel",
            "haushalt-kiel-demo",
            Fields {
                relation: "uses".into(),
                title: "Haushaltsplan der Landeshauptstadt Kiel (Demo)".into(),
                description: "Der Haushalt nach Produkten und Jahren, den das Lab für \
                    „Haushalt verstehen“ nutzt. *Ausgedachte Demodaten.*"
                    .into(),
                organization_id: kiel_city,
                licence: vocab::licence_uri("dl-zero-de/2.0"),
                themes: vec!["ECON".into(), "GOVE".into()],
                keywords: vec!["Haushalt".into(), "Finanzen".into()],
                state_key: Some("01".into()),
                ags: Some("01002000".into()),
                temporal_start: Some("2020-01-01".into()),
                temporal_end: Some("2025-12-31".into()),
                frequency: Some("ANNUAL".into()),
                distributions: vec![Distribution {
                    title: "Haushalt als Tabelle".into(),
                    access_url: "https://kiel.example.org/haushalt".into(),
                    download_url: Some("https://kiel.example.org/haushalt.xlsx".into()),
                    format: Some("XLSX".into()),
                    media_type: None,
                    licence: None,
                }],
                ..Fields::default()
            },
        ),
        (
            "freiburg",
            "klimamessnetz-freiburg-demo",
            Fields {
                relation: "publishes".into(),
                title: "Klimamessnetz Freiburg (Demo)".into(),
                description: "Temperatur und Luftfeuchte aus selbstgebauten Stationen. \
                    *Ausgedachte Demodaten.*"
                    .into(),
                licence: vocab::licence_uri("odbl"),
                themes: vec!["ENVI".into(), "TECH".into()],
                keywords: vec!["Klima".into(), "Sensoren".into()],
                state_key: Some("08".into()),
                contact_name: "OK Lab Freiburg".into(),
                contact_url: Some("https://freiburg.example.org/kontakt".into()),
                frequency: Some("HOURLY".into()),
                distributions: vec![Distribution {
                    title: "API".into(),
                    access_url: "https://freiburg.example.org/api/klima".into(),
                    download_url: None,
                    format: Some("JSON".into()),
                    media_type: Some("application/json".into()),
                    licence: None,
                }],
                ..Fields::default()
            },
        ),
    ];
    for (lab, slug, fields) in demo {
        let Some(lab_id) = codefor_storage::labs::id_by_slug(conn, lab).await? else {
            continue;
        };
        if store::slug_taken(conn, slug).await? {
            continue;
        }
        let html = codefor_content::markdown::render_plain(&fields.description);
        let id = store::create(conn, lab_id, slug, &fields, &html, None).await?;
        store::record_version(
            conn,
            id,
            Author {
                account_id: None,
                name: "Demo",
            },
            "Angelegt",
            &fields,
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn valid() -> Vec<(String, String)> {
        form(&[
            ("relation", "publishes"),
            ("title", "Bäume"),
            ("description", "Alle Bäume."),
            ("licence", "http://dcat-ap.de/def/licenses/dl-by-de/2.0"),
            ("theme", "ENVI"),
            ("theme", "REGI"),
            ("keywords", "Bäume, Stadt, Bäume"),
            ("state_key", "05"),
            ("ags", "05315000"),
            ("temporal_start", "2020-01-01"),
            ("temporal_end", "2021-01-01"),
            ("dist_access_0", "https://example.org/b.csv"),
            ("dist_format_0", "CSV"),
            ("dist_media_0", "text/csv"),
            (
                "dist_licence_0",
                "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
            ),
        ])
    }

    #[test]
    fn a_valid_form_checks_and_normalizes() {
        let mut f = from_form(&valid());
        let e = check(&mut f);
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(f.themes, ["ENVI", "REGI"]);
        assert_eq!(f.keywords, ["Bäume", "Stadt"]);
        assert_eq!(f.distributions.len(), 1);
        // The dataset's licence is not repeated on the distribution.
        assert_eq!(f.distributions[0].licence, None);
    }

    #[test]
    fn mistakes_are_named_at_their_fields() {
        let mut pairs = valid();
        for (k, v) in &mut pairs {
            match k.as_str() {
                "licence" => *v = "frei".into(),
                "ags" => *v = "1234".into(),
                "temporal_end" => *v = "2019-12-31".into(),
                "dist_access_0" => *v = "ftp://example.org/x".into(),
                "dist_media_0" => *v = "csv".into(),
                _ => {}
            }
        }
        pairs.push(("dist_title_1".into(), "Nur ein Titel".into()));
        let mut f = from_form(&pairs);
        let e = check(&mut f);
        for field in [
            "licence",
            "ags",
            "temporal_end",
            "dist_access_0",
            "dist_media_0",
            "dist_access_1",
        ] {
            assert!(e.get(field).is_some(), "{field}: {e:?}");
        }
        assert!(e.get("title").is_none());
    }

    #[test]
    fn an_ags_outside_the_state_is_refused() {
        let mut pairs = valid();
        pairs.retain(|(k, _)| k != "state_key");
        pairs.push(("state_key".into(), "11".into()));
        let mut f = from_form(&pairs);
        assert!(check(&mut f).get("ags").is_some());
    }
}
