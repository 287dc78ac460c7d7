//! The Hugo reader: a whole codefor.de checkout (`content/`, `static/`, `data/`,
//! `netlify.toml`, `config.yaml`) into domain records plus a report.
//!
//! Nothing here renders: `body_md` is the raw body (shortcodes as written), `body_html`
//! stays empty, and `source` is the whole front matter as JSON. The only fatal error is a
//! file that cannot be read at all (bad YAML/TOML, a known field of the wrong type);
//! everything else is handled and reported as a [`Warning`].
//!
//! Areas: [`labs`], [`projects`], [`posts`], [`pages`], [`redirects`], [`media`],
//! [`data`], [`geo`] (federal state of a lab), [`people`].

pub mod data;
mod fields;
pub mod geo;
pub mod labs;
pub mod media;
pub mod pages;
pub mod people;
pub mod posts;
pub mod projects;
pub mod redirects;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use codefor_domain::{Lab, MediaFile, Page, Person, PersonRef, Post, Project, Redirect};

use crate::frontmatter;
use crate::report::{ParseError, Warning};

/// One record and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc<T> {
    /// Path relative to the imported directory, e.g. `content/labs/berlin.md`.
    pub file: String,
    /// 1-based line of the body's first line in the file.
    pub body_line: usize,
    pub record: T,
}

/// A file under `data/`, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct DataFile {
    /// e.g. `data/projekte/01-klimadaten.yaml`.
    pub path: String,
    pub value: serde_json::Value,
}

/// Everything read from a Hugo checkout.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Site {
    pub labs: Vec<Doc<Lab>>,
    pub projects: Vec<Doc<Project>>,
    pub posts: Vec<Doc<Post>>,
    pub pages: Vec<Doc<Page>>,
    /// Deduplicated by [`codefor_domain::person_key`].
    pub people: Vec<Person>,
    /// (lab slug, person): lab leads and members.
    pub memberships: Vec<(String, PersonRef)>,
    /// (project slug, person).
    pub collaborators: Vec<(String, PersonRef)>,
    /// (post slug, person).
    pub authors: Vec<(String, PersonRef)>,
    pub redirects: Vec<Redirect>,
    pub media: Vec<MediaFile>,
    pub data_files: Vec<DataFile>,
    pub warnings: Vec<Warning>,
    /// Content file (relative to `content/`) → URL path, including files that were not
    /// imported because they duplicate another.
    file_urls: BTreeMap<String, String>,
}

impl Site {
    /// The URL path a content file is served at: `blog/2014-10-06-codeweek-eu.md` →
    /// `/blog/codeweek-eu/`, `labs/berlin.md` → `/berlin/`, `ressourcen/x.pdf` →
    /// `/ressourcen/x.pdf`. The path may also start with `content/`.
    pub fn url_of_file(&self, content_file: &str) -> Option<String> {
        let f = content_file
            .trim_start_matches("./")
            .trim_start_matches('/');
        let f = f.strip_prefix("content/").unwrap_or(f);
        if let Some(url) = self.file_urls.get(f) {
            return Some(url.clone());
        }
        self.media
            .iter()
            .any(|m| m.path == f)
            .then(|| format!("/{f}"))
    }
}

