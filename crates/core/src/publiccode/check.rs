//! The values of a [`Document`] against the standard: mandatory keys, allowed values,
//! lengths, dates, URLs and SPDX expressions.

use super::{
    CATEGORIES, DEVELOPMENT_STATUSES, Document, LONG_DESCRIPTION_MAX, LONG_DESCRIPTION_MIN,
    MAINTENANCE_TYPES, PLATFORMS, Problem, SCOPES, SHORT_DESCRIPTION_MAX, SOFTWARE_TYPES, covers,
};

/// Every problem of `doc`, errors and warnings, in the standard's key order. A missing
/// value that the document marks as a [`super::Placeholder`] is no error: there is one
/// warning per placeholder instead.
pub fn check(doc: &Document) -> Vec<Problem> {
    checked(doc).into_iter().map(|(p, _)| p).collect()
}

/// [`check`], each problem with whether it is about a missing value.
pub(super) fn checked(doc: &Document) -> Vec<(Problem, bool)> {
    let mut c = Checker::default();
    c.top(doc);
    c.audience(doc);
    c.descriptions(doc);
    c.legal(doc);
    c.maintenance(doc);
    c.localisation(doc);
    c.depends_on(doc);

    let mut out = Vec::new();
    for (p, missing) in c.found {
        let placeholder = missing
            && doc
                .placeholders
                .iter()
                .any(|ph| covers(&ph.key, &p.key) || covers(&p.key, &ph.key));
        if !placeholder {
            out.push((p, missing));
        }
    }
    for ph in &doc.placeholders {
        let reason = ph.reason.trim();
        let reason = if reason.is_empty() {
            String::new()
        } else {
            format!(" ({reason})")
        };
        let warning = Problem::warning(
            ph.key.clone(),
            format!(
                "`{}` ist ein Platzhalter{reason}. Ersetze ihn durch den richtigen Wert, bevor \
                 die Datei veröffentlicht wird.",
                ph.key
            ),
        );
        out.push((warning, false));
    }
    out
}

/// A check that mentions `text` in a message, shortened to one readable line.
fn quoted(text: &str) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(60)
        .collect();
    if text.chars().count() > 60 {
        format!("„{line}…“")
    } else {
        format!("„{line}“")
    }
}

fn allowed(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `YYYY-MM-DD` and a day that exists.
pub(super) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (s[0..4].parse(), s[5..7].parse(), s[8..10].parse()) else {
        return false;
    };
    jiff::civil::Date::new(y, m, d).is_ok()
}

