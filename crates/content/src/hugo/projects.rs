//! Projects: `content/projekte/YYYY-MM-DD-<name>.md`, served at `/projekte/<name>/`.

use std::collections::BTreeMap;

use codefor_domain::people::Role;
use codefor_domain::{PersonRef, Project, ProjectStatus};

use super::fields::{self, Fm};
use super::people::person_of;
use super::{Ctx, Doc};
use crate::report::ParseError;

pub(crate) fn read(ctx: &mut Ctx, file: &str, text: &str) -> Result<Doc<Project>, ParseError> {
    let (split, source) = ctx.parse(file, text)?;
    let empty = serde_json::Map::new();
    let fm = Fm {
        file,
        split,
        map: source.as_object().unwrap_or(&empty),
    };
    let mut warnings = Vec::new();

    let named = super::posts::name_and_date(ctx, &fm, "projekte", &mut warnings)?;
    let slug = named.slug;

    let title = match fm.str("title")? {
        Some(t) => t,
        None => {
            warnings.push(fm.warning(
                None,
                "project without `title`",
                format!("titled it `{slug}`"),
            ));
            slug.clone()
        }
    };
    let labs = super::posts::lab_refs(ctx, &fm, &["lab", "labs"])?;

    let status_text = fm.str("status")?;
    let status = status_text
        .as_deref()
        .and_then(ProjectStatus::from_free_text);
    if let (Some(text), None) = (&status_text, status) {
        warnings.push(fm.warning(
            Some("status"),
            format!("status `{text}` not recognised"),
            "kept as text, no status",
        ));
    }

    let image = match fm.str("imgname")? {
        Some(name) => {
            let path = format!("projects/{}", fields::media_path(&name));
            Some(ctx.check_media(&fm, "imgname", &path))
        }
        None => None,
    };

    let mut collaborators: Vec<PersonRef> = Vec::new();
    let mut seen = BTreeMap::new();
    for key in ["collaborators", "colaborators"] {
        let list = fm.map_list(key)?;
        if key == "colaborators" && fm.get(key).is_some() {
            warnings.push(fm.warning(
                Some(key),
                "misspelled key `colaborators`",
                "read as `collaborators`",
            ));
        }
        for m in list {
            match person_of(&fm, key, m, &mut seen, &mut warnings) {
                Some(person) => {
                    let line = fm.split.line_mentioning(&person.name);
                    if let Some(k) = ctx.people.add(person, file, line, &mut warnings)
                        && !collaborators.iter().any(|r| r.key == k)
                    {
                        collaborators.push(PersonRef {
                            key: k,
                            role: Role::Collaborator,
                        });
                    }
                }
                None if m
                    .values()
                    .all(|v| fields::scalar_text(v).is_some_and(|t| t.is_empty())) =>
                {
                    warnings.push(fm.warning(
                        Some(key),
                        format!("empty entry in `{key}`"),
                        "skipped; delete it",
                    ));
                }
                None => {
                    warnings.push(fm.warning(Some(key), "collaborator without a name", "skipped"))
                }
            }
        }
    }
    let url_names = fm.nested_lines("url-name");
    if let Some(&line) = url_names.first() {
        warnings.push(crate::report::Warning::new(
            file,
            Some(line),
            format!(
                "links use `url-name` instead of `name` ({}×)",
                url_names.len()
            ),
            "read as `name`",
        ));
    }
    ctx.collaborators
        .extend(collaborators.into_iter().map(|r| (file.to_owned(), r)));

    let (development_status, maintenance, looking_for_people) =
        match status.map(ProjectStatus::split) {
            Some((d, m, l)) => (Some(d), m, l),
            None => (None, None, false),
        };
    let topics = super::posts::dedup(fm.str_list("tags")?);
    let links = fields::links(&fm, "links", "name", &mut warnings)?;
    // The first link that points at a repository on a known forge is the repository.
    let repository_url = links
        .iter()
        .find_map(|l| codefor_domain::repositories::recognise(&l.url))
        .map(|r| r.web_url);
    let project = Project {
        slug,
        title,
        summary: fm.str("excerpt")?.or(fm.str("description")?),
        body_md: fm.split.body.to_owned(),
        body_html: String::new(),
        labs,
        development_status,
        maintenance,
        looking_for_people,
        status_text,
        themes: codefor_domain::projects::themes_of_tags(&topics),
        topics,
        links,
        repository_url,
        image,
        showcase: fm.bool("showcase", &mut warnings)?.unwrap_or(false),
        draft: super::posts::draft(&fm, &mut warnings)?,
        date: named.date,
        source: source.clone(),
    };
    ctx.warnings.extend(warnings);
    Ok(Doc {
        file: file.to_owned(),
        body_line: fm.split.body_line,
        record: project,
    })
}

