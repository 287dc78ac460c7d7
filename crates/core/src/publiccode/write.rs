//! A [`Document`] as publiccode.yml: keys in the standard's order, every string quoted
//! where YAML could read it as something else, missing mandatory values as marked
//! stand-ins (placeholders) so that the file is valid and says what still needs doing.

use super::{
    Contact, Contractor, DependencyKind, Description, Document, Placeholder, VERSION, covers,
};

const HEADER: &str = "# publiccode.yml, Standard 0.5 – geschrieben von codefor";
const PLACEHOLDER_HEADER: &str = "# Platzhalter: Diese Angaben fehlen noch. Ersetze die \
                                  markierten Werte, bevor du die Datei veröffentlichst.";
const PLACEHOLDER_ITEM: &str = "# - ";
const PLACEHOLDER_MARK: &str = "# Platzhalter: ";

/// The reason given for a mandatory value that is missing without a placeholder.
const MISSING: &str = "Die Angabe fehlt im Datensatz.";

const STAND_IN_NAME: &str = "Name fehlt";
const STAND_IN_URL: &str = "https://platzhalter.invalid/";
const STAND_IN_CATEGORY: &str = "digital-citizenship";
const STAND_IN_SHORT: &str = "Kurzbeschreibung fehlt noch.";
const STAND_IN_LONG: &str = "Die ausführliche Beschreibung dieser Software fehlt noch. Sie \
    erklärt in 150 bis 10.000 Zeichen, was die Software für ihre Nutzerinnen und Nutzer tut, \
    für wen sie gedacht ist und wie man sie einsetzt.";
const STAND_IN_FEATURE: &str = "Funktionen fehlen noch.";
const STAND_IN_LICENSE: &str = "LicenseRef-Platzhalter";
const STAND_IN_DATE: &str = "1970-01-01";

/// Writes `doc` as a publiccode.yml of standard version 0.5.
///
/// Mandatory values that are missing are written as stand-ins and listed as
/// placeholders (those of `doc.placeholders` with their reasons, others as missing): in
/// a comment block at the top and in a `# Platzhalter: …` comment above each key.
pub fn to_yaml(doc: &Document) -> String {
    let (doc, placeholders) = filled(doc);
    let mut w = Writer {
        out: String::new(),
        placeholders: &placeholders,
    };
    w.out.push_str(HEADER);
    w.out.push('\n');
    if !placeholders.is_empty() {
        w.out.push_str("#\n");
        w.out.push_str(PLACEHOLDER_HEADER);
        w.out.push('\n');
        for p in &placeholders {
            w.out.push_str(PLACEHOLDER_ITEM);
            w.out.push_str(&one_line(&p.key));
            w.out.push_str(": ");
            w.out.push_str(&one_line(&p.reason));
            w.out.push('\n');
        }
    }
    w.out.push('\n');
    let tree = tree(&doc);
    w.map(&tree, 0);
    w.out
}

/// The placeholders a file written by [`to_yaml`] lists in its first comment block, after
/// the `# Platzhalter:` line.
pub(super) fn placeholders_in(text: &str) -> Vec<Placeholder> {
    let mut out = Vec::new();
    let mut listed = false;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        if !line.starts_with('#') {
            break;
        }
        if line.starts_with(PLACEHOLDER_MARK) {
            listed = true;
        } else if listed
            && let Some(item) = line.strip_prefix(PLACEHOLDER_ITEM)
            && let Some((key, reason)) = item.split_once(": ")
        {
            out.push(Placeholder {
                key: key.to_owned(),
                reason: reason.to_owned(),
            });
        }
    }
    out
}

