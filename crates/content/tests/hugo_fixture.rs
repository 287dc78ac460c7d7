//! The Hugo reader against the real codefor.de content (`../shared/fixtures/codefor.de`
//! beside the checkout). Run with `--nocapture` to see the report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use codefor_content::hugo::{self, Site};
use codefor_domain::redirects::normalize_path;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/codefor.de")
}

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| match hugo::read(&fixture()) {
        Ok(site) => site,
        Err(e) => panic!("reading the fixture failed: {e}"),
    })
}

fn warnings_matching(pred: impl Fn(&codefor_content::report::Warning) -> bool) -> Vec<String> {
    site()
        .warnings
        .iter()
        .filter(|w| pred(w))
        .map(ToString::to_string)
        .collect()
}

macro_rules! fixture_test {
    ($name:ident $body:block) => {
        #[test]
        #[cfg_attr(not(has_fixture), ignore = "needs ../shared/fixtures/codefor.de beside the checkout")]
        fn $name() $body
    };
}

fixture_test!(report {
    let s = site();
    println!(
        "labs {} · projects {} · posts {} · pages {} · people {} · memberships {} · collaborators {} · authors {} · redirects {} · media {} · data files {} · warnings {}",
        s.labs.len(), s.projects.len(), s.posts.len(), s.pages.len(), s.people.len(), s.memberships.len(),
        s.collaborators.len(), s.authors.len(), s.redirects.len(), s.media.len(), s.data_files.len(), s.warnings.len()
    );
    for w in &s.warnings {
        println!("{w}");
    }
    // Every warning names a file and says what we did.
    for w in &s.warnings {
        assert!(!w.file.is_empty() && !w.what.is_empty() && !w.action.is_empty(), "{w:?}");
    }
});

fixture_test!(counts {
    let s = site();
    assert_eq!(s.labs.len(), 38);
    assert_eq!(s.projects.len(), 247);
    assert_eq!(s.projects.iter().filter(|p| p.record.draft).count(), 2, "draft: true and draft: 1");
    // 227 files; the four pairs sharing a URL differ, so all are kept (the later one of
    // each pair at <slug>-2).
    assert_eq!(s.posts.len(), 227);
    assert_eq!(s.posts.iter().filter(|p| p.record.draft).count(), 1);
    assert_eq!(s.data_files.len(), 4);
    let urls: BTreeSet<&str> = s.posts.iter().map(|p| p.record.slug.as_str()).collect();
    assert_eq!(urls.len(), 227, "post slugs are unique");
    let slugs: BTreeSet<&str> = s.projects.iter().map(|p| p.record.slug.as_str()).collect();
    assert_eq!(slugs.len(), 247, "project slugs are unique");
    for d in s.labs.iter().map(|d| &d.file).chain(s.projects.iter().map(|d| &d.file)).chain(s.posts.iter().map(|d| &d.file)) {
        assert!(fixture().join(d).is_file(), "{d}");
    }
});