/// Projects sharing a URL: see [`super::posts::resolve_duplicates`].
pub(crate) fn resolve_duplicates(
    projects: &mut Vec<Doc<Project>>,
    ctx: &mut Ctx,
) -> BTreeMap<String, String> {
    super::posts::dedupe(
        projects,
        "projekte",
        |p| {
            (
                p.slug.as_str(),
                p.title.as_str(),
                p.body_md.as_str(),
                p.draft,
            )
        },
        |p, s| p.slug = s,
        ctx,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hugo::Config;

    #[test]
    fn reads_a_project() {
        let mut c = Ctx::new(Config {
            filename_date_first: true,
        });
        let text = "---
layout: project
lab: [giessen, darmstadt]
imgname: gi/x.png
title: Mietspiegel
status: Laufend, sucht Mitmacher
showcase: true
excerpt: Kurz.
tags:
- Gesellschaft
links:
- url: https://github.com/CodeForGiessen/mietspiegel
  name: Repository
colaborators:
- name: Florian Kolb
  links:
  - url: https://github.com/toxic2302
    url-name: GitHub
---
Text
";
        let d = read(
            &mut c,
            "content/projekte/2017-03-02-gi-Mietspiegel.md",
            text,
        )
        .unwrap();
        let p = &d.record;
        assert_eq!(p.slug, "gi-mietspiegel");
        assert_eq!(p.date.as_deref(), Some("2017-03-02"));
        assert_eq!(p.labs, vec!["giessen", "darmstadt"]);
        assert_eq!(
            p.development_status,
            Some(codefor_domain::DevelopmentStatus::Development)
        );
        assert!(p.looking_for_people);
        assert_eq!(p.themes, vec!["gesellschaft"]);
        assert_eq!(
            p.repository_url.as_deref(),
            Some("https://github.com/CodeForGiessen/mietspiegel")
        );
        assert_eq!(p.status_text.as_deref(), Some("Laufend, sucht Mitmacher"));
        assert_eq!(p.image.as_deref(), Some("projects/gi/x.png"));
        assert!(p.showcase && !p.draft);
        assert_eq!(p.summary.as_deref(), Some("Kurz."));
        assert_eq!(p.topics, vec!["Gesellschaft"]);
        assert_eq!(p.links[0].name, "Repository");
        assert_eq!(
            c.collaborators,
            vec![(
                "content/projekte/2017-03-02-gi-Mietspiegel.md".to_owned(),
                PersonRef {
                    key: "florian-kolb".into(),
                    role: Role::Collaborator
                }
            )]
        );
        let people = std::mem::take(&mut c.people).into_people();
        assert_eq!(people[0].github.as_deref(), Some("toxic2302"));
        assert_eq!(people[0].links[0].name, "GitHub");
        let whats: Vec<&str> = c.warnings.iter().map(|w| w.what.as_str()).collect();
        assert!(
            whats.contains(&"missing file /projects/gi/x.png (from `imgname`)"),
            "{whats:?}"
        );
        assert!(
            whats.contains(&"misspelled key `colaborators`"),
            "{whats:?}"
        );
        assert!(
            whats.iter().any(|w| w.starts_with("links use `url-name`")),
            "{whats:?}"
        );
        assert_eq!(c.lab_refs.len(), 2);
    }

    #[test]
    fn unknown_status_and_int_draft() {
        let mut c = Ctx::new(Config {
            filename_date_first: true,
        });
        let d = read(
            &mut c,
            "content/projekte/2021-01-01-x.md",
            "---\ntitle: X\nstatus: 3. September 2021\ndraft: 1\n---\n",
        )
        .unwrap();
        assert_eq!(d.record.development_status, None);
        assert_eq!(d.record.status_text.as_deref(), Some("3. September 2021"));
        assert!(d.record.draft);
        let w: Vec<String> = c.warnings.iter().map(ToString::to_string).collect();
        assert!(w.contains(&"content/projekte/2021-01-01-x.md:3: status `3. September 2021` not recognised; kept as text, no status".to_owned()), "{w:?}");
        assert!(
            w.iter()
                .any(|w| w.contains(":4: `draft: 1` is not true/false; read as true")),
            "{w:?}"
        );
    }
}
