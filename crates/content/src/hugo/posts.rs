//! Blog posts: `content/blog/YYYY-MM-DD-<name>.md`, served at `/blog/<name>/`. Also the
//! file-name rules posts and projects share (slug and date from the file name, as Hugo's
//! `:filename` date handler does), and what to do when two files want one URL.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use codefor_domain::people::{Role, person_key};
use codefor_domain::{PersonRef, Post};

use super::fields::{self, FileDate, Fm};
use super::people::author_names;
use super::{Ctx, Doc};
use crate::report::{ParseError, Warning};

pub(crate) fn read(ctx: &mut Ctx, file: &str, text: &str) -> Result<Doc<Post>, ParseError> {
    let (split, source) = ctx.parse(file, text)?;
    let empty = serde_json::Map::new();
    let fm = Fm {
        file,
        split,
        map: source.as_object().unwrap_or(&empty),
    };
    let mut warnings = Vec::new();

    let named = name_and_date(ctx, &fm, "blog", &mut warnings)?;
    let title = match fm.str("title")? {
        Some(t) => t,
        None => {
            warnings.push(fm.warning(
                None,
                "post without `title`",
                format!("titled it `{}`", named.slug),
            ));
            named.slug.clone()
        }
    };
    let date = match named.date {
        Some(d) => d,
        None => {
            warnings.push(fm.warning(
                None,
                "post without a date (no `date`, none in the file name)",
                "date left empty",
            ));
            String::new()
        }
    };

    let author = fm.str("author")?;
    for name in author.as_deref().map(author_names).unwrap_or_default() {
        let person = codefor_domain::Person {
            key: person_key(&name),
            name,
            ..Default::default()
        };
        let line = Some(fm.line("author"));
        if let Some(key) = ctx.people.add(person, file, line, &mut warnings) {
            ctx.authors.push((
                file.to_owned(),
                PersonRef {
                    key,
                    role: Role::Author,
                },
            ));
        }
    }

    if fm.get("Lab").is_some() {
        warnings.push(fm.warning(Some("Lab"), "misspelled key `Lab`", "read as `lab`"));
    }
    let labs = lab_refs(ctx, &fm, &["lab", "Lab", "labs"])?;

    let mut topics = Vec::new();
    for t in fm
        .str_list("topic")?
        .into_iter()
        .chain(fm.str_list("topics")?)
    {
        topics.extend(
            t.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
    }
    topics.extend(fm.str_list("tags")?);

    let image = image(ctx, &fm, &mut warnings)?;

    let post = Post {
        slug: named.slug,
        title,
        date,
        author,
        summary: fm.str("excerpt")?.or(fm.str("description")?),
        body_md: fm.split.body.to_owned(),
        body_html: String::new(),
        labs,
        topics: dedup(topics),
        image,
        draft: draft(&fm, &mut warnings)?,
        lang: fm.str("lang")?.unwrap_or_else(|| "de".to_owned()),
        source: source.clone(),
    };
    ctx.warnings.extend(warnings);
    Ok(Doc {
        file: file.to_owned(),
        body_line: fm.split.body_line,
        record: post,
    })
}

/// The lead picture: the first of `images` (each `{imgname}` under `static/blog/`), else
/// `og_image`. Every picture named is checked.
fn image(
    ctx: &mut Ctx,
    fm: &Fm,
    warnings: &mut Vec<Warning>,
) -> Result<Option<String>, ParseError> {
    let mut first = None;
    if let Some(v) = fm.get("images") {
        let Value::Array(items) = v else {
            return Err(fm.error(
                "images",
                format!("expected a list, found {}", fields::kind(v)),
            ));
        };
        for item in items {
            let name = match item {
                Value::Object(m) => {
                    fields::text_in(m, "imgname").or_else(|| fields::text_in(m, "src"))
                }
                Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
                Value::Null => None,
                other => {
                    return Err(fm.error(
                        "images",
                        format!(
                            "expected pictures, found {} in the list",
                            fields::kind(other)
                        ),
                    ));
                }
            };
            let Some(name) = name else { continue };
            let path = fields::media_path(&name);
            let path = if path.starts_with("blog/") {
                path
            } else {
                format!("blog/{path}")
            };
            let line = fm.split.line_mentioning(&name);
            let path = ctx.check_media_at(fm, "images", line, &path);
            first.get_or_insert(path);
        }
    }
    let mut og = None;
    for key in ["og_image", "og-image"] {
        let Some(name) = fm.str(key)? else { continue };
        if key == "og-image" {
            warnings.push(fm.warning(Some(key), "misspelled key `og-image`", "read as `og_image`"));
        }
        // `/blog/x.jpg` and `/static/blog/x.jpg` name the file fully; a bare `x.jpg` is
        // under `static/blog/` like `images`.
        let path = fields::media_path(&name);
        let rooted = name.trim_start().starts_with('/') || path.starts_with("blog/");
        let path = if rooted { path } else { format!("blog/{path}") };
        let line = Some(fm.line(key));
        og.get_or_insert(ctx.check_media_at(fm, key, line, &path));
    }
    Ok(first.or(og))
}

/// `draft: true`, or `published: false` (Hugo reads both).
pub(crate) fn draft(fm: &Fm, warnings: &mut Vec<Warning>) -> Result<bool, ParseError> {
    let draft = fm.bool("draft", warnings)?.unwrap_or(false);
    let unpublished = fm.bool("published", warnings)? == Some(false);
    Ok(draft || unpublished)
}

/// Lab slugs from the first of `keys` present (a text or a list); each is recorded for the
/// check against the labs that exist.
pub(crate) fn lab_refs(ctx: &mut Ctx, fm: &Fm, keys: &[&str]) -> Result<Vec<String>, ParseError> {
    let mut out = Vec::new();
    for key in keys {
        let line = fm.line(key);
        for lab in fm.str_list(key)? {
            let slug = fields::hugo_segment(&lab);
            if !slug.is_empty() && !out.contains(&slug) {
                ctx.lab_refs.push((fm.file.to_owned(), line, slug.clone()));
                out.push(slug);
            }
        }
    }
    Ok(out)
}

pub(crate) fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Slug and date of a dated content file.
pub(crate) struct Named {
    pub slug: String,
    pub date: Option<String>,
}

/// Slug and date as Hugo derived them (`frontmatter.date` order from the config, the slug
/// from the file name without its date unless `slug`/`url` say otherwise), made into a
/// valid slug. When our URL differs from the one Hugo served, the old one is recorded for
/// a redirect.
pub(crate) fn name_and_date(
    ctx: &mut Ctx,
    fm: &Fm,
    section: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Named, ParseError> {
    let stem = fm
        .file
        .rsplit('/')
        .next()
        .unwrap_or(fm.file)
        .trim_end_matches(".md");
    // Hugo reads `name.de.md` as the German version of `name`, and in general cuts the
    // name at its last dot (`jedeschule-2.0.md` was served at `/projekte/jedeschule-2/`):
    // keep those URLs.
    let stem = match stem.rsplit_once('.') {
        Some((head, _)) if !head.is_empty() => head,
        _ => stem,
    };
    let file_date = fields::file_date(stem);
    let (base, hugo_base) = match &file_date {
        FileDate::Valid { rest, .. } => (rest.clone(), rest.clone()),
        FileDate::Invalid { rest, .. } => (rest.clone(), stem.to_owned()),
        FileDate::None => (stem.to_owned(), stem.to_owned()),
    };
    let (segment, hugo_path) = match (fm.str("url")?, fm.str("slug")?) {
        (Some(url), _) => {
            let last = url
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_owned();
            (
                fields::hugo_segment(&last),
                codefor_domain::redirects::normalize_path(&url),
            )
        }
        (None, Some(slug)) => {
            let seg = fields::hugo_segment(&slug);
            (seg.clone(), format!("/{section}/{seg}/"))
        }
        (None, None) => (
            fields::hugo_segment(&base),
            format!("/{section}/{}/", fields::hugo_segment(&hugo_base)),
        ),
    };
    let segment = if segment.is_empty() {
        fields::hugo_segment(stem)
    } else {
        segment
    };
    let (slug, _) = fields::slug_from_segment(&segment);
    let our_path = format!("/{section}/{slug}/");
    let is_draft = draft(fm, &mut Vec::new())?;

    let fm_date = fm.date("date")?;
    let date = match &file_date {
        FileDate::Valid { date, .. } => {
            if let Some(d) = fm_date.as_ref().filter(|d| *d != date) {
                let (used, ignored) = if ctx.config.filename_date_first {
                    (date, d)
                } else {
                    (d, date)
                };
                warnings.push(fm.warning(
                    Some("date"),
                    format!("`date` {d} differs from the file name's {date}"),
                    format!("used {used} as Hugo did (config frontmatter.date); {ignored} ignored"),
                ));
                Some(used.clone())
            } else {
                Some(date.clone())
            }
        }
        FileDate::Invalid { text, .. } => {
            let swapped = format!("{}-{}-{}", &text[..4], &text[8..10], &text[5..7]);
            let what = if text == "0001-01-01" {
                format!("file name date {text} is Hugo's \"no date\"")
            } else if fields::valid_ymd(&swapped) {
                format!(
                    "file name date {text} is not a calendar date ({swapped}, day and month swapped?)"
                )
            } else {
                format!("file name date {text} is not a calendar date")
            };
            let action = match &fm_date {
                Some(d) => format!("date {d} from `date`"),
                None => "no date".to_owned(),
            };
            let moved = if hugo_path != our_path && !is_draft {
                format!("; served at {our_path}, Hugo's {hugo_path} redirected")
            } else {
                String::new()
            };
            warnings.push(fm.warning(None, what, format!("{action}{moved}")));
            fm_date.or_else(|| (text == "0001-01-01").then(|| text.clone()))
        }
        FileDate::None => fm_date,
    };

    if hugo_path != our_path && !is_draft {
        if !matches!(file_date, FileDate::Invalid { .. }) {
            warnings.push(fm.warning(
                None,
                format!("Hugo served this at {hugo_path}, which is not a valid slug"),
                format!("served at {our_path}; the old URL redirects"),
            ));
        }
        ctx.hugo_paths.push((fm.file.to_owned(), hugo_path));
    }
    Ok(Named { slug, date })
}

/// Two posts (or projects) with one URL. Hugo wrote both to the same place, so one
/// silently replaced the other. We keep both unless they are the same text:
///
/// - published before drafts, then by file name: the first keeps the slug (and the old
///   URL, which belongs to it);
/// - a later one with the same title and body is a copy: skipped;
/// - a later different one gets `<slug>-2` (`-3`, …).
///
/// Returns dropped file → kept file.
pub(crate) fn resolve_duplicates(
    posts: &mut Vec<Doc<Post>>,
    ctx: &mut Ctx,
) -> BTreeMap<String, String> {
    dedupe(
        posts,
        "blog",
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

pub(crate) fn dedupe<T>(
    docs: &mut Vec<Doc<T>>,
    section: &str,
    key: impl for<'a> Fn(&'a T) -> (&'a str, &'a str, &'a str, bool),
    set_slug: impl Fn(&mut T, String),
    ctx: &mut Ctx,
) -> BTreeMap<String, String> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        groups
            .entry(key(&d.record).0.to_owned())
            .or_default()
            .push(i);
    }
    let mut taken: BTreeSet<String> = groups.keys().cloned().collect();
    let mut dropped: BTreeMap<String, String> = BTreeMap::new();
    let mut renames: Vec<(usize, String)> = Vec::new();
    for (slug, mut idx) in groups {
        if idx.len() < 2 {
            continue;
        }
        idx.sort_by(|&a, &b| {
            key(&docs[a].record)
                .3
                .cmp(&key(&docs[b].record).3)
                .then(docs[a].file.cmp(&docs[b].file))
        });
        let first = idx[0];
        let mut kept = vec![first];
        for &i in &idx[1..] {
            let (_, title, body, _) = key(&docs[i].record);
            let copy_of = kept.iter().copied().find(|&k| {
                let (_, t, b, _) = key(&docs[k].record);
                t == title && b.trim() == body.trim()
            });
            if let Some(k) = copy_of {
                ctx.warnings.push(Warning::new(
                    &docs[i].file,
                    None,
                    format!(
                        "same URL /{section}/{slug}/, title and text as {}",
                        docs[k].file
                    ),
                    format!("duplicate of {}, skipped", docs[k].file),
                ));
                dropped.insert(docs[i].file.clone(), docs[k].file.clone());
                continue;
            }
            let mut n = 2;
            while taken.contains(&format!("{slug}-{n}")) {
                n += 1;
            }
            let new = format!("{slug}-{n}");
            taken.insert(new.clone());
            ctx.warnings.push(Warning::new(
                &docs[i].file,
                None,
                format!("URL /{section}/{slug}/ is also claimed by {} (Hugo published only one of them)", docs[first].file),
                format!("served at /{section}/{new}/; /{section}/{slug}/ stays with {}", docs[first].file),
            ));
            renames.push((i, new));
            kept.push(i);
        }
    }
    for (i, new) in renames {
        set_slug(&mut docs[i].record, new);
    }
    docs.retain(|d| !dropped.contains_key(&d.file));
    dropped
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

    #[test]
    fn reads_a_post() {
        let mut c = ctx();
        let text = "---
title: Hallo
author: Tim Fangmeyer & Knut Hühne - OK Lab Berlin
topic: community, project
tags: [Open Data]
Lab: [berlin]
images:
- imgname: stories/a.jpg
  sub: x
og-image: /static/blog/b.jpg
excerpt: Kurz
lang: en
published: false
aliases:
- /stadtgeschichten/x/
---
Body
";
        let d = read(&mut c, "content/blog/2015-08-31-Story-X.md", text).unwrap();
        let p = &d.record;
        assert_eq!(p.slug, "story-x");
        assert_eq!(p.date, "2015-08-31");
        assert_eq!(
            p.author.as_deref(),
            Some("Tim Fangmeyer & Knut Hühne - OK Lab Berlin")
        );
        assert_eq!(p.topics, vec!["community", "project", "Open Data"]);
        assert_eq!(p.labs, vec!["berlin"]);
        assert_eq!(p.image.as_deref(), Some("blog/stories/a.jpg"));
        assert_eq!(p.summary.as_deref(), Some("Kurz"));
        assert_eq!(p.lang, "en");
        assert!(p.draft);
        let authors: Vec<&str> = c.authors.iter().map(|(_, r)| r.key.as_str()).collect();
        assert_eq!(authors, vec!["tim-fangmeyer", "knut-huehne"]);
        let whats: Vec<String> = c.warnings.iter().map(ToString::to_string).collect();
        for want in [
            "content/blog/2015-08-31-Story-X.md:6: misspelled key `Lab`; read as `lab`",
            "content/blog/2015-08-31-Story-X.md:10: misspelled key `og-image`; read as `og_image`",
            "content/blog/2015-08-31-Story-X.md:8: missing file /blog/stories/a.jpg (from `images`); kept the reference; pages show a placeholder",
            "content/blog/2015-08-31-Story-X.md:10: missing file /blog/b.jpg (from `og-image`); kept the reference; pages show a placeholder",
        ] {
            assert!(whats.contains(&want.to_owned()), "{want}\n{whats:#?}");
        }
        assert_eq!(c.aliases.len(), 1);
    }

    #[test]
    fn dates_by_config_order() {
        let text = "---\ntitle: X\ndate: 2023-01-08T08:00:00+02:00\n---\n";
        let mut c = ctx();
        let d = read(&mut c, "content/blog/2024-01-08-x.md", text).unwrap();
        assert_eq!(d.record.date, "2024-01-08");
        assert!(c.warnings[0].what.contains("differs"), "{:?}", c.warnings);
        let mut c = Ctx::new(Config {
            filename_date_first: false,
        });
        let d = read(&mut c, "content/blog/2024-01-08-x.md", text).unwrap();
        assert_eq!(d.record.date, "2023-01-08");
        let mut c = ctx();
        let d = read(
            &mut c,
            "content/blog/x.md",
            "---\ntitle: X\ndate: 2014-07-14\n---\n",
        )
        .unwrap();
        assert_eq!(
            (d.record.slug.as_str(), d.record.date.as_str()),
            ("x", "2014-07-14")
        );
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let e = read(
            &mut c,
            "content/blog/x.md",
            "---\ntitle: X\ndate: [1]\n---\n",
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("date"));
    }

    #[test]
    fn invalid_file_name_date_keeps_hugo_url_as_redirect() {
        let mut c = ctx();
        let d = read(
            &mut c,
            "content/blog/2021-09-31-out-in-the-open.md",
            "---\ntitle: X\ndate: '2021-09-29T10:00:00+02:00'\n---\n",
        )
        .unwrap();
        assert_eq!(d.record.slug, "out-in-the-open");
        assert_eq!(d.record.date, "2021-09-29");
        assert_eq!(
            c.hugo_paths,
            vec![(
                "content/blog/2021-09-31-out-in-the-open.md".to_owned(),
                "/blog/2021-09-31-out-in-the-open/".to_owned()
            )]
        );
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(c.warnings[0].what.contains("not a calendar date"));

        let mut c = ctx();
        let d = read(
            &mut c,
            "content/blog/0001-01-01-mein-post.md",
            "---\ntitle: X\ndraft: true\n---\n",
        )
        .unwrap();
        assert_eq!(
            (d.record.slug.as_str(), d.record.date.as_str()),
            ("mein-post", "0001-01-01")
        );
        assert!(c.hugo_paths.is_empty());
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    }

    #[test]
    fn non_ascii_slug_is_transliterated_with_redirect() {
        let mut c = ctx();
        let d = read(
            &mut c,
            "content/blog/2018-04-26-Erklärung-NDAs.md",
            "---\ntitle: X\n---\n",
        )
        .unwrap();
        assert_eq!(d.record.slug, "erklaerung-ndas");
        assert_eq!(c.hugo_paths[0].1, "/blog/erklärung-ndas/");
        let d = read(
            &mut c,
            "content/blog/2014-06-20-civic_tech.md",
            "---\ntitle: X\n---\n",
        )
        .unwrap();
        assert_eq!(d.record.slug, "civic_tech");
        let d = read(
            &mut c,
            "content/blog/2016-11-04-labs Kopie.md",
            "---\ntitle: X\nslug: Eigener Slug\n---\n",
        )
        .unwrap();
        assert_eq!(d.record.slug, "eigener-slug");
    }

    fn post(file: &str, title: &str, body: &str) -> Doc<Post> {
        let mut c = ctx();
        read(&mut c, file, &format!("---\ntitle: {title}\n---\n{body}")).unwrap()
    }

    #[test]
    fn duplicate_urls() {
        let mut c = ctx();
        let mut posts = vec![
            post("content/blog/2014-10-06-codeweek.md", "A", "a"),
            post("content/blog/2014-10-31-codeweek.md", "B", "b"),
            post("content/blog/2015-01-01-codeweek.md", "A", "a\n"),
            post("content/blog/2015-01-01-codeweek-2.md", "C", "c"),
            post("content/blog/2016-01-01-other.md", "A", "a"),
        ];
        let dropped = resolve_duplicates(&mut posts, &mut c);
        let slugs: Vec<&str> = posts.iter().map(|p| p.record.slug.as_str()).collect();
        assert_eq!(slugs, vec!["codeweek", "codeweek-3", "codeweek-2", "other"]);
        assert_eq!(
            dropped
                .get("content/blog/2015-01-01-codeweek.md")
                .map(String::as_str),
            Some("content/blog/2014-10-06-codeweek.md")
        );
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert!(c.warnings.iter().any(|w| w.action == "served at /blog/codeweek-3/; /blog/codeweek/ stays with content/blog/2014-10-06-codeweek.md"), "{:?}", c.warnings);
        assert!(
            c.warnings
                .iter()
                .any(|w| w.action == "duplicate of content/blog/2014-10-06-codeweek.md, skipped"),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn drafts_yield_the_url() {
        let mut c = ctx();
        let mut a = post("content/blog/2014-10-06-x.md", "A", "a");
        a.record.draft = true;
        let mut posts = vec![a, post("content/blog/2015-10-06-x.md", "B", "b")];
        resolve_duplicates(&mut posts, &mut c);
        assert_eq!(posts[0].record.slug, "x-2");
        assert_eq!(posts[1].record.slug, "x");
    }
}
