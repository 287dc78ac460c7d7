use super::*;

fn site() -> SiteIndex {
    let mut s = SiteIndex::new();
    s.add_page("/");
    s.add_page("/berlin/");
    s.add_page("/blog/x/");
    s.add_media("blog/x/bild.png");
    s.add_redirect("/mitmachen/", "/berlin/");
    s
}

fn render_with(md: &str) -> Rendered {
    let site = site();
    let ctx = RenderContext {
        file: "content/blog/x.md",
        first_body_line: 10,
        page_path: "/blog/x/",
        site: &site,
    };
    render(md, &ctx)
}

#[test]
fn bare_domain_link_is_repaired_and_marked_external() {
    let r = render_with("Siehe [OpenLayers](openlayers.org/).");
    assert!(
        r.html.contains("<a href=\"https://openlayers.org/\" rel=\"external noopener noreferrer\" class=\"external\">OpenLayers</a>"),
        "{}",
        r.html
    );
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].what, "link `openlayers.org/` has no scheme");
    assert_eq!(r.warnings[0].action, "linked to https://openlayers.org/");
    assert_eq!(r.warnings[0].line, Some(10));
}

#[test]
fn scheme_typo_and_own_domain_are_repaired() {
    let r = render_with("[a](https:/foo.org)\n\n[b](https://codefor.de/berlin/)");
    assert!(r.html.contains("href=\"https://foo.org\""), "{}", r.html);
    assert!(r.html.contains("<a href=\"/berlin/\">b</a>"), "{}", r.html);
    // Our own absolute URL is made relative without a warning: nothing was wrong.
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert_eq!(r.warnings[0].line, Some(10));
}

#[test]
fn old_paths_and_letter_case_are_repaired() {
    let r = render_with("[a](/mitmachen/) [b](/Berlin/)");
    assert!(
        r.html
            .contains("<a href=\"/berlin/\">a</a> <a href=\"/berlin/\">b</a>"),
        "{}",
        r.html
    );
    assert_eq!(r.warnings.len(), 2);
}

#[test]
fn unresolved_link_becomes_plain_text() {
    let r = render_with("Eins\n\nZwei [*kaputter* Link](/gibt-es-nicht/) hier.");
    assert!(
        r.html.contains("<p>Zwei <em>kaputter</em> Link hier.</p>"),
        "{}",
        r.html
    );
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].action, "rendered as plain text");
    assert_eq!(r.warnings[0].line, Some(12));
}

#[test]
fn missing_image_becomes_placeholder() {
    let r = render_with("![Ein Foto](fehlt.png)\n\n![Da](bild.png)");
    assert!(
        r.html.contains("<span class=\"missing-image\" role=\"img\" aria-label=\"Bild nicht vorhanden: Ein Foto\">Bild nicht vorhanden: Ein Foto</span>"),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("<img src=\"bild.png\" alt=\"Da\">"),
        "{}",
        r.html
    );
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].action, "shown as placeholder");
}

#[test]
fn raw_html_links_and_images_are_checked_too() {
    let r = render_with(
        "<p><a href=\"/nirgends/\">weg</a> <a href=\"www.example.org\">ex</a> <img src=\"/fehlt.png\" alt=\"Alt\"></p>",
    );
    assert!(r.html.contains("<p>weg <a href=\"https://www.example.org\" rel=\"external noopener noreferrer\" class=\"external\">ex</a> "), "{}", r.html);
    assert!(r.html.contains("Bild nicht vorhanden: Alt"), "{}", r.html);
    assert_eq!(r.warnings.len(), 3, "{:?}", r.warnings);
    assert!(r.warnings.iter().all(|w| w.line == Some(10)));
}