/// Reads the Hugo checkout at `dir`.
pub fn read(dir: &Path) -> Result<Site, ParseError> {
    let mut ctx = Ctx::new(read_config(dir)?);

    let mut media = BTreeMap::new();
    media::read_tree(dir, "static", &mut media, &mut ctx.warnings)?;
    media::read_tree(dir, "content", &mut media, &mut ctx.warnings)?;
    ctx.media = media;

    let files = content_files(dir)?;
    let mut labs = Vec::new();
    let mut projects = Vec::new();
    let mut posts = Vec::new();
    let mut pages = Vec::new();
    for (rel, text) in &files {
        let file = format!("content/{rel}");
        let parts: Vec<&str> = rel.split('/').collect();
        let name = parts.last().copied().unwrap_or("");
        let is_index = name == "_index.md";
        match parts.as_slice() {
            ["labs", _] if !is_index => labs.push(labs::read(&mut ctx, &file, text)?),
            ["projekte", _] if !is_index => projects.push(projects::read(&mut ctx, &file, text)?),
            ["blog", _] if !is_index => posts.push(posts::read(&mut ctx, &file, text)?),
            _ => pages.push(pages::read(&mut ctx, &file, rel, text)?),
        }
    }

    // Labs referenced from projects and posts.
    let lab_slugs: BTreeSet<&str> = labs
        .iter()
        .map(|d: &Doc<Lab>| d.record.slug.as_str())
        .collect();
    for (file, line, slug) in &ctx.lab_refs {
        if !lab_slugs.contains(slug.as_str()) {
            ctx.warnings.push(Warning::new(
                file,
                Some(*line),
                format!("lab `{slug}` does not exist (no content/labs/{slug}.md)"),
                "kept on the record; nothing to link to",
            ));
        }
    }

    // Duplicate URLs.
    let dropped_posts = posts::resolve_duplicates(&mut posts, &mut ctx);
    let dropped_projects = projects::resolve_duplicates(&mut projects, &mut ctx);

    let mut urls: BTreeMap<String, String> = BTreeMap::new();
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    let all = labs
        .iter()
        .map(|d| (&d.file, format!("/{}/", d.record.slug)))
        .chain(
            projects
                .iter()
                .map(|d| (&d.file, format!("/projekte/{}/", d.record.slug))),
        )
        .chain(
            posts
                .iter()
                .map(|d| (&d.file, format!("/blog/{}/", d.record.slug))),
        )
        .chain(
            pages
                .iter()
                .map(|d| (&d.file, pages::url_of(&d.record.path))),
        );
    for (file, url) in all {
        if let Some(other) = owners.get(&url) {
            ctx.warnings.push(Warning::new(
                file,
                None,
                format!("URL {url} is also the URL of {other}"),
                "both kept; fix one of them",
            ));
        } else {
            owners.insert(url.clone(), file.clone());
        }
        urls.insert(file.clone(), url);
    }
    for (dropped, kept) in dropped_posts.iter().chain(&dropped_projects) {
        if let Some(url) = urls.get(kept).cloned() {
            urls.insert(dropped.clone(), url);
        }
    }

    // People attached to records, by the record's final slug.
    let slug_of = |prefix: &str, file: &str| {
        urls.get(file).map(|u| {
            u.trim_start_matches(prefix)
                .trim_end_matches('/')
                .to_owned()
        })
    };
    let collaborators = std::mem::take(&mut ctx.collaborators)
        .into_iter()
        .filter_map(|(file, r)| {
            slug_of("/projekte/", &file)
                .filter(|_| !dropped_projects.contains_key(&file))
                .map(|s| (s, r))
        })
        .collect();
    let authors = std::mem::take(&mut ctx.authors)
        .into_iter()
        .filter_map(|(file, r)| {
            slug_of("/blog/", &file)
                .filter(|_| !dropped_posts.contains_key(&file))
                .map(|s| (s, r))
        })
        .collect();

    let netlify = redirects::netlify(dir, &mut ctx.warnings)?;
    let redirects = redirects::assemble(
        &ctx.aliases,
        &ctx.hugo_paths,
        netlify,
        &urls,
        &ctx.media,
        &mut ctx.warnings,
    );

    let data_files = data::read(dir, &mut ctx.warnings)?;

    let mut warnings = ctx.warnings;
    warnings.sort();
    warnings.dedup();
    Ok(Site {
        labs,
        projects,
        posts,
        pages,
        people: ctx.people.into_people(),
        memberships: ctx.memberships,
        collaborators,
        authors,
        redirects,
        media: ctx.media.into_values().collect(),
        data_files,
        warnings,
        file_urls: urls
            .into_iter()
            .map(|(file, url)| (file.trim_start_matches("content/").to_owned(), url))
            .collect(),
    })
}