/// Comments hold one line of printable text.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// `doc` with a stand-in for every missing mandatory value, and the placeholders to mark:
/// those of `doc`, then one for each stand-in no placeholder of `doc` covers.
fn filled(doc: &Document) -> (Document, Vec<Placeholder>) {
    let mut d = doc.clone();
    let mut stand_ins: Vec<String> = Vec::new();
    let mut fill = |key: &str, empty: bool, set: &mut dyn FnMut()| {
        if empty {
            set();
            stand_ins.push(key.to_owned());
        }
    };
    fill("name", blank(&d.name), &mut || {
        d.name = STAND_IN_NAME.to_owned()
    });
    fill("url", blank(&d.url), &mut || {
        d.url = STAND_IN_URL.to_owned()
    });
    fill("platforms", d.platforms.is_empty(), &mut || {
        d.platforms = vec!["web".to_owned()];
    });
    fill("categories", d.categories.is_empty(), &mut || {
        d.categories = vec![STAND_IN_CATEGORY.to_owned()];
    });
    fill(
        "developmentStatus",
        blank(&d.development_status),
        &mut || {
            d.development_status = "development".to_owned();
        },
    );
    fill("softwareType", blank(&d.software_type), &mut || {
        d.software_type = "standalone/other".to_owned();
    });
    if d.description.is_empty() {
        let lang = d
            .available_languages
            .first()
            .filter(|l| super::check::is_language_tag(l))
            .cloned()
            .unwrap_or_else(|| "de".to_owned());
        d.description.insert(lang, Description::default());
    }
    let first = d.description.keys().next().cloned().unwrap_or_default();
    let long_somewhere = d.description.values().any(|x| !blank(&x.long_description));
    let features_somewhere = d.description.values().any(|x| !x.features.is_empty());
    for (lang, desc) in &mut d.description {
        let base = format!("description.{lang}");
        fill(
            &format!("{base}.shortDescription"),
            blank(&desc.short_description),
            &mut || desc.short_description = STAND_IN_SHORT.to_owned(),
        );
        if *lang == first {
            fill(
                &format!("{base}.longDescription"),
                !long_somewhere,
                &mut || desc.long_description = STAND_IN_LONG.to_owned(),
            );
            fill(
                &format!("{base}.features"),
                !features_somewhere,
                &mut || {
                    desc.features = vec![STAND_IN_FEATURE.to_owned()];
                },
            );
        }
    }
    fill("legal.license", blank(&d.license), &mut || {
        d.license = STAND_IN_LICENSE.to_owned();
    });
    fill("maintenance.type", blank(&d.maintenance_type), &mut || {
        d.maintenance_type = "none".to_owned();
    });
    let needs_contacts = matches!(d.maintenance_type.as_str(), "internal" | "community");
    fill(
        "maintenance.contacts",
        needs_contacts && d.contacts.is_empty(),
        &mut || {
            d.contacts = vec![Contact {
                name: STAND_IN_NAME.to_owned(),
                ..Contact::default()
            }];
        },
    );
    fill(
        "maintenance.contractors",
        d.maintenance_type == "contract" && d.contractors.is_empty(),
        &mut || {
            d.contractors = vec![Contractor {
                name: STAND_IN_NAME.to_owned(),
                until: STAND_IN_DATE.to_owned(),
                ..Contractor::default()
            }];
        },
    );
    for (i, c) in d.contacts.iter_mut().enumerate() {
        fill(
            &format!("maintenance.contacts[{i}].name"),
            blank(&c.name),
            &mut || c.name = STAND_IN_NAME.to_owned(),
        );
    }
    for (i, c) in d.contractors.iter_mut().enumerate() {
        fill(
            &format!("maintenance.contractors[{i}].name"),
            blank(&c.name),
            &mut || c.name = STAND_IN_NAME.to_owned(),
        );
        fill(
            &format!("maintenance.contractors[{i}].until"),
            blank(&c.until),
            &mut || c.until = STAND_IN_DATE.to_owned(),
        );
    }
    fill(
        "localisation.availableLanguages",
        d.available_languages.is_empty(),
        &mut || d.available_languages = vec!["de".to_owned()],
    );
    let mut index = [0usize; 3];
    for dep in &mut d.depends_on {
        let slot = dep.kind as usize;
        let key = format!("dependsOn.{}[{}].name", dep.kind.key(), index[slot]);
        index[slot] += 1;
        fill(&key, blank(&dep.name), &mut || {
            dep.name = STAND_IN_NAME.to_owned();
        });
    }

    let mut placeholders = doc.placeholders.clone();
    for key in stand_ins {
        let known = placeholders
            .iter()
            .any(|p| covers(&p.key, &key) || covers(&key, &p.key));
        if !known {
            placeholders.push(Placeholder {
                key,
                reason: MISSING.to_owned(),
            });
        }
    }
    d.placeholders.clear();
    (d, placeholders)
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// A YAML value to write.
enum Y {
    /// A string, quoted as needed.
    Str(String),
    /// A string always in double quotes (dates, versions).
    Quoted(String),
    /// Written as is: booleans, numbers.
    Raw(String),
    Seq(Vec<Y>),
    Map(Vec<Field>),
}

struct Field {
    key: String,
    /// The dotted key, for placeholder comments.
    path: String,
    value: Y,
}

/// Collects the fields of one mapping, leaving out absent optional values.
struct Fields {
    base: String,
    fields: Vec<Field>,
}

impl Fields {
    fn new(base: &str) -> Fields {
        Fields {
            base: base.to_owned(),
            fields: Vec::new(),
        }
    }

    fn path(&self, key: &str) -> String {
        if self.base.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.base)
        }
    }

    fn put(&mut self, key: &str, value: Y) {
        let path = self.path(key);
        self.fields.push(Field {
            key: key.to_owned(),
            path,
            value,
        });
    }

    fn text(&mut self, key: &str, value: &str) {
        self.put(key, Y::Str(value.to_owned()));
    }

    fn opt(&mut self, key: &str, value: Option<&String>) {
        if let Some(v) = value {
            self.text(key, v);
        }
    }

    fn quoted(&mut self, key: &str, value: Option<&String>) {
        if let Some(v) = value {
            self.put(key, Y::Quoted(v.clone()));
        }
    }

    fn list(&mut self, key: &str, values: &[String]) {
        if !values.is_empty() {
            self.put(
                key,
                Y::Seq(values.iter().map(|v| Y::Str(v.clone())).collect()),
            );
        }
    }

    fn section(&mut self, key: &str, inner: Fields) {
        if !inner.fields.is_empty() {
            self.put(key, Y::Map(inner.fields));
        }
    }

    /// A list of sections, each built by `item` with its own dotted base.
    fn records<T>(&mut self, key: &str, items: &[T], item: impl Fn(&mut Fields, &T)) {
        if items.is_empty() {
            return;
        }
        let base = self.path(key);
        let values = items
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let mut f = Fields::new(&format!("{base}[{i}]"));
                item(&mut f, x);
                Y::Map(f.fields)
            })
            .collect();
        self.put(key, Y::Seq(values));
    }
}