fixture_test!(records_carry_their_fields {
    let s = site();
    let berlin = &s.labs.iter().find(|l| l.record.slug == "berlin").unwrap().record;
    assert_eq!((berlin.name.as_str(), berlin.city.as_str()), ("OK Lab Berlin", "Berlin"));
    assert_eq!(berlin.latitude, Some(52.498493));
    assert!(berlin.active && !berlin.hidden);
    assert_eq!(berlin.feeds.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), vec!["ical", "rss"]);
    assert_eq!(berlin.contacts[0].url, "mailto:berlin@codefor.de");
    assert!(berlin.body_md.starts_with("\nWillkommen"));
    let berlin_doc = s.labs.iter().find(|l| l.record.slug == "berlin").unwrap();
    assert_eq!(berlin_doc.body_line, 205, "line after the closing ---");
    assert!(berlin.source["members"].as_array().is_some_and(|m| m.len() > 10));
    let bonn = &s.labs.iter().find(|l| l.record.slug == "bonn").unwrap().record;
    assert!(!bonn.active, "inactive: true");
    assert!(bonn.contacts.is_empty(), "Bonn's leads are people");
    let inactive = s.labs.iter().filter(|l| !l.record.active).count();
    assert_eq!(inactive, 16, "16 labs say `inactive: true`, one `inactive: false`");
    assert_eq!(s.labs.iter().filter(|l| l.record.hidden).count(), 3);

    let bonn_leads: Vec<&str> = s.memberships.iter().filter(|(lab, r)| lab == "bonn" && r.role.as_str() == "lead").map(|(_, r)| r.key.as_str()).collect();
    assert_eq!(bonn_leads, vec!["sven-hense", "damian-paderta", "caspar-armster"]);
    let stefan = s.people.iter().find(|p| p.key == "stefan-wehrmeyer").unwrap();
    assert_eq!((stefan.github.as_deref(), stefan.twitter.as_deref()), (Some("stefanw"), Some("stefanwehrmeyer")));
    let keys: BTreeSet<&str> = s.people.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys.len(), s.people.len(), "people are unique by key");
    for (_, r) in s.memberships.iter().chain(&s.collaborators).chain(&s.authors) {
        assert!(keys.contains(r.key.as_str()), "{r:?}");
    }

    let statuses = s.projects.iter().filter(|p| p.record.status_text.is_some()).count();
    assert_eq!(statuses, 196);
    let unclassified: Vec<&str> = s.projects.iter().filter(|p| p.record.development_status.is_none()).filter_map(|p| p.record.status_text.as_deref()).collect();
    assert_eq!(unclassified, vec!["Zwonull", "vom 16.06.-21.06.2021", "3. September 2021"]);

    let post = s.posts.iter().find(|p| p.file == "content/blog/2018-11-13-Bericht-Code-for-All-Bucharest.md").unwrap();
    assert_eq!(post.record.slug, "bericht-code-for-all-bucharest");
    assert_eq!(post.record.date, "2018-11-13");
    let en = s.posts.iter().filter(|p| p.record.lang == "en").count();
    assert_eq!(en, 6);
    let odd = s.posts.iter().find(|p| p.file.ends_with("2021-09-31-out-in-the-open-september-2021.md")).unwrap();
    assert_eq!((odd.record.slug.as_str(), odd.record.date.as_str()), ("out-in-the-open-september-2021", "2021-09-29"));
    assert!(s.posts.iter().all(|p| p.record.body_html.is_empty()));
    assert!(s.posts.iter().any(|p| p.record.body_md.contains("{{<")), "shortcodes stay as written");
});

fixture_test!(duplicate_post_urls {
    let s = site();
    let slug_of = |file: &str| s.posts.iter().find(|p| p.file == format!("content/blog/{file}")).map(|p| p.record.slug.clone());
    for (first, second, slug) in [
        ("2014-10-06-codeweek-eu.md", "2014-10-31-codeweek-eu.md", "codeweek-eu"),
        ("2015-01-16-neue-labs.md", "2016-01-18-neue-labs.md", "neue-labs"),
        ("2015-10-06-tech-for-refugees.md", "2016-05-12-tech-for-refugees.md", "tech-for-refugees"),
        ("2017-02-15-open-data-day.md", "2018-03-01-open-data-day.md", "open-data-day"),
    ] {
        assert_eq!(slug_of(first).as_deref(), Some(slug));
        assert_eq!(slug_of(second), Some(format!("{slug}-2")));
        let w = warnings_matching(|w| w.file.ends_with(second) && w.what.contains(first));
        assert_eq!(w.len(), 1, "{second}");
        assert_eq!(s.url_of_file(&format!("blog/{second}")), Some(format!("/blog/{slug}-2/")));
    }
});

