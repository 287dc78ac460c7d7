//! Where records live on the site. One place, so that importer, pages, feeds and
//! JSON agree (these are codefor.de's URLs, kept).

pub fn lab(slug: &str) -> String {
    format!("/{slug}/")
}

pub fn project(slug: &str) -> String {
    format!("/projekte/{slug}/")
}

pub fn post(slug: &str) -> String {
    format!("/blog/{slug}/")
}

/// A page's URL from its stored path (`""` is home).
pub fn page(path: &str) -> String {
    if path.is_empty() {
        "/".to_owned()
    } else {
        format!("/{path}/")
    }
}

/// A file of the media store.
pub fn media(path: &str) -> String {
    format!("/{}", path.trim_start_matches('/'))
}

/// Blog index pages: `/blog/` then `/blog/page/2/`, ….
pub fn blog_page(n: usize) -> String {
    if n <= 1 {
        "/blog/".to_owned()
    } else {
        format!("/blog/page/{n}/")
    }
}

/// Posts per blog index page: Hugo's default `paginate`, so today's `/blog/page/N/`
/// URLs keep showing the same posts.
pub const POSTS_PER_PAGE: usize = 10;

/// Paths the application itself serves besides records, which content may link to.
pub const APP_PATHS: &[&str] = &[
    "/",
    "/labs/",
    "/projekte/",
    "/blog/",
    "/index.xml",
    "/labs/index.json",
    "/projekte/index.json",
    "/blog/index.xml",
    "/projekte/index.xml",
    "/labs/index.xml",
    "/api/network.json",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    "/beduerfnisse/",
    "/beduerfnisse/index.xml",
    "/verhaltenskodex/",
    "/daten/",
    "/catalog.ttl",
    "/catalog.jsonld",
];
