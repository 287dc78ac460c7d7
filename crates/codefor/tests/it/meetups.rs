//! Meetups over HTTP: leads plan them, people find them by lab and federal state,
//! answer (with a waitlist), leads cancel dates; the feeds are parsed and expanded by an
//! independent implementation (Python's `icalendar` and `recurring_ical_events`) whose
//! dates must match ours.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use codefor_storage::meetups::Filter;
use jiff::Timestamp;

use crate::accounts::{Browser, PASSWORD, account, world};
use crate::support::{block_on, get};

/// A confirmed account with the given roles, as the use-cases see it.
async fn acting(
    email: &str,
    admin: bool,
    lead_of: Option<&str>,
) -> codefor_storage::accounts::Account {
    account(email, admin, lead_of).await;
    codefor_storage::accounts::by_email(&world().await.server.db.db, email)
        .await
        .expect("read")
        .expect("account")
}

/// A new lab of its own for a test, without meetups: `OK Lab <Slug>` in `state`.
pub(crate) async fn empty_lab(db: &codefor_storage::Db, slug: &str, state: &str) -> i64 {
    let mut city = slug.to_owned();
    if let Some(first) = city.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let mut tx = db.begin().await.expect("tx");
    let id = codefor_storage::labs::create(
        &mut tx,
        &codefor_storage::labs::NewLab {
            slug,
            name: &format!("OK Lab {city}"),
            city: &city,
            state_key: Some(state),
            latitude: None,
            longitude: None,
            meeting: None,
            body_md: "",
            body_html: "",
        },
    )
    .await
    .expect("create")
    .expect("new");
    codefor_storage::commit(tx).await.expect("commit");
    id
}

/// The next `n` dates of a meetup (civil start times), within a month.
async fn next_dates(db: &codefor_storage::Db, id: i64, n: usize) -> Vec<String> {
    let now = Timestamp::now();
    let month = now
        .checked_add(jiff::SignedDuration::from_hours(24 * 31))
        .expect("time");
    let filter = Filter {
        ids: Some(&[id]),
        ..Filter::default()
    };
    let dates = codefor_core::meetups::dates(db, filter, now, month, n)
        .await
        .expect("dates");
    assert_eq!(dates.len(), n, "{n} dates within a month");
    dates.into_iter().map(|d| d.start).collect()
}

/// A checked meetup form.
pub(crate) fn planned(pairs: &[(&str, &str)]) -> codefor_core::meetups::Planned {
    let form: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    codefor_core::meetups::parse(&form).expect("a valid meetup")
}