/// State shared by the areas while reading.
pub(crate) struct Ctx {
    pub warnings: Vec<Warning>,
    pub people: people::Registry,
    pub media: BTreeMap<String, MediaFile>,
    pub config: Config,
    pub memberships: Vec<(String, PersonRef)>,
    /// (project file, person), resolved to slugs once duplicates are settled.
    pub collaborators: Vec<(String, PersonRef)>,
    /// (post file, person).
    pub authors: Vec<(String, PersonRef)>,
    /// (file, line, alias as written): resolved to the doc's final URL at the end.
    pub aliases: Vec<(String, usize, String)>,
    /// (file, path Hugo served it at) for docs whose URL changed (invalid file name date,
    /// non-ASCII slug): redirected to the doc's final URL.
    pub hugo_paths: Vec<(String, String)>,
    /// (file, line, lab slug) for every lab a project or post names.
    pub lab_refs: Vec<(String, usize, String)>,
}

impl Ctx {
    pub(crate) fn new(config: Config) -> Ctx {
        Ctx {
            warnings: Vec::new(),
            people: people::Registry::default(),
            media: BTreeMap::new(),
            config,
            memberships: Vec::new(),
            collaborators: Vec::new(),
            authors: Vec::new(),
            aliases: Vec::new(),
            hugo_paths: Vec::new(),
            lab_refs: Vec::new(),
        }
    }

    /// Parses a content file's front matter; records its aliases.
    pub fn parse<'t>(
        &mut self,
        file: &str,
        text: &'t str,
    ) -> Result<(frontmatter::Split<'t>, serde_json::Value), ParseError> {
        let split = frontmatter::split(file, text)?;
        let value = frontmatter::parse_with_warnings(file, &split, &mut self.warnings)?;
        if let Some(map) = value.as_object() {
            let fm = fields::Fm {
                file,
                split: split.clone(),
                map,
            };
            let line = fm.line("aliases");
            for alias in fm.str_list("aliases")? {
                self.aliases.push((file.to_owned(), line, alias));
            }
        }
        Ok((split, value))
    }

    /// Checks that a media path referenced from front matter exists; returns the path to
    /// use (the existing spelling when only the case differs).
    pub fn check_media(&mut self, fm: &fields::Fm, key: &str, path: &str) -> String {
        let line = Some(fm.line(key));
        self.check_media_at(fm, key, line, path)
    }

    /// [`Ctx::check_media`] reporting at a given line.
    pub fn check_media_at(
        &mut self,
        fm: &fields::Fm,
        key: &str,
        line: Option<usize>,
        path: &str,
    ) -> String {
        let line = line.or(Some(fm.line(key)));
        match media::find(&self.media, path) {
            media::Found::Exact => path.to_owned(),
            media::Found::OtherCase(existing) => {
                let existing = existing.to_owned();
                self.warnings.push(Warning::new(
                    fm.file,
                    line,
                    format!(
                        "`{key}` names /{path} but the file is /{existing} (letter case differs)"
                    ),
                    format!("used /{existing}"),
                ));
                existing
            }
            media::Found::Missing => {
                self.warnings.push(Warning::new(
                    fm.file,
                    line,
                    format!("missing file /{path} (from `{key}`)"),
                    "kept the reference; pages show a placeholder",
                ));
                path.to_owned()
            }
        }
    }
}

/// What we use from `config.yaml`.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Hugo's `frontmatter.date`: true when `:filename` comes before the `date` key (as in
    /// codefor.de's config); Hugo's default is the other way round.
    pub filename_date_first: bool,
}