fn tree(d: &Document) -> Vec<Field> {
    let mut f = Fields::new("");
    f.put("publiccodeYmlVersion", Y::Quoted(VERSION.to_owned()));
    f.text("name", &d.name);
    f.opt("applicationSuite", d.application_suite.as_ref());
    f.text("url", &d.url);
    f.opt("landingURL", d.landing_url.as_ref());
    f.list("isBasedOn", &d.is_based_on);
    f.opt("organizationUri", d.organization_uri.as_ref());
    f.quoted("softwareVersion", d.software_version.as_ref());
    f.quoted("releaseDate", d.release_date.as_ref());
    f.opt("logo", d.logo.as_ref());
    f.list("platforms", &d.platforms);
    f.list("categories", &d.categories);
    f.list("usedBy", &d.used_by);
    f.opt("roadmap", d.roadmap.as_ref());
    f.text("developmentStatus", &d.development_status);
    f.text("softwareType", &d.software_type);

    let mut audience = Fields::new("intendedAudience");
    audience.list("countries", &d.countries);
    audience.list("unsupportedCountries", &d.unsupported_countries);
    audience.list("scope", &d.scope);
    f.section("intendedAudience", audience);

    let mut description = Fields::new("description");
    for (lang, x) in &d.description {
        let mut l = Fields::new(&description.path(lang));
        l.opt("localisedName", x.localised_name.as_ref());
        l.text("shortDescription", &x.short_description);
        if !x.long_description.is_empty() {
            l.text("longDescription", &x.long_description);
        }
        l.opt("documentation", x.documentation.as_ref());
        l.opt("apiDocumentation", x.api_documentation.as_ref());
        l.list("features", &x.features);
        l.list("screenshots", &x.screenshots);
        l.list("videos", &x.videos);
        l.list("awards", &x.awards);
        description.put(lang, Y::Map(l.fields));
    }
    f.section("description", description);

    let mut legal = Fields::new("legal");
    legal.text("license", &d.license);
    legal.opt("mainCopyrightOwner", d.main_copyright_owner.as_ref());
    legal.opt("repoOwner", d.repo_owner.as_ref());
    f.section("legal", legal);

    let mut maintenance = Fields::new("maintenance");
    maintenance.text("type", &d.maintenance_type);
    maintenance.records("contractors", &d.contractors, |f, c| {
        f.text("name", &c.name);
        f.put("until", Y::Quoted(c.until.clone()));
        f.opt("email", c.email.as_ref());
        f.opt("website", c.website.as_ref());
    });
    maintenance.records("contacts", &d.contacts, |f, c| {
        f.text("name", &c.name);
        f.opt("email", c.email.as_ref());
        f.quoted("phone", c.phone.as_ref());
        f.opt("affiliation", c.affiliation.as_ref());
    });
    f.section("maintenance", maintenance);

    let mut localisation = Fields::new("localisation");
    localisation.put(
        "localisationReady",
        Y::Raw(d.localisation_ready.to_string()),
    );
    localisation.list("availableLanguages", &d.available_languages);
    f.section("localisation", localisation);

    let mut depends = Fields::new("dependsOn");
    for kind in DependencyKind::ALL {
        let of_kind: Vec<_> = d.depends_on.iter().filter(|x| x.kind == kind).collect();
        depends.records(kind.key(), &of_kind, |f, x| {
            f.text("name", &x.name);
            f.quoted("versionMin", x.version_min.as_ref());
            f.quoted("versionMax", x.version_max.as_ref());
            f.quoted("version", x.version.as_ref());
            if let Some(optional) = x.optional {
                f.put("optional", Y::Raw(optional.to_string()));
            }
        });
    }
    f.section("dependsOn", depends);

    for (key, value) in &d.extra {
        let path = f.path(key);
        f.put(key, json(value, &path));
    }
    f.fields
}