/// The first value of a hidden input named `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in:\n{html}"));
    html[at + marker.len()..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The meetup id a redirect after saving points to.
fn id_from(location: &str) -> String {
    location
        .trim_start_matches("/termine/")
        .trim_end_matches('/')
        .to_owned()
}

#[test]
fn leads_plan_meetups_that_people_find_by_lab_and_state() {
    block_on(async {
        let w = world().await;
        let lead = "termine-freiburg@example.org";
        account(lead, false, Some("freiburg")).await;
        let mut l = Browser::new(&w.server);
        assert_eq!(l.sign_in(lead, PASSWORD).await.status, 303);

        // Mistakes are named at their fields, and the input is kept.
        let form = l.get("/termine/neu/?lab=freiburg").await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains(r#"value="freiburg" checked"#));
        let wrong = l
            .submit(
                "/termine/neu/?lab=freiburg",
                "/termine/neu/",
                &[
                    ("lab", "freiburg"),
                    ("title", "Datenabend"),
                    ("date", "2026-03-10"),
                    ("start", "19:00"),
                    ("end", "18:00"),
                    ("repeat", "custom"),
                    ("rule", "FREQ=MINUTELY"),
                    ("venue", "Stadtteiltreff"),
                ],
            )
            .await;
        assert_eq!(wrong.status, 422);
        assert!(wrong.body.contains(r#"id="f-end-error""#), "{}", wrong.body);
        assert!(wrong.body.contains(r#"id="f-rule-error""#));
        assert!(wrong.body.contains(r#"value="Datenabend""#));

        // Every second Tuesday, since March 2026, with no end.
        let saved = l
            .submit(
                "/termine/neu/?lab=freiburg",
                "/termine/neu/",
                &[
                    ("lab", "freiburg"),
                    ("title", "Freiburger Datenabend"),
                    ("date", "2026-03-10"),
                    ("start", "19:00"),
                    ("end", "21:00"),
                    ("repeat", "monthly"),
                    ("venue", "Stadtteiltreff Vauban"),
                    ("description", "Wir **basteln** an offenen Daten."),
                ],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let id = id_from(&saved.location);
        let page = get(&w.server, &format!("/termine/{id}/")).await.1;
        assert!(page.contains("Jeden 2. Dienstag im Monat"), "{page}");
        assert!(page.contains("<strong>basteln</strong>"));
        assert!(page.contains("Melde dich an"));

        for path in [
            "/termine/?lab=freiburg",
            "/termine/?land=baden-wuerttemberg",
            "/freiburg/",
        ] {
            let (status, body) = get(&w.server, path).await;
            assert_eq!(status, 200, "{path}");
            assert!(body.contains("Freiburger Datenabend"), "{path}");
            assert!(body.contains("Di, "), "{path}: dates carry their weekday");
        }
        let sachsen = get(&w.server, "/termine/?land=sachsen").await.1;
        assert!(!sachsen.contains("Freiburger Datenabend"));
        assert!(sachsen.contains("Offenes Treffen im Basislager"));
        let figures: serde_json::Value =
            serde_json::from_str(&get(&w.server, "/api/network.json").await.1).expect("json");
        assert!(
            figures["upcoming_meetups"].as_u64().unwrap_or(0) >= 4,
            "{figures}"
        );

        // Changing it raises the calendar's SEQUENCE.
        let before = get(&w.server, &format!("/termine/{id}.ics")).await.1;
        assert!(before.contains("SEQUENCE:0"));
        let edit = format!("/termine/{id}/bearbeiten");
        let form = l.get(&edit).await.body;
        assert!(
            form.contains(r#"<option value="monthly" selected>"#),
            "the choice made is shown again"
        );
        let changed = l
            .submit(
                &edit,
                &edit,
                &[
                    ("lab", "freiburg"),
                    ("title", "Freiburger Datenabend (neu)"),
                    ("date", "2026-03-10"),
                    ("start", "19:00"),
                    ("end", "21:30"),
                    ("repeat", "custom"),
                    ("rule", "FREQ=MONTHLY;BYDAY=2TU"),
                    ("venue", "Stadtteiltreff Vauban"),
                ],
            )
            .await;
        assert_eq!(changed.status, 303, "{}", changed.body);
        let after = get(&w.server, &format!("/termine/{id}.ics")).await.1;
        assert!(after.contains("SEQUENCE:1") && after.contains("T213000"));

        // Who may not: a member, a lead of another lab, nobody signed in.
        let member = "nur-mitglied-termine@example.org";
        account(member, false, None).await;
        let mut m = Browser::new(&w.server);
        assert_eq!(m.sign_in(member, PASSWORD).await.status, 303);
        assert_eq!(m.get("/termine/neu/").await.status, 403);
        assert_eq!(m.get(&edit).await.status, 403);
        let csrf = hidden(&m.get("/konto/").await.body, "csrf");
        let refused = m
            .post(
                "/termine/neu/",
                &[("csrf", &csrf), ("lab", "freiburg"), ("title", "x")],
            )
            .await;
        assert_eq!(refused.status, 403);
        let foreign = l
            .submit(
                "/termine/neu/",
                "/termine/neu/",
                &[
                    ("lab", "leipzig"),
                    ("title", "Übernahme"),
                    ("date", "2026-03-10"),
                    ("start", "19:00"),
                    ("end", "21:00"),
                    ("venue", "Irgendwo"),
                ],
            )
            .await;
        assert_eq!(foreign.status, 422);
        assert!(
            foreign
                .body
                .contains("nur Termine der Labs anlegen, die du leitest")
        );
        assert_eq!(
            l.get("/termine/1/bearbeiten").await.status,
            403,
            "Kiel's meetup"
        );
        let anonymous = crate::support::client()
            .get(w.server.url("/termine/neu/"))
            .send()
            .await
            .expect("GET");
        assert_eq!(anonymous.status(), 303);

        // Deleting asks for a confirmation first.
        let page = format!("/termine/{id}/");
        let delete = format!("/termine/{id}/loeschen");
        let unsure = l.submit(&page, &delete, &[]).await;
        assert_eq!(unsure.status, 422);
        assert!(unsure.body.contains("Bitte bestätige das Löschen"));
        assert_eq!(get(&w.server, &page).await.0, 200);
        let sure = l.submit(&page, &delete, &[("confirm", "1")]).await;
        assert_eq!(sure.status, 303);
        assert_eq!(get(&w.server, &page).await.0, 404);
    });
}

#[test]
fn answers_fill_the_places_and_the_waitlist_moves_up() {
    block_on(async {
        let w = world().await;
        let lead = "termine-rostock@example.org";
        account(lead, false, Some("rostock")).await;
        let mut l = Browser::new(&w.server);
        assert_eq!(l.sign_in(lead, PASSWORD).await.status, 303);
        // Weekly since January 2026, one place only.
        let saved = l
            .submit(
                "/termine/neu/?lab=rostock",
                "/termine/neu/",
                &[
                    ("lab", "rostock"),
                    ("title", "Rostocker Sprechstunde"),
                    ("date", "2026-01-07"),
                    ("start", "17:00"),
                    ("end", "18:00"),
                    ("repeat", "weekly"),
                    ("online_url", "https://meet.example.org/rostock"),
                    ("capacity", "1"),
                ],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let id = id_from(&saved.location);
        let page = format!("/termine/{id}/");
        let action = format!("/termine/{id}/antwort");

        let mut people = Vec::new();
        for name in ["erste", "zweite", "dritte"] {
            let email = format!("{name}-rostock@example.org");
            account(&email, false, None).await;
            let mut b = Browser::new(&w.server);
            assert_eq!(b.sign_in(&email, PASSWORD).await.status, 303);
            people.push((email, b));
        }
        let occurrence = hidden(&people[0].1.get(&page).await.body, "occurrence");
        let at = (page.as_str(), action.as_str(), occurrence.as_str());
        let first = answer(&mut people[0].1, at, "yes").await;
        assert_eq!(first.status, 200);
        assert!(first.body.contains("Du hast zugesagt"), "{}", first.body);
        let second = answer(&mut people[1].1, at, "yes").await;
        assert!(second.body.contains("Warteliste"), "{}", second.body);
        let third = answer(&mut people[2].1, at, "maybe").await;
        assert!(third.body.contains("Antwort ist gespeichert"));
        let public = get(&w.server, &page).await.1;
        assert!(public.contains("1 Zusage, 1 vielleicht"), "{public}");
        assert!(public.contains("ausgebucht"));
        assert!(!public.contains("Lea Lead"), "names only for the leads");
        let lead_view = l.get(&page).await.body;
        assert!(lead_view.contains("Warteliste") && lead_view.contains("kommt"));

        // The first gives up the place: the second moves up and hears so by mail.
        let withdrawn = answer(&mut people[0].1, at, "withdraw").await;
        assert!(withdrawn.body.contains("zurückgezogen"));
        let mail = w.inbox.last_to(&people[1].0).await;
        assert!(mail.data.contains("Ein Platz ist frei"), "{}", mail.data);
        assert!(
            people[1]
                .1
                .get(&page)
                .await
                .body
                .contains(": zugesagt</legend>")
        );

        // Dates that are not (or no longer) open are refused with a reason.
        let bogus = people[2]
            .1
            .submit(
                &page,
                &action,
                &[("occurrence", "2026-01-08T17:00:00"), ("answer", "yes")],
            )
            .await;
        assert_eq!(bogus.status, 422);
        assert!(bogus.body.contains("keine Antworten mehr möglich"));

        // The lead cancels the date with a reason; everyone sees it, feeds say so.
        let cancelled = l
            .submit(
                &page,
                &format!("/termine/{id}/absagen"),
                &[
                    ("occurrence", occurrence.as_str()),
                    ("cancel", "1"),
                    ("reason", "Krankheit"),
                ],
            )
            .await;
        assert_eq!(cancelled.status, 303, "{}", cancelled.body);
        let public = get(&w.server, &page).await.1;
        assert!(public.contains("Abgesagt") && public.contains("Grund: Krankheit"));
        let ics = get(&w.server, &format!("/termine/{id}.ics")).await.1;
        assert!(ics.contains("RRULE:FREQ=WEEKLY"));
        assert!(ics.contains("RECURRENCE-ID;TZID=Europe/Berlin:"));
        assert!(ics.contains("STATUS:CANCELLED"));
        let late = answer(&mut people[2].1, at, "yes").await;
        assert_eq!(late.status, 422);

        // The second one's own calendar: a secret address, shown once, resettable.
        let b = &mut people[1].1;
        let own = b.get("/konto/kalender/").await.body;
        assert!(own.contains("noch keine Adresse"));
        assert!(
            own.contains("Rostocker Sprechstunde")
                && own.contains("Deine Antwort: Zusage")
                && own.contains("Abgesagt"),
            "the dates ahead one said yes to, the cancelled one marked: {own}"
        );
        let made = b.submit("/konto/kalender/", "/konto/kalender/", &[]).await;
        let url = hidden_url(&made.body);
        let path = url.trim_start_matches(&w.server.base).to_owned();
        let (status, feed) = get(&w.server, &path).await;
        assert_eq!(status, 200);
        assert!(feed.contains("Rostocker Sprechstunde"), "{feed}");
        assert!(
            !feed.contains("RRULE:FREQ=WEEKLY"),
            "single dates, not the series"
        );
        let again = b.submit("/konto/kalender/", "/konto/kalender/", &[]).await;
        assert_ne!(hidden_url(&again.body), url);
        assert_eq!(
            get(&w.server, &path).await.0,
            404,
            "the old address is dead"
        );
    });
}

async fn answer(
    b: &mut Browser,
    (page, action, occurrence): (&str, &str, &str),
    what: &str,
) -> crate::accounts::Page {
    b.submit(
        page,
        action,
        &[("occurrence", occurrence), ("answer", what)],
    )
    .await
}

fn hidden_url(html: &str) -> String {
    let at = html
        .find(r#"readonly value=""#)
        .expect("the address is shown");
    html[at + 16..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_full_meetup_gives_its_last_place_once_under_concurrent_answers() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let lead = "termine-ansturm@example.org";
        let lead_account = acting(lead, false, Some("koeln")).await;
        let koeln = codefor_storage::labs::get(db, "koeln")
            .await
            .expect("read")
            .expect("lab");
        let planned = planned(&[
            ("title", "Ansturm"),
            ("date", "2026-01-05"),
            ("start", "18:00"),
            ("end", "19:00"),
            ("repeat", "weekly"),
            ("venue", "Saal"),
            ("capacity", "5"),
        ]);
        let id = codefor_core::meetups::create(db, &lead_account, &planned, &[koeln.id], "t")
            .await
            .expect("create");
        let meetup = codefor_storage::meetups::get(db, id)
            .await
            .expect("read")
            .expect("meetup");
        let occurrence = next_dates(db, id, 1).await.remove(0);
        let mut accounts = Vec::new();
        for i in 0..12 {
            let email = format!("ansturm-{i}@example.org");
            accounts.push(acting(&email, false, None).await);
        }
        let mailer = codefor_core::mail::Mailer::log_only("t@codefor.invalid").expect("mailer");
        let mut tasks = tokio::task::JoinSet::new();
        for a in accounts {
            let (db, mailer, meetup, occurrence) = (
                db.clone(),
                mailer.clone(),
                meetup.clone(),
                occurrence.clone(),
            );
            tasks.spawn(async move {
                codefor_core::meetups::answer(
                    &db,
                    &mailer,
                    "http://t",
                    &a,
                    &meetup,
                    &occurrence,
                    "yes",
                )
                .await
            });
        }
        let outcomes: Vec<_> = tasks.join_all().await;
        let confirmed = outcomes
            .iter()
            .filter(|o| matches!(o, Ok(codefor_core::meetups::Outcome::Confirmed)))
            .count();
        let waiting = outcomes
            .iter()
            .filter(|o| matches!(o, Ok(codefor_core::meetups::Outcome::Waitlisted)))
            .count();
        assert_eq!((confirmed, waiting), (5, 7), "{outcomes:?}");
        let stored = codefor_storage::meetups::rsvps(db, id, &occurrence)
            .await
            .expect("read");
        assert_eq!(stored.iter().filter(|r| r.waitlisted == 0).count(), 5);
    });
}

/// Python's `icalendar` reads our feeds strictly and `recurring_ical_events` expands
/// them; its dates (daylight-saving changes, the left-out date, the cancelled one)
/// must be ours, date for date.
#[test]
fn feeds_expand_to_the_same_dates_in_an_independent_implementation() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let admin = "termine-admin@example.org";
        let actor = acting(admin, true, None).await;
        let lab = empty_lab(db, "kalenderstadt", "09").await;
        // Weekly on Thursdays across both changes of 2026; every second Tuesday with a
        // left-out date in November and a cancelled one in April; a one-off.
        let weekly = planned(&[
            ("title", "Donnerstagstreff"),
            ("date", "2026-03-05"),
            ("start", "19:00"),
            ("end", "21:00"),
            ("repeat", "weekly"),
            ("until", "2026-11-30"),
            ("venue", "Café"),
        ]);
        let second = planned(&[
            ("title", "Zweiter Dienstag"),
            ("date", "2026-02-10"),
            ("start", "18:30"),
            ("end", "20:00"),
            ("repeat", "monthly"),
            ("skipped", "2026-11-10"),
            ("venue", "Rathaus"),
        ]);
        let once = planned(&[
            ("title", "Nachtschicht"),
            ("date", "2026-10-24"),
            ("end_date", "2026-10-25"),
            ("start", "22:00"),
            ("end", "04:00"),
            ("online_url", "https://meet.example.org/nacht"),
        ]);
        let mut ids = Vec::new();
        for p in [&weekly, &second, &once] {
            ids.push(
                codefor_core::meetups::create(db, &actor, p, &[lab], "codefor.test")
                    .await
                    .expect("create"),
            );
        }
        let second_meetup = codefor_storage::meetups::get(db, ids[1])
            .await
            .expect("read")
            .expect("meetup");
        codefor_core::meetups::cancel(
            db,
            &actor,
            &second_meetup,
            "2026-04-14T18:30:00",
            true,
            "Ostern",
        )
        .await
        .expect("cancel");

        let (status, feed) = get(&w.server, "/termine/lab/kalenderstadt.ics").await;
        assert_eq!(status, 200);
        let theirs = python_occurrences(&feed, "2026-01-01", "2027-01-01");

        // Ours, from the same meetups.
        let from: Timestamp = "2026-01-01T00:00:00+01:00".parse().expect("time");
        let to: Timestamp = "2027-01-01T00:00:00+01:00".parse().expect("time");
        let mut ours = BTreeSet::new();
        for id in &ids {
            let meetup = codefor_storage::meetups::get(db, *id)
                .await
                .expect("read")
                .expect("meetup");
            let exceptions = codefor_storage::meetups::exceptions(db, &[*id])
                .await
                .expect("read")
                .remove(id)
                .unwrap_or_default();
            for o in codefor_core::meetups::expand(&meetup, &exceptions, from, to, 500) {
                let cancelled = exceptions
                    .iter()
                    .any(|e| e.kind == "cancelled" && e.occurrence == o.start.to_string());
                ours.insert(format!(
                    "{}\t{}\t{}\t{}",
                    meetup.uid,
                    o.start_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    o.end_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    if cancelled { "CANCELLED" } else { "CONFIRMED" }
                ));
            }
        }
        assert_eq!(theirs, ours);
        // The changes of 2026 are in there: 19:00 is 18:00 UTC in winter, 17:00 in summer.
        let weekly_uid = codefor_storage::meetups::get(db, ids[0])
            .await
            .expect("read")
            .expect("meetup")
            .uid;
        for (when, present) in [
            ("2026-03-26T18:00:00Z", true),
            ("2026-04-02T17:00:00Z", true),
            ("2026-10-22T17:00:00Z", true),
            ("2026-10-29T18:00:00Z", true),
            ("2026-12-03T18:00:00Z", false),
        ] {
            assert_eq!(
                theirs
                    .iter()
                    .any(|l| l.starts_with(&format!("{weekly_uid}\t{when}"))),
                present,
                "{when}"
            );
        }
        assert!(
            theirs
                .iter()
                .any(|l| l.contains("2026-04-14T16:30:00Z") && l.ends_with("CANCELLED"))
        );
        assert!(!theirs.iter().any(|l| l.contains("2026-11-10T")));
        // The night shift ends after the clocks went back: six hours, not seven.
        assert!(
            theirs
                .iter()
                .any(|l| l.contains("2026-10-24T20:00:00Z\t2026-10-25T03:00:00Z"))
        );

        // The network's feed and a single meetup's parse as well.
        for path in ["/termine.ics", &format!("/termine/{}.ics", ids[1])] {
            let (status, text) = get(&w.server, path).await;
            assert_eq!(status, 200, "{path}");
            assert!(!python_occurrences(&text, "2026-01-01", "2027-01-01").is_empty());
        }
    });
}

/// Occurrences as `scripts/ics-occurrences.py` prints them.
fn python_occurrences(feed: &str, from: &str, to: &str) -> BTreeSet<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, feed).expect("write feed");
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/ics-occurrences.py"
    );
    let out = Command::new("python3")
        .arg(script)
        .arg(&file)
        .args([from, to])
        .output()
        .expect(
            "python3 runs; its packages come from scripts/requirements-test.txt \
             (scripts/test installs them)",
        );
    assert!(
        out.status.success(),
        "the independent parser refused the feed: {}\n{feed}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Paging through `/termine/` shows every date once: pages end at a day's end, and a
/// day with more dates than a page (Open Data Day) is shown whole.
#[test]
fn pages_of_dates_miss_none_on_busy_days() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let admin = "termine-seiten@example.org";
        let actor = acting(admin, true, None).await;
        let lab = empty_lab(db, "seitenstadt", "12").await;
        let today = Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Berlin").expect("zone"))
            .date();
        let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).expect("date");
        // 30 dates on one day, 40 on the next, 5 after; then 60 on a single day.
        let mut made = 0;
        for (offset, count) in [(2, 30), (3, 40), (4, 5), (20, 60)] {
            for i in 0..count {
                let planned = planned(&[
                    ("title", &format!("Treffen {offset}-{i:02}")),
                    ("date", &day(offset).to_string()),
                    ("start", &format!("{:02}:{:02}", 8 + i / 6, (i % 6) * 10)),
                    ("end", "22:00"),
                    ("venue", "Saal"),
                ]);
                codefor_core::meetups::create(db, &actor, &planned, &[lab], "t")
                    .await
                    .expect("create");
                made += 1;
            }
        }
        let titles = regex::Regex::new(r">Treffen (\d+-\d+)<").expect("regex");
        let mut seen = Vec::new();
        let mut next = Some("?lab=seitenstadt".to_owned());
        let mut pages = 0;
        while let Some(query) = next.take() {
            pages += 1;
            assert!(pages < 10, "paging does not end");
            let (status, body) = get(&w.server, &format!("/termine/{query}")).await;
            assert_eq!(status, 200);
            seen.extend(titles.captures_iter(&body).map(|c| c[1].to_owned()));
            next = body
                .split(r#"<a href="/termine/"#)
                .find_map(|rest| rest.strip_prefix("?ab="))
                .and_then(|rest| rest.split('"').next())
                .map(|q| format!("?ab={}", q.replace("&amp;", "&")));
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), made, "every date once: {seen:?}");
        assert_eq!(pages, 3, "30, then 40 + 5, then the busy day whole");
    });
}

/// Editing a meetup keeps what people said: more places let the waitlist move up (with
/// a mail), and a series moved to another time takes its answers and cancellations along.
#[test]
fn edits_move_answers_along_and_open_places_to_the_waitlist() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let lead = "termine-umzug@example.org";
        let actor = acting(lead, false, Some("leipzig")).await;
        let leipzig = codefor_storage::labs::get(db, "leipzig")
            .await
            .expect("read")
            .expect("lab")
            .id;
        let form = |start: &str, capacity: &str| {
            planned(&[
                ("title", "Umzugstreffen"),
                ("date", "2026-01-06"),
                ("start", start),
                ("end", "21:00"),
                ("repeat", "weekly"),
                ("venue", "Saal"),
                ("capacity", capacity),
            ])
        };
        let planned = form("19:00", "1");
        let id = codefor_core::meetups::create(db, &actor, &planned, &[leipzig], "t")
            .await
            .expect("create");
        let meetup = |db| async move {
            codefor_storage::meetups::get(db, id)
                .await
                .expect("read")
                .expect("meetup")
        };
        let next = next_dates(db, id, 2).await;
        let (first, second) = (next[0].clone(), next[1].clone());
        let mailer = w.mailer();
        let mut people = Vec::new();
        for name in ["umzug-a", "umzug-b"] {
            let email = format!("{name}@example.org");
            people.push(acting(&email, false, None).await);
        }
        for p in &people {
            codefor_core::meetups::answer(
                db,
                &mailer,
                "http://t",
                p,
                &meetup(db).await,
                &first,
                "yes",
            )
            .await
            .expect("answer");
        }
        codefor_core::meetups::cancel(db, &actor, &meetup(db).await, &second, true, "Ferien")
            .await
            .expect("cancel");
        let waiting = |rows: &[codefor_storage::meetups::Rsvp]| {
            rows.iter().filter(|r| r.waitlisted != 0).count()
        };
        let rows = codefor_storage::meetups::rsvps(db, id, &first)
            .await
            .expect("read");
        assert_eq!(waiting(&rows), 1);

        // Two places and half an hour earlier, in one edit.
        let planned = form("18:30", "2");
        codefor_core::meetups::update(
            db,
            &mailer,
            "http://t",
            &actor,
            &meetup(db).await,
            &planned,
            &[leipzig],
        )
        .await
        .expect("update");
        let moved = first.replace("T19:00:00", "T18:30:00");
        let rows = codefor_storage::meetups::rsvps(db, id, &moved)
            .await
            .expect("read");
        assert_eq!(rows.len(), 2, "the answers moved to 18:30");
        assert_eq!(waiting(&rows), 0, "the second place went to the waitlist");
        let mail = w.inbox.last_to(&people[1].email).await;
        assert!(mail.data.contains("Ein Platz ist frei"), "{}", mail.data);
        assert!(
            codefor_storage::meetups::rsvps(db, id, &first)
                .await
                .expect("read")
                .is_empty()
        );
        let exceptions = codefor_storage::meetups::exceptions(db, &[id])
            .await
            .expect("read")
            .remove(&id)
            .unwrap_or_default();
        assert!(
            exceptions.iter().any(|e| e.kind == "cancelled"
                && e.occurrence == second.replace("T19:00:00", "T18:30:00")),
            "{exceptions:?}"
        );
        // The same date written without seconds is the same date.
        let short = moved.trim_end_matches(":00").to_owned();
        let again = codefor_core::meetups::answer(
            db,
            &mailer,
            "http://t",
            &people[0],
            &meetup(db).await,
            &short,
            "maybe",
        )
        .await
        .expect("answer");
        assert_eq!(again, codefor_core::meetups::Outcome::Noted);
        let rows = codefor_storage::meetups::rsvps(db, id, &moved)
            .await
            .expect("read");
        assert_eq!(rows.len(), 2, "no second row for the same person and date");

        // A deleted account gives its place to the waitlist.
        let third = "umzug-c@example.org";
        let third = acting(third, false, None).await;
        let current = meetup(db).await;
        let yes = |who| {
            codefor_core::meetups::answer(db, &mailer, "http://t", who, &current, &moved, "yes")
        };
        assert_eq!(
            yes(&people[0]).await.expect("answer"),
            codefor_core::meetups::Outcome::Confirmed
        );
        assert_eq!(
            yes(&third).await.expect("answer"),
            codefor_core::meetups::Outcome::Waitlisted
        );
        codefor_core::accounts::delete(db, &people[1], PASSWORD)
            .await
            .expect("delete");
        let rows = codefor_storage::meetups::rsvps(db, id, &moved)
            .await
            .expect("read");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            waiting(&rows),
            0,
            "the place went to the next on the waitlist"
        );
    });
}