/// An absolute `http` or `https` URL with a host.
pub(super) fn is_web_url(s: &str) -> bool {
    s.trim() == s
        && url::Url::parse(s)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

/// A BCP 47 language tag in its common shape: a primary language subtag of 2–3 letters
/// (or 5–8), then subtags of 1–8 letters or digits.
pub(super) fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let Some(primary) = parts.next() else {
        return false;
    };
    let primary_ok =
        matches!(primary.len(), 2 | 3 | 5..=8) && primary.bytes().all(|b| b.is_ascii_alphabetic());
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Whether `expr` is a valid SPDX expression: `Ok(None)` if so, `Ok(Some(warning))` if it
/// is valid but should be written differently, `Err(message)` if not.
pub(super) fn spdx(expr: &str) -> Result<Option<String>, String> {
    if expr.trim().is_empty() {
        return Err("Der Lizenzausdruck ist leer.".to_owned());
    }
    let strict = spdx::Expression::parse(expr);
    let Err(error) = strict else {
        return Ok(None);
    };
    let canonical = spdx::Expression::canonicalize(expr)
        .ok()
        .flatten()
        .filter(|c| spdx::Expression::parse(c).is_ok());
    if let Some(c) = &canonical
        && c.eq_ignore_ascii_case(expr)
    {
        // SPDX identifiers match without regard to case; the list's spelling is clearer.
        return Ok(Some(format!(
            "Schreibe die Lizenz so wie in der SPDX-Liste: `{c}`."
        )));
    }
    let deprecated = spdx::ParseMode {
        allow_deprecated: true,
        ..spdx::ParseMode::STRICT
    };
    if spdx::Expression::parse_mode(expr, deprecated).is_ok() {
        let better = canonical
            .as_deref()
            .map_or(String::new(), |c| format!(" Schreibe stattdessen `{c}`."));
        return Ok(Some(format!(
            "{} enthält eine veraltete SPDX-Kennung.{better}",
            quoted(expr)
        )));
    }
    let reason = match error.reason {
        spdx::error::Reason::UnknownLicense | spdx::error::Reason::UnknownTerm => {
            let term = expr.get(error.span).unwrap_or(expr);
            format!("{} steht nicht in der SPDX-Lizenzliste", quoted(term))
        }
        spdx::error::Reason::UnknownException => {
            let term = expr.get(error.span).unwrap_or(expr);
            format!("{} ist keine SPDX-Ausnahme", quoted(term))
        }
        spdx::error::Reason::UnclosedParens => "eine Klammer wird nicht geschlossen".to_owned(),
        spdx::error::Reason::UnopenedParens => "eine Klammer wird nicht geöffnet".to_owned(),
        spdx::error::Reason::InvalidCharacters => "er enthält unerlaubte Zeichen".to_owned(),
        _ => "Lizenzen und `AND`, `OR`, `WITH` stehen nicht richtig zusammen".to_owned(),
    };
    let better = canonical.map_or(String::new(), |c| format!(" Meintest du `{c}`?"));
    Err(format!(
        "{} ist kein gültiger SPDX-Ausdruck: {reason}.{better}",
        quoted(expr)
    ))
}

/// Up to three allowed values close to `value`, for a „meintest du“.
fn closest(value: &str, allowed: &[&str]) -> Vec<String> {
    let value = value.trim().to_lowercase();
    let mut scored: Vec<(usize, &str)> = allowed
        .iter()
        .filter_map(|a| {
            let d = distance(&value, a);
            let near = d <= 3 || (value.len() >= 3 && (a.contains(&value) || value.contains(a)));
            near.then_some((d, *a))
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, a)| format!("`{a}`"))
        .collect()
}

/// Levenshtein distance, for short words.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(here)
            };
            prev = here;
        }
    }
    row[b.len()]
}

#[derive(Default)]
struct Checker {
    /// Each problem, and whether it is about a missing value.
    found: Vec<(Problem, bool)>,
}

impl Checker {
    fn error(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.found.push((Problem::error(key, message), false));
    }

    fn warning(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.found.push((Problem::warning(key, message), false));
    }

    fn missing(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.found.push((Problem::error(key, message), true));
    }

    /// A mandatory text: reports it missing when empty; `true` when present.
    fn required(&mut self, key: &str, value: &str, what: &str) -> bool {
        if value.trim().is_empty() {
            self.missing(key, format!("`{key}` fehlt oder ist leer. Gib {what} an."));
            false
        } else {
            true
        }
    }

    fn web_url(&mut self, key: &str, value: &str, what: &str) {
        if !is_web_url(value) {
            self.error(
                key,
                format!(
                    "`{key}` muss eine vollständige Web-Adresse sein, die mit `https://` oder \
                     `http://` beginnt ({what}); {} ist keine.",
                    quoted(value)
                ),
            );
        }
    }

    fn optional_url(&mut self, key: &str, value: Option<&String>, what: &str) {
        if let Some(v) = value {
            self.web_url(key, v, what);
        }
    }

    /// A path inside the repository or an absolute web address.
    fn path_or_url(&mut self, key: &str, value: &str) {
        if value.trim().is_empty() {
            self.error(
                key,
                format!("`{key}` ist leer. Gib einen Pfad oder eine Adresse an."),
            );
        } else if value.contains("://") && !is_web_url(value) {
            self.error(
                key,
                format!(
                    "`{key}` muss ein Pfad im Repository (`img/logo.svg`) oder eine Adresse mit \
                     `https://` sein; {} ist keins von beiden.",
                    quoted(value)
                ),
            );
        }
    }