/// A kept JSON value (an unknown section) as YAML.
fn json(value: &serde_json::Value, path: &str) -> Y {
    match value {
        serde_json::Value::Null => Y::Raw("null".to_owned()),
        serde_json::Value::Bool(b) => Y::Raw(b.to_string()),
        serde_json::Value::Number(n) => Y::Raw(number(n)),
        serde_json::Value::String(s) => Y::Str(s.clone()),
        serde_json::Value::Array(items) => Y::Seq(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| json(v, &format!("{path}[{i}]")))
                .collect(),
        ),
        serde_json::Value::Object(map) => Y::Map(
            map.iter()
                .map(|(k, v)| {
                    let path = format!("{path}.{k}");
                    Field {
                        key: k.clone(),
                        value: json(v, &path),
                        path,
                    }
                })
                .collect(),
        ),
    }
}

/// A number that YAML 1.1 readers (PyYAML) also take as one: floats with an exponent
/// need a point in the mantissa and a sign in the exponent.
fn number(n: &serde_json::Number) -> String {
    let s = n.to_string();
    if !n.is_f64() {
        return s;
    }
    let Some((mantissa, exponent)) = s.split_once(['e', 'E']) else {
        return if s.contains('.') { s } else { format!("{s}.0") };
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.to_owned()
    } else {
        format!("{mantissa}.0")
    };
    let exponent = if exponent.starts_with(['+', '-']) {
        exponent.to_owned()
    } else {
        format!("+{exponent}")
    };
    format!("{mantissa}e{exponent}")
}

struct Writer<'a> {
    out: String,
    placeholders: &'a [Placeholder],
}

