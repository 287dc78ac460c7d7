//! Importing a codefor.de (Hugo) checkout: read everything, render every body against
//! the whole site (so links can be checked), then write it all in one transaction.
//!
//! Re-running is idempotent: records are matched by slug/path and only changed ones are
//! written. `dry_run` performs the same writes and rolls them back, so its report says
//! exactly what a real run would change.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use codefor_content::hugo::{self, Doc, Site};
use codefor_content::links::{LinkVerdict, SiteIndex};
use codefor_content::markdown::{self, RenderContext};
use codefor_content::report::{ParseError, Warning};
use codefor_domain::people::Role;
use codefor_domain::{Lab, Link, Page, Post, Project};
use codefor_storage::revisions::{self, Author, Kind};
use codefor_storage::{
    Change, Db, DbError, Tally, bump_content_version, data_files, imports, labs, media, pages,
    people, posts, projects, redirects,
};
use rayon::prelude::*;
use serde::Serialize;

use crate::urls;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file cannot be read at all: nothing was written.
    #[error("{0}")]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Receives progress, e.g. to draw a progress bar on a terminal. Called from several
/// threads while bodies render in parallel.
pub trait Progress: Sync {
    fn phase(&self, name: &str, total: usize);
    fn advance(&self);
}

/// No progress output.
#[derive(Debug)]
pub struct Quiet;

impl Progress for Quiet {
    fn phase(&self, _: &str, _: usize) {}
    fn advance(&self) {}
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub source: String,
    pub dry_run: bool,
    /// Per kind of record: created, updated, unchanged.
    pub counts: BTreeMap<&'static str, Tally>,
    /// Sorted by file and line.
    pub warnings: Vec<Warning>,
}

impl ImportReport {
    /// Records created or updated, over all kinds.
    pub fn changed(&self) -> usize {
        self.counts.values().map(Tally::changed).sum()
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.warnings.is_empty() {
            // Grouped by file (warnings are sorted by file and line): one heading per file,
            // then `line: what; what we did`, so the list reads like a to-do list.
            writeln!(f, "Warnings ({}):", self.warnings.len())?;
            let mut current: Option<&str> = None;
            for w in &self.warnings {
                if current != Some(w.file.as_str()) {
                    writeln!(f, "{}", w.file)?;
                    current = Some(&w.file);
                }
                match w.line {
                    Some(line) => writeln!(f, "  {line}: {}; {}", w.what, w.action)?,
                    None => writeln!(f, "  {}; {}", w.what, w.action)?,
                }
            }
            writeln!(f)?;
        }
        let verb = if self.dry_run {
            "would import (dry run, nothing written)"
        } else {
            "imported"
        };
        writeln!(f, "{} {verb}:", self.source)?;
        for (kind, t) in &self.counts {
            writeln!(
                f,
                "  {kind:<14} {:>5}  ({} new, {} changed, {} unchanged)",
                t.total(),
                t.created,
                t.updated,
                t.unchanged
            )?;
        }
        write!(f, "  {} warnings", self.warnings.len())
    }
}

/// Imports the Hugo site in `dir` into `db`.
pub async fn import_hugo(
    db: &Db,
    dir: &Path,
    dry_run: bool,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    progress.phase("reading", 1);
    let mut site = hugo::read(dir)?;
    progress.advance();
    let mut warnings = std::mem::take(&mut site.warnings);
    render_all(&mut site, &mut warnings, progress);
    let counts = write_all(db, &site, &mut warnings, dir, dry_run, progress).await?;
    warnings.sort();
    warnings.dedup();
    Ok(ImportReport {
        source: dir.display().to_string(),
        dry_run,
        counts,
        warnings,
    })
}