    fn date(&mut self, key: &str, value: &str) {
        if !is_date(value) {
            self.error(
                key,
                format!(
                    "`{key}` muss ein Datum der Form JJJJ-MM-TT sein, zum Beispiel `\"2025-04-15\"`; \
                     {} ist keins.",
                    quoted(value)
                ),
            );
        }
    }

    fn one_of(&mut self, key: &str, value: &str, values: &[&str]) {
        if value.trim().is_empty() {
            self.missing(
                key,
                format!("`{key}` fehlt. Erlaubt sind: {}.", allowed(values)),
            );
        } else if !values.contains(&value) {
            let near = closest(value, values);
            let hint = if near.is_empty() {
                String::new()
            } else {
                format!(" Meintest du {}?", near.join(" oder "))
            };
            self.error(
                key,
                format!(
                    "{} ist für `{key}` nicht erlaubt. Erlaubt sind: {}.{hint}",
                    quoted(value),
                    allowed(values)
                ),
            );
        }
    }

    fn texts(&mut self, key: &str, values: &[String]) {
        for (i, v) in values.iter().enumerate() {
            if v.trim().is_empty() {
                self.error(
                    format!("{key}[{i}]"),
                    format!(
                        "Der {}. Eintrag von `{key}` ist leer. Lösche ihn oder schreibe den Wert \
                         hinter `- `.",
                        i + 1
                    ),
                );
            }
        }
    }

    fn top(&mut self, doc: &Document) {
        self.required("name", &doc.name, "den Namen der Software");
        if let Some(suite) = &doc.application_suite {
            self.required("applicationSuite", suite, "den Namen der Software-Familie");
        }
        if self.required(
            "url",
            &doc.url,
            "die Adresse des Quellcode-Repositorys (`https://…`)",
        ) {
            self.web_url("url", &doc.url, "die Adresse des Quellcode-Repositorys");
        }
        self.optional_url(
            "landingURL",
            doc.landing_url.as_ref(),
            "die Seite für Besucher",
        );
        for (i, u) in doc.is_based_on.iter().enumerate() {
            let key = if doc.is_based_on.len() == 1 {
                "isBasedOn".to_owned()
            } else {
                format!("isBasedOn[{i}]")
            };
            self.web_url(&key, u, "das Repository des Originals");
        }
        if let Some(uri) = &doc.organization_uri {
            let ok = url::Url::parse(uri).is_ok() && uri.trim() == uri;
            if !ok {
                self.error(
                    "organizationUri",
                    format!(
                        "`organizationUri` muss eine URI sein, etwa `https://codefor.de` oder \
                         `urn:…`; {} ist keine.",
                        quoted(uri)
                    ),
                );
            }
        }
        if let Some(v) = &doc.software_version {
            self.required("softwareVersion", v, "die Versionsnummer");
        }
        if let Some(d) = &doc.release_date {
            self.date("releaseDate", d);
        }
        if let Some(logo) = &doc.logo {
            self.path_or_url("logo", logo);
        }
        if doc.platforms.is_empty() {
            self.missing(
                "platforms",
                format!(
                    "`platforms` fehlt. Nenne, worauf man die Software benutzt, etwa {}.",
                    allowed(PLATFORMS)
                ),
            );
        }
        self.texts("platforms", &doc.platforms);
        for (i, p) in doc.platforms.iter().enumerate() {
            let lower = p.to_lowercase();
            if !PLATFORMS.contains(&p.as_str()) && PLATFORMS.contains(&lower.as_str()) {
                self.warning(
                    format!("platforms[{i}]"),
                    format!(
                        "Schreibe die Plattform klein: `{lower}` statt {}.",
                        quoted(p)
                    ),
                );
            }
        }
        if doc.categories.is_empty() {
            self.missing(
                "categories",
                "`categories` fehlt. Wähle mindestens eine Kategorie aus der Liste des \
                 Standards (https://yml.publiccode.tools/categories-list.html).",
            );
        }
        for (i, cat) in doc.categories.iter().enumerate() {
            if !CATEGORIES.contains(&cat.as_str()) {
                let near = closest(cat, CATEGORIES);
                let hint = if near.is_empty() {
                    String::new()
                } else {
                    format!(" Meintest du {}?", near.join(" oder "))
                };
                self.error(
                    format!("categories[{i}]"),
                    format!(
                        "{} steht nicht in der Kategorienliste des Standards \
                         (https://yml.publiccode.tools/categories-list.html).{hint}",
                        quoted(cat)
                    ),
                );
            }
        }
        self.texts("usedBy", &doc.used_by);
        self.optional_url("roadmap", doc.roadmap.as_ref(), "die öffentliche Roadmap");
        self.one_of(
            "developmentStatus",
            &doc.development_status,
            DEVELOPMENT_STATUSES,
        );
        self.one_of("softwareType", &doc.software_type, SOFTWARE_TYPES);
    }