impl Writer<'_> {
    fn indent(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    /// `# Platzhalter: …` above a key that holds a stand-in.
    fn mark(&mut self, path: &str, indent: usize) {
        for p in self.placeholders {
            if p.key == path {
                self.indent(indent);
                self.out.push_str(PLACEHOLDER_MARK);
                self.out.push_str(&one_line(&p.reason));
                self.out.push('\n');
            }
        }
    }

    fn map(&mut self, fields: &[Field], indent: usize) {
        for f in fields {
            self.mark(&f.path, indent);
            self.indent(indent);
            self.field(f, indent);
        }
    }

    /// One `key: value` whose key starts at column `col` (already indented).
    fn field(&mut self, f: &Field, col: usize) {
        self.out.push_str(&key(&f.key));
        self.out.push(':');
        match &f.value {
            Y::Map(fields) if !fields.is_empty() => {
                self.out.push('\n');
                self.map(fields, col + 2);
            }
            Y::Seq(items) if !items.is_empty() => {
                self.out.push('\n');
                self.seq(items, col + 2);
            }
            Y::Str(s) if literal_ok(s) => {
                // A literal block keeps line breaks readable; its content is indented two
                // more than the key, which an indentation indicator states when the first
                // line itself starts with a space.
                self.out.push_str(" |");
                if s.starts_with(' ') {
                    self.out.push('2');
                }
                let body = match s.strip_suffix('\n') {
                    Some(body) => body,
                    None => {
                        self.out.push('-');
                        s.as_str()
                    }
                };
                self.out.push('\n');
                for line in body.split('\n') {
                    if !line.is_empty() {
                        self.indent(col + 2);
                        self.out.push_str(line);
                    }
                    self.out.push('\n');
                }
            }
            other => {
                self.out.push(' ');
                self.scalar(other);
                self.out.push('\n');
            }
        }
    }

    fn seq(&mut self, items: &[Y], indent: usize) {
        for item in items {
            match item {
                Y::Map(fields) if !fields.is_empty() => {
                    let (first, rest) = fields.split_at(1);
                    self.mark(&first[0].path, indent);
                    self.indent(indent);
                    self.out.push_str("- ");
                    self.field(&first[0], indent + 2);
                    self.map(rest, indent + 2);
                }
                Y::Seq(inner) if !inner.is_empty() => {
                    self.indent(indent);
                    self.out.push_str("-\n");
                    self.seq(inner, indent + 2);
                }
                other => {
                    self.indent(indent);
                    self.out.push_str("- ");
                    self.scalar(other);
                    self.out.push('\n');
                }
            }
        }
    }

    /// A single-line value (empty collections included).
    fn scalar(&mut self, value: &Y) {
        match value {
            Y::Str(s) => self.out.push_str(&text(s)),
            Y::Quoted(s) => self.out.push_str(&double_quoted(s)),
            Y::Raw(s) => self.out.push_str(s),
            Y::Seq(_) => self.out.push_str("[]"),
            Y::Map(_) => self.out.push_str("{}"),
        }
    }
}

/// A mapping key: plain where safe, else double-quoted.
fn key(k: &str) -> String {
    text(k)
}

/// A string as a one-line YAML scalar: plain where no YAML reader (1.1 or 1.2) could
/// read it as anything but this string, else double-quoted.
pub(super) fn text(s: &str) -> String {
    if plain_ok(s) {
        s.to_owned()
    } else {
        double_quoted(s)
    }
}

/// Letters first; then letters, digits, spaces and `. _ / - + ( )`; no trailing space;
/// and not a word YAML 1.1 reads as a boolean or null.
fn plain_ok(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !first.is_alphabetic() || s.ends_with(' ') {
        return false;
    }
    let chars_ok = chars.all(|c| c.is_alphanumeric() || " ._/-+()".contains(c))
        && s.chars().all(|c| c == ' ' || !c.is_whitespace());
    const SPECIAL: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
    ];
    chars_ok && !SPECIAL.iter().any(|w| s.eq_ignore_ascii_case(w))
}

/// A double-quoted scalar; everything outside printable text is escaped, and so are
/// the characters YAML 1.1 readers take as line breaks (NEL, LS, PS) and the BOM.
pub(super) fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if needs_escape(c) => {
                let n = u32::from(c);
                if n <= 0xFF {
                    out.push_str(&format!("\\x{n:02X}"));
                } else if n <= 0xFFFF {
                    out.push_str(&format!("\\u{n:04X}"));
                } else {
                    out.push_str(&format!("\\U{n:08X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Not printable in YAML (1.1 or 1.2), or read as a line break by some reader.
fn needs_escape(c: char) -> bool {
    let n = u32::from(c);
    !(matches!(n, 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF))
        || matches!(n, 0x2028 | 0x2029 | 0xFEFF)
}

/// Whether a multi-line text can be a literal block scalar and read back unchanged:
/// printable, no tabs or carriage returns, no trailing spaces on a line, not starting
/// with a line break, at most one line break at the end.
fn literal_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with('\n')
        && !s.ends_with("\n\n")
        && s.chars().all(|c| c == '\n' || !needs_escape(c))
        && s.split('\n').all(|line| !line.ends_with(' '))
}
