//! Media: every file under `static/` (served at its path below `static/`) and every
//! non-Markdown file under `content/` (page resources, served at their path below
//! `content/`).

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use codefor_domain::MediaFile;

use super::rel_path;
use crate::report::{ParseError, Warning};

/// Files that are never served: operating-system and editor junk (reported) and VCS
/// placeholders (skipped quietly: they are there on purpose).
fn junk(name: &str) -> Option<bool> {
    let lower = name.to_ascii_lowercase();
    if lower == ".gitkeep" || lower == ".keep" || lower == ".gitignore" {
        return Some(false);
    }
    let reported = lower == ".ds_store"
        || lower == "thumbs.db"
        || lower == "desktop.ini"
        || lower.starts_with("._")
        || lower.ends_with('~')
        || lower.ends_with(".swp");
    reported.then_some(true)
}

/// The content type served for a file name, by extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "json" => "application/json",
        "geojson" => "application/geo+json",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "xml" => "application/xml",
        "ics" => "text/calendar; charset=utf-8",
        "yaml" | "yml" => "application/yaml",
        "zip" => "application/zip",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        _ => "application/octet-stream",
    }
}

/// Reads one media tree. `strip` is the directory whose path is removed to get the served
/// path (`static` or `content`); Markdown files are skipped (they are pages).
pub(crate) fn read_tree(
    dir: &Path,
    tree: &str,
    out: &mut BTreeMap<String, MediaFile>,
    warnings: &mut Vec<Warning>,
) -> Result<(), ParseError> {
    let root = dir.join(tree);
    if !root.is_dir() {
        return Ok(());
    }
    let mut wanted = Vec::new();
    for entry in super::sorted_files(&root) {
        let entry = entry.map_err(|e| walk_error(dir, tree, &e))?;
        let Some(file) = rel_path(dir, entry.path()) else {
            warnings.push(Warning::new(
                tree,
                None,
                format!("file name `{}` is not UTF-8", entry.path().display()),
                "skipped",
            ));
            continue;
        };
        let name = entry.file_name().to_string_lossy();
        if tree == "content" && name.to_ascii_lowercase().ends_with(".md") {
            continue;
        }
        match junk(&name) {
            Some(true) => {
                warnings.push(Warning::new(
                    &file,
                    None,
                    "operating-system or editor junk file",
                    "not imported; delete it",
                ));
                continue;
            }
            Some(false) => continue,
            None => {}
        }
        let path = file[tree.len() + 1..].to_owned();
        if out.contains_key(&path) {
            warnings.push(Warning::new(
                &file,
                None,
                format!("/{path} is also a file under static/"),
                "kept the one under static/",
            ));
            continue;
        }
        wanted.push((file, path, entry.path().to_owned()));
    }
    // Reading and hashing dominate: do it on all cores, then insert in order.
    let read: Vec<Result<MediaFile, ParseError>> = wanted
        .into_par_iter()
        .map(|(file, path, on_disk)| {
            let bytes = std::fs::read(&on_disk).map_err(|e| ParseError {
                file,
                line: 1,
                field: None,
                message: format!("cannot read: {e}"),
            })?;
            Ok(MediaFile {
                content_type: content_type(&path).to_owned(),
                sha256: hex(&Sha256::digest(&bytes)),
                path,
                bytes,
            })
        })
        .collect();
    for media in read {
        let media = media?;
        out.insert(media.path.clone(), media);
    }
    Ok(())
}

pub(crate) fn walk_error(dir: &Path, tree: &str, e: &walkdir::Error) -> ParseError {
    ParseError {
        file: e
            .path()
            .and_then(|p| rel_path(dir, p))
            .unwrap_or_else(|| tree.to_owned()),
        line: 1,
        field: None,
        message: format!("cannot read: {e}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Finds a media file by path, also when only the letter case differs (the original site
/// ran on a case-sensitive file system, so a case mismatch was a broken picture there).
pub(crate) enum Found<'a> {
    Exact,
    OtherCase(&'a str),
    Missing,
}

pub(crate) fn find<'a>(media: &'a BTreeMap<String, MediaFile>, path: &str) -> Found<'a> {
    if media.contains_key(path) {
        return Found::Exact;
    }
    match media.keys().find(|k| k.eq_ignore_ascii_case(path)) {
        Some(k) => Found::OtherCase(k),
        None => Found::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_by_extension() {
        assert_eq!(content_type("blog/a.JPG"), "image/jpeg");
        assert_eq!(content_type("x.svg"), "image/svg+xml");
        assert_eq!(content_type("ressourcen/Flyer.pdf"), "application/pdf");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn reads_static_and_content_resources() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        std::fs::create_dir_all(d.join("static/blog")).unwrap();
        std::fs::create_dir_all(d.join("content/ressourcen")).unwrap();
        std::fs::write(d.join("static/blog/a.png"), b"abc").unwrap();
        std::fs::write(d.join("static/blog/.DS_Store"), b"junk").unwrap();
        std::fs::write(d.join("static/.gitkeep"), b"").unwrap();
        std::fs::write(d.join("content/ressourcen/f.pdf"), b"%PDF").unwrap();
        std::fs::write(d.join("content/ressourcen/x.md"), b"# page").unwrap();
        let mut media = BTreeMap::new();
        let mut w = Vec::new();
        read_tree(d, "static", &mut media, &mut w).unwrap();
        read_tree(d, "content", &mut media, &mut w).unwrap();
        assert_eq!(
            media.keys().collect::<Vec<_>>(),
            vec!["blog/a.png", "ressourcen/f.pdf"]
        );
        let a = &media["blog/a.png"];
        assert_eq!(
            a.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(a.content_type, "image/png");
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].file, "static/blog/.DS_Store");
        assert!(matches!(
            find(&media, "BLOG/a.png"),
            Found::OtherCase("blog/a.png")
        ));
        assert!(matches!(find(&media, "blog/b.png"), Found::Missing));
    }
}
