//! Importing today's codefor.de content (the fixture beside the checkout).

use codefor_core::import::{ImportReport, Quiet, import_hugo};
use codefor_storage::{labs, testing};

use crate::support::{block_on, fixture, fixture_dir};

fn total(report: &ImportReport, kinds: &[&str]) -> usize {
    kinds
        .iter()
        .filter_map(|k| report.counts.get(k))
        .map(|t| t.total())
        .sum()
}

fn warned(report: &ImportReport, file_part: &str, what_part: &str) -> bool {
    report
        .warnings
        .iter()
        .any(|w| w.file.contains(file_part) && w.what.contains(what_part))
}

#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn fixture_imports_completely_then_changes_nothing_on_a_second_run() {
    block_on(async {
        let t = testing::fresh().await.unwrap();
        let dir = fixture_dir();
        let first = import_hugo(&t.db, &dir, false, &Quiet)
            .await
            .expect("import succeeds");
        println!("{first}");
        assert_eq!(total(&first, &["labs"]), 38);
        assert_eq!(total(&first, &["projects", "projects (draft)"]), 247);
        assert!(
            total(&first, &["projects (draft)"]) > 0,
            "drafts kept as drafts"
        );
        let posts = total(&first, &["posts", "posts (draft)"]);
        assert!(
            (223..=227).contains(&posts),
            "227 posts minus reported URL duplicates: {posts}"
        );
        assert!(
            total(&first, &["pages"]) >= 10,
            "pages, section indexes and archive pages"
        );
        assert!(
            total(&first, &["redirects"]) >= 355,
            "netlify.toml redirects plus aliases"
        );
        assert!(total(&first, &["media"]) > 600);
        assert_eq!(
            total(&first, &["data files"]),
            4,
            "data/projekte/*.yaml and netlify.toml"
        );

        // Specific, true warnings for the known defects of today's content.
        assert!(
            warned(&first, "projekte/", "darmstadt"),
            "missing lab darmstadt reported"
        );
        assert!(
            warned(&first, "projekte/", "bremen"),
            "missing lab bremen reported"
        );
        assert!(
            warned(&first, "", "colaborators"),
            "misspelled key reported"
        );
        assert!(
            warned(&first, "", "sername-twitter"),
            "misspelled key reported"
        );
        // Five of the seven absent files are referenced (tcafe.jpg and trees.png are not).
        for missing in [
            "street-trees.png",
            "dresden/kita.png",
            "neue-labs-3.png",
            "teuto_ranger_sensor.jpg",
            "OpenDataDay2017.pdf",
        ] {
            assert!(
                warned(&first, "", missing),
                "missing file {missing} reported"
            );
        }
        assert!(
            first.warnings.len() < 250,
            "warnings list stays short: {}",
            first.warnings.len()
        );
        for w in &first.warnings {
            assert!(
                !w.file.is_empty() && !w.what.is_empty() && !w.action.is_empty(),
                "{w:?}"
            );
        }

        let second = import_hugo(&t.db, &dir, false, &Quiet)
            .await
            .expect("re-import succeeds");
        assert_eq!(
            second.changed(),
            0,
            "second import changes nothing:\n{second}"
        );
        assert_eq!(total(&second, &["labs"]), 38);

        for l in labs::list(&t.db).await.unwrap() {
            assert!(
                l.state_key.is_some(),
                "lab {} placed in a federal state",
                l.slug
            );
        }
    });
}

#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn dry_run_reports_but_writes_nothing() {
    block_on(async {
        let t = testing::fresh().await.unwrap();
        let report = import_hugo(&t.db, &fixture_dir(), true, &Quiet)
            .await
            .expect("dry run");
        assert!(report.dry_run);
        assert_eq!(total(&report, &["labs"]), 38);
        assert_eq!(
            report.counts["labs"].created, 38,
            "reports what it would create"
        );
        assert!(t.db.is_empty().await.unwrap(), "dry run wrote nothing");
    });
}

