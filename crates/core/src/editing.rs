//! Editing any record in the browser: one form description per kind, a revision for
//! every change, readable diffs between revisions, and restoring an earlier revision
//! (itself a new revision). Labs, projects, posts and pages each implement
//! [`Editable`]; everything else here is shared.

use std::collections::HashMap;
use std::future::Future;

use codefor_content::links::SiteIndex;
use codefor_content::markdown::{self, RenderContext};
use codefor_domain::Link;
use codefor_storage::revisions::{self, Author, Kind, Revision};
use codefor_storage::{Connection, Db, DbError, audit};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::forms::FieldErrors;
use crate::urls;

/// How a field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Input {
    /// One line of text.
    Line,
    /// Several lines; Markdown when `markdown` (the form offers a preview).
    Text { rows: u8, markdown: bool },
    /// One of fixed choices: (value, label).
    Choice(&'static [(&'static str, &'static str)]),
    /// Any of fixed choices, as checkboxes named `<field>_<value>`; the field's value is
    /// the chosen values joined by commas.
    Choices(&'static [(&'static str, &'static str)]),
    /// Yes or no, as one checkbox (value `1`).
    Flag,
}

/// One field of an edit form.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub hint: &'static str,
    pub required: bool,
}

/// A record that people edit in the browser.
pub trait Editable:
    Serialize + DeserializeOwned + Default + Clone + PartialEq + Send + Sync + 'static
{
    const KIND: Kind;
    /// The form's fields, in order.
    const FIELDS: &'static [Field];

    /// The value of each field as the form shows it, in [`Self::FIELDS`] order.
    fn values(&self) -> Vec<String>;

    /// Checks a submitted form; errors name the field and say what to do.
    fn parse(form: &HashMap<String, String>) -> Result<Self, FieldErrors>;

    /// The Markdown body, rendered into the stored HTML on save.
    fn body_md(&self) -> &str;

    /// The title the record's page shows as its `<h1>` (`None` for pages).
    fn own_title(&self) -> Option<&str>;

    /// The record's current state.
    fn load(db: &Db, id: i64) -> impl Future<Output = Result<Option<Self>, DbError>> + Send;

    /// Writes this state to the record, inside the caller's transaction.
    fn store(
        &self,
        conn: &mut Connection,
        id: i64,
        body_html: &str,
        author: Author<'_>,
    ) -> impl Future<Output = Result<(), DbError>> + Send;
}

/// The form filled with a record's state: field name → value.
pub fn form_values<E: Editable>(edit: &E) -> HashMap<String, String> {
    E::FIELDS
        .iter()
        .zip(edit.values())
        .map(|(f, v)| (f.name.to_owned(), v))
        .collect()
}

/// Renders a body the way the import does (shortcodes, link checks against every path
/// the site serves, sanitizing); returns the HTML and what the link checks noticed.
pub async fn render_body(
    db: &Db,
    page_path: &str,
    md: &str,
    own_title: Option<&str>,
) -> Result<(String, Vec<String>), DbError> {
    let paths = codefor_storage::site::paths(db).await?;
    let mut index = SiteIndex::new();
    for path in urls::APP_PATHS {
        index.add_page(path);
    }
    for slug in &paths.labs {
        index.add_page(&urls::lab(slug));
    }
    for slug in &paths.projects {
        index.add_page(&urls::project(slug));
    }
    for slug in &paths.posts {
        index.add_page(&urls::post(slug));
    }
    for path in &paths.pages {
        index.add_page(&urls::page(path));
    }
    for m in &paths.media {
        index.add_media(m);
    }
    for (from, to) in &paths.redirects {
        index.add_redirect(from, to);
    }
    let (md, skipped) = match own_title {
        Some(title) => markdown::strip_title_heading(md, title),
        None => (md, 0),
    };
    let ctx = RenderContext {
        file: "Beschreibung",
        first_body_line: 1 + skipped,
        page_path,
        site: &index,
    };
    let out = markdown::render(md, &ctx);
    let html = markdown::demote_headings(&out.html, own_title.is_none());
    let hints = out
        .warnings
        .iter()
        .map(|w| match w.line {
            Some(line) => format!("Zeile {line}: {} ({})", w.what, w.action),
            None => format!("{} ({})", w.what, w.action),
        })
        .collect();
    Ok((html, hints))
}

