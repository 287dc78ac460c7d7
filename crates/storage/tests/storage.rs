//! Storage round trips on the backend chosen by CODEFOR_TEST_DATABASE_URL.

use codefor_domain::people::Role;
use codefor_domain::{DevelopmentStatus, Lab, Link, Person, Project, Redirect};
use codefor_storage::{Change, catalog, labs, people, projects, redirects, stats, testing};

fn lab(slug: &str, state: &str) -> Lab {
    Lab {
        slug: slug.into(),
        name: format!("OK Lab {slug}"),
        city: slug.into(),
        state_key: Some(state.into()),
        latitude: Some(52.5),
        longitude: Some(13.4),
        body_md: "Hallo".into(),
        body_html: "<p>Hallo</p>".into(),
        active: true,
        links: vec![Link {
            name: "Web".into(),
            url: "https://example.org/".into(),
        }],
        contacts: vec![Link {
            name: "E-Mail".into(),
            url: "mailto:lab@example.org".into(),
        }],
        source: serde_json::json!({"title": "x"}),
        ..Lab::default()
    }
}

#[tokio::test]
async fn lab_upsert_is_idempotent_and_round_trips() {
    let t = testing::fresh().await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    let (id, change) = labs::upsert(&mut tx, &lab("ulm", "08")).await.unwrap();
    assert_eq!(change, Change::Created);
    let (id2, change) = labs::upsert(&mut tx, &lab("ulm", "08")).await.unwrap();
    assert_eq!((id2, change), (id, Change::Unchanged));
    let mut changed = lab("ulm", "08");
    changed.body_md = "Neu".into();
    assert_eq!(
        labs::upsert(&mut tx, &changed).await.unwrap().1,
        Change::Updated
    );
    let (pid, _) = people::upsert(
        &mut tx,
        &Person {
            key: "ada".into(),
            name: "Ada".into(),
            ..Person::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        labs::set_people(&mut tx, id, &[(pid, Role::Lead, 0)])
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        labs::set_people(&mut tx, id, &[(pid, Role::Lead, 0)])
            .await
            .unwrap(),
        0
    );
    tx.commit().await.unwrap();

    let detail = labs::get(&t.db, "ulm").await.unwrap().unwrap();
    assert_eq!(detail.lab.body_md, "Neu");
    assert_eq!(detail.lab.contacts[0].url, "mailto:lab@example.org");
    assert_eq!(
        detail.lab.links.len(),
        1,
        "links were replaced, not duplicated"
    );
    assert_eq!(detail.leads[0].name, "Ada");
    assert!(labs::get(&t.db, "nowhere").await.unwrap().is_none());
}

#[tokio::test]
async fn rolled_back_transaction_leaves_nothing() {
    let t = testing::fresh().await.unwrap();
    {
        let mut tx = t.db.begin().await.unwrap();
        labs::upsert(&mut tx, &lab("jena", "16")).await.unwrap();
        // dropped without commit
    }
    assert!(labs::get(&t.db, "jena").await.unwrap().is_none());
    assert!(t.db.is_empty().await.unwrap());
}

#[tokio::test]
async fn unknown_state_key_is_refused_by_the_schema() {
    let t = testing::fresh().await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    let err = labs::upsert(&mut tx, &lab("x", "99")).await.unwrap_err();
    assert!(
        matches!(err, codefor_storage::DbError::Conflict(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn projects_filter_by_lab_topic_status_and_hide_drafts() {
    let t = testing::fresh().await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    labs::upsert(&mut tx, &lab("ulm", "08")).await.unwrap();
    labs::upsert(&mut tx, &lab("bonn", "05")).await.unwrap();
    let p = |slug: &str, labs: &[&str], topic: &str, status, draft| Project {
        slug: slug.into(),
        title: slug.into(),
        labs: labs.iter().map(|s| s.to_string()).collect(),
        topics: vec![topic.into()],
        themes: vec![topic.to_lowercase()],
        development_status: Some(status),
        draft,
        date: Some("2020-01-01".into()),
        source: serde_json::json!({}),
        ..Project::default()
    };
    for project in [
        p(
            "a",
            &["ulm", "bonn"],
            "Umwelt",
            DevelopmentStatus::Stable,
            false,
        ),
        p(
            "b",
            &["ulm", "darmstadt"],
            "Mobilitaet",
            DevelopmentStatus::Development,
            false,
        ),
        p("c", &["bonn"], "Umwelt", DevelopmentStatus::Concept, true),
    ] {
        projects::upsert(&mut tx, &project).await.unwrap();
    }
    tx.commit().await.unwrap();
    let slugs =
        |v: Vec<projects::ProjectSummary>| v.into_iter().map(|p| p.slug).collect::<Vec<_>>();
    let f = projects::Filter {
        lab: Some("ulm".into()),
        ..Default::default()
    };
    assert_eq!(slugs(projects::list(&t.db, &f).await.unwrap()), ["a", "b"]);
    let f = projects::Filter {
        theme: Some("umwelt".into()),
        ..Default::default()
    };
    assert_eq!(slugs(projects::list(&t.db, &f).await.unwrap()), ["a"]);
    let f = projects::Filter {
        development_status: Some(DevelopmentStatus::Development),
        ..Default::default()
    };
    assert_eq!(slugs(projects::list(&t.db, &f).await.unwrap()), ["b"]);
    // The catalog: counts per facet under the other filters, drafts left out.
    let all = catalog::search(
        &t.db,
        &catalog::Filters::default(),
        catalog::Sort::Title,
        1,
        10,
    )
    .await
    .unwrap();
    assert_eq!(all.total, 2);
    let count = |v: &[catalog::Count], key: &str| {
        v.iter()
            .find(|c| c.value == key)
            .map(|c| c.count)
            .unwrap_or(0)
    };
    assert_eq!(count(&all.facets.themes, "umwelt"), 1);
    assert_eq!(count(&all.facets.labs, "ulm"), 2);
    assert_eq!(count(&all.facets.labs, "bonn"), 1);
    assert_eq!(count(&all.facets.states, "08"), 2);
    assert_eq!(count(&all.facets.states, "05"), 1);
    let bonn = catalog::Filters {
        state: Some("05".into()),
        ..Default::default()
    };
    let page = catalog::search(&t.db, &bonn, catalog::Sort::Newest, 1, 10)
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].project.slug, "a");
    // The state facet still offers every state; the others count within Bonn's state.
    assert_eq!(count(&page.facets.states, "08"), 2);
    assert_eq!(count(&page.facets.labs, "ulm"), 1);
    assert_eq!(count(&page.facets.statuses, "stable"), 1);
    assert_eq!(count(&page.facets.statuses, "development"), 0);
    let second = catalog::search(
        &t.db,
        &catalog::Filters::default(),
        catalog::Sort::Title,
        2,
        1,
    )
    .await
    .unwrap();
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.items[0].project.slug, "b");
    let detail = projects::get(&t.db, "b").await.unwrap().unwrap();
    assert_eq!(
        detail.labs.len(),
        1,
        "unknown lab darmstadt has no link row"
    );
    let figures = stats::network(&t.db).await.unwrap();
    assert_eq!(
        (
            figures.labs_total,
            figures.states_with_active_lab,
            figures.projects
        ),
        (2, 2, 2)
    );
}

#[tokio::test]
async fn redirects_resolve_ignoring_case() {
    let t = testing::fresh().await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    let r = Redirect {
        from_path: "/Alt/Pfad/".into(),
        to: "/neu/".into(),
        origin: "test".into(),
    };
    assert_eq!(
        redirects::upsert(&mut tx, &r).await.unwrap(),
        Change::Created
    );
    assert_eq!(
        redirects::upsert(&mut tx, &r).await.unwrap(),
        Change::Unchanged
    );
    tx.commit().await.unwrap();
    assert_eq!(
        redirects::lookup(&t.db, "/alt/pfad/")
            .await
            .unwrap()
            .as_deref(),
        Some("/neu/")
    );
    assert_eq!(redirects::lookup(&t.db, "/nie/").await.unwrap(), None);
}

#[tokio::test]
async fn states_match_the_domain_list() {
    let t = testing::fresh().await.unwrap();
    let stored = codefor_storage::states::all(&t.db).await.unwrap();
    let domain: Vec<_> = codefor_domain::states::ALL
        .iter()
        .map(|s| (s.key.to_string(), s.slug.to_string(), s.name.to_string()))
        .collect();
    assert_eq!(stored, domain);
}

#[tokio::test]
async fn bulk_upserts_split_into_statements_and_recognise_unchanged_rows() {
    let t = testing::fresh().await.unwrap();
    // More rows than one statement takes (parameters), and more bytes than one carries.
    let many: Vec<Redirect> = (0..5000)
        .map(|i| Redirect {
            from_path: format!("/alt/{i}/"),
            to: "/neu/".into(),
            origin: "test".into(),
        })
        .collect();
    let files: Vec<codefor_domain::MediaFile> = (0..6)
        .map(|i| codefor_domain::MediaFile {
            path: format!("bilder/{i}.bin"),
            content_type: "application/octet-stream".into(),
            sha256: format!("{i:064}"),
            bytes: vec![i as u8; 1_500_000],
        })
        .collect();
    let mut tx = t.db.begin().await.unwrap();
    assert_eq!(
        redirects::upsert_many(&mut tx, &many)
            .await
            .unwrap()
            .created,
        5000
    );
    assert_eq!(
        codefor_storage::media::upsert_many(&mut tx, &files)
            .await
            .unwrap()
            .created,
        6
    );
    tx.commit().await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    assert_eq!(
        redirects::upsert_many(&mut tx, &many)
            .await
            .unwrap()
            .unchanged,
        5000
    );
    assert_eq!(
        codefor_storage::media::upsert_many(&mut tx, &files)
            .await
            .unwrap()
            .unchanged,
        6
    );
    tx.commit().await.unwrap();
    assert_eq!(
        redirects::lookup(&t.db, "/alt/4999/")
            .await
            .unwrap()
            .as_deref(),
        Some("/neu/")
    );
    let stored = codefor_storage::media::get(&t.db, "bilder/5.bin")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.bytes, vec![5u8; 1_500_000]);
}

/// "In use by administrations" counts uses by public bodies, not by associations.
#[tokio::test]
async fn in_use_means_used_by_an_administration() {
    let t = testing::fresh().await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    labs::upsert(&mut tx, &lab("ulm", "08")).await.unwrap();
    let mut ids = Vec::new();
    for slug in ["amt", "verein"] {
        let project = Project {
            slug: slug.into(),
            title: slug.into(),
            labs: vec!["ulm".into()],
            source: serde_json::json!({}),
            ..Project::default()
        };
        ids.push(projects::upsert(&mut tx, &project).await.unwrap().0);
    }
    let field = |name, kind| codefor_storage::organizations::Fields {
        name,
        kind,
        state_key: Some("08"),
        ags: None,
        website_url: None,
    };
    let town = codefor_storage::organizations::create(
        &mut tx,
        "ulm-stadt",
        &field("Stadt Ulm", "municipality"),
        None,
    )
    .await
    .unwrap();
    let club = codefor_storage::organizations::create(
        &mut tx,
        "ulm-verein",
        &field("Verein", "civil_society"),
        None,
    )
    .await
    .unwrap();
    codefor_storage::organizations::record_use(&mut tx, ids[0], town, None, "", None)
        .await
        .unwrap();
    codefor_storage::organizations::record_use(&mut tx, ids[1], club, None, "", None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let f = catalog::Filters {
        in_use: true,
        ..Default::default()
    };
    let page = catalog::search(&t.db, &f, catalog::Sort::Title, 1, 10)
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].project.slug, "amt");
    let all = catalog::search(
        &t.db,
        &catalog::Filters::default(),
        catalog::Sort::Title,
        1,
        10,
    )
    .await
    .unwrap();
    assert_eq!(all.facets.in_use, 1);
}
