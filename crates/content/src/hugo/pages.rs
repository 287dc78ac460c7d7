//! Pages: top-level `content/*.md` (`impressum`), every section index `_index.md` (home,
//! `community`, `blog`, `projekte`, `projekte/alle`), leaf bundles `dir/index.md`, and
//! `README.md` standing in for a bundle's index (`archiv/advent18`).

use codefor_domain::Page;

use super::fields::{self, Fm};
use super::{Ctx, Doc};
use crate::report::ParseError;

/// The URL of a page path: `""` → `/`, `archiv/launch` → `/archiv/launch/`.
pub fn url_of(path: &str) -> String {
    if path.is_empty() {
        "/".to_owned()
    } else {
        format!("/{path}/")
    }
}

/// The page path for a Markdown file relative to `content/`, as Hugo wrote it (lowercased
/// URL segments), before turning segments into valid slugs.
fn hugo_path(rel: &str) -> String {
    let rel = rel.strip_suffix(".md").unwrap_or(rel);
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let parts: Vec<&str> = match name {
        "_index" | "index" | "README" | "readme" => {
            dir.split('/').filter(|s| !s.is_empty()).collect()
        }
        _ => dir
            .split('/')
            .filter(|s| !s.is_empty())
            .chain([name])
            .collect(),
    };
    parts
        .iter()
        .map(|p| fields::hugo_segment(p))
        .collect::<Vec<_>>()
        .join("/")
}

pub(crate) fn read(
    ctx: &mut Ctx,
    file: &str,
    rel: &str,
    text: &str,
) -> Result<Doc<Page>, ParseError> {
    let (split, source) = ctx.parse(file, text)?;
    let empty = serde_json::Map::new();
    let fm = Fm {
        file,
        split,
        map: source.as_object().unwrap_or(&empty),
    };
    let mut warnings = Vec::new();

    let mut hugo = hugo_path(rel);
    if let Some(url) = fm.str("url")? {
        hugo = url
            .trim_matches('/')
            .split('/')
            .map(fields::hugo_segment)
            .collect::<Vec<_>>()
            .join("/");
    } else if let Some(slug) = fm.str("slug")? {
        let seg = fields::hugo_segment(&slug);
        hugo = match hugo.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{seg}"),
            None => seg,
        };
    }
    let path = hugo
        .split('/')
        .map(|s| fields::slug_from_segment(s).0)
        .collect::<Vec<_>>()
        .join("/");
    let path = if hugo.is_empty() { String::new() } else { path };
    let draft = super::posts::draft(&fm, &mut warnings)?;
    if path != hugo && !draft {
        warnings.push(fm.warning(
            None,
            format!(
                "Hugo served this at {}, which is not a valid slug",
                url_of(&hugo)
            ),
            format!("served at {}; the old URL redirects", url_of(&path)),
        ));
        ctx.hugo_paths.push((file.to_owned(), url_of(&hugo)));
    }
    // Hugo serves a `README.md` leaf as its own page (`…/readme/`); we serve it as the
    // folder's page, so the old URL redirects there.
    if let Some(dir) = rel
        .strip_suffix("/README.md")
        .or_else(|| rel.strip_suffix("/readme.md"))
        && !draft
    {
        let old = format!(
            "{}/readme",
            dir.split('/')
                .map(fields::hugo_segment)
                .collect::<Vec<_>>()
                .join("/")
        );
        ctx.hugo_paths.push((file.to_owned(), url_of(&old)));
    }

    let title = match fm.str("title")? {
        Some(t) => t,
        None => {
            let t = path
                .rsplit('/')
                .next()
                .filter(|s| !s.is_empty())
                .unwrap_or("Start")
                .to_owned();
            warnings.push(fm.warning(None, "page without `title`", format!("titled it `{t}`")));
            t
        }
    };
    let page = Page {
        path,
        title,
        description: fm.str("description")?,
        body_md: fm.split.body.to_owned(),
        body_html: String::new(),
        draft,
        source: source.clone(),
    };
    ctx.warnings.extend(warnings);
    Ok(Doc {
        file: file.to_owned(),
        body_line: fm.split.body_line,
        record: page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hugo::Config;

    #[test]
    fn paths() {
        assert_eq!(hugo_path("_index.md"), "");
        assert_eq!(hugo_path("community/_index.md"), "community");
        assert_eq!(hugo_path("projekte/alle/_index.md"), "projekte/alle");
        assert_eq!(hugo_path("archiv/launch/index.md"), "archiv/launch");
        assert_eq!(hugo_path("archiv/advent18/README.md"), "archiv/advent18");
        assert_eq!(hugo_path("impressum.md"), "impressum");
        assert_eq!(hugo_path("Über Uns.md"), "über-uns");
        assert_eq!(url_of(""), "/");
        assert_eq!(url_of("archiv/launch"), "/archiv/launch/");
    }

    #[test]
    fn reads_pages() {
        let mut c = Ctx::new(Config {
            filename_date_first: true,
        });
        let d = read(
            &mut c,
            "content/impressum.md",
            "impressum.md",
            "---\ntitle: Impressum\ndescription: D\n---\nText",
        )
        .unwrap();
        assert_eq!(
            (d.record.path.as_str(), d.record.title.as_str()),
            ("impressum", "Impressum")
        );
        assert_eq!(d.record.description.as_deref(), Some("D"));
        assert_eq!(d.body_line, 5);
        let d = read(
            &mut c,
            "content/archiv/advent18/README.md",
            "archiv/advent18/README.md",
            "## Copyrights\n",
        )
        .unwrap();
        assert_eq!(
            (d.record.path.as_str(), d.record.title.as_str()),
            ("archiv/advent18", "advent18")
        );
        assert_eq!(d.body_line, 1);
        assert_eq!(c.warnings.len(), 1);
        let d = read(&mut c, "content/Über.md", "Über.md", "---\ntitle: U\n---\n").unwrap();
        assert_eq!(d.record.path, "ueber");
        assert_eq!(
            c.hugo_paths,
            vec![
                (
                    "content/archiv/advent18/README.md".to_owned(),
                    "/archiv/advent18/readme/".to_owned()
                ),
                ("content/Über.md".to_owned(), "/über/".to_owned()),
            ]
        );
    }
}
