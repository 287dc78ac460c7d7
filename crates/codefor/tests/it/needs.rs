//! Needs over HTTP: bringing one (drafts, checks per field, hostile input, spam limits),
//! the public workflow with its dated history and reasons, linked projects both ways,
//! who may do what, supports under many parallel requests, the overview's filters,
//! the lab page's invitation and the feeds.

use codefor_storage::Db;

use crate::accounts::{Browser, account, world};
use crate::adoption::{anonymous, project, signed_in};
use crate::meetups::empty_lab;
use crate::support::block_on;

/// A need brought through the form; returns its id.
async fn bring(b: &mut Browser, fields: &[(&str, &str)]) -> i64 {
    let page = b
        .submit("/beduerfnisse/neu/", "/beduerfnisse/neu/", fields)
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    id_of(&page.location)
}

fn id_of(location: &str) -> i64 {
    location
        .trim_start_matches("/beduerfnisse/")
        .trim_end_matches('/')
        .parse()
        .unwrap_or_else(|_| panic!("not a need: {location}"))
}

/// The fields of a plain, valid need.
fn need_fields<'a>(title: &'a str, state: &'a str, topic: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        (
            "body",
            "Eltern wissen nicht, welche Wege zur Schule sicher sind.\n\nEine Karte mit **offenen Daten** würde helfen.",
        ),
        ("affected", "Eltern und Kinder"),
        ("thema", topic),
        ("land", state),
        ("ort", "Kiel"),
    ]
}

async fn need_row(db: &Db, id: i64) -> codefor_storage::needs::Need {
    codefor_storage::needs::get(db, id)
        .await
        .expect("read")
        .expect("need")
}

/// Takes a workflow step through the need page's form.
async fn step(b: &mut Browser, id: i64, fields: &[(&str, &str)]) -> crate::accounts::Page {
    let path = format!("/beduerfnisse/{id}/");
    b.submit(&path, &format!("/beduerfnisse/{id}/status"), fields)
        .await
}