/// Saves an edit as a new revision. The first edit of a record that came from the
/// import first records the imported state, so history starts where the platform took
/// over. Returns the new revision's number.
pub async fn save<E: Editable>(
    db: &Db,
    id: i64,
    page_path: &str,
    edit: &E,
    author: Author<'_>,
    summary: &str,
) -> Result<i64, DbError> {
    let before = E::load(db, id).await?;
    let (html, _) = render_body(db, page_path, edit.body_md(), edit.own_title()).await?;
    let mut tx = db.begin().await?;
    if let Some(before) = &before
        && !revisions::exists(&mut tx, E::KIND, id).await?
    {
        revisions::record(
            &mut tx,
            E::KIND,
            id,
            Author {
                account_id: None,
                name: "Import",
            },
            "Stand vor der ersten Bearbeitung",
            &serde_json::to_string(before)?,
        )
        .await?;
    }
    edit.store(&mut tx, id, &html, author).await?;
    let summary = match summary.trim() {
        "" => "Bearbeitet",
        s => s,
    };
    let number = revisions::record(
        &mut tx,
        E::KIND,
        id,
        author,
        summary,
        &serde_json::to_string(edit)?,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(number)
}

/// Restores revision `number` as a new revision; recorded in the audit log under
/// `target` (e.g. `lab kiel`).
pub async fn restore<E: Editable>(
    db: &Db,
    id: i64,
    page_path: &str,
    number: i64,
    author: Author<'_>,
    target: &str,
) -> Result<Option<i64>, DbError> {
    let Some(revision) = revisions::get(db, E::KIND, id, number).await? else {
        return Ok(None);
    };
    // Fields a revision does not know (it predates them) keep their current value.
    let edit: E = match E::load(db, id).await? {
        Some(current) => snapshot_over(&revision, &current)?,
        None => snapshot(&revision)?,
    };
    let new = save(
        db,
        id,
        page_path,
        &edit,
        author,
        &format!("Version {number} wiederhergestellt"),
    )
    .await?;
    let mut tx = db.begin().await?;
    audit::record(
        &mut tx,
        author.account_id,
        author.name,
        &format!("{}.restore", E::KIND.as_str()),
        target,
        &format!("Version {number} als Version {new}"),
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(Some(new))
}

/// A revision's stored state.
pub fn snapshot<E: Editable>(revision: &Revision) -> Result<E, DbError> {
    Ok(serde_json::from_str(&revision.snapshot)?)
}

/// A revision's stored state laid over `current`: what the snapshot holds wins, fields
/// added to the form after it was taken keep their current value.
pub fn snapshot_over<E: Editable>(revision: &Revision, current: &E) -> Result<E, DbError> {
    let mut merged = serde_json::to_value(current)?;
    let old: serde_json::Value = serde_json::from_str(&revision.snapshot)?;
    if let (Some(m), serde_json::Value::Object(old)) = (merged.as_object_mut(), old) {
        for (key, value) in old {
            m.insert(key, value);
        }
    }
    Ok(serde_json::from_value(merged)?)
}

/// One changed field between two revisions, line by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    pub label: &'static str,
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `"same"`, `"removed"` or `"added"`.
    pub change: &'static str,
    pub text: String,
}

/// What changed from `old` to `new`, per field, unchanged fields left out.
pub fn diff<E: Editable>(old: &E, new: &E) -> Vec<FieldDiff> {
    E::FIELDS
        .iter()
        .zip(old.values().into_iter().zip(new.values()))
        .filter(|(_, (a, b))| a != b)
        .map(|(field, (a, b))| FieldDiff {
            label: field.label,
            lines: similar::TextDiff::from_lines(&a, &b)
                .iter_all_changes()
                .map(|c| DiffLine {
                    change: match c.tag() {
                        similar::ChangeTag::Equal => "same",
                        similar::ChangeTag::Delete => "removed",
                        similar::ChangeTag::Insert => "added",
                    },
                    text: c.value().trim_end_matches('\n').to_owned(),
                })
                .collect(),
        })
        .collect()
}

/// The submitted value of a field ("" when absent).
pub fn value<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or("")
}

/// Links one per line, `Name | https://…` (or just the URL); the error names the line.
pub fn parse_links(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &str,
    max: usize,
) -> Vec<Link> {
    let mut links = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match parse_link(line) {
            Ok(link) => links.push(link),
            Err(why) => {
                errors.add(field, format!("Zeile {}: {why}", n + 1));
                return links;
            }
        }
    }
    if links.len() > max {
        errors.add(field, format!("Höchstens {max} Links, bitte."));
    }
    links
}

/// The form text of links: one `Name | URL` per line.
pub fn links_text(links: &[Link]) -> String {
    links
        .iter()
        .map(|l| format!("{} | {}", l.name, l.url))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_link(line: &str) -> Result<Link, String> {
    let (name, url) = match line.rsplit_once('|') {
        Some((name, url)) => (name.trim(), url.trim()),
        None => (line, line),
    };
    let lower = url.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:");
    if !scheme_ok || url.contains(char::is_whitespace) || url.len() < 10 {
        return Err(format!(
            "„{url}“ ist keine Web- oder Mail-Adresse. Schreibe „Name | https://beispiel.de“."
        ));
    }
    if name.is_empty() || name.chars().count() > 100 {
        return Err("Der Name eines Links hat 1 bis 100 Zeichen.".into());
    }
    Ok(Link {
        name: name.to_owned(),
        url: url.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_name_the_line_that_is_wrong() {
        let mut e = FieldErrors::default();
        let links = parse_links(
            &mut e,
            "links",
            "Web | https://beispiel.de\n\nhttps://chat.beispiel.de\nChat | javascript:alert(1)",
            10,
        );
        assert_eq!(links.len(), 2);
        assert_eq!(links[1].name, "https://chat.beispiel.de");
        assert!(
            e.get("links").is_some_and(|m| m.starts_with("Zeile 4:")),
            "{e:?}"
        );
        assert_eq!(
            links_text(&links),
            "Web | https://beispiel.de\nhttps://chat.beispiel.de | https://chat.beispiel.de"
        );
    }
}