    fn audience(&mut self, doc: &Document) {
        for (key, list) in [
            ("intendedAudience.countries", &doc.countries),
            (
                "intendedAudience.unsupportedCountries",
                &doc.unsupported_countries,
            ),
        ] {
            for (i, c) in list.iter().enumerate() {
                if !(c.len() == 2 && c.bytes().all(|b| b.is_ascii_lowercase())) {
                    self.error(
                        format!("{key}[{i}]"),
                        format!(
                            "{} ist kein Ländercode. Schreibe Länder als zwei Kleinbuchstaben \
                             nach ISO 3166-1, etwa `de` oder `at`.",
                            quoted(c)
                        ),
                    );
                }
            }
        }
        for (i, s) in doc.scope.iter().enumerate() {
            if !SCOPES.contains(&s.as_str()) {
                let near = closest(s, SCOPES);
                let hint = if near.is_empty() {
                    String::new()
                } else {
                    format!(" Meintest du {}?", near.join(" oder "))
                };
                self.error(
                    format!("intendedAudience.scope[{i}]"),
                    format!(
                        "{} steht nicht in der Liste der Anwendungsbereiche. Erlaubt sind: {}.{hint}",
                        quoted(s),
                        allowed(SCOPES)
                    ),
                );
            }
        }
    }

    fn descriptions(&mut self, doc: &Document) {
        if doc.description.is_empty() {
            self.missing(
                "description",
                "Der Abschnitt `description` fehlt. Beschreibe die Software in mindestens einer \
                 Sprache, etwa unter `description:` → `de:`.",
            );
            return;
        }
        let mut long_somewhere = false;
        let mut features_somewhere = false;
        for (lang, d) in &doc.description {
            let base = format!("description.{lang}");
            if !is_language_tag(lang) {
                self.error(
                    base.clone(),
                    format!(
                        "{} ist kein Sprachkürzel nach BCP 47. Schreibe etwa `de`, `en` oder \
                         `de-AT`.",
                        quoted(lang)
                    ),
                );
            }
            if let Some(name) = &d.localised_name {
                self.required(
                    &format!("{base}.localisedName"),
                    name,
                    "den übersetzten Namen",
                );
            }
            let key = format!("{base}.shortDescription");
            if self.required(
                &key,
                &d.short_description,
                "einen Satz, was die Software tut",
            ) {
                let len = d.short_description.chars().count();
                if len > SHORT_DESCRIPTION_MAX {
                    self.error(
                        key,
                        format!(
                            "`shortDescription` darf höchstens {SHORT_DESCRIPTION_MAX} Zeichen \
                             lang sein, hat aber {len}. Kürze ihn auf einen Satz; Ausführliches \
                             gehört in `longDescription`."
                        ),
                    );
                }
            }
            if !d.long_description.trim().is_empty() {
                long_somewhere = true;
                let key = format!("{base}.longDescription");
                let len = d.long_description.chars().count();
                if len < LONG_DESCRIPTION_MIN {
                    self.error(
                        key,
                        format!(
                            "`longDescription` muss mindestens {LONG_DESCRIPTION_MIN} Zeichen \
                             lang sein, hat aber nur {len}. Beschreibe, was die Software für \
                             ihre Nutzerinnen und Nutzer tut."
                        ),
                    );
                } else if len > LONG_DESCRIPTION_MAX {
                    self.error(
                        key,
                        format!(
                            "`longDescription` darf höchstens {LONG_DESCRIPTION_MAX} Zeichen lang \
                             sein, hat aber {len}. Verweise für Ausführliches auf die \
                             Dokumentation (`documentation`)."
                        ),
                    );
                }
            }
            if !d.features.is_empty() {
                features_somewhere = true;
            }
            self.texts(&format!("{base}.features"), &d.features);
            self.optional_url(
                &format!("{base}.documentation"),
                d.documentation.as_ref(),
                "die Dokumentation für Nutzer",
            );
            self.optional_url(
                &format!("{base}.apiDocumentation"),
                d.api_documentation.as_ref(),
                "die API-Dokumentation",
            );
            for (i, s) in d.screenshots.iter().enumerate() {
                self.path_or_url(&format!("{base}.screenshots[{i}]"), s);
            }
            for (i, v) in d.videos.iter().enumerate() {
                self.web_url(&format!("{base}.videos[{i}]"), v, "ein Video");
            }
            self.texts(&format!("{base}.awards"), &d.awards);
        }
        let first = doc
            .description
            .keys()
            .next()
            .map_or("de", String::as_str)
            .to_owned();
        if !long_somewhere {
            self.missing(
                format!("description.{first}.longDescription"),
                format!(
                    "`longDescription` fehlt. Mindestens eine Sprache braucht eine ausführliche \
                     Beschreibung mit {LONG_DESCRIPTION_MIN} bis {LONG_DESCRIPTION_MAX} Zeichen."
                ),
            );
        }
        if !features_somewhere {
            self.missing(
                format!("description.{first}.features"),
                "`features` fehlt. Mindestens eine Sprache braucht eine Liste dessen, was man \
                 mit der Software tun kann.",
            );
        }
    }