fixture_test!(pages_present {
    let s = site();
    let paths: BTreeSet<&str> = s.pages.iter().map(|p| p.record.path.as_str()).collect();
    let want = [
        "", "community", "blog", "projekte", "projekte/alle", "impressum", "presse", "grundsaetze", "datenschutz",
        "spenden", "archiv/launch", "archiv/advent18",
    ];
    assert_eq!(paths, want.into_iter().collect());
    let home = s.pages.iter().find(|p| p.record.path.is_empty()).unwrap();
    assert_eq!(home.record.title, "Home");
    assert_eq!(s.url_of_file("content/archiv/launch/index.md").as_deref(), Some("/archiv/launch/"));
});

fixture_test!(every_lab_has_a_state {
    let s = site();
    let state: BTreeMap<&str, &str> =
        s.labs.iter().map(|l| (l.record.slug.as_str(), l.record.state_key.as_deref().unwrap_or("none"))).collect();
    for (slug, key) in &state {
        assert!(codefor_domain::states::by_key(key).is_some(), "{slug} has no state");
    }
    for (slug, key) in [
        ("berlin", "11"), ("potsdam", "12"), ("flaeming", "12"), ("forst", "12"), ("cottbus", "12"),
        ("niederrhein", "05"), ("ruhrgebiet", "05"), ("paderborn", "05"), ("mecklenburg-vorpommern", "13"),
        ("schleswig-flensburg", "01"), ("flensburg", "01"), ("hamburg", "02"), ("saarland", "10"),
        ("erlangen", "09"), ("freiburg", "08"), ("ulm", "09"), ("jena", "16"), ("magdeburg", "15"),
        ("kaiserslautern", "07"), ("giessen", "06"), ("hannover", "03"), ("leipzig", "14"),
    ] {
        assert_eq!(state[slug], key, "{slug}");
    }
    let placed = warnings_matching(|w| w.action.contains("city centre"));
    assert_eq!(placed.len(), 3, "{placed:?}");
    for lab in ["erlangen", "freiburg", "paderborn"] {
        assert!(placed.iter().any(|w| w.starts_with(&format!("content/labs/{lab}.md:"))), "{lab}");
    }
});

