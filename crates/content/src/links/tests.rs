use super::*;

fn site() -> SiteIndex {
    let mut s = SiteIndex::new();
    s.add_page("/");
    s.add_page("/berlin/");
    s.add_page("/community");
    s.add_file("blog/2014-04-09-blogpost.md", "/blog/blogpost/");
    s.add_file("labs/muenchen.md", "/muenchen/");
    s.add_file("projekte/_index.md", "/projekte/");
    s.add_media("projects/berlin/Karte.png");
    s.add_media("blog/Neue Webseite.png");
    s.add_media("blog/blogpost/bild.jpg");
    s.add_media("blog/logo.svg");
    s.add_redirect("/blog/Alter-Post.html", "/blog/zwischen");
    s.add_redirect("/blog/zwischen/", "/blog/blogpost/");
    s.add_redirect("/okfn", "https://okfn.de/");
    s.add_redirect("/kaputt/", "/gibt-es-nicht/");
    s.add_redirect("/archiv/*", "/blog/:splat");
    s
}

fn repaired(v: LinkVerdict) -> String {
    match v {
        LinkVerdict::Repaired { url, .. } => url,
        other => panic!("expected Repaired, got {other:?}"),
    }
}

fn rewritten(v: LinkVerdict) -> String {
    match v {
        LinkVerdict::Rewritten { url } => url,
        other => panic!("expected Rewritten, got {other:?}"),
    }
}

fn unresolved(v: &LinkVerdict) -> bool {
    matches!(v, LinkVerdict::Unresolved { .. })
}

#[test]
fn external_links_are_left_alone() {
    let s = site();
    for url in [
        "https://okfn.de/x",
        "HTTP://Example.org",
        "mailto:a@b.de",
        "tel:+4930123",
        "//cdn.example.org/x.js",
    ] {
        assert_eq!(s.check(url), LinkVerdict::External, "{url}");
    }
}

#[test]
fn fragment_and_query_only_links_keep() {
    let s = site();
    assert_eq!(s.check("#mitmachen"), LinkVerdict::Keep);
    assert_eq!(s.check("?page=2"), LinkVerdict::Keep);
}

#[test]
fn known_paths_keep_after_normalizing() {
    let s = site();
    assert_eq!(s.check("/berlin/"), LinkVerdict::Keep);
    assert_eq!(s.check("/berlin"), LinkVerdict::Keep);
    assert_eq!(s.check("/berlin/index.html"), LinkVerdict::Keep);
    assert_eq!(s.check("/community/#join"), LinkVerdict::Keep);
    assert_eq!(s.check("/projects/berlin/Karte.png"), LinkVerdict::Keep);
    assert_eq!(s.check("/blog/Neue%20Webseite.png"), LinkVerdict::Keep);
    assert_eq!(
        s.check("/static/projects/berlin/Karte.png"),
        LinkVerdict::Keep
    );
}

#[test]
fn relative_links_resolve_against_the_page() {
    let s = site();
    assert_eq!(
        s.check_from("bild.jpg", "/blog/blogpost/"),
        LinkVerdict::Keep
    );
    assert_eq!(
        s.check_from("../../berlin/", "/blog/blogpost/"),
        LinkVerdict::Keep
    );
    assert_eq!(
        s.check_from("./bild.jpg?x=1", "/blog/blogpost/"),
        LinkVerdict::Keep
    );
    // Written against the content folder instead of the page URL.
    assert_eq!(
        repaired(s.check_from("logo.svg", "/blog/blogpost/")),
        "/blog/logo.svg"
    );
    assert!(unresolved(&s.check_from("fehlt.png", "/blog/blogpost/")));
}

#[test]
fn own_absolute_urls_become_paths() {
    let s = site();
    assert_eq!(rewritten(s.check("https://codefor.de/berlin/")), "/berlin/");
    assert_eq!(
        rewritten(s.check("http://www.codefor.de/berlin#x")),
        "/berlin#x"
    );
    assert_eq!(rewritten(s.check("//codefor.de/")), "/");
    assert_eq!(rewritten(s.check("https://codefor.de")), "/");
    // …and are checked like any internal path.
    assert_eq!(repaired(s.check("https://codefor.de/BERLIN/")), "/berlin/");
    assert!(unresolved(&s.check("https://codefor.de/nirgends/")));
    // A look-alike host is someone else's site.
    assert_eq!(
        s.check("https://codefor.de.example.org/"),
        LinkVerdict::External
    );
}

#[test]
fn bare_domains_get_a_scheme() {
    let s = site();
    assert_eq!(
        repaired(s.check("openlayers.org/")),
        "https://openlayers.org/"
    );
    assert_eq!(
        repaired(s.check("www.foo.de/bar?x=1")),
        "https://www.foo.de/bar?x=1"
    );
    assert_eq!(
        repaired(s.check_from("www.example.com", "/blog/blogpost/")),
        "https://www.example.com"
    );
    assert_eq!(repaired(s.check("www.codefor.de/berlin")), "/berlin");
    // File names are not domains.
    assert!(unresolved(&s.check("readme.md")));
    assert!(unresolved(&s.check("bild.png")));
}

