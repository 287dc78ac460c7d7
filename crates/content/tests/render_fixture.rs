//! Renders every Markdown body of today's codefor.de content (the fixture beside the
//! checkout) against a site index built from the fixture's files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use codefor_content::links::SiteIndex;
use codefor_content::markdown::{RenderContext, render};
use codefor_content::shortcodes::components;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/codefor.de")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// `2014-04-09-blogpost` → `blogpost` (Hugo takes the date from the file name).
fn strip_date(stem: &str) -> &str {
    let b = stem.as_bytes();
    let dated = b.len() > 11
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && b[10] == b'-';
    if dated { &stem[11..] } else { stem }
}

/// The URL path of a content file, as Hugo builds it for this site (lower-cased, as
/// Hugo does by default; labs live at `/<name>/`).
fn page_path(rel: &str) -> String {
    let parts: Vec<&str> = rel.split('/').collect();
    let (dirs, file) = parts.split_at(parts.len() - 1);
    let stem = file[0].trim_end_matches(".md");
    let path = match (dirs, stem) {
        ([], "_index") => "/".to_string(),
        (_, "_index" | "index") => format!("/{}/", dirs.join("/")),
        (["labs"], _) => format!("/{stem}/"),
        ([], _) => format!("/{stem}/"),
        _ => format!("/{}/{}/", dirs.join("/"), strip_date(stem)),
    };
    path.to_lowercase()
}

/// Body and the line it starts on: the text after the second `---` line.
fn split_front_matter(text: &str) -> (&str, usize) {
    let mut delimiters = 0;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        offset += line.len();
        if line.trim_end() == "---" || line.trim_end() == "+++" {
            delimiters += 1;
            if delimiters == 2 {
                return (&text[offset..], i + 2);
            }
        }
        if i == 0 && delimiters == 0 {
            return (text, 1);
        }
    }
    (text, 1)
}

/// `aliases:` entries of YAML front matter (list form), enough for the redirect index.
fn aliases(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_aliases = false;
    for line in text.lines().skip(1) {
        if line.trim_end() == "---" {
            break;
        }
        if line.starts_with("aliases:") {
            in_aliases = true;
            continue;
        }
        match line.trim_start().strip_prefix("- ") {
            Some(item) if in_aliases => found.push(item.trim().trim_matches('"').to_string()),
            _ => in_aliases = in_aliases && line.trim().is_empty(),
        }
    }
    found
}

fn site_index(root: &Path, markdown: &[(String, String)]) -> SiteIndex {
    let mut site = SiteIndex::new();
    site.add_page("/labs/"); // the new lab map and list
    for (rel, text) in markdown {
        let path = page_path(rel);
        site.add_file(rel, &path);
        for alias in aliases(text) {
            site.add_redirect(&alias, &path);
        }
    }
    let mut statics = Vec::new();
    files_under(&root.join("static"), &mut statics);
    for file in statics {
        if let Ok(rel) = file.strip_prefix(root.join("static")) {
            site.add_media(&rel.to_string_lossy());
        }
    }
    let netlify = fs::read_to_string(root.join("netlify.toml")).unwrap_or_default();
    let mut from = None;
    for line in netlify.lines() {
        let value = || {
            line.split_once('=')
                .map(|(_, v)| v.trim().trim_matches('"').to_string())
        };
        if line.trim_start().starts_with("from") {
            from = value();
        } else if line.trim_start().starts_with("to")
            && let (Some(f), Some(t)) = (from.take(), value())
        {
            site.add_redirect(&f, &t);
        }
    }
    site
}

/// A warning's kind: its text without the concrete URLs and paths.
fn kind(what: &str, action: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in what.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                if in_code {
                    out.push('…');
                }
            }
            _ if in_code => {}
            _ => out.push(c),
        }
    }
    let what = out.split(" (").next().unwrap_or(&out).to_string();
    let what: String = what
        .split(' ')
        .map(|w| {
            if w.starts_with('/') || w.starts_with("http") {
                "…"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    let action = action.split(' ').next().unwrap_or(action);
    format!("{what} → {action}")
}

#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn every_fixture_page_renders() {
    let root = fixture();
    let mut all = Vec::new();
    files_under(&root.join("content"), &mut all);
    let mut markdown: Vec<(String, String)> = all
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter_map(|p| {
            let rel = p
                .strip_prefix(root.join("content"))
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((rel, fs::read_to_string(p).ok()?))
        })
        .collect();
    markdown.sort();
    assert!(
        markdown.len() > 400,
        "fixture incomplete: {} Markdown files",
        markdown.len()
    );
    let site = site_index(&root, &markdown);

    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    let mut component_count = 0;
    for (rel, text) in &markdown {
        let (body, first_body_line) = split_front_matter(text);
        let file = format!("content/{rel}");
        let path = page_path(rel);
        let ctx = RenderContext {
            file: &file,
            first_body_line,
            page_path: &path,
            site: &site,
        };
        let rendered = render(body, &ctx);
        assert!(
            !rendered.html.contains("{{<") && !rendered.html.contains("{{%"),
            "{file}: shortcode left in output"
        );
        assert!(
            !rendered.html.contains("<script"),
            "{file}: script survived"
        );
        for w in &rendered.warnings {
            assert!(!w.what.starts_with("unknown shortcode"), "{w}");
            assert_eq!(w.file, file);
            if let Some(line) = w.line {
                assert!(
                    line >= first_body_line && line <= text.lines().count(),
                    "{w}: line out of range"
                );
            }
            *kinds.entry(kind(&w.what, &w.action)).or_default() += 1;
            // `SHOW_WARNINGS=1 cargo test … -- --nocapture` lists every warning for review.
            if std::env::var("SHOW_WARNINGS").is_ok() {
                println!("{w}");
            }
            total += 1;
        }
        component_count += components(&rendered.html).len();
    }
    // The web layer replaces five live components on today's site.
    assert_eq!(component_count, 5, "live components found");
    println!("{} files, {total} warnings", markdown.len());
    for (k, n) in &kinds {
        println!("{n:5}  {k}");
    }
}
