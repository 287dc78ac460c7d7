//! Labs: `content/labs/<slug>.md`, served at `/<slug>/` (codefor.de's `permalinks: labs:
//! "/:filename"`).

use std::collections::BTreeMap;

use codefor_domain::people::Role;
use codefor_domain::{Lab, Link, PersonRef};

use super::fields::{self, Fm, text_in};
use super::geo::{self, Placement};
use super::people::{clean_name, is_contact_name, person_of};
use super::{Ctx, Doc};
use crate::report::ParseError;

pub(crate) fn read(ctx: &mut Ctx, file: &str, text: &str) -> Result<Doc<Lab>, ParseError> {
    let (split, source) = ctx.parse(file, text)?;
    let empty = serde_json::Map::new();
    let fm = Fm {
        file,
        split,
        map: source.as_object().unwrap_or(&empty),
    };
    let stem = file
        .rsplit('/')
        .next()
        .unwrap_or(file)
        .trim_end_matches(".md");
    let (slug, hugo) = fields::slug_from_segment(&fields::hugo_segment(stem));
    if let Some(old) = hugo {
        ctx.hugo_paths.push((file.to_owned(), format!("/{old}/")));
    }

    let city = fm.str("city")?.unwrap_or_default();
    let name = match fm.str("title")? {
        Some(t) => t,
        None => {
            let name = if city.is_empty() {
                slug.clone()
            } else {
                format!("OK Lab {city}")
            };
            ctx.warnings.push(fm.warning(
                None,
                "lab without `title`",
                format!("named it `{name}`"),
            ));
            name
        }
    };
    let mut lat = fm.f64("lat")?;
    let mut long = fm.f64("long")?.or(fm.f64("lng")?).or(fm.f64("lon")?);
    if let Some(v) = lat.filter(|v| !(-90.0..=90.0).contains(v)) {
        return Err(fm.error("lat", format!("latitude {v} is not between -90 and 90")));
    }
    if let Some(v) = long.filter(|v| !(-180.0..=180.0).contains(v)) {
        return Err(fm.error("long", format!("longitude {v} is not between -180 and 180")));
    }
    if lat.is_none() || long.is_none() {
        match geo::city_centre(&city) {
            Some((la, lo)) => {
                ctx.warnings.push(fm.warning(
                    None,
                    "no coordinates (`lat`/`long`)",
                    format!("placed at the city centre of {city} ({la}, {lo})"),
                ));
                lat = Some(la);
                long = Some(lo);
            }
            None => ctx.warnings.push(fm.warning(
                None,
                "no coordinates (`lat`/`long`) and the city is not in our table",
                "no map position, no federal state",
            )),
        }
    }
    let state_key = match (lat, long) {
        (Some(la), Some(lo)) => match geo::state_of(la, lo) {
            Placement::Inside(s) => Some(s.key.to_owned()),
            Placement::Near(s, km) => {
                ctx.warnings.push(fm.warning(
                    Some("lat"),
                    format!("coordinates {la}, {lo} lie {km:.1} km outside every state outline"),
                    format!("placed in the nearest state, {}", s.name),
                ));
                Some(s.key.to_owned())
            }
            Placement::Outside => {
                ctx.warnings.push(fm.warning(
                    Some("lat"),
                    format!("coordinates {la}, {lo} lie outside Germany's federal states"),
                    "no federal state",
                ));
                None
            }
        },
        _ => None,
    };

    let mut warnings = Vec::new();
    let active = !fm.bool("inactive", &mut warnings)?.unwrap_or(false);
    let hidden = fm.bool("hide", &mut warnings)?.unwrap_or(false);
    let links = fields::links(&fm, "links", "name", &mut warnings)?;
    let mut feeds = Vec::new();
    for m in fm.map_list("feeds")? {
        match (
            text_in(m, "type").or_else(|| text_in(m, "name")),
            text_in(m, "url"),
        ) {
            (Some(name), Some(url)) => feeds.push(Link { name, url }),
            (None, Some(url)) => feeds.push(Link {
                name: fields::host_of(&url),
                url,
            }),
            _ => warnings.push(fm.warning(Some("feeds"), "feed without a url", "skipped")),
        }
    }

    // `schedule` is free text, except where it names a data file of the old theme that
    // the site does not have: that is no meeting time to show.
    let meeting = match fm.str("schedule")? {
        Some(s)
            if [".json", ".yaml", ".yml", ".toml"]
                .iter()
                .any(|e| s.ends_with(e)) =>
        {
            warnings.push(fm.warning(
                Some("schedule"),
                format!("schedule names a data file ({s}), not a meeting time"),
                "left out; the lab's leads can enter their meetups",
            ));
            None
        }
        other => other,
    };
    let mut contacts = Vec::new();
    let mut seen_misspellings = BTreeMap::new();
    let mut refs: Vec<PersonRef> = Vec::new();
    for m in fm.map_list("leads")? {
        let raw_name = text_in(m, "name").unwrap_or_default();
        let name = clean_name(&raw_name);
        if name.is_empty() || is_contact_name(&name) {
            match text_in(m, "url") {
                Some(url) => {
                    let name = if raw_name.is_empty() {
                        "Kontakt".to_owned()
                    } else {
                        raw_name
                    };
                    contacts.push(Link { name, url });
                }
                None => warnings.push(fm.warning(
                    Some("leads"),
                    format!("lead `{raw_name}` without a name or url"),
                    "skipped",
                )),
            }
            continue;
        }
        if let Some(person) = person_of(&fm, "leads", m, &mut seen_misspellings, &mut warnings) {
            let line = fm.split.line_mentioning(&raw_name);
            if let Some(key) = ctx.people.add(person, file, line, &mut warnings) {
                push_ref(&mut refs, key, Role::Lead);
            }
        }
    }
    for m in fm.map_list("members")? {
        match person_of(&fm, "members", m, &mut seen_misspellings, &mut warnings) {
            Some(person) => {
                let line = fm.split.line_mentioning(&person.name);
                if let Some(key) = ctx.people.add(person, file, line, &mut warnings) {
                    push_ref(&mut refs, key, Role::Member);
                }
            }
            None => warnings.push(fm.warning(Some("members"), "member without a name", "skipped")),
        }
    }
    ctx.memberships
        .extend(refs.into_iter().map(|r| (slug.clone(), r)));
    ctx.warnings.extend(warnings);

    let lab = Lab {
        slug,
        name,
        city,
        state_key,
        latitude: lat,
        longitude: long,
        body_md: fm.split.body.to_owned(),
        body_html: String::new(),
        active,
        hidden,
        meeting,
        links,
        contacts,
        feeds,
        source: source.clone(),
    };
    Ok(Doc {
        file: file.to_owned(),
        body_line: fm.split.body_line,
        record: lab,
    })
}