fn read_config(dir: &Path) -> Result<Config, ParseError> {
    let mut config = Config {
        filename_date_first: false,
    };
    for name in [
        "config.yaml",
        "config.yml",
        "hugo.yaml",
        "hugo.yml",
        "config.toml",
        "hugo.toml",
    ] {
        let path = dir.join(name);
        if !path.is_file() {
            continue;
        }
        let text = read_text(dir, &path)?;
        let value = if name.ends_with(".toml") {
            let table = text.parse::<toml::Table>().map_err(|e| ParseError {
                file: name.to_owned(),
                line: e.span().map_or(1, |s| {
                    crate::frontmatter::newlines_before(&text, s.start) + 1
                }),
                field: None,
                message: format!("not valid TOML: {}", e.message()),
            })?;
            frontmatter::toml_to_json(toml::Value::Table(table))
        } else {
            frontmatter::yaml_document(&text).map_err(|(line, m)| ParseError {
                file: name.to_owned(),
                line,
                field: None,
                message: format!("not valid YAML: {m}"),
            })?
        };
        let order = &value["frontmatter"]["date"];
        let order: Vec<&str> = match order {
            serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
            serde_json::Value::String(s) => vec![s.as_str()],
            _ => Vec::new(),
        };
        let pos = |k: &str| order.iter().position(|o| o.eq_ignore_ascii_case(k));
        config.filename_date_first = match (pos(":filename"), pos("date").or(pos(":default"))) {
            (Some(f), Some(d)) => f < d,
            (Some(_), None) => true,
            _ => false,
        };
        break;
    }
    Ok(config)
}

/// All Markdown files under `content/`, sorted, as (path relative to `content/`, text).
fn content_files(dir: &Path) -> Result<Vec<(String, String)>, ParseError> {
    let root = dir.join("content");
    let mut out = Vec::new();
    if !root.is_dir() {
        return Ok(out);
    }
    for entry in sorted_files(&root) {
        let entry = entry.map_err(|e| media::walk_error(dir, "content", &e))?;
        let Some(file) = rel_path(dir, entry.path()) else {
            continue;
        };
        if !file.to_ascii_lowercase().ends_with(".md") {
            continue;
        }
        let text = read_text(dir, entry.path())?;
        out.push((file["content/".len()..].to_owned(), text));
    }
    Ok(out)
}

/// Regular files below `root` (following symbolic links), sorted by path.
pub(crate) fn sorted_files(
    root: &Path,
) -> impl Iterator<Item = Result<walkdir::DirEntry, walkdir::Error>> {
    walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter(|e| e.as_ref().map_or(true, |e| e.file_type().is_file()))
}