#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn imported_labs_keep_their_data() {
    block_on(async {
        let s = fixture().await;
        let berlin = labs::get(&s.db.db, "berlin")
            .await
            .unwrap()
            .expect("berlin imported");
        assert_eq!(berlin.lab.city, "Berlin");
        assert_eq!(berlin.lab.state_key.as_deref(), Some("11"));
        assert!(berlin.members.iter().any(|p| p.name == "Knut Hühne"));
        assert!(
            berlin
                .lab
                .contacts
                .iter()
                .any(|c| c.url == "mailto:berlin@codefor.de")
        );
        assert!(berlin.lab.feeds.len() >= 2);
        // An iCalendar feed becomes an external calendar the platform fetches.
        let munich = labs::get(&s.db.db, "muenchen")
            .await
            .unwrap()
            .expect("munich");
        let sources = codefor_storage::calendars::of_lab(&s.db.db, munich.id)
            .await
            .unwrap();
        assert_eq!(
            sources.iter().map(|c| c.url.as_str()).collect::<Vec<_>>(),
            ["https://www.meetup.com/code-for-muenchen/events/ical/"]
        );
        // `showsignup: false` closes requests to join; true or absent keeps them open.
        for (slug, open) in [
            ("niederrhein", false),
            ("duesseldorf", false),
            ("erlangen", true),
            ("berlin", true),
        ] {
            let lab = labs::get(&s.db.db, slug).await.unwrap().expect(slug);
            assert_eq!(
                labs::accepts_requests(&s.db.db, lab.id).await.unwrap(),
                open,
                "{slug}"
            );
        }
        let all = labs::list(&s.db.db).await.unwrap();
        assert!(
            all.iter().filter(|l| l.active == 0).count() >= 10,
            "inactive labs kept inactive"
        );
    });
}

#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn drafts_are_kept_but_not_published() {
    block_on(async {
        let s = fixture().await;
        let draft = codefor_storage::projects::get(&s.db.db, "buergerbautstadt")
            .await
            .unwrap();
        assert!(
            draft.is_some_and(|d| d.project.draft),
            "draft kept as a draft"
        );
        for path in ["/projekte/buergerbautstadt/", "/blog/mein-neuer-blogpost/"] {
            let (status, _) = crate::support::get(s, path).await;
            assert_eq!(status, 404, "{path} is a draft");
        }
        let (_, json) = crate::support::get(s, "/projekte/index.json").await;
        assert!(
            !json.contains("buergerbautstadt"),
            "drafts are not in the JSON"
        );
    });
}

#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn blog_pages_keep_hugos_numbering() {
    block_on(async {
        let s = fixture().await;
        // 226 published posts at Hugo's 10 per page: /blog/page/23/ is the last one today.
        assert_eq!(crate::support::get(s, "/blog/page/23/").await.0, 200);
        assert_eq!(crate::support::get(s, "/blog/page/24/").await.0, 404);
    });
}

#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn urls_hugo_built_keep_working() {
    block_on(async {
        let s = fixture().await;
        for (path, status) in [
            ("/blog/launch-verfassungsschutzberichte/", 200), // from a `.de.md` file
            ("/projekte/jedeschule-2/", 200),                 // from `jedeschule-2.0.md`
            ("/archiv/advent18/readme/", 301),                // a README leaf
            ("/archiv/", 200),                                // a folder Hugo listed
            ("/de/", 301),                                    // the default language's root
        ] {
            assert_eq!(crate::support::get(s, path).await.0, status, "{path}");
        }
    });
}

#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn media_answers_conditional_requests_also_with_weak_etags() {
    block_on(async {
        let s = fixture().await;
        let http = crate::support::client();
        let r = http
            .get(s.url("/labs/hexagon/CodeFor-berlin.svg"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert!(
            r.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("max-age")
        );
        let etag = r.headers()["etag"].to_str().unwrap().to_owned();
        for tag in [etag.clone(), format!("W/{etag}")] {
            let r = http
                .get(s.url("/labs/hexagon/CodeFor-berlin.svg"))
                .header("if-none-match", tag.as_str())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 304, "{tag}");
        }
    });
}