fixture_test!(redirects {
    let s = site();
    let mut w = Vec::new();
    let netlify = hugo::redirects::netlify(&fixture(), &mut w).unwrap();
    assert_eq!(netlify.len(), 355);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(netlify.iter().filter(|r| r.force).count(), 5);
    let kinds: BTreeSet<&str> = netlify
        .iter()
        .map(|r| if hugo::redirects::is_pattern(&r.redirect.from_path) { "splat" } else if r.redirect.to.contains("://") { "external" } else { "path" })
        .collect();
    assert_eq!(kinds, ["external", "path", "splat"].into_iter().collect());
    assert!(s.redirects.iter().any(|r| r.from_path == "/en/*" && r.to == "/:splat"));
    assert!(s.redirects.iter().any(|r| r.origin.starts_with("netlify.toml:") && r.to.starts_with("https://")));

    // No redirect starts at a page, none loops, one per old path.
    let pages: BTreeSet<String> = s
        .labs.iter().map(|d| d.file.as_str())
        .chain(s.projects.iter().map(|d| d.file.as_str()))
        .chain(s.posts.iter().map(|d| d.file.as_str()))
        .chain(s.pages.iter().map(|d| d.file.as_str()))
        .filter_map(|f| s.url_of_file(f))
        .collect();
    assert_eq!(pages.len(), 38 + 247 + 227 + 12);
    let froms: BTreeSet<&str> = s.redirects.iter().map(|r| r.from_path.as_str()).collect();
    assert_eq!(froms.len(), s.redirects.len());
    for r in &s.redirects {
        assert!(!pages.contains(&r.from_path), "{r:?}");
        assert_ne!(normalize_path(&r.to), r.from_path, "{r:?}");
    }
    assert!(warnings_matching(|w| w.what.starts_with("redirect /datenschutz/")).len() == 1);
    assert!(!froms.contains("/labs/"), "the new site's lab map");

    // Every alias in front matter either names the page's own URL or is a redirect to it.
    let mut aliases = 0;
    let docs = s.labs.iter().map(|d| (&d.file, &d.record.source))
        .chain(s.projects.iter().map(|d| (&d.file, &d.record.source)))
        .chain(s.posts.iter().map(|d| (&d.file, &d.record.source)))
        .chain(s.pages.iter().map(|d| (&d.file, &d.record.source)));
    for (file, source) in docs {
        let url = s.url_of_file(file).unwrap();
        for alias in source["aliases"].as_array().into_iter().flatten() {
            aliases += 1;
            let from = normalize_path(alias.as_str().unwrap());
            assert!(from == url || s.redirects.iter().any(|r| r.from_path == from && r.to == url), "{file}: {from}");
        }
    }
    assert_eq!(aliases, 76);
    // Hugo's URLs we changed stay reachable.
    for (from, to) in [
        ("/blog/2021-09-31-out-in-the-open-september-2021/", "/blog/out-in-the-open-september-2021/"),
        ("/blog/unvereinbarkeitserklärung-offene-daten-und-ndas/", "/blog/unvereinbarkeitserklaerung-offene-daten-und-ndas/"),
        ("/er/", "/erlangen/"),
    ] {
        assert!(s.redirects.iter().any(|r| r.from_path == from && r.to == to), "{from}");
    }
    // Targets written in another case lead to the page (Hugo lowercased URLs).
    assert!(s.redirects.iter().any(|r| r.from_path == "/projekte/2016-03-01-refugeeApp.html" && r.to == "/projekte/refugeeapp/"));
});

fixture_test!(media {
    let s = site();
    let root = fixture();
    let mut expected = BTreeSet::new();
    for tree in ["static", "content"] {
        for e in walkdir::WalkDir::new(root.join(tree)) {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().to_string();
            if e.file_type().is_file() && !name.ends_with(".md") && name != ".gitkeep" {
                let rel = e.path().strip_prefix(root.join(tree)).unwrap().to_string_lossy().replace('\\', "/");
                expected.insert(rel);
            }
        }
    }
    let got: BTreeSet<String> = s.media.iter().map(|m| m.path.clone()).collect();
    assert_eq!(got, expected);
    assert_eq!(s.media.len(), 658);
    let flyer = s.media.iter().find(|m| m.path == "ressourcen/Flyer_CodeforGermany.pdf").unwrap();
    assert_eq!(flyer.content_type, "application/pdf");
    let bytes = std::fs::read(root.join("content/ressourcen/Flyer_CodeforGermany.pdf")).unwrap();
    assert_eq!(flyer.bytes, bytes);
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(flyer.sha256, sha);
    assert!(s.media.iter().filter(|m| m.path.to_lowercase().ends_with(".jpg")).all(|m| m.content_type == "image/jpeg"));
});

