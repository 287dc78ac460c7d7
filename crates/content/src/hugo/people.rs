//! People named in content (lab leads and members, project collaborators, post authors):
//! one [`Person`] per [`person_key`], with the handles and links found anywhere.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use codefor_domain::people::person_key;
use codefor_domain::{Link, Person};

use super::fields::{Fm, link_of, text_in};
use crate::report::Warning;

/// Collects people across all files; the first spelling of a name wins.
#[derive(Default)]
pub(crate) struct Registry {
    people: Vec<Person>,
    index: BTreeMap<String, usize>,
    /// Where each person's handles were first seen, for conflict warnings.
    seen_in: BTreeMap<String, String>,
}

impl Registry {
    /// Adds or merges a person; returns their key, or `None` when the name has no letters
    /// or digits to make a key from.
    pub fn add(
        &mut self,
        mut person: Person,
        file: &str,
        line: Option<usize>,
        warnings: &mut Vec<Warning>,
    ) -> Option<String> {
        let key = person_key(&person.name);
        if key.is_empty() {
            warnings.push(Warning::new(
                file,
                line,
                format!("person name `{}` has no letters", person.name),
                "skipped",
            ));
            return None;
        }
        person.key.clone_from(&key);
        match self.index.get(&key) {
            None => {
                self.index.insert(key.clone(), self.people.len());
                self.seen_in.insert(key.clone(), file.to_owned());
                self.people.push(person);
            }
            Some(&i) => {
                let first_file = self.seen_in.get(&key).cloned().unwrap_or_default();
                let existing = &mut self.people[i];
                for (label, mine, theirs) in [
                    ("GitHub", &mut existing.github, person.github),
                    ("Twitter", &mut existing.twitter, person.twitter),
                ] {
                    match (mine.as_deref(), theirs) {
                        (None, Some(t)) => *mine = Some(t),
                        (Some(m), Some(t)) if !m.eq_ignore_ascii_case(&t) => {
                            warnings.push(Warning::new(
                                file,
                                line,
                                format!(
                                    "{} has {label} `{t}` here but `{m}` in {first_file}",
                                    person.name
                                ),
                                format!("kept `{m}`"),
                            ))
                        }
                        _ => {}
                    }
                }
                for link in person.links {
                    if !existing.links.iter().any(|l| l.url == link.url) {
                        existing.links.push(link);
                    }
                }
            }
        }
        Some(key)
    }

    pub fn into_people(self) -> Vec<Person> {
        self.people
    }
}

/// A person from a `{name, username_github, username_twitter, url, links}` mapping, as
/// labs (leads, members) and projects (collaborators) write them. Misspelled handle keys
/// are understood and reported.
pub(crate) fn person_of(
    fm: &Fm,
    list_key: &str,
    m: &Map<String, Value>,
    misspellings_seen: &mut BTreeMap<String, usize>,
    warnings: &mut Vec<Warning>,
) -> Option<Person> {
    let name = clean_name(&text_in(m, "name")?);
    if name.is_empty() {
        return None;
    }
    let mut person = Person {
        key: String::new(),
        name,
        ..Person::default()
    };
    for (key, value) in m {
        let Some((canonical, misspelled)) = handle_key(key) else {
            continue;
        };
        let Some(handle) =
            super::fields::scalar_text(value).map(|h| h.trim_start_matches('@').to_owned())
        else {
            continue;
        };
        if handle.is_empty() {
            continue;
        }
        if misspelled {
            let n = misspellings_seen.entry(key.clone()).or_default();
            let line = fm.nested_lines(key).get(*n).copied();
            *n += 1;
            let right = if canonical == "github" {
                "username_github"
            } else {
                "username_twitter"
            };
            warnings.push(Warning::new(
                fm.file,
                line,
                format!("misspelled key `{key}` in {list_key}"),
                format!("read as `{right}`"),
            ));
        }
        let slot = if canonical == "github" {
            &mut person.github
        } else {
            &mut person.twitter
        };
        if slot.is_none() {
            *slot = Some(handle);
        }
    }
    if let Some(url) = text_in(m, "url") {
        person.links.push(Link {
            name: link_name_for(&url),
            url,
        });
    }
    if let Some(Value::Array(items)) = m.get("links") {
        for item in items {
            if let Some(link) = item.as_object().and_then(|l| link_of(l, "name")) {
                person.links.push(link);
            }
        }
    }
    for link in &person.links {
        match handle_in_url(&link.url) {
            Some(("github", h)) if person.github.is_none() => person.github = Some(h),
            Some(("twitter", h)) if person.twitter.is_none() => person.twitter = Some(h),
            _ => {}
        }
    }
    Some(person)
}

