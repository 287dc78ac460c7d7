use super::*;
use crate::links::SiteIndex;

fn site() -> SiteIndex {
    let mut s = SiteIndex::new();
    s.add_page("/");
    s.add_page("/spenden/");
    s.add_file("blog/2014-04-09-blogpost.md", "/blog/blogpost/");
    s.add_file("labs/muenchen.md", "/muenchen/");
    s.add_media("blog/summit.jpg");
    s.add_media("images/community-1.jpg");
    s
}

fn ctx(site: &SiteIndex) -> RenderContext<'_> {
    RenderContext {
        file: "content/x.md",
        first_body_line: 5,
        page_path: "/x/",
        site,
    }
}

fn expand_with(source: &str) -> Expanded {
    let site = site();
    expand(source, &ctx(&site))
}

#[test]
fn ref_and_relref_become_urls() {
    let e = expand_with(
        "[Post]({{< ref \"/blog/2014-04-09-blogpost.md\" >}}) [Lab]({{<relref \"/muenchen\">}})",
    );
    assert_eq!(e.text, "[Post](/blog/blogpost/) [Lab](/muenchen/)");
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
}

#[test]
fn unresolvable_ref_is_reported() {
    // Outside a link the ref itself is reported, with the file line.
    let e = expand_with("Text\n\nsiehe {{< ref \"/blog/fehlt.md\" >}}");
    assert_eq!(e.warnings.len(), 1);
    assert_eq!(e.warnings[0].line, Some(7));
    assert!(e.warnings[0].what.contains("/blog/fehlt.md"));
    assert!(!e.text.contains("{{<"));
    // As a link target it is left for the link check (which reports it once).
    let e = expand_with("[x]({{< ref \"/blog/fehlt.md\" >}})");
    assert_eq!(e.text, "[x](/blog/fehlt.md)");
    assert!(e.warnings.is_empty());
}

#[test]
fn figure_becomes_figure_with_caption() {
    let e = expand_with(
        "{{< figure\n     src=\"/blog/summit.jpg\"\n     attr=\"Foto: [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/)\"\n     alt=\"Menschen im Raum\"\n>}}\n",
    );
    assert!(
        e.text.contains(
            "<figure class=\"figure\"><img src=\"/blog/summit.jpg\" alt=\"Menschen im Raum\">"
        ),
        "{}",
        e.text
    );
    assert!(e.text.contains("<figcaption><span class=\"attribution\">Foto: <a href=\"https://creativecommons.org/licenses/by/4.0/\">CC BY 4.0</a></span></figcaption>"), "{}", e.text);
    assert!(e.warnings.is_empty());
}

#[test]
fn figure_with_missing_image_shows_placeholder() {
    let e = expand_with(
        "Text\n{{< figure src=\"/blog/fehlt.jpg\" alt=\"Ein Bild\" caption=\"Unterschrift\" >}}",
    );
    assert!(
        e.text.contains("Bild nicht vorhanden: Ein Bild"),
        "{}",
        e.text
    );
    assert!(!e.text.contains("<img"));
    assert!(e.text.contains("<figcaption>Unterschrift</figcaption>"));
    assert_eq!(e.warnings.len(), 1);
    assert_eq!(e.warnings[0].line, Some(6));
    assert_eq!(e.warnings[0].action, "shown as placeholder");
}

#[test]
fn headlines_become_markdown_headings() {
    let e = expand_with(
        "{{< headline-brackets-h1 color=\"red\"  >}}\nUnsere Community\n{{< /headline-brackets-h1  >}}",
    );
    assert!(e.text.contains("\n# Unsere Community\n"), "{}", e.text);
    let e = expand_with(
        "{{< headline-brackets-h2 color=\"blue\" id=\"mitmachen\" >}}\nMach mit\n{{</ headline-brackets-h2>}}",
    );
    assert!(
        e.text.contains("\n## Mach mit {#mitmachen}\n"),
        "{}",
        e.text
    );
}

#[test]
fn wrappers_keep_inner_markdown_as_markdown() {
    for name in ["paragraph-center", "hero-block-center", "landing-callout"] {
        let e = expand_with(&format!(
            "{{{{< {name} >}}}}\n**fett** und _kursiv_\n{{{{< /{name} >}}}}"
        ));
        assert!(
            e.text.contains(&format!("<div class=\"{name}\">\n\n")),
            "{}",
            e.text
        );
        assert!(e.text.contains("\n**fett** und _kursiv_\n"), "{}", e.text);
        assert!(e.text.contains("\n\n</div>\n"), "{}", e.text);
    }
}

#[test]
fn headline_icon_is_decorative() {
    let e = expand_with("{{< headline-icon icon=\"icon-bracket.svg\" color=\"blue\" >}}");
    assert!(
        e.text
            .contains("<div class=\"headline-icon\" aria-hidden=\"true\"></div>")
    );
}

#[test]
fn button_center_is_a_link() {
    let e = expand_with(
        "{{< button-center href=\"/spenden\" class=\"mb-6\" >}}\nSpenden\n{{</ button-center >}}",
    );
    assert!(
        e.text.contains(
            "<p class=\"button-center\"><a class=\"button\" href=\"/spenden\">Spenden</a></p>"
        ),
        "{}",
        e.text
    );
    // A button to nowhere keeps its label without the link.
    let e = expand_with("{{< button-center href=\"/nirgends\" >}}\nLos\n{{< /button-center >}}");
    assert!(
        e.text.contains("<p class=\"button-center\">Los</p>"),
        "{}",
        e.text
    );
    assert_eq!(e.warnings[0].action, "rendered as plain text");
}