#[test]
fn a_need_goes_from_draft_to_solved_with_a_public_dated_history() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let lab = "bedarfkiel";
        empty_lab(db, lab, "01").await;
        project(db, "schulwegkarte", "Schulwegkarte", lab, "2026-01-10").await;
        let mut citizen = signed_in("buergerin-ablauf@example.org", false, None).await;

        // Every field says what is wrong; the input stays.
        let wrong = citizen
            .submit(
                "/beduerfnisse/neu/",
                "/beduerfnisse/neu/",
                &[
                    ("title", "Weg"),
                    ("body", ""),
                    ("thema", "astrologie"),
                    ("land", "atlantis"),
                    ("lab", "nirgendwo"),
                ],
            )
            .await;
        assert_eq!(wrong.status, 422);
        for field in ["title", "body", "thema", "land", "lab"] {
            assert!(
                wrong.body.contains(&format!(r#"id="f-{field}-error""#)),
                "{field}: {}",
                wrong.body
            );
        }
        assert!(wrong.body.contains(r#"value="Weg""#), "input kept");

        // A draft is the author's alone.
        let mut fields = need_fields(
            "Sichere Schulwege in Kiel",
            "schleswig-holstein",
            "mobilitaet",
        );
        fields.push(("aktion", "entwurf"));
        let id = bring(&mut citizen, &fields).await;
        assert_eq!(need_row(db, id).await.status, "draft");
        let mut anon = anonymous().await;
        assert_eq!(anon.get(&format!("/beduerfnisse/{id}/")).await.status, 404);
        let listed = anon.get("/beduerfnisse/").await;
        assert!(!listed.body.contains("Sichere Schulwege in Kiel"));
        // A draft thrown away is gone; others cannot throw away one's draft.
        let mut spare_fields =
            need_fields("Ein verworfener Entwurf", "schleswig-holstein", "daten");
        spare_fields.push(("aktion", "entwurf"));
        let spare = bring(&mut citizen, &spare_fields).await;
        let mut stranger = signed_in("fremde-ablauf@example.org", false, None).await;
        let refused = stranger
            .submit(
                "/beduerfnisse/",
                &format!("/beduerfnisse/{spare}/loeschen"),
                &[],
            )
            .await;
        assert_eq!(refused.status, 404, "a draft is invisible to others");
        let gone = citizen
            .submit(
                &format!("/beduerfnisse/{spare}/"),
                &format!("/beduerfnisse/{spare}/loeschen"),
                &[],
            )
            .await;
        assert_eq!(gone.status, 303, "{}", gone.body);
        assert!(
            codefor_storage::needs::get(db, spare)
                .await
                .expect("read")
                .is_none()
        );
        let mine = citizen.get("/konto/beduerfnisse/").await;
        assert!(mine.body.contains("Sichere Schulwege in Kiel"));
        assert!(mine.body.contains("Entwurf"));

        // Submitted: public, with the first step of the history.
        let page = citizen
            .submit(
                &format!("/beduerfnisse/{id}/"),
                &format!("/beduerfnisse/{id}/einreichen"),
                &[],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
        let public = anon.get(&format!("/beduerfnisse/{id}/")).await;
        assert_eq!(public.status, 200);
        assert!(
            public.body.contains("<strong>offenen Daten</strong>"),
            "Markdown rendered"
        );
        assert!(public.body.contains("Eingereicht"));
        assert!(
            anon.get("/beduerfnisse/")
                .await
                .body
                .contains("Sichere Schulwege in Kiel")
        );

        // Steps the workflow does not allow, and steps without a reason, are refused.
        let mut lead = signed_in("lead-ablauf@example.org", false, Some(lab)).await;
        let skip = step(&mut lead, id, &[("status", "solved"), ("grund", "Fertig.")]).await;
        assert_eq!(
            skip.status, 403,
            "a need no lab adopted is only the admins' to close"
        );
        let bare = step(
            &mut lead,
            id,
            &[("status", "adopted"), ("lab", lab), ("grund", "")],
        )
        .await;
        assert_eq!(bare.status, 422);
        assert!(bare.body.contains("Bitte begründe"), "{}", bare.body);
        assert_eq!(
            need_row(db, id).await.status,
            "submitted",
            "nothing changed"
        );

        // Adopted by the lab: the lead is the contact.
        let adopted = step(
            &mut lead,
            id,
            &[
                ("status", "adopted"),
                ("lab", lab),
                ("grund", "Wir haben Schulwegdaten schon einmal kartiert."),
            ],
        )
        .await;
        assert_eq!(adopted.status, 303, "{}", adopted.body);
        let row = need_row(db, id).await;
        assert_eq!(row.status, "adopted");
        assert_eq!(row.adopted_lab_slug.as_deref(), Some(lab));
        assert!(row.contact_name.is_some());

        // In progress needs a project; the project then names the need it serves.
        let no_project = step(
            &mut lead,
            id,
            &[("status", "in_progress"), ("grund", "Es geht los.")],
        )
        .await;
        assert_eq!(no_project.status, 422);
        assert!(no_project.body.contains("verknüpfe"), "{}", no_project.body);
        let working = step(
            &mut lead,
            id,
            &[
                ("status", "in_progress"),
                ("grund", "Die Schulwegkarte bekommt eine Ebene für Kiel."),
                ("projekt", "/projekte/schulwegkarte/"),
            ],
        )
        .await;
        assert_eq!(working.status, 303, "{}", working.body);
        let project_page = anon.get("/projekte/schulwegkarte/").await;
        assert!(
            project_page
                .body
                .contains("Welchem Bedürfnis das Projekt dient")
        );
        assert!(project_page.body.contains(&format!("/beduerfnisse/{id}/")));

        let solved = step(
            &mut lead,
            id,
            &[
                ("status", "solved"),
                ("grund", "Die Karte ist online und die Stadt verlinkt sie."),
            ],
        )
        .await;
        assert_eq!(solved.status, 303, "{}", solved.body);

        // The history: every step, in order, dated, with its reason and who took it.
        let history = anon.get(&format!("/beduerfnisse/{id}/")).await.body;
        let mut at = 0;
        for text in [
            "Eingereicht",
            "Übernommen",
            "Wir haben Schulwegdaten schon einmal kartiert.",
            "In Arbeit",
            "Die Schulwegkarte bekommt eine Ebene für Kiel.",
            "Gelöst",
            "Die Karte ist online und die Stadt verlinkt sie.",
        ] {
            let found = history[at..]
                .find(text)
                .unwrap_or_else(|| panic!("{text} after {at}"));
            at += found + text.len();
        }
        assert!(history.matches("<time datetime=").count() >= 4);
        let events = codefor_storage::needs::events(db, id)
            .await
            .expect("events");
        assert_eq!(
            events.iter().map(|e| e.status.as_str()).collect::<Vec<_>>(),
            ["submitted", "adopted", "in_progress", "solved"]
        );
        assert!(events.iter().all(|e| !e.reason.is_empty()));

        // A solved need takes no support; it can be reopened with a reason.
        let mut other = signed_in("unterstuetzer-ablauf@example.org", false, None).await;
        let late = other
            .submit(
                &format!("/beduerfnisse/{id}/"),
                &format!("/beduerfnisse/{id}/unterstuetzen"),
                &[("unterstuetzen", "1")],
            )
            .await;
        assert_eq!(late.status, 422);
        let reopened = step(
            &mut lead,
            id,
            &[
                ("status", "discussion"),
                ("grund", "Die Karte fehlt für Neubaugebiete."),
            ],
        )
        .await;
        assert_eq!(reopened.status, 303);
        let row = need_row(db, id).await;
        assert_eq!(row.status, "discussion");
        assert_eq!(
            row.adopted_lab_id, None,
            "reopened needs wait for a lab again"
        );

        // Merged into another need, named by its number.
        let target = bring(
            &mut other,
            &need_fields(
                "Sichere Radwege für Kinder",
                "schleswig-holstein",
                "mobilitaet",
            ),
        )
        .await;
        let mut admin = signed_in("admin-ablauf@example.org", true, None).await;
        let itself = step(
            &mut admin,
            id,
            &[
                ("status", "merged"),
                ("ziel", &id.to_string()),
                ("grund", "Doppelt."),
            ],
        )
        .await;
        assert_eq!(itself.status, 422);
        let merged = step(
            &mut admin,
            id,
            &[
                ("status", "merged"),
                ("ziel", &target.to_string()),
                ("grund", "Beides sind Wege von Kindern."),
            ],
        )
        .await;
        assert_eq!(merged.status, 303, "{}", merged.body);
        let page = anon.get(&format!("/beduerfnisse/{id}/")).await.body;
        assert!(page.contains(&format!("/beduerfnisse/{target}/")));
        assert!(page.contains("Sichere Radwege für Kinder"));
    });
}

#[test]
fn who_may_do_what_with_a_need() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let (lab_a, lab_b) = ("rechtea", "rechteb");
        empty_lab(db, lab_a, "02").await;
        empty_lab(db, lab_b, "02").await;
        project(db, "rechte-projekt", "Rechte-Projekt", lab_a, "2026-02-01").await;
        let mut author = signed_in("autorin-rechte@example.org", false, None).await;
        let id = bring(
            &mut author,
            &need_fields("Offene Haushaltsdaten", "hamburg", "politik"),
        )
        .await;
        let mut draft_fields = need_fields("Ein Entwurf", "hamburg", "politik");
        draft_fields.push(("aktion", "entwurf"));
        let draft = bring(&mut author, &draft_fields).await;
        let mut lead_a = signed_in("lead-a-rechte@example.org", false, Some(lab_a)).await;
        let adopt = step(
            &mut lead_a,
            id,
            &[
                ("status", "adopted"),
                ("lab", lab_a),
                ("grund", "Das passt zu uns."),
            ],
        )
        .await;
        assert_eq!(adopt.status, 303, "{}", adopt.body);

        let mut anon = anonymous().await;
        let mut other = signed_in("andere-rechte@example.org", false, None).await;
        let mut lead_b = signed_in("lead-b-rechte@example.org", false, Some(lab_b)).await;
        let mut admin = signed_in("admin-rechte@example.org", true, None).await;

        let need_path = format!("/beduerfnisse/{id}/");
        let edit = format!("/beduerfnisse/{id}/bearbeiten");
        let status = format!("/beduerfnisse/{id}/status");
        let link = format!("/beduerfnisse/{id}/projekte");
        let drafted = format!("/beduerfnisse/{draft}/");
        let step_fields = [
            ("status", "in_progress"),
            ("grund", "Los geht's."),
            ("projekt", "rechte-projekt"),
        ];
        // (who, GET edit form, POST status step, POST project link, GET draft)
        let cases: [(&str, &mut Browser, u16, u16, u16, u16); 6] = [
            ("anonymous", &mut anon, 303, 403, 403, 404),
            ("signed in", &mut other, 403, 403, 403, 404),
            ("author", &mut author, 200, 403, 403, 200),
            ("lead of another lab", &mut lead_b, 403, 403, 403, 404),
            ("lead of the adopting lab", &mut lead_a, 403, 303, 303, 404),
            ("admin", &mut admin, 200, 422, 303, 200),
        ];
        for (who, b, edit_want, status_want, link_want, draft_want) in cases {
            assert_eq!(b.get(&edit).await.status, edit_want, "{who}: edit form");
            let got = b.submit(&need_path, &status, &step_fields).await.status;
            assert_eq!(got, status_want, "{who}: status step");
            let got = b
                .submit(&need_path, &link, &[("projekt", "rechte-projekt")])
                .await
                .status;
            assert_eq!(got, link_want, "{who}: link a project");
            assert_eq!(
                b.get(&drafted).await.status,
                draft_want,
                "{who}: read a draft"
            );
        }
        // The lead of the adopting lab moved it on; the admin's step came second and the
        // workflow refused going to "in progress" again.
        assert_eq!(need_row(db, id).await.status, "in_progress");
        // Nobody but the adopting lab's leads and admins is offered the workflow.
        let page = lead_b.get(&need_path).await.body;
        assert!(!page.contains(&format!(r#"action="{status}""#)));
        let page = lead_a.get(&need_path).await.body;
        assert!(page.contains(&format!(r#"action="{status}""#)));
        // A lead adopts only for their own lab.
        let other_need = bring(
            &mut other,
            &need_fields("Offene Baustellendaten", "hamburg", "stadt"),
        )
        .await;
        let foreign = step(
            &mut lead_b,
            other_need,
            &[
                ("status", "adopted"),
                ("lab", lab_a),
                ("grund", "Für die anderen."),
            ],
        )
        .await;
        assert_eq!(foreign.status, 422);
        assert!(foreign.body.contains("das du leitest"), "{}", foreign.body);
        // Editing keeps the earlier text.
        let saved = author
            .submit(
                &edit,
                &edit,
                &need_fields("Offene Haushaltsdaten für alle", "hamburg", "politik"),
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(
            codefor_storage::needs::version_count(db, id)
                .await
                .expect("versions"),
            1
        );
        assert_eq!(
            need_row(db, id).await.title,
            "Offene Haushaltsdaten für alle"
        );
        let page = anonymous().await.get(&need_path).await.body;
        assert!(page.contains("zuletzt bearbeitet am"), "{page}");
    });
}

/// Posts every (cookie, form body) to `url` at once; the statuses.
async fn all_at_once(url: &str, posts: Vec<(String, String)>) -> Vec<u16> {
    let client = crate::support::client();
    let requests: Vec<_> = posts
        .into_iter()
        .map(|(cookie, body)| {
            let request = client
                .post(url)
                .header("cookie", cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
            tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    let mut statuses = Vec::new();
    for r in requests {
        statuses.push(r.await.expect("task").expect("response"));
    }
    statuses
}

/// A session for `account` without a password check: (cookie, CSRF token).
async fn session(db: &Db, account: i64) -> (String, String) {
    // Session cookies are hex, as the ones sign-in makes.
    let token = format!("{account:x}0{:x}", rand_suffix());
    let csrf = format!("csrf-{account}");
    let now = codefor_core::accounts::unix_now();
    let mut tx = db.begin().await.expect("tx");
    codefor_storage::sessions::create(
        &mut tx,
        &codefor_core::secrets::token_hash(&token),
        account,
        &csrf,
        now,
        now + 3600,
    )
    .await
    .expect("session");
    codefor_storage::commit(tx).await.expect("commit");
    (format!("codefor_session={token}"), csrf)
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

#[test]
fn supports_stay_unique_and_counted_under_200_parallel_requests() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let mut author = signed_in("autorin-parallel@example.org", false, None).await;
        let id = bring(
            &mut author,
            &need_fields("Parallele Unterstützung", "berlin", "daten"),
        )
        .await;
        // 50 people, each sending four supports at once: 200 requests.
        let mut sessions = Vec::new();
        let mut accounts = Vec::new();
        for i in 0..50 {
            let account = account(&format!("parallel-{i}@example.org"), false, None).await;
            accounts.push(account);
            sessions.push(session(db, account).await);
        }
        let url = w.server.url(&format!("/beduerfnisse/{id}/unterstuetzen"));
        let mut posts = Vec::new();
        for round in 0..4 {
            for (cookie, csrf) in &sessions {
                posts.push((
                    cookie.clone(),
                    format!("csrf={csrf}&unterstuetzen=1&r={round}"),
                ));
            }
        }
        for status in all_at_once(&url, posts).await {
            assert_eq!(status, 303, "every support answers");
        }
        let rows = codefor_storage::needs::count_supports(db, id)
            .await
            .expect("count");
        assert_eq!(rows, 50, "one support per person");
        assert_eq!(need_row(db, id).await.support_count, 50);

        // Half of them withdraw while the others support again, all at once.
        let mut posts = Vec::new();
        for (i, (cookie, csrf)) in sessions.iter().enumerate() {
            let on = if i % 2 == 0 { "0" } else { "1" };
            for _ in 0..4 {
                posts.push((cookie.clone(), format!("csrf={csrf}&unterstuetzen={on}")));
            }
        }
        for status in all_at_once(&url, posts).await {
            assert_eq!(status, 303);
        }
        let rows = codefor_storage::needs::count_supports(db, id)
            .await
            .expect("count");
        assert_eq!(rows, 25);
        assert_eq!(
            need_row(db, id).await.support_count,
            25,
            "the count matches the rows"
        );
        // Supporting follows the need.
        assert!(
            codefor_storage::needs::follows(db, id, accounts[1])
                .await
                .expect("follows")
        );
    });
}

#[test]
fn hostile_input_stays_text_and_spam_is_held_off() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let mut b = signed_in("spam-tests@example.org", false, None).await;
        let script = "<script>alert('x')</script>";
        let img = "<img src=x onerror=alert(1)>";
        let body = format!(
            "Text {script} {img} [klick](javascript:alert(1)) <a href=\"javascript:alert(2)\">a</a> \
             <svg onload=alert(3)></svg> <iframe src=\"https://evil.example\"></iframe> Ende"
        );
        let title = format!("Titel {script}");
        let id = bring(
            &mut b,
            &[
                ("title", &title),
                ("body", &body),
                ("affected", img),
                ("missing", &format!("{script} [x](javascript:alert(4))")),
                ("ort", "<b onmouseover=alert(5)>Kiel</b>"),
                ("thema", "daten"),
            ],
        )
        .await;
        let mut anon = anonymous().await;
        for path in [
            format!("/beduerfnisse/{id}/"),
            "/beduerfnisse/".to_owned(),
            "/beduerfnisse/index.xml".to_owned(),
        ] {
            let page = anon.get(&path).await.body;
            if path.ends_with(".xml") {
                // In the feed, markup is text inside the XML: nothing of it is raw.
                assert!(!page.contains("<script"), "{path}");
                assert!(!page.contains("<img"), "{path}");
            } else {
                assert_inert(&page, &path);
            }
        }
        let page = anon.get(&format!("/beduerfnisse/{id}/")).await.body;
        assert!(
            page.contains("Titel &lt;script&gt;"),
            "the title stays visible as text"
        );
        assert!(
            page.contains("&lt;b onmouseover=alert(5)&gt;Kiel&lt;/b&gt;"),
            "{page}"
        );

        // Too long, too many links, a filled honeypot: refused, nothing stored.
        let before = codefor_storage::needs::by_author(
            db,
            crate::adoption::account_of("spam-tests@example.org")
                .await
                .id,
        )
        .await
        .expect("mine")
        .len();
        let long = "x".repeat(20_001);
        let links = "https://werbung.example/a ".repeat(2000);
        for (fields, field) in [
            (vec![("body", long.as_str())], "body"),
            (vec![("body", links.as_str())], "body"),
        ] {
            let mut all = need_fields("Zu viel des Guten", "berlin", "daten");
            all.retain(|(k, _)| *k != "body");
            all.extend(fields);
            let page = b
                .submit("/beduerfnisse/neu/", "/beduerfnisse/neu/", &all)
                .await;
            assert_eq!(page.status, 422, "{field}");
            assert!(page.body.contains(&format!(r#"id="f-{field}-error""#)));
        }
        let mut honey = need_fields("Honigtopf", "berlin", "daten");
        honey.push(("website", "https://spam.example"));
        let page = b
            .submit("/beduerfnisse/neu/", "/beduerfnisse/neu/", &honey)
            .await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("nur Programme"));
        // Over the body limit: 413 before any handler reads it.
        let huge = "y".repeat(600 * 1024);
        let mut over = need_fields("Riesig", "berlin", "daten");
        over.retain(|(k, _)| *k != "body");
        over.push(("body", &huge));
        let page = b
            .submit("/beduerfnisse/neu/", "/beduerfnisse/neu/", &over)
            .await;
        assert_eq!(page.status, 413);
        let after = codefor_storage::needs::by_author(
            db,
            crate::adoption::account_of("spam-tests@example.org")
                .await
                .id,
        )
        .await
        .expect("mine")
        .len();
        assert_eq!(before, after, "nothing stored");

        // Five needs a day per account; the sixth is refused.
        let mut many = signed_in("viele-beduerfnisse@example.org", false, None).await;
        for i in 0..5 {
            bring(
                &mut many,
                &need_fields(&format!("Bedürfnis Nummer {i}"), "berlin", "daten"),
            )
            .await;
        }
        let sixth = many
            .submit(
                "/beduerfnisse/neu/",
                "/beduerfnisse/neu/",
                &need_fields("Noch eines davon", "berlin", "daten"),
            )
            .await;
        assert_eq!(sixth.status, 429, "{}", sixth.body);
    });
}

#[test]
fn first_needs_of_new_accounts_wait_for_a_moderator_when_configured() {
    block_on(async {
        let db = codefor_storage::testing::fresh()
            .await
            .expect("fresh database");
        codefor_core::demo::seed(&db.db).await.expect("seed");
        let handle = db.db.clone();
        let server = crate::support::serve_with(
            db,
            codefor_web::Config {
                participation: codefor_core::participation::Policy {
                    hold_first_posts: true,
                },
                ..Default::default()
            },
        )
        .await;
        let hash = codefor_core::secrets::hash_password(crate::accounts::PASSWORD.into())
            .await
            .expect("hash");
        let mut tx = handle.begin().await.expect("tx");
        let author = codefor_storage::accounts::create(
            &mut tx,
            "neu-gehalten@example.org",
            &hash,
            "Neu",
            false,
        )
        .await
        .expect("create")
        .expect("new");
        codefor_storage::accounts::confirm(&mut tx, author)
            .await
            .expect("confirm");
        codefor_storage::commit(tx).await.expect("commit");
        let mut b = Browser::new(&server);
        assert_eq!(
            b.sign_in("neu-gehalten@example.org", crate::accounts::PASSWORD)
                .await
                .status,
            303
        );
        let id = bring(
            &mut b,
            &need_fields("Gehaltenes Bedürfnis", "berlin", "daten"),
        )
        .await;
        let row = need_row(&handle, id).await;
        assert_eq!(row.held, 1);
        // The author sees it waiting; nobody else sees it at all.
        let own = b.get(&format!("/beduerfnisse/{id}/")).await;
        assert!(own.body.contains("Wartet auf Freigabe"));
        let mut anon = Browser::new(&server);
        assert_eq!(anon.get(&format!("/beduerfnisse/{id}/")).await.status, 404);
        assert!(
            !anon
                .get("/beduerfnisse/")
                .await
                .body
                .contains("Gehaltenes Bedürfnis")
        );
        // Released, it is public; the account's next need is not held.
        let mut tx = handle.begin().await.expect("tx");
        codefor_storage::needs::set_held(&mut tx, id, false)
            .await
            .expect("release");
        codefor_storage::bump_content_version(&mut tx)
            .await
            .expect("bump");
        codefor_storage::commit(tx).await.expect("commit");
        // The page cache looks at the content version at most every 500 ms.
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        assert_eq!(anon.get(&format!("/beduerfnisse/{id}/")).await.status, 200);
        let next = bring(&mut b, &need_fields("Zweites Bedürfnis", "berlin", "daten")).await;
        assert_eq!(need_row(&handle, next).await.held, 0);
    });
}

#[test]
fn the_overview_filters_and_sorts_and_labs_are_invited_to_act() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let lab = "einladunglab";
        empty_lab(db, lab, "04").await;
        let mut b = signed_in("ueberblick@example.org", false, None).await;
        let quiet = bring(
            &mut b,
            &need_fields("Bremer Bedürfnis ohne Unterstützung", "bremen", "kultur"),
        )
        .await;
        let loud = bring(
            &mut b,
            &need_fields("Bremer Bedürfnis mit Unterstützung", "bremen", "kultur"),
        )
        .await;
        let mut lead = signed_in("lead-einladung@example.org", false, Some(lab)).await;
        for i in 0..3 {
            let a = account(&format!("bremen-fan-{i}@example.org"), false, None).await;
            let mut tx = db.begin().await.expect("tx");
            codefor_storage::needs::support(&mut tx, loud, a)
                .await
                .expect("support");
            codefor_storage::commit(tx).await.expect("commit");
        }
        let mut anon = anonymous().await;
        // The lab page invites the lab to the open needs of its state.
        let lab_page = anon.get(&format!("/{lab}/")).await.body;
        assert!(lab_page.contains("Bedürfnisse in eurer Gegend"));
        assert!(lab_page.contains(&format!("/beduerfnisse/{quiet}/")));
        assert!(lab_page.contains(&format!("/beduerfnisse/{loud}/")));

        let by_state = anon
            .get("/beduerfnisse/?land=bremen&sortierung=unterstuetzung")
            .await
            .body;
        let (l, q) = (
            by_state
                .find("Bremer Bedürfnis mit Unterstützung")
                .expect("loud"),
            by_state
                .find("Bremer Bedürfnis ohne Unterstützung")
                .expect("quiet"),
        );
        assert!(l < q, "most supported first");
        assert!(by_state.contains("2 Bedürfnisse gefunden"), "{by_state}");
        assert!(
            anon.get("/beduerfnisse/?land=bremen&thema=daten")
                .await
                .body
                .contains("0 Bedürfnisse")
        );

        let adopt = step(
            &mut lead,
            loud,
            &[
                ("status", "adopted"),
                ("lab", lab),
                ("grund", "Machen wir."),
            ],
        )
        .await;
        assert_eq!(adopt.status, 303, "{}", adopt.body);
        // Adopted: no longer an invitation, no longer "without a lab".
        let lab_page = anon.get(&format!("/{lab}/")).await.body;
        assert!(!lab_page.contains(&format!("/beduerfnisse/{loud}/\"")));
        let open = anon.get("/beduerfnisse/?land=bremen&ohne_lab=1").await.body;
        assert!(open.contains("Bremer Bedürfnis ohne Unterstützung"));
        assert!(!open.contains("Bremer Bedürfnis mit Unterstützung"));
        let of_lab = anon
            .get(&format!("/beduerfnisse/?lab={lab}&stand=adopted"))
            .await
            .body;
        assert!(of_lab.contains("Bremer Bedürfnis mit Unterstützung"));
        assert!(!of_lab.contains("Bremer Bedürfnis ohne Unterstützung"));

        // Feeds: all new needs, and the lab's.
        for path in [
            "/beduerfnisse/index.xml".to_owned(),
            format!("/beduerfnisse/lab/{lab}.xml"),
        ] {
            let r = crate::support::client()
                .get(w.server.url(&path))
                .send()
                .await
                .expect("feed");
            assert_eq!(r.status(), 200, "{path}");
            let text = r.text().await.expect("body");
            let channel = rss::Channel::read_from(text.as_bytes()).expect("valid RSS");
            assert!(
                channel
                    .items()
                    .iter()
                    .any(|i| i.title() == Some("Bremer Bedürfnis mit Unterstützung")),
                "{path}"
            );
        }
        assert_eq!(
            anon.get("/beduerfnisse/lab/gibtsnicht.xml").await.status,
            404
        );
        assert_eq!(anon.get("/verhaltenskodex/").await.status, 200);
    });
}

/// Nothing in the page can run: no script but the site's own, no event handler
/// attribute, no `javascript:` address, no frame or plug-in.
pub(crate) fn assert_inert(html: &str, what: &str) {
    let doc = scraper::Html::parse_document(html);
    let all = scraper::Selector::parse("*").expect("selector");
    for el in doc.select(&all) {
        let name = el.value().name();
        assert!(
            !matches!(name, "iframe" | "object" | "embed" | "frame"),
            "{what}: <{name}>"
        );
        // A JSON-LD data block is never run; any other script must be the site's own.
        if name == "script" && el.value().attr("type") != Some("application/ld+json") {
            let src = el.value().attr("src").unwrap_or_default();
            assert!(
                src.starts_with("/assets/"),
                "{what}: a script not of the site"
            );
        }
        for (attr, value) in el.value().attrs() {
            assert!(
                !attr.to_ascii_lowercase().starts_with("on"),
                "{what}: <{name} {attr}={value}>"
            );
            let v: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            assert!(
                !v.starts_with("javascript:") && !v.starts_with("data:text/html"),
                "{what}: <{name} {attr}={value}>"
            );
        }
    }
}

#[test]
fn steps_taken_at_once_count_once_and_hidden_needs_rest() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let (lab, other_lab) = ("gleichzeitiglab", "anderesgleichlab");
        empty_lab(db, lab, "03").await;
        empty_lab(db, other_lab, "03").await;
        project(
            db,
            "gleichzeitig-projekt",
            "Gleichzeitig",
            lab,
            "2026-03-01",
        )
        .await;
        let mut author = signed_in("autor-gleichzeitig@example.org", false, None).await;
        let id = bring(
            &mut author,
            &need_fields("Zwei Schritte auf einmal", "niedersachsen", "daten"),
        )
        .await;
        let lead_id = account("lead-gleichzeitig@example.org", false, Some(lab)).await;
        let mut lead = signed_in("lead-gleichzeitig2@example.org", false, Some(lab)).await;
        let adopted = step(
            &mut lead,
            id,
            &[("status", "adopted"), ("lab", lab), ("grund", "Unseres.")],
        )
        .await;
        assert_eq!(adopted.status, 303, "{}", adopted.body);
        let working = step(
            &mut lead,
            id,
            &[
                ("status", "in_progress"),
                ("grund", "Wir bauen."),
                ("projekt", "gleichzeitig-projekt"),
            ],
        )
        .await;
        assert_eq!(working.status, 303, "{}", working.body);
        // Back to "adopted": the lab stays, whatever lab the form names.
        let page = lead.get(&format!("/beduerfnisse/{id}/")).await.body;
        assert!(
            !page.contains("id=\"s-adopted-lab\""),
            "no lab to choose again"
        );
        let back = step(
            &mut lead,
            id,
            &[
                ("status", "adopted"),
                ("lab", other_lab),
                ("grund", "Zurück."),
            ],
        )
        .await;
        assert_eq!(back.status, 303, "{}", back.body);
        assert_eq!(
            need_row(db, id).await.adopted_lab_slug.as_deref(),
            Some(lab)
        );

        // Two leads close it at the same moment, differently: one step wins.
        let (cookie, csrf) = session(db, lead_id).await;
        let url = w.server.url(&format!("/beduerfnisse/{id}/status"));
        let before = codefor_storage::needs::events(db, id)
            .await
            .expect("events")
            .len();
        let statuses = all_at_once(
            &url,
            vec![
                (
                    cookie.clone(),
                    format!("csrf={csrf}&status=solved&grund=Fertig+gebaut."),
                ),
                (
                    cookie.clone(),
                    format!("csrf={csrf}&status=not_pursued&grund=Doch+nicht."),
                ),
                (
                    cookie.clone(),
                    format!("csrf={csrf}&status=solved&grund=Nochmal+fertig."),
                ),
            ],
        )
        .await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 303).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 303 || *s == 422),
            "{statuses:?}"
        );
        let events = codefor_storage::needs::events(db, id)
            .await
            .expect("events");
        assert_eq!(events.len(), before + 1, "one step in the history");
        assert_eq!(
            need_row(db, id).await.status,
            events.last().expect("last").status
        );

        // A draft submitted three times at once is submitted once.
        let mut fields = need_fields("Dreimal eingereicht", "niedersachsen", "daten");
        fields.push(("aktion", "entwurf"));
        let draft = bring(&mut author, &fields).await;
        let author_id = crate::adoption::account_of("autor-gleichzeitig@example.org")
            .await
            .id;
        let (cookie, csrf) = session(db, author_id).await;
        let url = w.server.url(&format!("/beduerfnisse/{draft}/einreichen"));
        let posts = (0..3)
            .map(|_| (cookie.clone(), format!("csrf={csrf}")))
            .collect();
        let statuses = all_at_once(&url, posts).await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 303).count(),
            1,
            "{statuses:?}"
        );
        assert_eq!(
            codefor_storage::needs::events(db, draft)
                .await
                .expect("events")
                .len(),
            1
        );

        // Hidden: no title, no text, no discussion page, no following, no adopting.
        let hidden = bring(
            &mut author,
            &need_fields("Beleidigender Titel XYZ", "niedersachsen", "daten"),
        )
        .await;
        let mut tx = db.begin().await.expect("tx");
        codefor_storage::needs::set_hidden(&mut tx, hidden, Some("Beleidigend."))
            .await
            .expect("hide");
        codefor_storage::bump_content_version(&mut tx)
            .await
            .expect("bump");
        codefor_storage::commit(tx).await.expect("commit");
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        let mut anon = anonymous().await;
        let page = anon.get(&format!("/beduerfnisse/{hidden}/")).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("XYZ"), "{}", page.body);
        assert!(page.body.contains("Ausgeblendetes Bedürfnis"));
        assert!(page.body.contains("Beleidigend."));
        assert_eq!(
            anon.get(&format!("/beduerfnisse/{hidden}/kommentare"))
                .await
                .status,
            404
        );
        let mut other = signed_in("folgen-versteckt@example.org", false, None).await;
        let follow = other
            .submit(
                &format!("/beduerfnisse/{hidden}/"),
                &format!("/beduerfnisse/{hidden}/folgen"),
                &[("folgen", "1")],
            )
            .await;
        assert_ne!(follow.status, 303, "no following a hidden need");
        let adopt = step(
            &mut lead,
            hidden,
            &[("status", "adopted"), ("lab", lab), ("grund", "Trotzdem.")],
        )
        .await;
        assert_eq!(adopt.status, 403);

        // Page numbers far beyond the end answer, and supports are bounded per hour.
        let far = anon.get("/beduerfnisse/?seite=9223372036854775807").await;
        assert_eq!(far.status, 200);
        let mut toggler = signed_in("hin-und-her@example.org", false, None).await;
        let mut last = 0;
        for i in 0..61 {
            last = toggler
                .submit(
                    &format!("/beduerfnisse/{id}/"),
                    &format!("/beduerfnisse/{id}/unterstuetzen"),
                    &[("unterstuetzen", if i % 2 == 0 { "1" } else { "0" })],
                )
                .await
                .status;
        }
        assert_eq!(last, 429, "the 61st support in an hour is refused");
    });
}