fn push_ref(refs: &mut Vec<PersonRef>, key: String, role: Role) {
    if !refs.iter().any(|r| r.key == key && r.role == role) {
        refs.push(PersonRef { key, role });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hugo::Config;

    fn ctx() -> Ctx {
        Ctx::new(Config {
            filename_date_first: true,
        })
    }

    const LAB: &str = "---
city: Berlin
title: OK Lab Berlin
lat: \"52.498493\"
long: 13.381215
inactive: true
schedule: jeden Montag
aliases:
- /berlin
members:
- name: Thomas Schmidt
  username_github: netAction
  sername-twitter: netAction
- name: Meike Wocken
  username-github: micky-m
- name: Daniel
  links:
  - url: https://www.linkedin.com/in/x/
    name: Linkedin
links:
- name: Github
  url: https://github.com/codeforberlin
feeds:
- type: ical
  url: https://example.org/cal.ics
leads:
- name: E-Mail
  url: mailto:berlin@codefor.de
- name: Solveig Schröder (Orga)
  url: https://twitter.com/solveig
- name: Karen Tamrazyan
---

Body
";

    #[test]
    fn reads_a_lab() {
        let mut c = ctx();
        let d = read(&mut c, "content/labs/berlin.md", LAB).unwrap();
        let l = &d.record;
        assert_eq!(l.slug, "berlin");
        assert_eq!(l.name, "OK Lab Berlin");
        assert_eq!(l.city, "Berlin");
        assert_eq!(l.latitude, Some(52.498493));
        assert_eq!(l.state_key.as_deref(), Some("11"));
        assert!(!l.active);
        assert!(!l.hidden);
        assert_eq!(l.meeting.as_deref(), Some("jeden Montag"));
        assert_eq!(
            l.links,
            vec![Link {
                name: "Github".into(),
                url: "https://github.com/codeforberlin".into()
            }]
        );
        assert_eq!(
            l.feeds,
            vec![Link {
                name: "ical".into(),
                url: "https://example.org/cal.ics".into()
            }]
        );
        assert_eq!(
            l.contacts,
            vec![Link {
                name: "E-Mail".into(),
                url: "mailto:berlin@codefor.de".into()
            }]
        );
        assert_eq!(l.body_md, "\nBody\n");
        assert_eq!(d.body_line, 33);
        assert_eq!(l.source["aliases"][0], "/berlin");

        let roles: Vec<(&str, Role)> = c
            .memberships
            .iter()
            .map(|(s, r)| {
                assert_eq!(s, "berlin");
                (r.key.as_str(), r.role)
            })
            .collect();
        assert_eq!(
            roles,
            vec![
                ("solveig-schroeder", Role::Lead),
                ("karen-tamrazyan", Role::Lead),
                ("thomas-schmidt", Role::Member),
                ("meike-wocken", Role::Member),
                ("daniel", Role::Member),
            ]
        );
        let people = std::mem::take(&mut c.people).into_people();
        let thomas = people.iter().find(|p| p.key == "thomas-schmidt").unwrap();
        assert_eq!(
            (thomas.github.as_deref(), thomas.twitter.as_deref()),
            (Some("netAction"), Some("netAction"))
        );
        let solveig = people
            .iter()
            .find(|p| p.key == "solveig-schroeder")
            .unwrap();
        assert_eq!(solveig.name, "Solveig Schröder");
        assert_eq!(solveig.twitter.as_deref(), Some("solveig"));
        assert_eq!(solveig.links.len(), 1);
        assert_eq!(
            people
                .iter()
                .find(|p| p.key == "meike-wocken")
                .unwrap()
                .github
                .as_deref(),
            Some("micky-m")
        );

        let misspelled: Vec<_> = c
            .warnings
            .iter()
            .filter(|w| w.what.starts_with("misspelled key"))
            .collect();
        assert_eq!(misspelled.len(), 2, "{:?}", c.warnings);
        assert_eq!(misspelled[0].line, Some(13));
        assert!(misspelled[0].what.contains("`sername-twitter`"));
        assert_eq!(misspelled[1].line, Some(15));
        assert_eq!(
            c.aliases,
            vec![("content/labs/berlin.md".to_owned(), 8, "/berlin".to_owned())]
        );
    }

    #[test]
    fn lab_without_coordinates_is_placed_at_the_city_centre() {
        let mut c = ctx();
        let d = read(
            &mut c,
            "content/labs/paderborn.md",
            "---\ncity: Paderborn\ntitle: OK Lab Paderborn\nhide: true\n---\n",
        )
        .unwrap();
        assert_eq!(d.record.latitude, Some(51.7189));
        assert_eq!(d.record.state_key.as_deref(), Some("05"));
        assert!(d.record.hidden);
        assert!(d.record.active);
        assert_eq!(c.warnings.len(), 1);
        assert!(
            c.warnings[0].action.contains("city centre"),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn lab_abroad_has_no_state() {
        let mut c = ctx();
        let d = read(
            &mut c,
            "content/labs/paris.md",
            "---\ncity: Paris\ntitle: X\nlat: 48.85\nlong: 2.35\n---\n",
        )
        .unwrap();
        assert_eq!(d.record.state_key, None);
        assert!(c.warnings[0].what.contains("outside"), "{:?}", c.warnings);
    }

    #[test]
    fn bad_coordinates_are_fatal() {
        let mut c = ctx();
        let e = read(
            &mut c,
            "content/labs/x.md",
            "---\ntitle: X\n\nlat: abc\nlong: 1\n---\n",
        )
        .unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.field.as_deref()),
            ("content/labs/x.md", 4, Some("lat"))
        );
        let e = read(
            &mut c,
            "content/labs/x.md",
            "---\ntitle: X\nlat: 95\nlong: 1\n---\n",
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("lat"));
        let e = read(
            &mut c,
            "content/labs/x.md",
            "---\ntitle: X\nmembers: nobody\n---\n",
        )
        .unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (3, Some("members")));
    }
}