    fn legal(&mut self, doc: &Document) {
        if doc.license.trim().is_empty() {
            self.missing(
                "legal.license",
                "`legal.license` fehlt. Gib die Lizenz als SPDX-Ausdruck an, zum Beispiel \
                 `EUPL-1.2` oder `MIT OR Apache-2.0`.",
            );
        } else {
            match spdx(&doc.license) {
                Ok(None) => {}
                Ok(Some(warning)) => self.warning("legal.license", warning),
                Err(message) => self.error(
                    "legal.license",
                    format!(
                        "{message} Die Kennungen stehen unter https://spdx.org/licenses/; eigene \
                         Lizenzen schreibst du als `LicenseRef-Name`."
                    ),
                ),
            }
        }
        if let Some(owner) = &doc.main_copyright_owner {
            self.required("legal.mainCopyrightOwner", owner, "wem die Rechte gehören");
        }
        if let Some(owner) = &doc.repo_owner {
            self.required("legal.repoOwner", owner, "wem das Repository gehört");
        }
    }

    fn maintenance(&mut self, doc: &Document) {
        self.one_of("maintenance.type", &doc.maintenance_type, MAINTENANCE_TYPES);
        match doc.maintenance_type.as_str() {
            "internal" | "community" if doc.contacts.is_empty() => self.missing(
                "maintenance.contacts",
                format!(
                    "Bei `maintenance.type: {}` braucht es mindestens einen Kontakt unter \
                     `maintenance.contacts`: eine Person, die die Software pflegt.",
                    doc.maintenance_type
                ),
            ),
            "contract" if doc.contractors.is_empty() => self.missing(
                "maintenance.contractors",
                "Bei `maintenance.type: contract` braucht es mindestens einen Auftragnehmer \
                 unter `maintenance.contractors`, mit Name und Vertragsende (`until`).",
            ),
            _ => {}
        }
        for (i, c) in doc.contacts.iter().enumerate() {
            let base = format!("maintenance.contacts[{i}]");
            self.required(&format!("{base}.name"), &c.name, "den Namen der Person");
            if let Some(email) = &c.email {
                self.email(&format!("{base}.email"), email);
            }
            if let Some(phone) = &c.phone {
                self.required(&format!("{base}.phone"), phone, "die Telefonnummer");
            }
        }
        for (i, c) in doc.contractors.iter().enumerate() {
            let base = format!("maintenance.contractors[{i}]");
            self.required(
                &format!("{base}.name"),
                &c.name,
                "den Namen des Auftragnehmers",
            );
            let key = format!("{base}.until");
            if self.required(&key, &c.until, "das Vertragsende als Datum JJJJ-MM-TT") {
                self.date(&key, &c.until);
            }
            if let Some(email) = &c.email {
                self.email(&format!("{base}.email"), email);
            }
            self.optional_url(
                &format!("{base}.website"),
                c.website.as_ref(),
                "die Website des Auftragnehmers",
            );
        }
    }