#[test]
fn records_gone_from_the_source_are_reported_and_kept() {
    block_on(async {
        let site = tempfile::tempdir().unwrap();
        let lab = |name: &str| {
            format!("---\ntitle: OK Lab {name}\ncity: {name}\nlat: 50.7\nlong: 7.1\n---\nHallo.\n")
        };
        std::fs::create_dir_all(site.path().join("content/labs")).unwrap();
        std::fs::write(site.path().join("content/labs/bonn.md"), lab("Bonn")).unwrap();
        std::fs::write(site.path().join("content/labs/koeln.md"), lab("Köln")).unwrap();
        let t = testing::fresh().await.unwrap();
        let first = import_hugo(&t.db, site.path(), false, &Quiet)
            .await
            .unwrap();
        assert!(
            !first
                .warnings
                .iter()
                .any(|w| w.what.contains("not in the source"))
        );
        std::fs::remove_file(site.path().join("content/labs/koeln.md")).unwrap();
        let second = import_hugo(&t.db, site.path(), false, &Quiet)
            .await
            .unwrap();
        assert!(
            second
                .warnings
                .iter()
                .any(|w| w.what == "lab `koeln` is not in the source (any more)"),
            "{second}"
        );
        assert!(
            labs::get(&t.db, "koeln").await.unwrap().is_some(),
            "kept: an import never deletes"
        );
    });
}

/// Edits in the browser survive a re-import of an unchanged source; a changed source
/// overwrites them, and the history keeps both, so nothing is lost.
#[test]
fn re_imports_keep_edits_or_record_what_they_changed() {
    block_on(async {
        use codefor_core::editing;
        use codefor_core::labs::LabEdit;
        use codefor_storage::revisions::{self, Author, Kind};

        let site = tempfile::tempdir().unwrap();
        let lab = |meeting: &str| {
            format!(
                "---\ntitle: OK Lab Bonn\ncity: Bonn\nlat: 50.7\nlong: 7.1\nschedule: {meeting}\n---\nHallo.\n"
            )
        };
        std::fs::create_dir_all(site.path().join("content/labs")).unwrap();
        std::fs::write(site.path().join("content/labs/bonn.md"), lab("Montags")).unwrap();
        let t = testing::fresh().await.unwrap();
        import_hugo(&t.db, site.path(), false, &Quiet)
            .await
            .unwrap();
        let id = labs::get(&t.db, "bonn").await.unwrap().unwrap().id;
        let mut edit = LabEdit::of(&labs::get(&t.db, "bonn").await.unwrap().unwrap());
        edit.meeting = "Dienstags, im Browser geändert".into();
        let author = Author {
            account_id: None,
            name: "Test",
        };
        editing::save(&t.db, id, "/bonn/", &edit, author, "Termin")
            .await
            .unwrap();

        import_hugo(&t.db, site.path(), false, &Quiet)
            .await
            .unwrap();
        let meeting = labs::get(&t.db, "bonn").await.unwrap().unwrap().lab.meeting;
        assert_eq!(
            meeting.as_deref(),
            Some("Dienstags, im Browser geändert"),
            "unchanged source keeps the edit"
        );
        assert_eq!(
            revisions::list(&t.db, Kind::Lab, id).await.unwrap().len(),
            2
        );

        std::fs::write(site.path().join("content/labs/bonn.md"), lab("Mittwochs")).unwrap();
        import_hugo(&t.db, site.path(), false, &Quiet)
            .await
            .unwrap();
        let meeting = labs::get(&t.db, "bonn").await.unwrap().unwrap().lab.meeting;
        assert_eq!(meeting.as_deref(), Some("Mittwochs"));
        let history = revisions::list(&t.db, Kind::Lab, id).await.unwrap();
        assert_eq!(history.len(), 3, "{history:?}");
        assert_eq!(history[0].author, "Import");
        assert!(history[0].snapshot.contains("Mittwochs"));
        assert!(
            history[1].snapshot.contains("im Browser geändert"),
            "the edit is kept in the history"
        );
    });
}