/// The index of everything the imported site will serve, for link checks.
fn site_index(site: &Site) -> SiteIndex {
    let mut index = SiteIndex::new();
    for path in urls::APP_PATHS {
        index.add_page(path);
    }
    let mut add = |file: &str, url: String| {
        index.add_page(&url);
        index.add_file(file.strip_prefix("content/").unwrap_or(file), &url);
    };
    for d in &site.labs {
        add(&d.file, urls::lab(&d.record.slug));
    }
    // Drafts are not published, so links to them would lead nowhere.
    for d in site.projects.iter().filter(|d| !d.record.draft) {
        add(&d.file, urls::project(&d.record.slug));
    }
    for d in site.posts.iter().filter(|d| !d.record.draft) {
        add(&d.file, urls::post(&d.record.slug));
    }
    for d in site.pages.iter().filter(|d| !d.record.draft) {
        add(&d.file, urls::page(&d.record.path));
    }
    let published = site.posts.iter().filter(|d| !d.record.draft).count();
    for n in 2..=published.div_ceil(urls::POSTS_PER_PAGE) {
        index.add_page(&urls::blog_page(n));
    }
    for m in &site.media {
        index.add_media(&m.path);
    }
    for r in &site.redirects {
        index.add_redirect(&r.from_path, &r.to);
    }
    index
}

fn render_all(site: &mut Site, warnings: &mut Vec<Warning>, progress: &dyn Progress) {
    let index = site_index(site);
    check_data_links(site, &index, warnings);
    let total = site.labs.len() + site.projects.len() + site.posts.len() + site.pages.len();
    progress.phase("rendering", total);
    // `own_title`: the page template shows the record's title as the one `<h1>`, so a
    // leading copy of it in the body is dropped and other body `<h1>`s become `<h2>`.
    // Bodies are independent, so they render on all cores; results keep their order.
    let render = |file: &str, line: usize, path: &str, md: &str, own_title: Option<&str>| {
        let (md, skipped) = match own_title {
            Some(title) => markdown::strip_title_heading(md, title),
            None => (md, 0),
        };
        let ctx = RenderContext {
            file,
            first_body_line: line + skipped,
            page_path: path,
            site: &index,
        };
        let out = markdown::render(md, &ctx);
        progress.advance();
        (
            markdown::demote_headings(&out.html, own_title.is_none()),
            out.warnings,
        )
    };
    let mut found = render_docs(&mut site.labs, &render);
    found.extend(render_docs(&mut site.projects, &render));
    found.extend(render_docs(&mut site.posts, &render));
    found.extend(render_docs(&mut site.pages, &render));
    warnings.extend(found);
}

/// What rendering needs to know about a record.
trait Rendered: Send {
    /// Where the record is served (links in it are relative to this).
    fn path(&self) -> String;
    /// The title its page shows as `<h1>`; `None` for pages, whose body brings its own.
    fn own_title(&self) -> Option<&str>;
    fn body(&mut self) -> (&str, &mut String);
}

impl Rendered for Lab {
    fn path(&self) -> String {
        urls::lab(&self.slug)
    }
    fn own_title(&self) -> Option<&str> {
        Some(&self.name)
    }
    fn body(&mut self) -> (&str, &mut String) {
        (&self.body_md, &mut self.body_html)
    }
}

impl Rendered for Project {
    fn path(&self) -> String {
        urls::project(&self.slug)
    }
    fn own_title(&self) -> Option<&str> {
        Some(&self.title)
    }
    fn body(&mut self) -> (&str, &mut String) {
        (&self.body_md, &mut self.body_html)
    }
}

impl Rendered for Post {
    fn path(&self) -> String {
        urls::post(&self.slug)
    }
    fn own_title(&self) -> Option<&str> {
        Some(&self.title)
    }
    fn body(&mut self) -> (&str, &mut String) {
        (&self.body_md, &mut self.body_html)
    }
}

impl Rendered for Page {
    fn path(&self) -> String {
        urls::page(&self.path)
    }
    fn own_title(&self) -> Option<&str> {
        None
    }
    fn body(&mut self) -> (&str, &mut String) {
        (&self.body_md, &mut self.body_html)
    }
}

/// Renders one body: file, first body line, page path, Markdown, the page's own title.
type RenderFn<'a> =
    dyn Fn(&str, usize, &str, &str, Option<&str>) -> (String, Vec<Warning>) + Sync + 'a;

