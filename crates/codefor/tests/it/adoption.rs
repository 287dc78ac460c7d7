//! Adoption and help wanted over HTTP: organizations (registered, checked, confirmed,
//! staffed), who may record that one uses a project, the roles a project looks for and
//! the offers to help (mail to the leads), „Wo kann ich helfen?“ ranked by skills and
//! labs, reminders for projects without a sign of life, and the account's own data.

use codefor_domain::Project;
use codefor_storage::Db;

use crate::accounts::{Browser, PASSWORD, Page, account, world};
use crate::meetups::empty_lab;
use crate::support::{block_on, get};

/// A published project of `lab` whose last sign of life is `date`.
pub(crate) async fn project(db: &Db, slug: &str, title: &str, lab: &str, date: &str) -> i64 {
    let mut tx = db.begin().await.expect("tx");
    let (id, _) = codefor_storage::projects::upsert(
        &mut tx,
        &Project {
            slug: slug.to_owned(),
            title: title.to_owned(),
            labs: vec![lab.to_owned()],
            date: Some(date.to_owned()),
            body_md: format!("Worum es bei {title} geht."),
            body_html: format!("<p>Worum es bei {title} geht.</p>"),
            source: serde_json::json!({}),
            ..Project::default()
        },
    )
    .await
    .expect("project");
    codefor_storage::commit(tx).await.expect("commit");
    id
}

pub(crate) async fn signed_in(email: &str, admin: bool, lead_of: Option<&str>) -> Browser {
    account(email, admin, lead_of).await;
    let mut b = Browser::new(&world().await.server);
    assert_eq!(b.sign_in(email, PASSWORD).await.status, 303, "{email}");
    b
}

pub(crate) async fn account_of(email: &str) -> codefor_storage::accounts::Account {
    codefor_storage::accounts::by_email(&world().await.server.db.db, email)
        .await
        .expect("read")
        .expect("account")
}

/// Someone not signed in, with the anonymous form token a browser would have.
pub(crate) async fn anonymous() -> Browser {
    let mut b = Browser::new(&world().await.server);
    assert_eq!(b.get("/anmelden/").await.status, 200);
    b
}