#[test]
fn sanitizer_drops_scripts_handlers_and_javascript_urls() {
    let r = render_with(
        "<script>alert(1)</script>\n\n<div onclick=\"x()\" style=\"color:red\" class=\"evil landing-callout\">Hallo</div>\n\n[klick](javascript:alert(1)) <a href=\"javascript:alert(2)\">zwei</a> <img src=x onerror=alert(3)>",
    );
    assert!(!r.html.contains("script"), "{}", r.html);
    assert!(!r.html.contains("alert"), "{}", r.html);
    assert!(
        !r.html.contains("onclick") && !r.html.contains("onerror") && !r.html.contains("style"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("<div class=\"landing-callout\">Hallo</div>"),
        "{}",
        r.html
    );
    assert!(r.html.contains("klick") && r.html.contains("zwei"));
    let plain = render_plain(
        "<iframe src=\"https://evil.example/\"></iframe><form><input type=\"text\"></form>",
    );
    assert!(
        !plain.contains("<iframe") && !plain.contains("<form") && !plain.contains("type=\"text\""),
        "{plain}"
    );
}

#[test]
fn extensions_render() {
    let md = "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n- [x] erledigt\n- [ ] offen\n\n~~weg~~\n\nText[^1]\n\n[^1]: Fußnote.\n\nBegriff\n\n: Erklärung\n\n\"Zitat\" -- so.\n\nhttps://example.org\n";
    let html = render_plain(md);
    assert!(
        html.contains("<table>") && html.contains("<th align=\"center\">b</th>"),
        "{html}"
    );
    assert!(html.contains("<ul class=\"contains-task-list\">"), "{html}");
    assert!(
        html.contains("<input type=\"checkbox\" class=\"task-list-item-checkbox\" checked=\"\" disabled=\"\"> erledigt"),
        "{html}"
    );
    assert!(
        html.contains("aria-label=\"Zurück zur Fußnote 1\""),
        "{html}"
    );
    assert!(html.contains("<del>weg</del>"), "{html}");
    assert!(
        html.contains("<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\">1</a></sup>"),
        "{html}"
    );
    assert!(html.contains("<section class=\"footnotes\">"), "{html}");
    assert!(html.contains("<li id=\"fn-1\">"), "{html}");
    assert!(
        html.contains("<dl>") && html.contains("<dt>Begriff</dt>") && html.contains("Erklärung"),
        "{html}"
    );
    assert!(html.contains("“Zitat” – so."), "{html}");
    assert!(html.contains("<a href=\"https://example.org\" rel=\"external noopener noreferrer nofollow ugc\" class=\"external\">"), "{html}");
}

#[test]
fn headings_get_ids_and_anchors() {
    let html = render_plain("## Über uns\n\n## Über uns\n\n### Mitmachen {#mach-mit}\n");
    assert!(
        html.contains("<h2 id=\"über-uns\">Über uns <a class=\"anchor\" href=\"#über-uns\" aria-label=\"Link zu diesem Abschnitt\">#</a></h2>"),
        "{html}"
    );
    assert!(html.contains("<h2 id=\"über-uns-1\">"), "{html}");
    assert!(html.contains("<h3 id=\"mach-mit\">Mitmachen <a"), "{html}");
}

#[test]
fn shortcodes_render_with_inner_markdown() {
    let r = render_with(
        "{{< paragraph-center >}}\n**fett** [Berlin](/berlin/)\n{{< /paragraph-center >}}\n\n{{< headline-brackets-h2 id=\"ziel\" >}}\nUnser Ziel\n{{</ headline-brackets-h2 >}}\n\n{{< labmap-overview >}}\n",
    );
    assert!(r.html.contains("<div class=\"paragraph-center\">\n<p><strong>fett</strong> <a href=\"/berlin/\">Berlin</a></p>\n</div>"), "{}", r.html);
    assert!(
        r.html.contains("<h2 id=\"ziel\">Unser Ziel <a"),
        "{}",
        r.html
    );
    let found = shortcodes::components(&r.html);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, "labmap-overview");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn link_lines_are_right_after_multiline_shortcodes() {
    let r = render_with("{{< figure\n src=\"bild.png\"\n alt=\"x\"\n>}}\n\nText [kaputt](/nix/)\n");
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert_eq!(r.warnings[0].line, Some(15));
    assert!(
        r.html
            .contains("<figure class=\"figure\"><img src=\"bild.png\" alt=\"x\"></figure>"),
        "{}",
        r.html
    );
}

#[test]
fn iframes_become_links() {
    let r = render_with("<iframe src=\"//www.youtube.com/embed/abc\"></iframe>");
    assert!(r.html.contains("<a href=\"https://www.youtube.com/embed/abc\" rel=\"external noopener noreferrer\" class=\"external\">Eingebetteten Inhalt auf www.youtube.com öffnen</a>"), "{}", r.html);
    assert_eq!(r.warnings.len(), 1);
}

#[test]
fn summary_is_first_paragraph_cut_at_a_word() {
    let md = "{{< headline-icon icon=\"x.svg\" >}}\n\n# Titel\n\n{{< hero-block-center >}}\nDas ist **der** [erste](/x/) Absatz mit `Code`.\n{{< /hero-block-center >}}\n\nZweiter Absatz.";
    assert_eq!(summary(md, 200), "Das ist der erste Absatz mit Code.");
    assert_eq!(summary(md, 20), "Das ist der erste…");
    assert!(summary(md, 20).chars().count() <= 20);
    assert_eq!(summary("# Nur Titel", 50), "");
    assert_eq!(summary("Einwort", 3), "Ei…");
}

#[test]
fn images_from_other_sites_become_links_not_requests() {
    let r = render_with(
        "![Logo](https://example.org/logo.png) and [![Badge](https://example.org/b.svg)](https://example.org/)",
    );
    assert!(!r.html.contains("<img"), "{}", r.html);
    assert!(
        r.html
            .contains("<a href=\"https://example.org/logo.png\" class=\"external external-image\""),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("Bild auf externer Seite: Logo"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("<span class=\"external-image\">Bild auf externer Seite: Badge</span>"),
        "{}",
        r.html
    );
    assert_eq!(
        r.warnings
            .iter()
            .filter(|w| w.what.contains("another site"))
            .count(),
        2
    );
}

#[test]
fn raw_links_with_their_url_as_text_keep_their_text() {
    let r = render_with("<a href=\"https://example.org/x\">https://example.org/x</a>");
    assert!(!r.html.contains("\"></a>"), "no empty link: {}", r.html);
    assert!(r.html.contains(">https://example.org/x</a>"), "{}", r.html);
}

#[test]
fn one_h1_per_page() {
    let html = "<h1 id=\"a\">A</h1><p>x</p><h1 id=\"b\">B</h1>";
    assert_eq!(
        super::demote_headings(html, true),
        "<h1 id=\"a\">A</h1><p>x</p><h2 id=\"b\">B</h2>"
    );
    assert_eq!(
        super::demote_headings(html, false),
        "<h2 id=\"a\">A</h2><p>x</p><h2 id=\"b\">B</h2>"
    );
}

#[test]
fn leading_title_heading_is_dropped() {
    let (rest, skipped) = super::strip_title_heading(
        "\n# Rückblick: Open Data Day!\n\nText\n",
        "Rückblick – Open Data Day",
    );
    assert_eq!((rest, skipped), ("\nText\n", 2));
    let body = "# Anderes\n\nText";
    assert_eq!(super::strip_title_heading(body, "Titel"), (body, 0));
}