    fn email(&mut self, key: &str, value: &str) {
        let ok = value.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.contains('@')
        }) && !value.chars().any(char::is_whitespace);
        if !ok {
            self.error(
                key,
                format!(
                    "{} ist keine E-Mail-Adresse. Schreibe sie vollständig, etwa \
                     `erika@example.org`.",
                    quoted(value)
                ),
            );
        }
    }

    fn localisation(&mut self, doc: &Document) {
        let key = "localisation.availableLanguages";
        if doc.available_languages.is_empty() {
            self.missing(
                key,
                "`localisation.availableLanguages` fehlt. Nenne mindestens eine Sprache, in der \
                 es die Software gibt, etwa `de`.",
            );
        }
        for (i, lang) in doc.available_languages.iter().enumerate() {
            if !is_language_tag(lang) {
                self.error(
                    format!("{key}[{i}]"),
                    format!(
                        "{} ist kein Sprachkürzel nach BCP 47. Schreibe etwa `de`, `en` oder \
                         `de-AT`.",
                        quoted(lang)
                    ),
                );
            }
        }
    }

    fn depends_on(&mut self, doc: &Document) {
        let mut index = [0usize; 3];
        for d in &doc.depends_on {
            let slot = d.kind as usize;
            let base = format!("dependsOn.{}[{}]", d.kind.key(), index[slot]);
            index[slot] += 1;
            self.required(
                &format!("{base}.name"),
                &d.name,
                "den Namen der Abhängigkeit",
            );
            for (field, value) in [
                ("versionMin", &d.version_min),
                ("versionMax", &d.version_max),
                ("version", &d.version),
            ] {
                if let Some(v) = value {
                    self.required(&format!("{base}.{field}"), v, "die Version");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert!(is_date("2024-02-29"));
        for bad in [
            "2023-02-29",
            "2024-2-29",
            "24-02-29",
            "2024/02/29",
            "2024-02-29T10:00:00",
            " 2024-02-29",
            "2024-13-01",
            "+024-01-01",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn urls_are_web_urls() {
        assert!(is_web_url("https://github.com/codeforde/x"));
        assert!(is_web_url("http://example.org"));
        for bad in [
            "github.com/x",
            "ftp://example.org",
            "git@github.com:x/y.git",
            "https://",
            "",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn language_tags() {
        for ok in ["de", "en-GB", "sl-IT-nedis", "zh-Hant-TW", "gsw"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in [
            "",
            "d",
            "deutsch-",
            "en_GB",
            "12",
            "de-",
            "de-verylongsubtag",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn spdx_expressions() {
        for ok in [
            "EUPL-1.2",
            "AGPL-3.0-or-later",
            "MIT OR Apache-2.0",
            "GPL-2.0-only WITH Classpath-exception-2.0",
            "LicenseRef-Stadt-Musterstadt",
            "(MIT AND BSD-3-Clause) OR Apache-2.0",
        ] {
            assert_eq!(spdx(ok), Ok(None), "{ok}");
        }
        assert!(matches!(spdx("GPL-3.0"), Ok(Some(w)) if w.contains("veraltet")));
        assert!(matches!(spdx("mit"), Ok(Some(w)) if w.contains("`MIT`")));
        for bad in [
            "MIT AND",
            "(MIT",
            "Frei",
            "MIT/Apache-2.0",
            "GPL-3.0-or-later WITH Foo",
        ] {
            assert!(spdx(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn near_values_are_suggested() {
        assert_eq!(closest("stabel", DEVELOPMENT_STATUSES), ["`stable`"]);
        assert!(
            closest("geographic", CATEGORIES)
                .contains(&"`geographic-information-systems`".to_owned())
        );
    }
}