/// Renders every body of one kind on all cores; warnings come back in file order.
fn render_docs<T: Rendered>(docs: &mut [Doc<T>], render: &RenderFn<'_>) -> Vec<Warning> {
    docs.par_iter_mut()
        .map(|d| {
            let path = d.record.path();
            let title = d.record.own_title().map(str::to_owned);
            let (md, html) = d.record.body();
            let (out, w) = render(&d.file, d.body_line, &path, md, title.as_deref());
            *html = out;
            w
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

/// Checks the links kept in front matter (lab links, contacts, feeds, project links,
/// people's links) like links in bodies: repairs what is unambiguous, and turns what
/// leads nowhere into plain text (an empty URL), so no page shows a broken link.
fn check_data_links(site: &mut Site, index: &SiteIndex, warnings: &mut Vec<Warning>) {
    let mut check = |file: &str, field: &str, page: &str, link: &mut Link| match index
        .check_from(&link.url, page)
    {
        LinkVerdict::Keep | LinkVerdict::External => {}
        LinkVerdict::Rewritten { url } => link.url = url,
        LinkVerdict::Repaired { url, why } => {
            warnings.push(Warning::new(
                file,
                None,
                format!("`{field}` link `{}`: {why}", link.url),
                format!("linked to {url}"),
            ));
            link.url = url;
        }
        LinkVerdict::Unresolved { why } => {
            warnings.push(Warning::new(
                file,
                None,
                format!("`{field}` link `{}` ({}): {why}", link.url, link.name),
                "shown as plain text",
            ));
            link.url = String::new();
        }
    };
    for d in &mut site.labs {
        let page = urls::lab(&d.record.slug);
        for (field, links) in [
            ("links", &mut d.record.links),
            ("leads", &mut d.record.contacts),
            ("feeds", &mut d.record.feeds),
        ] {
            for link in links.iter_mut() {
                check(&d.file, field, &page, link);
            }
        }
    }
    for d in &mut site.projects {
        let page = urls::project(&d.record.slug);
        for link in &mut d.record.links {
            check(&d.file, "links", &page, link);
        }
    }
    // A person's links come from the lab or project file that first names them.
    let mut origin: HashMap<&str, String> = HashMap::new();
    for (slug, r) in &site.memberships {
        origin
            .entry(r.key.as_str())
            .or_insert_with(|| format!("content/labs/{slug}.md"));
    }
    for (slug, r) in &site.collaborators {
        origin
            .entry(r.key.as_str())
            .or_insert_with(|| format!("project {slug}"));
    }
    for person in &mut site.people {
        let file = origin
            .get(person.key.as_str())
            .cloned()
            .unwrap_or_else(|| "people".to_owned());
        for link in &mut person.links {
            check(&file, &format!("links of {}", person.name), "/", link);
        }
    }
}

async fn write_all(
    db: &Db,
    site: &Site,
    warnings: &mut Vec<Warning>,
    dir: &Path,
    dry_run: bool,
    progress: &dyn Progress,
) -> Result<BTreeMap<&'static str, Tally>, DbError> {
    let mut counts: BTreeMap<&'static str, Tally> = BTreeMap::new();
    // Records the import changed, for their revision history (see `record_revisions`).
    let mut updated: Vec<(Kind, i64)> = Vec::new();
    let mut tx = db.begin().await?;

    progress.phase("people", site.people.len());
    let (person_ids, tally) = people::upsert_many(&mut tx, &site.people).await?;
    counts.insert("people", tally);
    let ids_of = |refs: &[(String, codefor_domain::PersonRef)], owner: &str, roles: &[Role]| {
        refs.iter()
            .filter(|(o, r)| o == owner && roles.contains(&r.role))
            .filter_map(|(_, r)| person_ids.get(r.key.as_str()).map(|id| (*id, r.role)))
            .collect::<Vec<_>>()
    };

    progress.phase("labs", site.labs.len());
    for d in &site.labs {
        let (id, mut change) = labs::upsert(&mut tx, &d.record).await?;
        let wanted: Vec<_> = ids_of(
            &site.memberships,
            &d.record.slug,
            &[Role::Lead, Role::Member],
        )
        .into_iter()
        .enumerate()
        .map(|(pos, (person, role))| (person, role, pos))
        .collect();
        if labs::set_people(&mut tx, id, &wanted).await? > 0 && change == Change::Unchanged {
            change = Change::Updated;
        }
        // For a lab new to the platform: `showsignup: false` means it takes no
        // requests to join, and its iCalendar feeds become external calendars. Later
        // imports leave both to the lab's leads.
        if change == Change::Created {
            let signup = d.record.source.get("showsignup").and_then(|v| v.as_bool());
            labs::set_accepts_requests(&mut tx, id, signup != Some(false)).await?;
            for feed in d
                .record
                .feeds
                .iter()
                .filter(|f| f.name.eq_ignore_ascii_case("ical"))
            {
                let url = feed.url.replacen("webcal://", "https://", 1);
                if crate::calendars::fetch::parse_url(&url).is_ok() {
                    codefor_storage::calendars::add(&mut tx, id, &url).await?;
                }
            }
        }
        if change == Change::Updated {
            updated.push((Kind::Lab, id));
        }
        counts.entry("labs").or_default().add(change);
        progress.advance();
    }

    progress.phase("projects", site.projects.len());
    for d in &site.projects {
        let (id, mut change) = projects::upsert(&mut tx, &d.record).await?;
        let people: Vec<i64> = ids_of(&site.collaborators, &d.record.slug, &[Role::Collaborator])
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        if projects::set_collaborators(&mut tx, id, &people).await? && change == Change::Unchanged {
            change = Change::Updated;
        }
        if change == Change::Updated {
            updated.push((Kind::Project, id));
        }
        counts
            .entry(if d.record.draft {
                "projects (draft)"
            } else {
                "projects"
            })
            .or_default()
            .add(change);
        progress.advance();
    }

    progress.phase("posts", site.posts.len());
    for d in &site.posts {
        let (id, mut change) = posts::upsert(&mut tx, &d.record).await?;
        let people: Vec<i64> = ids_of(&site.authors, &d.record.slug, &[Role::Author])
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        if posts::set_authors(&mut tx, id, &people).await? && change == Change::Unchanged {
            change = Change::Updated;
        }
        if change == Change::Updated {
            updated.push((Kind::Post, id));
        }
        counts
            .entry(if d.record.draft {
                "posts (draft)"
            } else {
                "posts"
            })
            .or_default()
            .add(change);
        progress.advance();
    }

    progress.phase("pages", site.pages.len());
    for d in &site.pages {
        let (id, change) = pages::upsert(&mut tx, &d.record).await?;
        if change == Change::Updated {
            updated.push((Kind::Page, id));
        }
        counts.entry("pages").or_default().add(change);
        progress.advance();
    }

    progress.phase("redirects", site.redirects.len());
    counts.insert(
        "redirects",
        redirects::upsert_many(&mut tx, &site.redirects).await?,
    );

    progress.phase("media", site.media.len());
    counts.insert("media", media::upsert_many(&mut tx, &site.media).await?);

    for f in &site.data_files {
        counts
            .entry("data files")
            .or_default()
            .add(data_files::upsert(&mut tx, &f.path, &f.value).await?);
    }

    warnings.extend(gone_from_source(&mut tx, site).await?);
    let changed: usize = counts.values().map(Tally::changed).sum();
    if changed > 0 {
        bump_content_version(&mut tx).await?;
    }
    if dry_run {
        tx.rollback().await?;
    } else {
        imports::record(
            &mut tx,
            &dir.display().to_string(),
            &serde_json::to_value(&counts).unwrap_or_default(),
            warnings.len(),
            &serde_json::to_value(&*warnings).unwrap_or_default(),
        )
        .await?;
        tx.commit().await?;
        record_revisions(db, &updated).await?;
    }
    Ok(counts)
}

/// A record edited in the browser has a revision history; when a re-import changes it,
/// the imported state becomes a revision too, so the history shows it and an earlier
/// state can be restored. Records never edited start their history at their first edit.
async fn record_revisions(db: &Db, updated: &[(Kind, i64)]) -> Result<(), DbError> {
    let mut with_history = Vec::new();
    {
        let mut tx = db.begin().await?;
        for (kind, id) in updated {
            if revisions::exists(&mut tx, *kind, *id).await? {
                with_history.push((*kind, *id));
            }
        }
        tx.rollback().await?;
    }
    for (kind, id) in with_history {
        let snapshot = match kind {
            Kind::Lab => snapshot_of::<crate::labs::LabEdit>(db, id).await?,
            Kind::Project => snapshot_of::<crate::projects::ProjectEdit>(db, id).await?,
            Kind::Post => snapshot_of::<crate::posts::PostEdit>(db, id).await?,
            Kind::Page => snapshot_of::<crate::pages::PageEdit>(db, id).await?,
        };
        let Some(snapshot) = snapshot else { continue };
        let mut tx = db.begin().await?;
        revisions::record(
            &mut tx,
            kind,
            id,
            Author {
                account_id: None,
                name: "Import",
            },
            "Geändert durch einen Import",
            &snapshot,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn snapshot_of<E: crate::editing::Editable>(
    db: &Db,
    id: i64,
) -> Result<Option<String>, DbError> {
    match E::load(db, id).await? {
        Some(state) => Ok(Some(serde_json::to_string(&state)?)),
        None => Ok(None),
    }
}

/// Records the database has but the source no longer does (deleted or renamed files).
/// They are kept, since an import never deletes, and reported so that nobody wonders
/// why a page is still online.
async fn gone_from_source(
    tx: &mut codefor_storage::Connection,
    site: &Site,
) -> Result<Vec<Warning>, DbError> {
    use std::collections::HashSet;
    let labs: HashSet<&str> = site.labs.iter().map(|d| d.record.slug.as_str()).collect();
    let projects: HashSet<&str> = site
        .projects
        .iter()
        .map(|d| d.record.slug.as_str())
        .collect();
    let posts: HashSet<&str> = site.posts.iter().map(|d| d.record.slug.as_str()).collect();
    let pages: HashSet<&str> = site.pages.iter().map(|d| d.record.path.as_str()).collect();
    let mut gone = Vec::new();
    for (kind, keys) in imports::stored_keys(tx).await? {
        let source = match kind {
            "lab" => &labs,
            "project" => &projects,
            "post" => &posts,
            _ => &pages,
        };
        for key in keys.iter().filter(|k| !source.contains(k.as_str())) {
            gone.push(Warning::new(
                "(database)",
                None,
                format!("{kind} `{key}` is not in the source (any more)"),
                "kept and still published; remove it in the database if it should go",
            ));
        }
    }
    Ok(gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_groups_warnings_by_file_and_counts_by_kind() {
        let mut counts = BTreeMap::new();
        counts.insert(
            "labs",
            Tally {
                created: 2,
                updated: 1,
                unchanged: 3,
            },
        );
        let report = ImportReport {
            source: "site".into(),
            dry_run: true,
            counts,
            warnings: vec![
                Warning::new(
                    "content/a.md",
                    Some(3),
                    "link `x` leads nowhere",
                    "rendered as plain text",
                ),
                Warning::new(
                    "content/a.md",
                    Some(9),
                    "status `y` not recognised",
                    "kept as text",
                ),
                Warning::new("netlify.toml", None, "redirect loops", "dropped"),
            ],
        };
        let text = report.to_string();
        assert!(
            text.starts_with(
                "Warnings (3):\ncontent/a.md\n  3: link `x` leads nowhere; rendered as plain text\n  \
                 9: status `y` not recognised; kept as text\nnetlify.toml\n  redirect loops; dropped\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("site would import (dry run, nothing written):"),
            "{text}"
        );
        assert!(
            text.contains("labs               6  (2 new, 1 changed, 3 unchanged)"),
            "{text}"
        );
        assert_eq!(report.changed(), 3);
    }
}