/// `path` relative to `dir` with `/` separators; `None` when not UTF-8 or not below `dir`.
pub(crate) fn rel_path(dir: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(dir).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

pub(crate) fn read_text(dir: &Path, path: &Path) -> Result<String, ParseError> {
    let file = rel_path(dir, path).unwrap_or_else(|| path.display().to_string());
    let bytes = std::fs::read(path).map_err(|e| ParseError {
        file: file.clone(),
        line: 1,
        field: None,
        message: format!("cannot read: {e}"),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        ParseError {
            file,
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
            field: None,
            message: "not UTF-8 text".into(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }

    fn small_site() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        write(
            d,
            "config.yaml",
            "title: X\nfrontmatter:\n  date: [\":filename\", \":default\"]\n",
        );
        write(d, "content/_index.md", "---\ntitle: Home\n---\nStart\n");
        write(
            d,
            "content/impressum.md",
            "---\ntitle: Impressum\naliases: [/kontakt]\n---\n",
        );
        write(
            d,
            "content/labs/berlin.md",
            "---\ntitle: OK Lab Berlin\ncity: Berlin\nlat: 52.5\nlong: 13.4\naliases: [/berlin, /bln]\nleads:\n- name: Knut Hühne\n  url: https://github.com/k-nut\n---\nLab\n",
        );
        write(
            d,
            "content/projekte/_index.md",
            "---\ntitle: Projekte\n---\n",
        );
        write(
            d,
            "content/projekte/2016-01-01-Baeume.md",
            "---\ntitle: Bäume\nlab: [berlin, bremen]\nimgname: berlin/b.png\ncollaborators:\n- name: knut huehne\n  username_twitter: knut\n---\n",
        );
        write(
            d,
            "content/blog/2014-10-06-codeweek.md",
            "---\ntitle: A\nauthor: Knut Hühne und Eileen\n---\nA\n",
        );
        write(
            d,
            "content/blog/2014-10-31-codeweek.md",
            "---\ntitle: B\nauthor: Eileen\naliases: [/codeweek-b]\n---\nB\n",
        );
        write(
            d,
            "content/blog/2014-11-01-Codeweek.md",
            "---\ntitle: A\nauthor: Fiona\n---\nA\n",
        );
        write(d, "content/ressourcen/flyer.pdf", "%PDF");
        write(d, "static/projects/berlin/b.png", "png");
        write(
            d,
            "netlify.toml",
            "[[redirects]]\nfrom = \"/impressum/\"\nto = \"/\"\n\n[[redirects]]\nfrom = \"/old.html\"\nto = \"/blog/codeweek/\"\n",
        );
        write(d, "data/x.json", "[1, 2]");
        t
    }

    #[test]
    fn reads_a_small_site() {
        let t = small_site();
        let site = read(t.path()).unwrap();
        assert_eq!(site.labs.len(), 1);
        assert_eq!(site.labs[0].record.state_key.as_deref(), Some("11"));
        assert_eq!(site.projects[0].record.slug, "baeume");
        assert_eq!(site.projects[0].record.labs, vec!["berlin", "bremen"]);
        let slugs: Vec<(&str, &str)> = site
            .posts
            .iter()
            .map(|p| (p.file.as_str(), p.record.slug.as_str()))
            .collect();
        assert_eq!(
            slugs,
            vec![
                ("content/blog/2014-10-06-codeweek.md", "codeweek"),
                ("content/blog/2014-10-31-codeweek.md", "codeweek-2")
            ]
        );
        let pages: Vec<&str> = site.pages.iter().map(|p| p.record.path.as_str()).collect();
        assert_eq!(pages, vec!["", "impressum", "projekte"]);

        assert_eq!(
            site.url_of_file("blog/2014-10-31-codeweek.md").as_deref(),
            Some("/blog/codeweek-2/")
        );
        assert_eq!(
            site.url_of_file("content/blog/2014-11-01-Codeweek.md")
                .as_deref(),
            Some("/blog/codeweek/")
        );
        assert_eq!(
            site.url_of_file("labs/berlin.md").as_deref(),
            Some("/berlin/")
        );
        assert_eq!(site.url_of_file("_index.md").as_deref(), Some("/"));
        assert_eq!(
            site.url_of_file("projekte/_index.md").as_deref(),
            Some("/projekte/")
        );
        assert_eq!(
            site.url_of_file("ressourcen/flyer.pdf").as_deref(),
            Some("/ressourcen/flyer.pdf")
        );
        assert_eq!(site.url_of_file("blog/nope.md"), None);

        // One person across lab, project and post, with handles from both.
        let knut = site.people.iter().find(|p| p.key == "knut-huehne").unwrap();
        assert_eq!(
            (knut.github.as_deref(), knut.twitter.as_deref()),
            (Some("k-nut"), Some("knut"))
        );
        assert!(site.memberships.contains(&(
            "berlin".into(),
            PersonRef {
                key: "knut-huehne".into(),
                role: codefor_domain::people::Role::Lead
            }
        )));
        assert_eq!(site.collaborators.len(), 1);
        assert_eq!(site.collaborators[0].0, "baeume");
        let authors: Vec<(&str, &str)> = site
            .authors
            .iter()
            .map(|(s, r)| (s.as_str(), r.key.as_str()))
            .collect();
        assert_eq!(
            authors,
            vec![
                ("codeweek", "knut-huehne"),
                ("codeweek", "eileen"),
                ("codeweek-2", "eileen")
            ]
        );

        let redirects: Vec<(&str, &str)> = site
            .redirects
            .iter()
            .map(|r| (r.from_path.as_str(), r.to.as_str()))
            .collect();
        assert_eq!(
            redirects,
            vec![
                ("/codeweek-b/", "/blog/codeweek-2/"),
                ("/kontakt/", "/impressum/"),
                ("/bln/", "/berlin/"),
                ("/old.html", "/blog/codeweek/")
            ]
        );
        let media: Vec<&str> = site.media.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(media, vec!["projects/berlin/b.png", "ressourcen/flyer.pdf"]);
        assert_eq!(site.data_files[0].value, serde_json::json!([1, 2]));

        let texts: Vec<String> = site.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            vec![
                "content/blog/2014-10-31-codeweek.md: URL /blog/codeweek/ is also claimed by content/blog/2014-10-06-codeweek.md (Hugo published only one of them); served at /blog/codeweek-2/; /blog/codeweek/ stays with content/blog/2014-10-06-codeweek.md",
                "content/blog/2014-11-01-Codeweek.md: same URL /blog/codeweek/, title and text as content/blog/2014-10-06-codeweek.md; duplicate of content/blog/2014-10-06-codeweek.md, skipped",
                "content/projekte/2016-01-01-Baeume.md:3: lab `bremen` does not exist (no content/labs/bremen.md); kept on the record; nothing to link to",
                "netlify.toml:1: redirect /impressum/ → / starts at the page content/impressum.md; dropped; the page stays",
            ]
        );
        assert_eq!(read(t.path()).unwrap(), site);
    }

    #[test]
    fn broken_front_matter_names_file_and_line() {
        let t = small_site();
        write(
            t.path(),
            "content/blog/2015-01-01-kaputt.md",
            "---\ntitle: Kaputt\nauthor: [a\nimages: x\n---\nText\n",
        );
        let e = read(t.path()).unwrap_err();
        assert_eq!(e.file, "content/blog/2015-01-01-kaputt.md");
        assert!((3..=5).contains(&e.line), "{e}");
        assert_eq!(e.field, None);
    }

    #[test]
    fn wrong_type_names_the_field() {
        let t = small_site();
        write(
            t.path(),
            "content/labs/x.md",
            "---\ntitle: X\ncity: X\n\nlat: abc\nlong: 8\n---\n",
        );
        let e = read(t.path()).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.field.as_deref()),
            ("content/labs/x.md", 5, Some("lat"))
        );
        assert_eq!(
            e.to_string(),
            "content/labs/x.md:5: field `lat`: expected a number, found abc"
        );

        write(t.path(), "content/labs/x.md", "---\ntitle: [X]\n---\n");
        let e = read(t.path()).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("title")));

        write(t.path(), "content/labs/x.md", "---\ntitle: X\n---\n");
        write(
            t.path(),
            "content/projekte/2016-01-01-y.md",
            "---\ntitle: Y\ncollaborators: Knut\n---\n",
        );
        let e = read(t.path()).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.field.as_deref()),
            ("content/projekte/2016-01-01-y.md", 3, Some("collaborators"))
        );
    }

    #[test]
    fn toml_front_matter_and_missing_config() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            "content/blog/2020-01-02-x.md",
            "+++\ntitle = \"X\"\ndate = 2020-01-01\n+++\nBody\n",
        );
        let site = read(t.path()).unwrap();
        // Without a config, Hugo's default order: `date` first.
        assert_eq!(site.posts[0].record.date, "2020-01-01");
        assert_eq!(site.posts[0].body_line, 5);
        assert_eq!(site.posts[0].record.body_md, "Body\n");
    }
}