/// Registers an organization through the form; returns its slug.
async fn register(b: &mut Browser, name: &str, kind: &str, ags: &str) -> String {
    let page = b
        .submit(
            "/organisationen/neu/",
            "/organisationen/neu/",
            &[("name", name), ("kind", kind), ("ags", ags)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location
        .trim_start_matches("/organisationen/")
        .trim_end_matches('/')
        .to_owned()
}

async fn org_id(slug: &str) -> i64 {
    codefor_storage::organizations::by_slug(&world().await.server.db.db, slug)
        .await
        .expect("read")
        .expect("organization")
        .id
}

fn position(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle} not in:\n{body}"))
}

#[test]
fn organizations_are_registered_checked_and_confirmed() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let mut anon = anonymous().await;
        let refused = anon.get("/organisationen/neu/").await;
        assert_eq!(refused.status, 303);
        assert_eq!(refused.location, "/anmelden/?next=/organisationen/neu/");

        let staff_mail = "orga-anmelderin@example.org";
        let mut b = signed_in(staff_mail, false, None).await;
        // Each field says what is wrong, and the input stays.
        let wrong = b
            .submit(
                "/organisationen/neu/",
                "/organisationen/neu/",
                &[
                    ("name", "X"),
                    ("kind", "burg"),
                    ("ags", "1234567"),
                    ("website", "ftp://beispiel.de"),
                ],
            )
            .await;
        assert_eq!(wrong.status, 422);
        assert!(wrong.body.contains("4 Felder brauchen"), "{}", wrong.body);
        for field in ["name", "kind", "ags", "website"] {
            assert!(
                wrong.body.contains(&format!(r#"id="f-{field}-error""#)),
                "{field}"
            );
        }
        assert!(wrong.body.contains("kein amtlicher Schlüssel"));
        assert!(wrong.body.contains(r#"value="1234567""#), "input kept");
        // A key of another state than the one chosen.
        let mismatch = b
            .submit(
                "/organisationen/neu/",
                "/organisationen/neu/",
                &[
                    ("name", "Stadt Nirgendwo"),
                    ("kind", "municipality"),
                    ("state", "14"),
                    ("ags", "01002000"),
                ],
            )
            .await;
        assert_eq!(mismatch.status, 422);
        assert!(
            mismatch.body.contains("gehört nicht zu Sachsen"),
            "{}",
            mismatch.body
        );
        assert!(mismatch.body.contains(r#"<option value="14" selected>"#));
        assert_eq!(
            b.submit(
                "/organisationen/neu/",
                "/organisationen/neu/",
                &[
                    ("name", "Unbekanntes Land"),
                    ("kind", "other"),
                    ("ags", "17000000")
                ],
            )
            .await
            .status,
            422,
            "no state has key 17"
        );

        // A good one: the state comes from the key, the creator is its staff.
        let page = b
            .submit(
                "/organisationen/neu/",
                "/organisationen/neu/",
                &[
                    ("name", "Stadt Musterhausen an der Isar"),
                    ("kind", "municipality"),
                    ("ags", "09 162 000"),
                    ("website", "https://www.musterhausen.example"),
                ],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
        assert_eq!(
            page.location,
            "/organisationen/stadt-musterhausen-an-der-isar/"
        );
        let slug = "stadt-musterhausen-an-der-isar";
        let me = account_of(staff_mail).await;
        assert!(
            codefor_storage::organizations::is_member(db, org_id(slug).await, me.id)
                .await
                .expect("read")
        );
        let (status, public) = get(&w.server, &format!("/organisationen/{slug}/")).await;
        assert_eq!(status, 200);
        assert!(public.contains("Angaben der Organisation, noch nicht bestätigt"));
        assert!(public.contains("09162000") && public.contains("Bayern"));
        assert!(public.contains("Stadt oder Gemeinde"));
        assert!(!public.contains("Orga Anmelderin") && !public.contains("Lea Lead"));
        // The same name again gets the next free address.
        let mut other = signed_in("orga-zweite@example.org", false, None).await;
        let second = register(
            &mut other,
            "Stadt Musterhausen an der Isar",
            "municipality",
            "",
        )
        .await;
        assert_eq!(second, format!("{slug}-2"));
        let list = get(&w.server, "/organisationen/").await.1;
        assert!(list.contains(&format!("/organisationen/{slug}/")));
        assert!(list.contains(&format!("/organisationen/{slug}-2/")));

        // Confirming and adding staff are for admins, and go to the audit log.
        let verify = format!("/organisationen/{slug}/bestaetigen");
        let org_page = format!("/organisationen/{slug}/");
        assert_eq!(
            b.submit(&org_page, &verify, &[("verified", "1")])
                .await
                .status,
            403
        );
        let mut admin = signed_in("orga-admin@example.org", true, None).await;
        let done = admin.submit(&org_page, &verify, &[("verified", "1")]).await;
        assert_eq!(done.status, 303, "{}", done.body);
        let public = get(&w.server, &org_page).await.1;
        assert!(public.contains("Von der Verwaltung bestätigt"), "{public}");
        assert!(!public.contains("noch nicht bestätigt"));
        let staff_form = format!("/organisationen/{slug}/mitarbeitende");
        let unknown = admin
            .submit(
                &org_page,
                &staff_form,
                &[("email", "niemand-hier@example.org")],
            )
            .await;
        assert_eq!(unknown.status, 422);
        assert!(unknown.body.contains("kein Konto"), "{}", unknown.body);
        account("orga-kollege@example.org", false, None).await;
        let added = admin
            .submit(
                &org_page,
                &staff_form,
                &[("email", "orga-kollege@example.org")],
            )
            .await;
        assert_eq!(added.status, 303, "{}", added.body);
        let colleague = account_of("orga-kollege@example.org").await;
        assert!(
            codefor_storage::organizations::is_member(db, org_id(slug).await, colleague.id)
                .await
                .expect("read")
        );
        assert_eq!(
            b.submit(
                &org_page,
                &staff_form,
                &[("email", "orga-zweite@example.org")]
            )
            .await
            .status,
            403,
            "staff do not add staff"
        );
        let log = codefor_storage::audit::recent(db, 200).await.expect("log");
        for action in ["organization.verify", "organization.staff.add"] {
            assert!(
                log.iter().any(|e| e.action == action && e.target == slug),
                "{action}"
            );
        }
    });
}

#[test]
fn recording_a_use_follows_the_permission_matrix() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        empty_lab(db, "nutzlab", "06").await;
        empty_lab(db, "fremdlab", "06").await;
        project(db, "nutzprojekt", "Nutzprojekt", "nutzlab", "2026-10-01").await;
        let mut staff = signed_in("nutz-staff@example.org", false, None).await;
        let org = register(&mut staff, "Landkreis Nutzingen", "district", "06433").await;
        let org_id = org_id(&org).await.to_string();
        let other_org_id = self::org_id("landeshauptstadt-kiel-demo").await.to_string();
        let page = "/projekte/nutzprojekt/nutzung";
        let action = "/projekte/nutzprojekt/nutzung";
        let fields = |org: &str| {
            vec![
                ("organization", org.to_owned()),
                ("note", "Im Einsatz".to_owned()),
            ]
        };
        async fn post(
            b: &mut Browser,
            page: &str,
            action: &str,
            fields: &[(&str, String)],
        ) -> Page {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            b.submit(page, action, &pairs).await
        }

        // Not signed in: to the sign-in page.
        let mut anon = anonymous().await;
        let refused = post(&mut anon, "/anmelden/", action, &fields(&org_id)).await;
        assert_eq!(refused.status, 303);
        assert!(
            refused.location.starts_with("/anmelden/"),
            "{}",
            refused.location
        );
        // Signed in, but neither lead nor staff.
        let mut stranger = signed_in("nutz-fremd@example.org", false, None).await;
        assert_eq!(
            post(&mut stranger, page, action, &fields(&org_id))
                .await
                .status,
            403
        );
        assert!(!stranger.get(page).await.body.contains("Nutzung eintragen"));
        // A lead of another lab.
        let mut foreign = signed_in("nutz-fremdleitung@example.org", false, Some("fremdlab")).await;
        assert_eq!(
            post(&mut foreign, page, action, &fields(&org_id))
                .await
                .status,
            403
        );
        // Staff, for another organization than their own.
        assert_eq!(
            post(&mut staff, page, action, &fields(&other_org_id))
                .await
                .status,
            403
        );
        // Staff for their own: with mistakes first, then right.
        let form = staff.get(page).await.body;
        assert!(form.contains("Nutzung eintragen"), "{form}");
        assert!(
            form.contains(&format!(
                r#"<option value="{org_id}">Landkreis Nutzingen</option>"#
            )),
            "staff pick one of their own"
        );
        assert!(!form.contains("Landeshauptstadt Kiel (Demo)</option>"));
        let mut wrong = fields(&org_id);
        wrong.push(("since", "2024-13".to_owned()));
        let refused = post(&mut staff, page, action, &wrong).await;
        assert_eq!(refused.status, 422);
        assert!(
            refused.body.contains(r#"id="u-since-error""#),
            "{}",
            refused.body
        );
        assert!(refused.body.contains(r#"value="2024-13""#));
        let mut right = fields(&org_id);
        right.push(("since", "2024-03".to_owned()));
        let saved = post(&mut staff, page, action, &right).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(saved.location, "/projekte/nutzprojekt/#nutzung");
        let section = get(&w.server, page).await.1;
        assert!(section.contains("Landkreis Nutzingen"), "{section}");
        assert!(section.contains("seit März 2024"));
        assert!(section.contains("Eingetragen von der Organisation selbst"));
        let org_page = get(&w.server, &format!("/organisationen/{org}/")).await.1;
        assert!(org_page.contains(r#"<a href="/projekte/nutzprojekt/">Nutzprojekt</a>"#));
        let list = get(&w.server, "/organisationen/").await.1;
        let row = &list[position(&list, "Landkreis Nutzingen")..];
        assert!(
            row.split("</tr>")
                .next()
                .unwrap_or("")
                .contains("<td>1</td>")
        );
        // The project page carries the section.
        let (status, project_page) = get(&w.server, "/projekte/nutzprojekt/").await;
        assert_eq!(status, 200);
        assert!(
            project_page.contains(r#"id="nutzung""#) && project_page.contains("Wer nutzt das?")
        );

        // A lead of the project's lab picks any organization; so does an admin.
        let mut lead = signed_in("nutz-leitung@example.org", false, Some("nutzlab")).await;
        let lead_form = lead.get(page).await.body;
        assert!(lead_form.contains("Landeshauptstadt Kiel (Demo)</option>"));
        assert!(lead_form.contains(r#"href="/organisationen/neu/""#));
        assert_eq!(
            post(&mut lead, page, action, &fields(&other_org_id))
                .await
                .status,
            303
        );
        let kreis = self::org_id("kreis-rendsburg-eckernfoerde-demo")
            .await
            .to_string();
        let mut admin = signed_in("nutz-admin@example.org", true, None).await;
        assert_eq!(
            post(&mut admin, page, action, &fields(&kreis)).await.status,
            303
        );
        let section = get(&w.server, page).await.1;
        assert!(
            section.contains("Landeshauptstadt Kiel (Demo)") && section.contains("Kreis Rendsburg")
        );
        let log = codefor_storage::audit::recent(db, 200).await.expect("log");
        assert!(
            log.iter()
                .any(|e| e.action == "organization.use.record" && e.target == "nutzprojekt")
        );

        // Removing: not for strangers; staff remove their own.
        let remove = "/projekte/nutzprojekt/nutzung/entfernen";
        assert_eq!(
            post(&mut stranger, page, remove, &fields(&org_id))
                .await
                .status,
            403
        );
        assert_eq!(
            post(&mut staff, page, remove, &fields(&other_org_id))
                .await
                .status,
            403
        );
        assert_eq!(
            post(&mut staff, page, remove, &fields(&org_id))
                .await
                .status,
            303
        );
        let section = get(&w.server, page).await.1;
        assert!(!section.contains("Landkreis Nutzingen"));
        assert!(section.contains("Landeshauptstadt Kiel (Demo)"));
        assert!(log.len() <= 200);
    });
}

#[test]
fn leads_manage_roles_and_people_offer_help_once() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        empty_lab(db, "rollenlab", "03").await;
        project(
            db,
            "rollenprojekt",
            "Rollenprojekt",
            "rollenlab",
            "2026-10-01",
        )
        .await;
        let page = "/projekte/rollenprojekt/mitmachen";
        let lead_mail = "rollen-leitung@example.org";
        let mut lead = signed_in(lead_mail, false, Some("rollenlab")).await;

        // Only the project's leads manage roles.
        let new_role = "/projekte/rollenprojekt/mitmachen/rollen";
        let role_fields = [
            ("title", "Datenpflege im Team"),
            (
                "description",
                "Wir pflegen die Daten.\n\nJede Woche ein bisschen.",
            ),
            ("skill", "Datenanalyse"),
            ("more_skills", "Tabellen"),
            ("commitment", "weekly"),
            ("place", "remote"),
        ];
        let mut member = signed_in("rollen-mitglied@example.org", false, None).await;
        assert_eq!(
            member.submit(page, new_role, &role_fields).await.status,
            403
        );
        assert!(!member.get(page).await.body.contains("Neue Rolle anlegen"));
        let mut anon = anonymous().await;
        assert_eq!(
            anon.submit("/anmelden/", new_role, &role_fields)
                .await
                .status,
            303
        );
        let mut foreign = signed_in("rollen-fremd@example.org", false, Some("kiel")).await;
        assert_eq!(
            foreign.submit(page, new_role, &role_fields).await.status,
            403
        );

        let bad = lead
            .submit(
                page,
                new_role,
                &[
                    ("title", "ab"),
                    ("commitment", "immer"),
                    ("place", "remote"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(
            bad.body.contains(r#"id="rneu-title-error""#),
            "{}",
            bad.body
        );
        assert!(bad.body.contains(r#"id="rneu-commitment-error""#));
        assert!(bad.body.contains(r#"value="ab""#));
        let made = lead.submit(page, new_role, &role_fields).await;
        assert_eq!(made.status, 303, "{}", made.body);
        assert_eq!(made.location, "/projekte/rollenprojekt/#mitmachen");
        let roles = codefor_storage::project_roles::of_project(
            db,
            codefor_core::help_wanted::project(db, "rollenprojekt")
                .await
                .expect("read")
                .expect("project")
                .id,
        )
        .await
        .expect("roles");
        assert_eq!(roles.len(), 1);
        let role = &roles[0];
        assert_eq!(role.skills, ["Datenanalyse", "Tabellen"]);
        let public = get(&w.server, page).await.1;
        assert!(public.contains("Datenpflege im Team"));
        assert!(public.contains("<p>Jede Woche ein bisschen.</p>"));
        assert!(
            public.contains("Etwa zwei Stunden pro Woche") && public.contains("Von zu Hause aus")
        );
        assert!(public.contains("/anmelden/?next=/projekte/rollenprojekt/%23mitmachen"));

        // Anyone signed in offers once; the leads hear of it by mail.
        let helper_mail = "rollen-helferin@example.org";
        let mut helper = signed_in(helper_mail, false, None).await;
        let mut tx = db.begin().await.expect("tx");
        codefor_storage::accounts::set_display_name(
            &mut tx,
            account_of(helper_mail).await.id,
            "Hanna Helferin",
        )
        .await
        .expect("name");
        codefor_storage::commit(tx).await.expect("commit");
        let role_id = role.id.to_string();
        let offer = "/projekte/rollenprojekt/mitmachen/angebot";
        let first = helper
            .submit(
                page,
                offer,
                &[("role", &role_id), ("message", "Ich kann Tabellen gut")],
            )
            .await;
        assert_eq!(first.status, 303, "{}", first.body);
        let mail = w.inbox.last_to(lead_mail).await;
        let text = mail.data.replace("=\n", "");
        assert!(text.contains(helper_mail), "{text}");
        assert!(text.contains("Ich kann Tabellen gut"));
        assert!(text.contains("/projekte/rollenprojekt/#mitmachen"));
        assert!(
            helper
                .get(page)
                .await
                .body
                .contains("Du hast hier deine Hilfe angeboten")
        );
        let helper_csrf = csrf_of(&mut helper).await;
        let again = helper
            .post(
                offer,
                &[
                    ("csrf", &helper_csrf),
                    ("role", &role_id),
                    ("message", "Nochmal"),
                ],
            )
            .await;
        assert_eq!(again.status, 422);
        assert!(
            again.body.contains("schon deine Hilfe angeboten"),
            "{}",
            again.body
        );
        let offers = codefor_storage::project_roles::offers_for(db, role.project_id)
            .await
            .expect("offers");
        assert_eq!(offers.len(), 1, "one offer per person and role");

        // The leads see who offered; nobody else does.
        let lead_view = lead.get(page).await.body;
        assert!(lead_view.contains(helper_mail) && lead_view.contains("Ich kann Tabellen gut"));
        assert!(lead_view.contains("Hanna Helferin"));
        for body in [
            member.get(page).await.body,
            get(&w.server, page).await.1,
            get(&w.server, "/projekte/rollenprojekt/").await.1,
            member.get("/projekte/rollenprojekt/").await.body,
        ] {
            assert!(!body.contains(helper_mail), "address leaked");
            assert!(!body.contains("Hanna Helferin"), "name leaked");
            assert!(!body.contains("Ich kann Tabellen gut"), "message leaked");
        }
        // The project page shows the section.
        let project_page = lead.get("/projekte/rollenprojekt/").await.body;
        assert!(project_page.contains(r#"id="mitmachen""#) && project_page.contains(helper_mail));

        // Editing, closing and reopening.
        let edit = format!("/projekte/rollenprojekt/mitmachen/rollen/{role_id}");
        let edited = lead
            .submit(
                page,
                &edit,
                &[
                    ("title", "Datenpflege im kleinen Team"),
                    ("skill", "Datenanalyse"),
                    ("commitment", "occasional"),
                    ("place", "either"),
                ],
            )
            .await;
        assert_eq!(edited.status, 303, "{}", edited.body);
        assert!(
            get(&w.server, page)
                .await
                .1
                .contains("Datenpflege im kleinen Team")
        );
        assert_eq!(
            member
                .submit(
                    page,
                    &edit,
                    &[
                        ("title", "Gekapert"),
                        ("commitment", "weekly"),
                        ("place", "remote")
                    ]
                )
                .await
                .status,
            403
        );
        let status = format!("{edit}/status");
        assert_eq!(
            lead.submit(page, &status, &[("open", "0")]).await.status,
            303
        );
        assert!(
            !get(&w.server, page)
                .await
                .1
                .contains("Datenpflege im kleinen Team")
        );
        assert!(lead.get(page).await.body.contains("Geschlossen"));
        let member_csrf = csrf_of(&mut member).await;
        let closed = member
            .post(offer, &[("csrf", &member_csrf), ("role", &role_id)])
            .await;
        assert_eq!(closed.status, 422);
        assert!(closed.body.contains("schon besetzt"));
        assert_eq!(
            lead.submit(page, &status, &[("open", "1")]).await.status,
            303
        );

        // Withdrawing one's own offer; deleting the role.
        let own = codefor_storage::project_roles::offers_by(db, account_of(helper_mail).await.id)
            .await
            .expect("offers");
        assert_eq!(own.len(), 1);
        let withdraw = "/projekte/rollenprojekt/mitmachen/angebot/zurueckziehen";
        let own_id = own[0].id.to_string();
        assert_eq!(
            member
                .post(withdraw, &[("csrf", &member_csrf), ("offer", &own_id)])
                .await
                .status,
            404,
            "not someone else's"
        );
        assert_eq!(
            helper
                .post(
                    withdraw,
                    &[
                        ("csrf", &helper_csrf),
                        ("offer", &own_id),
                        ("zurueck", "helfen")
                    ]
                )
                .await
                .location,
            "/helfen/#meine-angebote"
        );
        assert!(
            codefor_storage::project_roles::offers_for(db, role.project_id)
                .await
                .expect("offers")
                .is_empty()
        );
        let delete = format!("{edit}/loeschen");
        assert_eq!(member.submit(page, &delete, &[]).await.status, 403);
        assert_eq!(lead.submit(page, &delete, &[]).await.status, 303);
        assert!(!get(&w.server, page).await.1.contains("Datenpflege"));
        let log = codefor_storage::audit::recent(db, 300).await.expect("log");
        for action in [
            "project.role.create",
            "project.role.update",
            "project.role.close",
            "project.role.delete",
        ] {
            assert!(
                log.iter()
                    .any(|e| e.action == action && e.target == "rollenprojekt"),
                "{action}"
            );
        }
    });
}

/// The session's form token, from the account page.
async fn csrf_of(b: &mut Browser) -> String {
    let page = b.get("/konto/").await.body;
    let marker = r#"name="csrf" value=""#;
    let at = position(&page, marker) + marker.len();
    page[at..].split('"').next().unwrap_or_default().to_owned()
}

#[test]
fn general_offers_when_a_project_looks_for_people() {
    block_on(async {
        let w = world().await;
        // A project that looks for people but names no role takes general offers; an
        // offer for a role that is deleted stays as one for the project.
        let db = &w.server.db.db;
        empty_lab(db, "sucherlab", "05").await;
        let id = {
            let mut tx = db.begin().await.expect("tx");
            let (id, _) = codefor_storage::projects::upsert(
                &mut tx,
                &Project {
                    slug: "sucherprojekt".to_owned(),
                    title: "Sucherprojekt".to_owned(),
                    labs: vec!["sucherlab".to_owned()],
                    looking_for_people: true,
                    date: Some("2026-10-01".to_owned()),
                    source: serde_json::json!({}),
                    ..Project::default()
                },
            )
            .await
            .expect("project");
            codefor_storage::commit(tx).await.expect("commit");
            id
        };
        let page = "/projekte/sucherprojekt/mitmachen";
        let offer = "/projekte/sucherprojekt/mitmachen/angebot";
        let mut lead = signed_in("sucher-leitung@example.org", false, Some("sucherlab")).await;
        let mut helper = signed_in("sucher-helfer@example.org", false, None).await;
        let body = helper.get(page).await.body;
        assert!(
            body.contains("Das Projekt sucht Menschen, die mitmachen."),
            "{body}"
        );
        let general = helper
            .submit(page, offer, &[("role", ""), ("message", "Allgemein dabei")])
            .await;
        assert_eq!(general.status, 303, "{}", general.body);
        assert!(
            helper
                .get(page)
                .await
                .body
                .contains("Du hast diesem Projekt deine Hilfe angeboten")
        );
        let made = lead
            .submit(
                page,
                "/projekte/sucherprojekt/mitmachen/rollen",
                &[
                    ("title", "Sucherrolle"),
                    ("commitment", "weekly"),
                    ("place", "remote"),
                ],
            )
            .await;
        assert_eq!(made.status, 303);
        let role = codefor_storage::project_roles::of_project(db, id)
            .await
            .expect("roles");
        let role_id = role[0].id.to_string();
        assert_eq!(
            helper
                .submit(page, offer, &[("role", &role_id)])
                .await
                .status,
            303
        );
        // Deleting the role: the person's offer for it would collide with their general
        // one, so only the general one stays.
        let delete = format!("/projekte/sucherprojekt/mitmachen/rollen/{role_id}/loeschen");
        assert_eq!(lead.submit(page, &delete, &[]).await.status, 303);
        let offers = codefor_storage::project_roles::offers_for(db, id)
            .await
            .expect("offers");
        assert_eq!(offers.len(), 1);
        assert_eq!(offers[0].role_id, None);
        // A project that looks for nobody takes no general offers.
        project(
            db,
            "ruhigprojekt",
            "Ruhigprojekt",
            "sucherlab",
            "2026-10-01",
        )
        .await;
        let (_, nobody) = get(&w.server, "/projekte/ruhigprojekt/mitmachen").await;
        assert!(!nobody.contains("Das Projekt sucht Menschen"), "{nobody}");
        let refused = helper
            .submit(
                "/projekte/ruhigprojekt/mitmachen",
                "/projekte/ruhigprojekt/mitmachen/angebot",
                &[("role", "")],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("sucht gerade niemanden allgemein"));
    });
}

#[test]
fn where_to_help_ranks_roles_by_skills_then_labs() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let own_lab = empty_lab(db, "ranglab", "07").await;
        empty_lab(db, "anderlab", "07").await;
        let own = project(db, "rangprojekt", "Rangprojekt", "ranglab", "2026-10-01").await;
        let other = project(db, "anderprojekt", "Anderprojekt", "anderlab", "2026-10-01").await;
        let mut tx = db.begin().await.expect("tx");
        // Oldest first: without ranking, the newest would lead.
        for (project, title, skills) in [
            (own, "Rangrolle-Eigenes-Lab", vec![]),
            (other, "Rangrolle-Eine", vec!["Datenanalyse".to_owned()]),
            (
                other,
                "Rangrolle-Beide",
                vec!["Moderation".to_owned(), "Datenanalyse".to_owned()],
            ),
            (other, "Rangrolle-Fremd", vec!["Kochen".to_owned()]),
        ] {
            codefor_storage::project_roles::create(
                &mut tx,
                project,
                &codefor_storage::project_roles::Fields {
                    title,
                    description: "",
                    skills: &skills,
                    commitment: "occasional",
                    place: "either",
                    open: true,
                },
            )
            .await
            .expect("role");
        }
        codefor_storage::bump_content_version(&mut tx)
            .await
            .expect("bump");
        codefor_storage::commit(tx).await.expect("commit");

        let email = "rang-person@example.org";
        let mut b = signed_in(email, false, None).await;
        let me = account_of(email).await;
        let mut tx = db.begin().await.expect("tx");
        codefor_storage::accounts::set_profile(
            &mut tx,
            me.id,
            &codefor_domain::profiles::Profile {
                skills: vec!["moderation".to_owned(), "Datenanalyse".to_owned()],
                ..Default::default()
            },
        )
        .await
        .expect("profile");
        codefor_storage::accounts::add_to_lab(
            &mut tx,
            &me,
            own_lab,
            codefor_domain::people::Role::Member,
        )
        .await
        .expect("member");
        codefor_storage::commit(tx).await.expect("commit");

        let ranked = b.get("/helfen/").await;
        assert_eq!(ranked.status, 200);
        let body = ranked.body;
        let order: Vec<usize> = [
            "Rangrolle-Beide",
            "Rangrolle-Eine",
            "Rangrolle-Eigenes-Lab",
            "Rangrolle-Fremd",
        ]
        .iter()
        .map(|t| position(&body, t))
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
        assert!(body.contains("Passt zu dir: 2 Fähigkeiten"));
        assert!(body.contains("Dein Lab"));
        assert!(body.contains(r#"id="meine-angebote""#));

        // Without an account: all open roles, newest first, and a filter by skill.
        let (status, all) = get(&w.server, "/helfen/?faehigkeit=").await;
        assert_eq!(status, 200);
        assert!(position(&all, "Rangrolle-Fremd") < position(&all, "Rangrolle-Beide"));
        assert!(all.contains("Texte in leichter Sprache"), "demo roles");
        assert!(!all.contains("Passt zu dir"));
        let (status, filtered) = get(&w.server, "/helfen/?faehigkeit=Moderation").await;
        assert_eq!(status, 200);
        assert!(filtered.contains("Rangrolle-Beide"));
        assert!(!filtered.contains("Rangrolle-Eine") && !filtered.contains("Rangrolle-Fremd"));
        assert!(filtered.contains(r#"<option value="Moderation" selected>"#));
        assert!(
            filtered.contains(r#"<option value="Kochen">"#),
            "free skills of roles"
        );
        let none = get(&w.server, "/helfen/?faehigkeit=Unbekannt").await.1;
        assert!(none.contains("Gerade sucht kein Projekt jemanden mit „Unbekannt“"));
        // The navigation leads there.
        assert!(
            get(&w.server, "/")
                .await
                .1
                .contains(r#"<a href="/helfen/""#)
        );
    });
}

#[test]
fn quiet_projects_remind_their_leads_once_per_period() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        empty_lab(db, "stilllab", "12").await;
        let lead = "still-leitung@example.org";
        account(lead, false, Some("stilllab")).await;
        project(
            db,
            "stilles-projekt",
            "Stilles Projekt",
            "stilllab",
            "2020-02-01",
        )
        .await;
        project(
            db,
            "frisches-projekt",
            "Frisches Projekt",
            "stilllab",
            "2026-11-01",
        )
        .await;
        // Obsolete and draft projects are left alone.
        let mut tx = db.begin().await.expect("tx");
        for (slug, obsolete) in [("eingestelltes-projekt", true), ("entwurf-projekt", false)] {
            codefor_storage::projects::upsert(
                &mut tx,
                &Project {
                    slug: slug.to_owned(),
                    title: slug.to_owned(),
                    labs: vec!["stilllab".to_owned()],
                    date: Some("2019-01-01".to_owned()),
                    development_status: obsolete
                        .then_some(codefor_domain::DevelopmentStatus::Obsolete),
                    draft: !obsolete,
                    source: serde_json::json!({}),
                    ..Project::default()
                },
            )
            .await
            .expect("project");
        }
        codefor_storage::commit(tx).await.expect("commit");

        let mailer = w.mailer();
        let (a, b) = tokio::join!(
            codefor_core::help_wanted::notify_stale(db, &mailer, "https://codefor.example", 365),
            codefor_core::help_wanted::notify_stale(db, &mailer, "https://codefor.example", 365),
        );
        let told: Vec<String> = a
            .expect("first")
            .into_iter()
            .chain(b.expect("second"))
            .collect();
        assert_eq!(
            told.iter().filter(|s| *s == "stilles-projekt").count(),
            1,
            "one reminder, however many run at once: {told:?}"
        );
        for quiet_or_not in [
            "frisches-projekt",
            "eingestelltes-projekt",
            "entwurf-projekt",
        ] {
            assert!(!told.iter().any(|s| s == quiet_or_not), "{quiet_or_not}");
        }
        let mail = w.inbox.last_to(lead).await;
        let text = mail.data.replace("=\n", "");
        assert!(text.contains("Stilles Projekt"), "{text}");
        assert!(text.contains("https://codefor.example/bearbeiten/projekte/stilles-projekt/"));
        // Once per period.
        let again =
            codefor_core::help_wanted::notify_stale(db, &mailer, "https://codefor.example", 365)
                .await
                .expect("again");
        assert!(!again.iter().any(|s| s == "stilles-projekt"), "{again:?}");
        // Off with 0 days.
        assert!(
            codefor_core::help_wanted::notify_stale(db, &mailer, "x", 0)
                .await
                .expect("off")
                .is_empty()
        );
    });
}

#[test]
fn offers_and_organizations_are_in_the_export_and_go_with_the_account() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let email = "daten-helfer@example.org";
        let mut b = signed_in(email, false, None).await;
        let me = account_of(email).await;
        let org = register(&mut b, "Zweckverband Datenwerk", "public_body", "").await;
        let wege = codefor_core::help_wanted::project(db, "wege-ohne-stufen")
            .await
            .expect("read")
            .expect("demo project");
        let role = codefor_storage::project_roles::of_project(db, wege.id)
            .await
            .expect("roles")
            .into_iter()
            .find(|r| r.title == "Wege vor Ort erfassen")
            .expect("demo role");
        let offered = b
            .submit(
                "/projekte/wege-ohne-stufen/mitmachen",
                "/projekte/wege-ohne-stufen/mitmachen/angebot",
                &[
                    ("role", &role.id.to_string()),
                    ("message", "Rollstuhl-Erfahrung"),
                ],
            )
            .await;
        assert_eq!(offered.status, 303, "{}", offered.body);
        assert!(
            b.get("/konto/")
                .await
                .body
                .contains(r#"href="/helfen/#meine-angebote""#)
        );
        assert!(
            b.get("/helfen/")
                .await
                .body
                .contains("Angebot bei Wege ohne Stufen zurückziehen")
        );

        let export = b.get("/konto/export.json").await;
        assert_eq!(export.status, 200);
        let data: serde_json::Value = serde_json::from_str(&export.body).expect("json");
        assert_eq!(
            data["help_offers"][0]["project"],
            "/projekte/wege-ohne-stufen/"
        );
        assert_eq!(data["help_offers"][0]["role"], "Wege vor Ort erfassen");
        assert_eq!(data["help_offers"][0]["message"], "Rollstuhl-Erfahrung");
        assert_eq!(
            data["organizations"][0]["organization"],
            format!("/organisationen/{org}/")
        );
        assert_eq!(data["organizations"][0]["name"], "Zweckverband Datenwerk");

        let gone = b
            .submit(
                "/konto/",
                "/konto/loeschen",
                &[("delete_password", PASSWORD)],
            )
            .await;
        assert_eq!(gone.status, 200, "{}", gone.body);
        assert!(
            codefor_storage::project_roles::offers_by(db, me.id)
                .await
                .expect("read")
                .is_empty()
        );
        assert!(
            !codefor_storage::project_roles::offers_for(db, wege.id)
                .await
                .expect("read")
                .iter()
                .any(|o| o.message == "Rollstuhl-Erfahrung")
        );
        assert!(
            codefor_storage::organizations::memberships_of(db, me.id)
                .await
                .expect("read")
                .is_empty()
        );
        // The organization itself stays, without its former staff.
        let id = org_id(&org).await;
        assert!(
            codefor_storage::organizations::members(db, id)
                .await
                .expect("read")
                .is_empty()
        );
    });
}

/// Registering organizations is limited per account: a sixth one within a day is refused
/// with a clear answer, and nothing is written.
#[test]
fn registering_organizations_is_rate_limited() {
    block_on(async {
        let mut b = signed_in("viele-orgs@example.org", false, None).await;
        for n in 1..=5 {
            register(
                &mut b,
                &format!("Gemeinde Vielfalt {n}"),
                "municipality",
                "",
            )
            .await;
        }
        let page = b
            .submit(
                "/organisationen/neu/",
                "/organisationen/neu/",
                &[("name", "Gemeinde Vielfalt 6"), ("kind", "municipality")],
            )
            .await;
        assert_eq!(page.status, 429, "{}", page.body);
        assert!(page.body.contains("Minuten"), "{}", page.body);
        let (status, _) = get(
            &world().await.server,
            "/organisationen/gemeinde-vielfalt-6/",
        )
        .await;
        assert_eq!(status, 404, "nothing written");
    });
}