/// Calendar clients poll feeds: an unchanged feed answers 304 to its `ETag`, from the
/// page cache as well as fresh; a person's own feed is never kept on the way.
#[test]
fn feeds_answer_conditional_requests() {
    block_on(async {
        let w = world().await;
        let client = crate::support::client();
        for path in ["/termine.ics", "/termine/lab/kiel.ics", "/termine/1.ics"] {
            let first = client.get(w.server.url(path)).send().await.expect("GET");
            assert_eq!(first.status(), 200, "{path}");
            let etag = first
                .headers()
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .expect("an ETag")
                .to_owned();
            assert!(
                first
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("text/calendar"))
            );
            // Twice: once rendered (or from the cache), once surely from the cache.
            for _ in 0..2 {
                let again = client
                    .get(w.server.url(path))
                    .header("if-none-match", &etag)
                    .send()
                    .await
                    .expect("GET");
                assert_eq!(again.status(), 304, "{path}");
                assert_eq!(
                    again.headers().get("etag").and_then(|v| v.to_str().ok()),
                    Some(etag.as_str())
                );
            }
            let other = client
                .get(w.server.url(path))
                .header("if-none-match", "\"something-else\"")
                .send()
                .await
                .expect("GET");
            assert_eq!(other.status(), 200, "{path}");
        }
    });
}
