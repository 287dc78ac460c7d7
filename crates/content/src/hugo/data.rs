//! Data files: `data/**/*.{yaml,yml,toml,json}`, as Hugo's `site.Data` saw them.

use std::path::Path;

use super::{DataFile, rel_path};
use crate::report::{ParseError, Warning};

pub(crate) fn read(dir: &Path, warnings: &mut Vec<Warning>) -> Result<Vec<DataFile>, ParseError> {
    let root = dir.join("data");
    let mut out = Vec::new();
    if !root.is_dir() {
        return Ok(out);
    }
    for entry in super::sorted_files(&root) {
        let entry = entry.map_err(|e| super::media::walk_error(dir, "data", &e))?;
        let Some(path) = rel_path(dir, entry.path()) else {
            continue;
        };
        let ext = path
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !matches!(ext.as_str(), "yaml" | "yml" | "toml" | "json") {
            continue;
        }
        let mut text = super::read_text(dir, entry.path())?;
        // A symbolic link checked out as a plain file holds just the target's path.
        let target = text.trim();
        if !target.contains('\n') && target.len() < 200 && target.ends_with(&format!(".{ext}")) {
            let linked = entry.path().parent().map(|p| p.join(target));
            if let Some(linked) = linked.filter(|p| p.is_file()) {
                warnings.push(Warning::new(
                    &path,
                    Some(1),
                    format!("contains only the path `{target}` (a symbolic link checked out as a plain file)"),
                    format!("read {target} in its place"),
                ));
                text = super::read_text(dir, &linked)?;
            }
        }
        let value = parse(&path, &ext, &text)?;
        out.push(DataFile { path, value });
    }
    Ok(out)
}

fn parse(path: &str, ext: &str, text: &str) -> Result<serde_json::Value, ParseError> {
    let err = |line: usize, message: String| ParseError {
        file: path.to_owned(),
        line,
        field: None,
        message,
    };
    match ext {
        "json" => serde_json::from_str(text)
            .map_err(|e| err(e.line().max(1), format!("not valid JSON: {e}"))),
        "toml" => match text.parse::<toml::Table>() {
            Ok(t) => Ok(crate::frontmatter::toml_to_json(toml::Value::Table(t))),
            Err(e) => {
                let line = e.span().map_or(1, |s| {
                    crate::frontmatter::newlines_before(text, s.start) + 1
                });
                Err(err(line, format!("not valid TOML: {}", e.message())))
            }
        },
        _ => crate::frontmatter::yaml_document(text)
            .map_err(|(line, m)| err(line, format!("not valid YAML: {m}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_yaml_toml_json_and_follows_text_symlinks() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        std::fs::create_dir_all(d.join("data/projekte")).unwrap();
        std::fs::write(
            d.join("data/projekte/01-a.yaml"),
            "title: A\ntxt: >\n  x\n  y\n",
        )
        .unwrap();
        std::fs::write(d.join("data/b.json"), "{\"n\": 1}").unwrap();
        std::fs::write(
            d.join("netlify.toml"),
            "[[redirects]]\nfrom = \"/a\"\nto = \"/b\"\n",
        )
        .unwrap();
        std::fs::write(d.join("data/netlify.toml"), "../netlify.toml").unwrap();
        std::fs::write(d.join("data/notes.txt"), "ignored").unwrap();
        let mut w = Vec::new();
        let files = read(d, &mut w).unwrap();
        let paths: Vec<_> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "data/b.json",
                "data/netlify.toml",
                "data/projekte/01-a.yaml"
            ]
        );
        assert_eq!(files[0].value["n"], 1);
        assert_eq!(files[1].value["redirects"][0]["to"], "/b");
        assert_eq!(files[2].value["txt"], "x y\n");
        assert_eq!(w.len(), 1, "{w:?}");
    }

    #[test]
    fn broken_data_file_is_fatal_with_line() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        std::fs::create_dir_all(d.join("data")).unwrap();
        std::fs::write(d.join("data/x.yaml"), "a: 1\nb: [1, 2\nc: 3\n").unwrap();
        let e = read(d, &mut Vec::new()).unwrap_err();
        assert_eq!(e.file, "data/x.yaml");
        assert!((2..=4).contains(&e.line), "{e}");
        assert!(e.message.starts_with("not valid YAML"), "{e}");
    }
}