/// `username_github` → (`github`, false); `username-github`, `sername-twitter` … →
/// (…, true).
fn handle_key(key: &str) -> Option<(&'static str, bool)> {
    let k = key.to_ascii_lowercase().replace('-', "_");
    let canonical = match k.as_str() {
        "username_github" | "sername_github" | "usernamegithub" | "user_github" | "github" => {
            "github"
        }
        "username_twitter" | "sername_twitter" | "usernametwitter" | "user_twitter" | "twitter" => {
            "twitter"
        }
        _ => return None,
    };
    let exact = key == "username_github" || key == "username_twitter";
    Some((canonical, !exact && k != "github" && k != "twitter"))
}

/// The GitHub or Twitter user a profile URL points to (`https://github.com/k-nut` →
/// (`github`, `k-nut`)); `None` for repositories, searches and other pages.
pub(crate) fn handle_in_url(url: &str) -> Option<(&'static str, String)> {
    let u = url::Url::parse(url).ok()?;
    let host = u
        .host_str()?
        .trim_start_matches("www.")
        .to_ascii_lowercase();
    let kind = match host.as_str() {
        "github.com" => "github",
        "twitter.com" | "x.com" | "mobile.twitter.com" => "twitter",
        _ => return None,
    };
    let segments: Vec<&str> = u.path_segments()?.filter(|s| !s.is_empty()).collect();
    if u.query().is_some() || segments.len() != 1 {
        return None;
    }
    let h = segments[0].trim_start_matches('@');
    let reserved = [
        "orgs", "search", "explore", "settings", "home", "intent", "share", "hashtag", "i",
    ];
    if h.is_empty()
        || reserved.contains(&h)
        || !h
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    Some((kind, h.to_owned()))
}

fn link_name_for(url: &str) -> String {
    if url.starts_with("mailto:") {
        return "E-Mail".into();
    }
    match handle_in_url(url) {
        Some(("github", _)) => "GitHub".into(),
        Some(("twitter", _)) => "Twitter".into(),
        _ => super::fields::host_of(url),
    }
}

/// A name without a role note in parentheses (`Solveig Schröder (Orga)` → `Solveig
/// Schröder`) and without surrounding space.
pub(crate) fn clean_name(name: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.is_empty() {
        // `(Jürgen B.)`: the whole name in parentheses.
        return name
            .replace(['(', ')'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
    }
    out
}

/// True when a lead's name is a way to reach the lab rather than a person: `E-Mail`,
/// `Kontakt Allgemein`, `OK Lab München Team`, `temporärhaus-Vereinsvorstand` …
pub(crate) fn is_contact_name(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "mail",
        "email",
        "kontakt",
        "contact",
        "verteiler",
        "mailingliste",
        "newsletter",
        "team",
        "vorstand",
        "vereinsvorstand",
        "allgemein",
        "info",
        "orga",
        "lab",
        "oklab",
        "büro",
        "office",
    ];
    let lower = name.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| WORDS.contains(&w))
        || is_organisation(name)
}

/// Names that stand for a group, not a person (`Code for Germany`, `OK Lab Berlin`, `CfG
/// Community`).
pub(crate) fn is_organisation(name: &str) -> bool {
    let l = name.trim().to_lowercase();
    [
        "code for ",
        "ok lab",
        "oklab",
        "ok-lab",
        "cfg ",
        "open knowledge",
    ]
    .iter()
    .any(|p| l.starts_with(p))
        || l == "community"
}