#[test]
fn quote_is_a_blockquote_with_author() {
    let e = expand_with(
        "{{< quote author=\"Nastja, Code for Niederrhein\">}}\nEin *Zitat*.\n{{</quote>}}",
    );
    assert!(
        e.text
            .contains("<figure class=\"quote\">\n<blockquote>\n\n"),
        "{}",
        e.text
    );
    assert!(e.text.contains("\nEin *Zitat*.\n"));
    assert!(e.text.contains("</blockquote>\n<figcaption>— <cite>Nastja, Code for Niederrhein</cite></figcaption>\n</figure>"));
}

#[test]
fn slideshow_is_a_gallery_list() {
    let e = expand_with(
        "{{< image-slideshow interval=\"4_000\" >}}\n{{< slideshow-image src=\"/images/community-1.jpg\" >}}\n\n{{< slideshow-image src=\"/images/fehlt.jpg\" >}}\n{{</image-slideshow >}}",
    );
    assert!(e.text.contains("<ul class=\"image-slideshow\">\n<li class=\"slideshow-image\"><figure><img src=\"/images/community-1.jpg\" alt=\"\"></figure></li>\n<li"), "{}", e.text);
    assert!(e.text.contains("Bild nicht vorhanden: fehlt.jpg"));
    assert_eq!(e.warnings.len(), 1);
    assert_eq!(e.warnings[0].line, Some(8));
}

#[test]
fn live_components_become_markers() {
    for name in LIVE_COMPONENTS {
        let e = expand_with(&format!("{{{{< {name} >}}}}"));
        assert!(
            e.text.contains(&format!(
                "<div class=\"component\" data-component=\"{name}\" data-args=\"\"></div>"
            )),
            "{}",
            e.text
        );
    }
    let e = expand_with("{{< project-list lab=\"berlin\" >}}");
    assert!(
        e.text.contains("data-args=\"lab=&quot;berlin&quot;\""),
        "{}",
        e.text
    );
}

#[test]
fn percent_form_and_self_closing_form() {
    let e = expand_with(
        "{{% paragraph-center %}}\nText\n{{% /paragraph-center %}}\n{{< home/hexagons />}}",
    );
    assert!(e.text.contains("<div class=\"paragraph-center\">"));
    assert!(e.text.contains("data-component=\"home/hexagons\""));
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
}

#[test]
fn unknown_shortcode_is_kept_visibly_and_reported() {
    let e = expand_with("Zeile eins\n\nZeile drei {{< tweet user=\"x\" id=\"1\" >}}");
    assert_eq!(e.warnings.len(), 1);
    let w = &e.warnings[0];
    assert_eq!(w.what, "unknown shortcode `tweet`");
    assert_eq!(w.action, "kept as text");
    assert_eq!(w.file, "content/x.md");
    assert_eq!(w.line, Some(7)); // body line 3, body starts at line 5
    assert!(!e.text.contains("{{<"));
    assert!(e.text.contains("tweet user"), "{}", e.text);
}

#[test]
fn arguments_named_positional_and_quoted() {
    let args = parse::parse_args("a=\"x \\\"y\\\"\" b=`raw\nline` c=plain \"pos one\" two");
    assert_eq!(
        args,
        vec![
            (Some("a".into()), "x \"y\"".into()),
            (Some("b".into()), "raw\nline".into()),
            (Some("c".into()), "plain".into()),
            (None, "pos one".into()),
            (None, "two".into()),
        ]
    );
}

#[test]
fn stray_and_unclosed_tags_are_reported() {
    let e = expand_with("{{< /quote >}}\n{{< paragraph-center >}}\nText");
    assert_eq!(e.warnings.len(), 2, "{:?}", e.warnings);
    assert!(e.text.contains("Text"));
    assert!(!e.text.contains("{{<"));
}

#[test]
fn lines_outside_shortcodes_map_back() {
    let site = site();
    let source = "{{< figure\n src=\"/blog/summit.jpg\"\n>}}\n\nText [x](/a)\n";
    let (e, map) = expand_mapped(source, &ctx(&site));
    let line = e
        .text
        .lines()
        .position(|l| l.starts_with("Text"))
        .map(|i| i + 1);
    assert_eq!(line.and_then(|l| map.get(l - 1).copied()), Some(5));
    assert_eq!(map.len(), e.text.split('\n').count());
}

#[test]
fn comments_show_the_shortcode_literally() {
    let e = expand_with("{{</* figure src=\"x\" */>}}");
    assert!(e.warnings.is_empty());
    assert!(!e.text.contains("{{<"));
    assert!(e.text.contains("figure src"));
}

#[test]
fn components_are_found_in_html() {
    let html = "<p>a</p>\n<div class=\"component\" data-component=\"project-list\" data-args=\"lab=&quot;berlin&quot;\"></div>\n<div data-component=\"home/hexagons\"></div>";
    let found = components(html);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].name, "project-list");
    assert_eq!(found[0].args, "lab=\"berlin\"");
    assert_eq!(&html[found[0].range.clone()], found[0].marker);
    assert!(found[0].marker.ends_with("</div>"));
    assert_eq!(found[1].name, "home/hexagons");
    assert_eq!(found[1].args, "");
}