fixture_test!(missing_files {
    let s = site();
    let absent = [
        "blog/OpenDataDay2017.pdf",
        "blog/feuchtigkeit-teutoburger-wald/teuto_ranger_sensor.jpg",
        "blog/neue-labs-3.png",
        "projects/berlin/street-trees.png",
        "projects/dresden/kita.png",
        "projects/karlsruhe/tcafe.jpg",
        "projects/karlsruhe/trees.png",
    ];
    for path in absent {
        assert!(s.media.iter().all(|m| m.path != path), "{path}");
    }
    // Four of the seven are named in front matter (imgname, images); the PDF is linked
    // from a body (the renderer reports it) and the Karlsruhe pictures from nowhere.
    for (file, path) in [
        ("content/blog/2021-12-15-Feuchtigkeit-Teutoburger-Wald.md:12", "blog/feuchtigkeit-teutoburger-wald/teuto_ranger_sensor.jpg"),
        ("content/blog/2016-01-18-neue-labs.md:10", "blog/neue-labs-3.png"),
        ("content/projekte/2016-07-18-be-street-trees-api.md:4", "projects/berlin/street-trees.png"),
        ("content/projekte/2014-04-19-dd-kitakarte.md:4", "projects/dresden/kita.png"),
    ] {
        let w = warnings_matching(|w| w.what.starts_with(&format!("missing file /{path} ")));
        assert_eq!(w.len(), 1, "{path}");
        assert!(w[0].starts_with(&format!("{file}: ")), "{w:?}");
    }
    for path in ["OpenDataDay2017.pdf", "tcafe.jpg", "karlsruhe/trees.png"] {
        assert!(warnings_matching(|w| w.what.contains(path)).is_empty(), "{path}");
    }
    let street = s.projects.iter().find(|p| p.file.ends_with("be-street-trees-api.md")).unwrap();
    assert_eq!(street.record.image.as_deref(), Some("projects/berlin/street-trees.png"), "reference kept");
    // Every referenced picture that exists is a media file.
    let media: BTreeSet<&str> = s.media.iter().map(|m| m.path.as_str()).collect();
    let missing = warnings_matching(|w| w.what.starts_with("missing file"));
    for image in s.projects.iter().filter_map(|p| p.record.image.as_deref()).chain(s.posts.iter().filter_map(|p| p.record.image.as_deref())) {
        assert!(media.contains(image) || missing.iter().any(|w| w.contains(&format!("/{image} "))), "{image}");
    }
});

fixture_test!(known_problems_are_reported {
    for (prefix, what) in [
        ("content/labs/berlin.md:47: ", "misspelled key `sername-twitter` in members"),
        ("content/labs/bielefeld.md:16: ", "misspelled key `username-github` in members"),
        ("content/labs/bielefeld.md:17: ", "misspelled key `username-twitter` in members"),
        ("content/projekte/2015-09-28-bn-kinderbonn.md:8: ", "misspelled key `colaborators`"),
        ("content/blog/2023-05-13-hybride-vortragsreihe-im-ok-lab-berlin.md:7: ", "misspelled key `Lab`"),
        ("content/projekte/2021-12-21-da-ars-tool.md:3: ", "lab `darmstadt` does not exist"),
        ("content/projekte/2021-12-21-da-leika-tool.md:3: ", "lab `darmstadt` does not exist"),
        ("content/projekte/2017-09-15-zuwendungen.md:3: ", "lab `bremen` does not exist"),
        ("content/projekte/2017-03-02-gi-mietspiegel.md:14: ", "key `links` given twice"),
        ("content/projekte/2014-04-28-dd-ratskarte.md:6: ", "status `Zwonull` not recognised"),
        ("content/labs/karlsruhe.md:36: ", "schedule names a data file (karlsruhe.json)"),
    ] {
        let w = warnings_matching(|w| w.to_string().starts_with(prefix) && w.what.starts_with(what));
        assert_eq!(w.len(), 1, "{prefix}{what}");
    }
    assert_eq!(warnings_matching(|w| w.what == "misspelled key `og-image`").len(), 41);
    assert_eq!(warnings_matching(|w| w.what.starts_with("misspelled key") && w.what.ends_with("in members")).len(), 7);
    assert_eq!(warnings_matching(|w| w.what.contains("does not exist")).len(), 3);
    // Labs named as missing are still on the records.
    let s = site();
    assert!(s.projects.iter().any(|p| p.record.labs.contains(&"darmstadt".to_owned())));
    assert!(s.projects.iter().any(|p| p.record.labs.contains(&"bremen".to_owned())));
});

fixture_test!(reading_twice_gives_the_same_site {
    let again = hugo::read(&fixture()).unwrap();
    assert!(again == *site(), "two reads differ");
});