/// The people in a post's `author` text: `Tim Fangmeyer & Knut Hühne - OK Lab Berlin,
/// Klara Juhl (Code for Osnabrück) et al.` → Tim Fangmeyer, Knut Hühne, Klara Juhl.
/// Lab and organisation notes, role notes and "et al." are dropped.
pub(crate) fn author_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let without_notes = clean_name(text);
    for part in without_notes
        .split([',', '&', ';', '/'])
        .flat_map(|p| p.split(" und "))
        .flat_map(|p| p.split(" and "))
    {
        let mut name = part.trim();
        // "Knut Hühne - OK Lab Berlin": the lab after a dash.
        if let Some((left, _)) = name.split_once(" - ") {
            name = left.trim();
        }
        let name = name
            .trim_end_matches("et al.")
            .trim_end_matches("et al")
            .trim();
        if name.is_empty() || is_organisation(name) || !name.chars().any(char::is_alphabetic) {
            continue;
        }
        let name = name.to_owned();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authors_split_sensibly() {
        assert_eq!(author_names("Fiona"), vec!["Fiona"]);
        assert_eq!(author_names("Eileen und Fiona"), vec!["Eileen", "Fiona"]);
        assert_eq!(
            author_names(
                "Tim Fangmeyer & Knut Hühne - OK Lab Berlin, Klara Juhl - OK Lab Osnabrück"
            ),
            vec!["Tim Fangmeyer", "Knut Hühne", "Klara Juhl"]
        );
        assert_eq!(
            author_names(
                "Klara Juhl (Code for Osnabrück), Jörg Reichert (Code for Leipzig), et al."
            ),
            vec!["Klara Juhl", "Jörg Reichert"]
        );
        assert_eq!(
            author_names("Jörg Reichert (Code for Leipzig) et al."),
            vec!["Jörg Reichert"]
        );
        assert_eq!(
            author_names("Nora Titz(Community Redakteurin)"),
            vec!["Nora Titz"]
        );
        assert_eq!(
            author_names("Felix Ebert, Code for Heilbronn"),
            vec!["Felix Ebert"]
        );
        assert_eq!(
            author_names("Claudia Jach, CfG Community"),
            vec!["Claudia Jach"]
        );
        assert_eq!(author_names("Code for Germany"), Vec::<String>::new());
        assert_eq!(author_names("Community"), Vec::<String>::new());
        assert_eq!(
            author_names("Ann-Cathrin & Sam"),
            vec!["Ann-Cathrin", "Sam"]
        );
        assert_eq!(author_names("hfs - OK Lab Potsdam"), vec!["hfs"]);
        assert_eq!(clean_name("(Jürgen B.)"), "Jürgen B.");
        assert_eq!(clean_name(" Daniel "), "Daniel");
    }

    #[test]
    fn contact_names() {
        for n in [
            "E-Mail",
            "Kontakt",
            "Kontakt Allgemein",
            "E-Mail-Verteiler",
            "OK Lab München Team",
            "temporärhaus-Vereinsvorstand",
            "Contact",
            "Mail",
        ] {
            assert!(is_contact_name(n), "{n}");
        }
        for n in [
            "Martin Koll",
            "Solveig Schröder (Orga)",
            "Morris",
            "Dr. Christian Knebel",
            "Marco Maas (Ehrenpräsident)",
        ] {
            assert!(!is_contact_name(&clean_name(n)), "{n}");
        }
    }

    #[test]
    fn handles_from_urls() {
        assert_eq!(
            handle_in_url("https://github.com/k-nut"),
            Some(("github", "k-nut".into()))
        );
        assert_eq!(
            handle_in_url("https://twitter.com/aCandidMind/"),
            Some(("twitter", "aCandidMind".into()))
        );
        assert_eq!(handle_in_url("https://github.com/okfde/codefor.de"), None);
        assert_eq!(handle_in_url("https://twitter.com/search?q=x"), None);
        assert_eq!(handle_in_url("mailto:a@b.de"), None);
        assert_eq!(handle_key("sername-twitter"), Some(("twitter", true)));
        assert_eq!(handle_key("username-github"), Some(("github", true)));
        assert_eq!(handle_key("username_github"), Some(("github", false)));
        assert_eq!(handle_key("name"), None);
    }

    #[test]
    fn registry_merges_by_key() {
        let mut r = Registry::default();
        let mut w = Vec::new();
        let a = Person {
            name: "Knut Hühne".into(),
            github: Some("k-nut".into()),
            ..Person::default()
        };
        let b = Person {
            name: "knut huehne".into(),
            twitter: Some("knut".into()),
            github: Some("other".into()),
            ..Person::default()
        };
        assert_eq!(
            r.add(a, "a.md", None, &mut w).as_deref(),
            Some("knut-huehne")
        );
        assert_eq!(
            r.add(b, "b.md", Some(3), &mut w).as_deref(),
            Some("knut-huehne")
        );
        let people = r.into_people();
        assert_eq!(people.len(), 1);
        assert_eq!(people[0].name, "Knut Hühne");
        assert_eq!(people[0].github.as_deref(), Some("k-nut"));
        assert_eq!(people[0].twitter.as_deref(), Some("knut"));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].what.contains("`other`") && w[0].what.contains("a.md"),
            "{w:?}"
        );
    }
}
