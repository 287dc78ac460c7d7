//! Moderation over HTTP: who may comment, edit, report, hide, restore, lock and
//! release — anonymous, signed in, the need's author, a lead of the lab that adopted
//! the need, a lead of another lab, an admin — what each moderator action leaves in
//! the audit log, the public reasons shown instead of hidden content, reports and the
//! moderation queue.

use codefor_storage::Db;
use codefor_storage::needs::Step;

use crate::accounts::{Browser, Page, world};
use crate::need_comments::{
    anonymous, comment, comment_count, need, person, post, posted, section,
};
use crate::support::block_on;

/// What happened to a request, in the matrix's words.
fn outcome(p: &Page) -> String {
    match p.status {
        303 if p.location.starts_with("/anmelden/") => "login".to_owned(),
        303 => "ok".to_owned(),
        s => s.to_string(),
    }
}

async fn adopt(db: &Db, need: i64, lab: i64) {
    let mut tx = db.begin().await.expect("tx");
    codefor_storage::needs::set_status(
        &mut tx,
        need,
        &Step {
            status: "adopted",
            adopted_lab_id: Some(lab),
            contact_id: None,
            merged_into: None,
        },
        "submitted",
    )
    .await
    .expect("adopt");
    codefor_storage::commit(tx).await.expect("commit");
}

async fn lab_id(db: &Db, slug: &str) -> i64 {
    codefor_storage::labs::ids(db)
        .await
        .expect("labs")
        .into_iter()
        .find(|(_, s, _)| s == slug)
        .map(|(id, _, _)| id)
        .expect("lab")
}

/// The open reports: (reporter, comment, reason).
async fn open_reports(db: &Db, need: i64) -> Vec<(Option<i64>, Option<i64>, String)> {
    codefor_storage::reports::open_of_need(db, need)
        .await
        .expect("reports")
        .into_iter()
        .map(|r| (r.reporter_id, r.comment_id, r.reason))
        .collect()
}

const ROLES: [&str; 6] = [
    "anonymous",
    "signed in",
    "author",
    "lead of the adopting lab",
    "lead of another lab",
    "admin",
];

/// Runs one request per role and compares the outcomes.
async fn check(
    what: &str,
    people: &mut [Browser; 6],
    path: impl Fn(usize) -> String,
    fields: &[(&str, &str)],
    expected: [&str; 6],
) -> Vec<Page> {
    let mut pages = Vec::new();
    for (i, b) in people.iter_mut().enumerate() {
        let page = post(b, &path(i), fields).await;
        assert_eq!(
            outcome(&page),
            expected[i],
            "{what} as {}: {} {}",
            ROLES[i],
            page.location,
            page.body
        );
        pages.push(page);
    }
    pages
}