#[test]
fn an_admin_editing_a_need_keeps_its_organization() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let mut author = signed_in("amt-autorin@example.org", false, None).await;
        let author_id = crate::adoption::account_of("amt-autorin@example.org")
            .await
            .id;
        let mut tx = db.begin().await.expect("tx");
        codefor_storage::organizations::create(
            &mut tx,
            "amt-fuer-beispiele",
            &codefor_storage::organizations::Fields {
                name: "Amt für Beispiele",
                kind: "municipality",
                state_key: Some("06"),
                ags: None,
                website_url: None,
            },
            Some(author_id),
        )
        .await
        .expect("organization");
        codefor_storage::commit(tx).await.expect("commit");
        let mut fields = need_fields("Ein Bedürfnis des Amts", "hessen", "politik");
        fields.push(("organisation", "amt-fuer-beispiele"));
        let id = bring(&mut author, &fields).await;
        assert!(need_row(db, id).await.organization_id.is_some());
        let mut admin = signed_in("admin-amt@example.org", true, None).await;
        let edit = format!("/beduerfnisse/{id}/bearbeiten");
        let form = admin.get(&edit).await.body;
        assert!(
            form.contains(r#"<option value="amt-fuer-beispiele" selected>"#),
            "{form}"
        );
        let mut fields = need_fields("Ein Bedürfnis des Amts, klarer", "hessen", "politik");
        fields.push(("organisation", "amt-fuer-beispiele"));
        let saved = admin.submit(&edit, &edit, &fields).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let row = need_row(db, id).await;
        assert_eq!(row.title, "Ein Bedürfnis des Amts, klarer");
        assert_eq!(row.organization_slug.as_deref(), Some("amt-fuer-beispiele"));
    });
}