#[test]
fn mail_addresses_get_mailto() {
    assert_eq!(
        repaired(site().check("info@codefor.de")),
        "mailto:info@codefor.de"
    );
}

#[test]
fn scheme_typos_are_repaired() {
    let s = site();
    assert_eq!(repaired(s.check("https:/foo.org")), "https://foo.org");
    assert_eq!(repaired(s.check("http//foo.org/x")), "http://foo.org/x");
    assert_eq!(repaired(s.check("htps://foo.org")), "https://foo.org");
    assert_eq!(
        repaired(s.check("https//www.foo.de/a#b")),
        "https://www.foo.de/a#b"
    );
    assert_eq!(repaired(s.check("https:///foo.org")), "https://foo.org");
    assert_eq!(s.check("https://foo.org"), LinkVerdict::External);
}

#[test]
fn unsafe_schemes_are_refused() {
    let s = site();
    assert!(unresolved(&s.check("javascript:alert(1)")));
    assert!(unresolved(&s.check("data:text/html,x")));
    assert!(unresolved(&s.check("")));
}

#[test]
fn redirects_are_followed() {
    let s = site();
    // Two hops: the old .html path → /blog/zwischen/ → /blog/blogpost/.
    let v = s.check("/blog/Alter-Post.html#teil-2");
    assert_eq!(repaired(v), "/blog/blogpost/#teil-2");
    assert_eq!(repaired(s.check("/okfn")), "https://okfn.de/");
    assert_eq!(repaired(s.check("/archiv/blogpost/")), "/blog/blogpost/");
    assert!(unresolved(&s.check("/kaputt/")));
}

#[test]
fn redirect_loops_end() {
    let mut s = site();
    s.add_redirect("/a/", "/b/");
    s.add_redirect("/b/", "/a/");
    assert!(unresolved(&s.check("/a/")));
}

#[test]
fn letter_case_is_repaired_when_unambiguous() {
    let s = site();
    assert_eq!(repaired(s.check("/Berlin/")), "/berlin/");
    assert_eq!(
        repaired(s.check("/projects/berlin/karte.PNG")),
        "/projects/berlin/Karte.png"
    );
    assert_eq!(
        repaired(s.check("/blog/neue webseite.png")),
        "/blog/Neue%20Webseite.png"
    );
    let mut ambiguous = site();
    ambiguous.add_media("x/A.png");
    ambiguous.add_media("x/a.PNG");
    assert!(unresolved(&ambiguous.check("/x/a.png")));
}

#[test]
fn old_html_paths_and_content_files() {
    let s = site();
    assert_eq!(repaired(s.check("/berlin.html")), "/berlin/");
    assert_eq!(
        repaired(s.check("/blog/2014-04-09-blogpost.md")),
        "/blog/blogpost/"
    );
}

#[test]
fn unknown_paths_are_unresolved() {
    let v = site().check("/blog/gibt-es-nicht/");
    match v {
        LinkVerdict::Unresolved { why } => assert!(why.contains("/blog/gibt-es-nicht/"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn repairs_are_stable() {
    // A repaired URL checks as fine, so later passes do not report it twice.
    let s = site();
    for url in [
        "openlayers.org/",
        "https:/foo.org",
        "https://codefor.de/berlin/",
        "/Berlin/",
        "/blog/Alter-Post.html",
    ] {
        let fixed = match s.check(url) {
            LinkVerdict::Repaired { url, .. } | LinkVerdict::Rewritten { url } => url,
            other => panic!("{url}: expected a new URL, got {other:?}"),
        };
        assert!(
            matches!(s.check(&fixed), LinkVerdict::Keep | LinkVerdict::External),
            "{url} → {fixed}"
        );
    }
}

#[test]
fn refs_resolve_to_page_urls() {
    let s = site();
    assert_eq!(
        s.resolve_ref("/blog/2014-04-09-blogpost.md").as_deref(),
        Some("/blog/blogpost/")
    );
    assert_eq!(
        s.resolve_ref("blog/2014-04-09-blogpost.md#teil").as_deref(),
        Some("/blog/blogpost/#teil")
    );
    assert_eq!(s.resolve_ref("/muenchen").as_deref(), Some("/muenchen/"));
    assert_eq!(s.resolve_ref("muenchen.md").as_deref(), Some("/muenchen/"));
    assert_eq!(s.resolve_ref("/projekte").as_deref(), Some("/projekte/"));
    assert_eq!(
        s.resolve_ref("/BLOG/2014-04-09-Blogpost.md").as_deref(),
        Some("/blog/blogpost/")
    );
    assert_eq!(s.resolve_ref("/").as_deref(), Some("/"));
    assert_eq!(s.resolve_ref("/blog/fehlt.md"), None);
}

#[test]
fn normalize_handles_dots_and_slashes() {
    assert_eq!(normalize_path("../x", "/a/b/"), "/a/x/");
    assert_eq!(normalize_path("/a/./b/../c.png", "/"), "/a/c.png");
    assert_eq!(normalize_path("/../..", "/"), "/");
    assert_eq!(normalize_path("/a/index.html", "/"), "/a/");
    assert_eq!(normalize_path("/M%C3%BCnster", "/"), "/Münster/");
}