#[test]
fn the_permission_matrix_over_http() {
    block_on(async {
        let w = world().await;
        let s = &w.server;
        let db = &s.db.db;
        let anon = anonymous(s).await;
        let (sina, signed) = person(s, "mod-sina@example.org", "Sina", false, None).await;
        let (nora, author) = person(s, "mod-nora@example.org", "Nora", false, None).await;
        let (lea, lead) = person(s, "mod-lea@example.org", "Lea Kiel", false, Some("kiel")).await;
        let (_, other_lead) = person(
            s,
            "mod-leo@example.org",
            "Leo Leipzig",
            false,
            Some("leipzig"),
        )
        .await;
        let (adm, admin) = person(s, "mod-admin@example.org", "Admina Mod", true, None).await;
        let (_, mut vera) = person(s, "mod-vera@example.org", "Vera", false, None).await;
        let mut people = [anon, signed, author, lead, other_lead, admin];
        let kiel = lab_id(db, "kiel").await;
        let n = need(db, nora, "Sitzbänke am Hafen", false).await;
        adopt(db, n, kiel).await;
        let victim_text = "Ihr seid alle Idioten und Schlimmeres";
        let victim = posted(&comment(&mut vera, n, victim_text, None).await, n);

        // Comment: everyone signed in; anonymous visitors are sent to sign in.
        let pages = check(
            "comment",
            &mut people,
            |_| format!("/beduerfnisse/{n}/kommentare"),
            &[
                ("body", "Ein sachlicher Beitrag"),
                ("antwort", ""),
                ("website", ""),
            ],
            ["login", "ok", "ok", "ok", "ok", "ok"],
        )
        .await;
        let own: Vec<Option<i64>> = pages
            .iter()
            .map(|p| (p.status == 303 && p.location.contains("#kommentar-")).then(|| posted(p, n)))
            .collect();
        // Edit one's own comment: its author only.
        check(
            "edit own comment",
            &mut people,
            |i| format!("/beduerfnisse/{n}/kommentare/{}", own[i].unwrap_or(victim)),
            &[("body", "Ein sachlicher, berichtigter Beitrag")],
            ["login", "ok", "ok", "ok", "ok", "ok"],
        )
        .await;
        // Edit someone else's: nobody, admins included (they hide, they do not rewrite).
        check(
            "edit another's comment",
            &mut people,
            |_| format!("/beduerfnisse/{n}/kommentare/{victim}"),
            &[("body", "Umgeschrieben")],
            ["login", "403", "403", "403", "403", "403"],
        )
        .await;
        for (i, who) in people.iter_mut().enumerate().skip(1) {
            assert_eq!(
                who.get(&format!("/beduerfnisse/{n}/kommentare/{victim}/bearbeiten"))
                    .await
                    .status,
                403,
                "{}",
                ROLES[i]
            );
        }
        assert_eq!(
            codefor_storage::need_comments::get(db, n, victim)
                .await
                .expect("read")
                .expect("comment")
                .body,
            victim_text
        );
        // Report: everyone signed in.
        check(
            "report a comment",
            &mut people,
            |_| format!("/beduerfnisse/{n}/kommentare/{victim}/melden"),
            &[("grund", "Beleidigend")],
            ["login", "ok", "ok", "ok", "ok", "ok"],
        )
        .await;
        assert_eq!(open_reports(db, n).await.len(), 5);
        // Once is enough.
        let again = post(
            &mut people[1],
            &format!("/beduerfnisse/{n}/kommentare/{victim}/melden"),
            &[("grund", "Immer noch beleidigend")],
        )
        .await;
        assert_eq!(again.status, 422);
        assert!(
            again.body.contains("Du hast das schon gemeldet"),
            "{}",
            again.body
        );
        let empty = post(
            &mut people[1],
            &format!("/beduerfnisse/{n}/melden"),
            &[("grund", " ")],
        )
        .await;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("f-grund-error"));
        let long = "z".repeat(1001);
        let too_long = post(
            &mut people[1],
            &format!("/beduerfnisse/{n}/melden"),
            &[("grund", &long)],
        )
        .await;
        assert_eq!(too_long.status, 422);
        assert!(too_long.body.contains("höchstens 1000 Zeichen"));
        let reported = post(
            &mut people[1],
            &format!("/beduerfnisse/{n}/melden"),
            &[("grund", "Das ist Werbung für eine Firma")],
        )
        .await;
        assert_eq!(outcome(&reported), "ok");
        assert!(open_reports(db, n).await.contains(&(
            Some(sina),
            None,
            "Das ist Werbung für eine Firma".to_owned()
        )));

        // The queue: moderators only; a lead sees what concerns their lab's needs.
        let mut queues = Vec::new();
        for b in people.iter_mut() {
            queues.push(b.get("/moderation/").await);
        }
        let statuses: Vec<String> = queues.iter().map(outcome).collect();
        assert_eq!(
            statuses,
            ["login", "403", "403", "200", "200", "200"],
            "view the queue"
        );
        for i in [3, 5] {
            assert!(
                queues[i].body.contains("Das ist Werbung für eine Firma")
                    && queues[i].body.contains("Gemeldet von Sina"),
                "{}: {}",
                ROLES[i],
                queues[i].body
            );
        }
        assert!(
            !queues[4].body.contains("Sitzbänke am Hafen"),
            "another lab's lead"
        );

        // The need page's panel: „Melden“ for people, the tools for its moderators.
        let need_page = format!("/beduerfnisse/{n}/");
        let panel = people[3].get(&need_page).await;
        assert!(panel.body.contains(r#"id="moderation""#), "{}", panel.body);
        assert!(
            panel.body.contains("Diskussion sperren")
                && panel.body.contains("Bedürfnis ausblenden")
        );
        assert!(
            panel.body.contains("Das ist Werbung für eine Firma") && panel.body.contains("Sina")
        );
        assert!(panel.body.contains("/moderation/meldungen/"));
        for i in [1, 2, 4] {
            let page = people[i].get(&need_page).await;
            assert!(!page.body.contains("Diskussion sperren"), "{}", ROLES[i]);
            assert!(
                !page.body.contains("Das ist Werbung für eine Firma"),
                "{}",
                ROLES[i]
            );
        }
        assert!(
            people[1]
                .get(&need_page)
                .await
                .body
                .contains("Du hast dieses Bedürfnis gemeldet")
        );
        let fresh = vera.get(&need_page).await;
        assert!(
            fresh
                .body
                .contains(&format!(r#"action="/beduerfnisse/{n}/melden""#))
        );
        assert!(
            !people[0]
                .get(&need_page)
                .await
                .body
                .contains(r#"id="moderation""#)
        );

        // Hide, restore, lock, unlock the need: its moderators. While it is hidden (after
        // the adopting lab's lead hid it, until they show it again), its pages are its
        // moderators' alone: 404 for everyone else.
        for (aktion, grund, expected) in [
            (
                "ausblenden",
                "Doppelt eingereicht, siehe das ältere Bedürfnis",
                ["login", "403", "403", "ok", "404", "ok"],
            ),
            ("einblenden", "", ["login", "404", "404", "ok", "403", "ok"]),
            ("sperren", "", ["login", "403", "403", "ok", "403", "ok"]),
            ("entsperren", "", ["login", "403", "403", "ok", "403", "ok"]),
        ] {
            check(
                aktion,
                &mut people,
                |_| format!("/beduerfnisse/{n}/moderation"),
                &[("aktion", aktion), ("grund", grund)],
                expected,
            )
            .await;
        }
        // Hiding without a reason: the field says so.
        let bare = post(
            &mut people[3],
            &format!("/beduerfnisse/{n}/moderation"),
            &[("aktion", "ausblenden"), ("grund", "")],
        )
        .await;
        assert_eq!(bare.status, 422);
        assert!(bare.body.contains("f-grund-error") && bare.body.contains("Begründung"));
        let unknown = post(
            &mut people[3],
            &format!("/beduerfnisse/{n}/moderation"),
            &[("aktion", "loeschen")],
        )
        .await;
        assert_eq!(unknown.status, 422);

        // A hidden need shows its public reason; hiding resolves its reports.
        post(
            &mut people[3],
            &format!("/beduerfnisse/{n}/moderation"),
            &[
                ("aktion", "ausblenden"),
                ("grund", "Werbung, kein Bedürfnis"),
            ],
        )
        .await;
        let mut anon = anonymous(s).await;
        let shown = anon.get(&format!("/beduerfnisse/{n}/")).await;
        assert!(
            shown.body.contains("Werbung, kein Bedürfnis"),
            "{}: {}",
            shown.status,
            shown.body
        );
        let thread = anon.get(&format!("/beduerfnisse/{n}/kommentare")).await;
        assert!(
            !thread.body.contains("Ein sachlicher"),
            "the dialog goes with it"
        );
        assert!(
            !open_reports(db, n)
                .await
                .iter()
                .any(|(_, comment, _)| comment.is_none()),
            "the need's reports are resolved"
        );
        post(
            &mut people[5],
            &format!("/beduerfnisse/{n}/moderation"),
            &[("aktion", "einblenden")],
        )
        .await;

        // Hide a comment: its moderators; it shows the reason, the thread stays.
        let before = comment_count(db, n).await;
        let hide_comment = check(
            "hide a comment",
            &mut people,
            |_| format!("/beduerfnisse/{n}/kommentare/{victim}/moderation"),
            &[("aktion", "ausblenden"), ("grund", "Beleidigung")],
            ["login", "403", "403", "ok", "403", "ok"],
        )
        .await;
        assert_eq!(
            hide_comment[3].location,
            format!("/beduerfnisse/{n}/#kommentar-{victim}")
        );
        assert_eq!(comment_count(db, n).await, before - 1, "counted once");
        let page = anon.get(&format!("/beduerfnisse/{n}/kommentare")).await;
        let thread = section(&page.body);
        assert!(thread.contains("Von der Moderation ausgeblendet: Beleidigung"));
        assert!(!thread.contains(victim_text));
        assert!(thread.contains(&format!(r#"id="kommentar-{victim}""#)));
        assert!(
            open_reports(db, n)
                .await
                .iter()
                .all(|(_, c, _)| *c != Some(victim)),
            "the comment's reports are resolved"
        );
        // Hidden comments take no replies and no further reports.
        assert_eq!(
            comment(&mut people[1], n, "Antwort", Some(victim))
                .await
                .status,
            422
        );
        check(
            "restore a comment",
            &mut people,
            |_| format!("/beduerfnisse/{n}/kommentare/{victim}/moderation"),
            &[("aktion", "einblenden")],
            ["login", "403", "403", "ok", "403", "ok"],
        )
        .await;
        assert_eq!(comment_count(db, n).await, before);
        assert!(
            anon.get(&format!("/beduerfnisse/{n}/kommentare"))
                .await
                .body
                .contains(victim_text)
        );

        // Release a held need adopted by the lab: held needs are hidden from everyone
        // but their author and moderators (404), the author may not release.
        let held = need(db, nora, "Zurückgehaltenes Bedürfnis", true).await;
        adopt(db, held, kiel).await;
        let statuses: Vec<u16> = {
            let mut out = Vec::new();
            for b in people.iter_mut() {
                out.push(
                    b.get(&format!("/beduerfnisse/{held}/kommentare"))
                        .await
                        .status,
                );
            }
            out
        };
        assert_eq!(
            statuses,
            [404, 404, 200, 200, 404, 200],
            "who sees a held need"
        );
        assert_eq!(
            post(
                &mut people[4],
                &format!("/beduerfnisse/{held}/moderation"),
                &[("aktion", "freigeben")]
            )
            .await
            .status,
            404
        );
        // In this order: once the lead released it, the need is public, and the lead
        // of another lab is refused rather than left in the dark.
        check(
            "release a need",
            &mut people,
            |_| format!("/beduerfnisse/{held}/moderation"),
            &[("aktion", "freigeben")],
            ["login", "404", "403", "ok", "403", "ok"],
        )
        .await;
        assert_eq!(
            codefor_storage::needs::get(db, held)
                .await
                .expect("read")
                .expect("need")
                .held,
            0
        );

        // Dismiss a report: the need's moderators.
        post(
            &mut vera,
            &format!("/beduerfnisse/{n}/melden"),
            &[("grund", "Gefällt mir nicht")],
        )
        .await;
        let rid = codefor_storage::reports::open_of_need(db, n)
            .await
            .expect("reports")
            .into_iter()
            .find(|r| r.reason == "Gefällt mir nicht")
            .expect("report")
            .id;
        for i in [1, 2, 4] {
            assert_eq!(
                post(
                    &mut people[i],
                    &format!("/moderation/meldungen/{rid}/verwerfen"),
                    &[]
                )
                .await
                .status,
                403,
                "{}",
                ROLES[i]
            );
        }
        let dismissed = post(
            &mut people[3],
            &format!("/moderation/meldungen/{rid}/verwerfen"),
            &[("zurueck", "moderation")],
        )
        .await;
        assert_eq!(dismissed.status, 303);
        assert_eq!(dismissed.location, "/moderation/");
        let r = codefor_storage::reports::get(db, rid)
            .await
            .expect("read")
            .expect("report");
        assert_eq!(r.outcome.as_deref(), Some("kept"));
        assert!(r.resolved_at.is_some());

        // Every moderator action is in the audit log, by whom, on what.
        let log = codefor_storage::audit::recent(db, 1000).await.expect("log");
        let has = |actor: i64, action: &str, target: &str| {
            log.iter()
                .any(|e| e.account_id == Some(actor) && e.action == action && e.target == target)
        };
        let need_target = format!("beduerfnisse/{n}");
        let comment_target = format!("beduerfnisse/{n}/kommentar/{victim}");
        for who in [lea, adm] {
            for action in ["need.hide", "need.unhide", "need.lock", "need.unlock"] {
                assert!(has(who, action, &need_target), "{who} {action}");
            }
            assert!(has(who, "comment.hide", &comment_target), "{who}");
            assert!(has(who, "comment.unhide", &comment_target), "{who}");
            assert!(
                has(who, "need.release", &format!("beduerfnisse/{held}")),
                "{who}"
            );
        }
        assert!(has(lea, "report.dismiss", &need_target));
        assert!(
            log.iter()
                .any(|e| e.action == "need.hide" && e.detail == "Werbung, kein Bedürfnis"),
            "the reason is recorded"
        );
        // Refused attempts leave nothing behind.
        assert!(
            !log.iter()
                .any(|e| e.account_id == Some(sina) || e.account_id == Some(nora))
        );
    });
}
