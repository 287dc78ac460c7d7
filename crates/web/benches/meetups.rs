//! Meetups at network scale: `/termine/` rendered anew (the page cache cannot answer),
//! the iCalendar feeds, and the labs overview with its map, over a generated network
//! of 500 labs and 10,000 meetups. In-process: requests go through the whole router
//! (`codefor_web::app`, every layer) with `tower::ServiceExt::oneshot`, no socket.
//!
//! ```text
//! cargo bench -p codefor-web --bench meetups                 # SQLite file in $TMPDIR
//! CODEFOR_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:54329/postgres \
//!     cargo bench -p codefor-web --bench meetups             # a scratch database there
//! cargo bench -p codefor-web --bench meetups -- termine      # only benchmarks matching
//! ```
//!
//! Settings: `BENCH_LABS` (500), `BENCH_MEETUPS` (10000), `BENCH_SEED` (1); under
//! `cargo test` (a smoke run, once each) 20 labs and 200 meetups. The data
//! is generated relative to now, so the dates ahead look alike on any day. The scratch
//! database (SQLite file, or PostgreSQL database `codefor_bench_<pid>`) is removed at
//! the end, unless `BENCH_KEEP` is set (to look at it, or profile its queries). Besides criterion's estimates, a table with the median and p95 of every
//! timed call (criterion's warm-up calls included) is printed at the end.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use codefor_core::calendars::ics;
use codefor_core::calendars::recurrence::{self, BERLIN, Schedule};
use codefor_domain::{Lab, Link};
use codefor_storage::Db;
use codefor_storage::meetups::{self as stored, Filter, Meetup, MeetupFields};
use criterion::Criterion;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp};
use support::{BoxError, Rng, Row, get, group, measure, print_table, setting};

mod support;

fn main() {
    support::main_of("meetups", bench_all);
}

fn bench_all(rt: &tokio::runtime::Runtime, db: &Db, label: &str) -> Result<(), BoxError> {
    // `cargo test --all-targets` runs benches once each as a smoke test: a small network
    // keeps that quick; `cargo bench` (which passes `--bench`) gets the full one.
    let measuring = support::measuring();
    let labs = setting("BENCH_LABS", if measuring { 500 } else { 20 });
    let meetups = setting("BENCH_MEETUPS", if measuring { 10_000 } else { 200 });
    let started = Instant::now();
    let data = rt.block_on(generate(db, labs, meetups, setting("BENCH_SEED", 1)))?;
    let setup = started.elapsed();
    let app = codefor_web::app(codefor_web::AppState::new(
        db.clone(),
        codefor_web::Config::default(),
    ));
    let facts = rt.block_on(facts(db))?;
    println!(
        "meetups bench: {label}; generated in {:.1} s: {}",
        setup.as_secs_f64(),
        data.summary
    );
    println!("{facts}");
    // First requests pay for one-time work (templates, the map's state outlines): not
    // measured.
    for uri in [
        "/termine/?messung=0".to_owned(),
        "/labs/?messung=0".to_owned(),
        format!("/termine/{}.ics", data.single_id),
    ] {
        rt.block_on(get(&app, &uri));
    }

    let mut criterion = Criterion::default().configure_from_args();
    let mut rows: Vec<Row> = Vec::new();
    let n = AtomicU64::new(1);
    // A query parameter no filter knows keeps every request out of the page cache
    // (`cache::layer` only serves `lab`/`thema`/`status` queries), as `bench/requests`.
    let fresh = || n.fetch_add(1, Ordering::Relaxed);

    {
        let mut g = group(&mut criterion, "termine", 10);
        measure(&mut g, rt, &mut rows, "GET /termine/", || {
            get(&app, format!("/termine/?messung={}", fresh()))
        });
        measure(
            &mut g,
            rt,
            &mut rows,
            &format!("GET /termine/?lab={}", data.lab_slug),
            || {
                get(
                    &app,
                    format!("/termine/?lab={}&messung={}", data.lab_slug, fresh()),
                )
            },
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            &format!("GET /termine/?land={}", data.land_slug),
            || {
                get(
                    &app,
                    format!("/termine/?land={}&messung={}", data.land_slug, fresh()),
                )
            },
        );
        g.finish();
    }
    {
        // The parts of `/termine/` (no filter) on their own.
        let mut g = group(&mut criterion, "termine-parts", 10);
        let (from, to) = year_ahead();
        measure(
            &mut g,
            rt,
            &mut rows,
            "core::meetups::dates (51 of the next 366 days)",
            || async move {
                match codefor_core::meetups::dates(db, Filter::default(), from, to, 51).await {
                    Ok(d) => d.len(),
                    Err(e) => panic!("dates: {e}"),
                }
            },
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            "storage::meetups::in_window (366 days)",
            || async move {
                match stored::in_window(db, from.as_second(), to.as_second(), Filter::default())
                    .await
                {
                    Ok(m) => m.len(),
                    Err(e) => panic!("in_window: {e}"),
                }
            },
        );
        let found = rt.block_on(stored::in_window(
            db,
            from.as_second(),
            to.as_second(),
            Filter::default(),
        ))?;
        let ids: Vec<i64> = found.iter().map(|m| m.id).collect();
        let ids = &ids;
        measure(
            &mut g,
            rt,
            &mut rows,
            "storage::meetups::exceptions (all in window)",
            || async move {
                match stored::exceptions(db, ids).await {
                    Ok(e) => e.len(),
                    Err(e) => panic!("exceptions: {e}"),
                }
            },
        );
        let exceptions = rt.block_on(stored::exceptions(db, ids))?;
        let (found, exceptions) = (&found, &exceptions);
        measure(
            &mut g,
            rt,
            &mut rows,
            "core::meetups::expand, every meetup in window (limit 51)",
            || async move { expand_all(found, exceptions, from, to) },
        );
        g.finish();
    }
    {
        let mut g = group(&mut criterion, "feeds", 10);
        measure(&mut g, rt, &mut rows, "GET /termine.ics", || {
            get(&app, format!("/termine.ics?messung={}", fresh()))
        });
        measure(
            &mut g,
            rt,
            &mut rows,
            &format!("GET /termine/lab/{}.ics", data.lab_slug),
            || {
                get(
                    &app,
                    format!("/termine/lab/{}.ics?messung={}", data.lab_slug, fresh()),
                )
            },
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            &format!("GET /termine/{}.ics", data.single_id),
            || {
                get(
                    &app,
                    format!("/termine/{}.ics?messung={}", data.single_id, fresh()),
                )
            },
        );
        // The network feed's parts: the database reads, then the iCalendar text alone.
        let feed = rt.block_on(FeedData::load(db))?;
        let feed = &feed;
        measure(
            &mut g,
            rt,
            &mut rows,
            "network feed: database reads only",
            || async move {
                match FeedData::load(db).await {
                    Ok(f) => f.meetups.len(),
                    Err(e) => panic!("feed reads: {e}"),
                }
            },
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            "network feed: ics::calendar only",
            || async move { feed.text().len() },
        );
        g.finish();
    }
    {
        let mut g = group(&mut criterion, "labs-map", 10);
        measure(
            &mut g,
            rt,
            &mut rows,
            "GET /labs/ (map, figures, list)",
            || get(&app, format!("/labs/?messung={}", fresh())),
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            &format!("GET /labs/{}/ (map and list, no figures)", data.land_slug),
            || {
                get(
                    &app,
                    format!("/labs/{}/?messung={}", data.land_slug, fresh()),
                )
            },
        );
        measure(
            &mut g,
            rt,
            &mut rows,
            "core::meetups::count (the figures' dates in 90 days, before the minute's memo)",
            || async move {
                let now = Timestamp::now();
                let to = now
                    .checked_add(SignedDuration::from_hours(24 * 90))
                    .unwrap_or(now);
                match codefor_core::meetups::count(db, now, to).await {
                    Ok(n) => n,
                    Err(e) => panic!("count: {e}"),
                }
            },
        );
        g.finish();
    }
    criterion.final_summary();
    print_table(label, &rows);
    Ok(())
}

fn year_ahead() -> (Timestamp, Timestamp) {
    let now = Timestamp::now();
    (
        now,
        now.checked_add(SignedDuration::from_hours(24 * 366))
            .unwrap_or(now),
    )
}

fn expand_all(
    found: &[Meetup],
    exceptions: &HashMap<i64, Vec<stored::Exception>>,
    from: Timestamp,
    to: Timestamp,
) -> usize {
    let none = Vec::new();
    found
        .iter()
        .map(|m| {
            let ex = exceptions.get(&m.id).unwrap_or(&none);
            codefor_core::meetups::expand(m, ex, from, to, 51).len()
        })
        .sum()
}

/// What the network feed reads, as `web::meetups::feed` reads it.
struct FeedData {
    meetups: Vec<Meetup>,
    labs: HashMap<i64, Vec<stored::MeetupLab>>,
    exceptions: HashMap<i64, Vec<stored::Exception>>,
}

impl FeedData {
    async fn load(db: &Db) -> Result<FeedData, BoxError> {
        let now = Timestamp::now().as_second();
        let meetups = stored::in_window(
            db,
            now - 183 * 86_400,
            now + 20 * 366 * 86_400,
            Filter::default(),
        )
        .await?;
        let ids: Vec<i64> = meetups.iter().map(|m| m.id).collect();
        let labs = stored::labs_of(db, &ids).await?;
        let exceptions = stored::exceptions(db, &ids).await?;
        Ok(FeedData {
            meetups,
            labs,
            exceptions,
        })
    }

    fn text(&self) -> String {
        let urls: Vec<String> = self
            .meetups
            .iter()
            .map(|m| format!("http://codefor.bench/termine/{}/", m.id))
            .collect();
        let (no_labs, no_ex) = (Vec::new(), Vec::new());
        let items: Vec<ics::Item<'_>> = self
            .meetups
            .iter()
            .zip(&urls)
            .map(|(m, url)| ics::Item {
                meetup: m,
                labs: self.labs.get(&m.id).unwrap_or(&no_labs),
                exceptions: self.exceptions.get(&m.id).unwrap_or(&no_ex),
                url,
                only: None,
                tentative: false,
            })
            .collect();
        ics::calendar("Code for Germany: Termine", "Treffen", &items)
    }
}

// ---- the generated network ----------------------------------------------------------

/// Key, weight (roughly by population), centre, spread in degrees, cities (name, slug).
type StateRow = (
    &'static str,
    u64,
    f64,
    f64,
    f64,
    &'static [(&'static str, &'static str)],
);

#[rustfmt::skip]
const STATES: [StateRow; 16] = [
    ("01", 3, 54.2, 9.8, 0.5, &[("Kiel", "kiel"), ("Lübeck", "luebeck"), ("Flensburg", "flensburg")]),
    ("02", 2, 53.55, 10.0, 0.08, &[("Hamburg", "hamburg")]),
    ("03", 8, 52.6, 9.2, 0.9, &[("Hannover", "hannover"), ("Braunschweig", "braunschweig"), ("Osnabrück", "osnabrueck"), ("Göttingen", "goettingen")]),
    ("04", 1, 53.08, 8.8, 0.05, &[("Bremen", "bremen"), ("Bremerhaven", "bremerhaven")]),
    ("05", 18, 51.45, 7.5, 0.7, &[("Köln", "koeln"), ("Düsseldorf", "duesseldorf"), ("Dortmund", "dortmund"), ("Münster", "muenster"), ("Aachen", "aachen"), ("Bonn", "bonn")]),
    ("06", 7, 50.6, 9.0, 0.6, &[("Frankfurt am Main", "frankfurt"), ("Darmstadt", "darmstadt"), ("Kassel", "kassel"), ("Gießen", "giessen")]),
    ("07", 4, 49.9, 7.4, 0.5, &[("Mainz", "mainz"), ("Trier", "trier"), ("Koblenz", "koblenz")]),
    ("08", 11, 48.6, 9.0, 0.7, &[("Stuttgart", "stuttgart"), ("Karlsruhe", "karlsruhe"), ("Freiburg im Breisgau", "freiburg"), ("Heilbronn", "heilbronn"), ("Ulm", "ulm")]),
    ("09", 13, 48.9, 11.5, 0.9, &[("München", "muenchen"), ("Nürnberg", "nuernberg"), ("Augsburg", "augsburg"), ("Regensburg", "regensburg"), ("Würzburg", "wuerzburg")]),
    ("10", 1, 49.4, 6.95, 0.15, &[("Saarbrücken", "saarbruecken")]),
    ("11", 4, 52.52, 13.4, 0.1, &[("Berlin", "berlin")]),
    ("12", 3, 52.3, 13.0, 0.6, &[("Potsdam", "potsdam"), ("Cottbus", "cottbus")]),
    ("13", 2, 53.8, 12.5, 0.5, &[("Rostock", "rostock"), ("Schwerin", "schwerin"), ("Greifswald", "greifswald")]),
    ("14", 4, 51.05, 13.3, 0.4, &[("Leipzig", "leipzig"), ("Dresden", "dresden"), ("Chemnitz", "chemnitz")]),
    ("15", 2, 51.95, 11.7, 0.5, &[("Magdeburg", "magdeburg"), ("Halle (Saale)", "halle")]),
    ("16", 2, 50.9, 11.0, 0.4, &[("Erfurt", "erfurt"), ("Jena", "jena"), ("Weimar", "weimar")]),
];

const TITLES: [&str; 8] = [
    "Lab-Abend",
    "Hacknight",
    "Open-Data-Stammtisch",
    "Offenes Treffen",
    "Projektabend",
    "Civic-Tech-Sprechstunde",
    "Einsteiger*innen-Abend",
    "Datenspaziergang",
];

const BODIES: [&str; 4] = [
    "Wir zeigen, woran wir arbeiten, und sammeln neue Ideen. Wer zum ersten Mal kommt, \
     bekommt eine kurze Einführung. Programmierkenntnisse braucht es nicht: wir suchen \
     auch Menschen, die schreiben, gestalten oder Fragen an ihre Stadt haben.",
    "Ein Abend für **offene Daten**: wir schauen uns gemeinsam einen Datensatz der \
     Stadtverwaltung an, bereinigen ihn und bauen eine kleine Visualisierung. Bring \
     gern einen Laptop mit; Getränke gibt es vor Ort.",
    "Wir arbeiten an unseren laufenden Projekten weiter – vom Baustellenradar bis zur \
     Karte barrierefreier Wege. Neue Gesichter sind immer willkommen.\n\n\
     Bitte sag kurz zu, damit wir den Raum planen können.",
    "Offene Sprechstunde für Verwaltung, Politik und Zivilgesellschaft: Fragen zu \
     offenen Daten, freier Software und Beteiligung. Online und vor Ort.",
];

/// What the benchmarks need to know about the data.
struct Generated {
    summary: String,
    /// A lab with the median number of meetups.
    lab_slug: String,
    /// The state with the most labs.
    land_slug: String,
    /// A weekly meetup with a cancelled date ahead.
    single_id: i64,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Weekly,
    Biweekly,
    Monthly,
    MonthlyLast,
    Upcoming,
    Past,
}

async fn generate(db: &Db, n_labs: u64, n_meetups: u64, seed: u64) -> Result<Generated, BoxError> {
    let mut rng = Rng(seed);
    let berlin = TimeZone::get(BERLIN)?;
    let now = Timestamp::now();
    let today = now.to_zoned_datetime(berlin.clone()).date();
    let total_weight: u64 = STATES.iter().map(|s| s.1).sum();

    // Labs: spread over the 16 states by weight; a few hidden, some inactive.
    let mut labs: Vec<(i64, String, &'static str)> = Vec::new();
    let mut tx = db.begin().await?;
    for i in 1..=n_labs {
        let mut w = rng.next() % total_weight;
        let state = STATES
            .iter()
            .find(|s| {
                if w < s.1 {
                    true
                } else {
                    w -= s.1;
                    false
                }
            })
            .unwrap_or(&STATES[0]);
        let (city, city_slug) = *rng.pick(state.5);
        let jitter = |rng: &mut Rng| (rng.range(-1000, 1000) as f64) / 1000.0 * state.4;
        let body = format!(
            "Wir sind Menschen aus {city} und Umgebung, die mit offenen Daten ihre Stadt \
             verständlicher machen. Neue Gesichter sind immer willkommen – \
             Programmierkenntnisse braucht es nicht.\n\nLab Nummer {i} des Netzwerks."
        );
        let slug = format!("{city_slug}-{i}");
        let lab = Lab {
            slug: slug.clone(),
            name: format!("OK Lab {city} {i}"),
            city: city.to_owned(),
            state_key: Some(state.0.to_owned()),
            latitude: Some(state.2 + jitter(&mut rng)),
            longitude: Some(state.3 + jitter(&mut rng) * 1.5),
            body_html: codefor_content::markdown::render_plain(&body),
            body_md: body,
            active: !rng.chance(10),
            hidden: rng.chance(2),
            meeting: Some("Jeden zweiten Dienstag im Monat, 19 Uhr".to_owned()),
            links: vec![],
            contacts: vec![Link {
                name: "E-Mail".to_owned(),
                url: format!("mailto:{slug}@example.org"),
            }],
            feeds: vec![],
            source: serde_json::json!({ "bench": true }),
        };
        let (id, _) = codefor_storage::labs::upsert(&mut tx, &lab).await?;
        if !lab.hidden {
            labs.push((id, slug, state.0));
        }
    }
    codefor_storage::commit(tx).await?;
    if labs.is_empty() {
        return Err("no visible lab generated".into());
    }

    // Meetups: mostly recurring series begun in the last two years, some one-off dates
    // ahead, a few past ones; some with places, some dates skipped or cancelled.
    let mut counts: HashMap<&str, u64> = HashMap::new();
    let mut per_lab: HashMap<i64, u64> = HashMap::new();
    let mut with_places: Vec<(i64, String, i64)> = Vec::new();
    let mut single_id = None;
    let mut tx = db.begin().await?;
    for i in 0..n_meetups {
        if i > 0 && i % 2500 == 0 {
            codefor_storage::commit(tx).await?;
            tx = db.begin().await?;
        }
        let kind = match rng.next() % 100 {
            0..30 => Kind::Weekly,
            30..55 => Kind::Biweekly,
            55..78 => Kind::Monthly,
            78..83 => Kind::MonthlyLast,
            83..97 => Kind::Upcoming,
            _ => Kind::Past,
        };
        let mut day = match kind {
            Kind::Upcoming => today.checked_add(Span::new().days(rng.range(1, 120)))?,
            Kind::Past => today.checked_sub(Span::new().days(rng.range(1, 330)))?,
            _ => today.checked_sub(Span::new().days(rng.range(30, 730)))?,
        };
        // Evenings on weekdays; a monthly "n-th weekday" within the first four weeks.
        if day.weekday().to_monday_zero_offset() >= 5 {
            day = day.checked_sub(Span::new().days(2))?;
        }
        if kind == Kind::Monthly && day.day() > 28 {
            day = day.checked_sub(Span::new().days(7))?;
        }
        let (h, m) = *rng.pick(&[(17, 0), (18, 0), (18, 30), (19, 0), (19, 0), (19, 30)]);
        let start = day.to_datetime(Time::new(h, m, 0, 0)?);
        let end = start.checked_add(Span::new().minutes(*rng.pick(&[90, 120, 120, 150, 180])))?;
        let code = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
            [usize::from(day.weekday().to_monday_zero_offset().unsigned_abs())];
        let mut rule = match kind {
            Kind::Weekly => Some("FREQ=WEEKLY".to_owned()),
            Kind::Biweekly => Some("FREQ=WEEKLY;INTERVAL=2".to_owned()),
            Kind::Monthly => Some(format!(
                "FREQ=MONTHLY;BYDAY={}{code}",
                (day.day() - 1) / 7 + 1
            )),
            Kind::MonthlyLast => Some(format!("FREQ=MONTHLY;BYDAY=-1{code}")),
            Kind::Upcoming | Kind::Past => None,
        };
        // Some series have an end: half of those are over, half end in the months ahead.
        if let Some(r) = &mut rule
            && rng.chance(15)
        {
            let until = if rng.chance(50) {
                today.checked_sub(Span::new().days(rng.range(1, 25)))?
            } else {
                today.checked_add(Span::new().days(rng.range(30, 300)))?
            };
            let at = berlin.to_timestamp(until.to_datetime(Time::new(23, 59, 59, 0)?))?;
            r.push_str(&format!(";UNTIL={}", at.strftime("%Y%m%dT%H%M%SZ")));
        }
        let schedule = Schedule {
            start,
            end,
            time_zone: BERLIN,
            rule: rule.as_deref(),
            skipped: &[],
        };
        let (first, last) = recurrence::bounds(&schedule)?;
        let lab = rng.pick(&labs).clone();
        let mut lab_ids = vec![lab.0];
        // A few network meetups of several labs.
        if rng.chance(2) {
            for _ in 0..rng.range(1, 3) {
                let other = rng.pick(&labs).0;
                if !lab_ids.contains(&other) {
                    lab_ids.push(other);
                }
            }
        }
        for id in &lab_ids {
            *per_lab.entry(*id).or_default() += 1;
        }
        let (venue, address, online_url) = match rng.next() % 100 {
            0..15 => (
                None,
                None,
                Some(format!("https://meet.example.org/{}", lab.1)),
            ),
            15..25 => (
                Some("Stadtbibliothek, Gruppenraum".to_owned()),
                Some(format!(
                    "Marktplatz {}, 12345 Musterstadt",
                    rng.range(1, 40)
                )),
                Some(format!("https://meet.example.org/{}", lab.1)),
            ),
            _ => (
                Some(
                    rng.pick(&[
                        "Stadtbibliothek",
                        "Coworking Space",
                        "Rathaus, Raum 2.14",
                        "Café am Markt",
                        "Hochschule, Hörsaal 3",
                    ])
                    .to_string(),
                ),
                Some(format!(
                    "Hauptstraße {}, 12345 Musterstadt",
                    rng.range(1, 120)
                )),
                None,
            ),
        };
        let capacity = rng.chance(20).then(|| rng.range(8, 40));
        let title = format!("{} {}", rng.pick(&TITLES), lab.1);
        let body = rng.pick(&BODIES);
        let fields = MeetupFields {
            title,
            description_md: (*body).to_owned(),
            description_html: codefor_content::markdown::render_plain(body),
            starts_at: start.to_string(),
            ends_at: end.to_string(),
            time_zone: BERLIN.to_owned(),
            all_day: false,
            rrule: rule.clone(),
            first_start: first.as_second(),
            last_end: last.map(|l| l.as_second()),
            venue,
            address,
            online_url,
            capacity,
            cancelled: kind == Kind::Upcoming && rng.chance(3),
        };
        let uid = format!("bench-{i}@codefor.bench");
        let id = stored::create(&mut tx, &uid, &fields, &lab_ids, None, None).await?;
        *counts
            .entry(match kind {
                Kind::Weekly => "weekly",
                Kind::Biweekly => "every two weeks",
                Kind::Monthly => "monthly n-th weekday",
                Kind::MonthlyLast => "monthly last weekday",
                Kind::Upcoming => "one-off ahead",
                Kind::Past => "one-off past",
            })
            .or_default() += 1;
        // Dates ahead: some skipped (holidays), a few cancelled with a reason.
        let ahead = recurrence::occurrences(
            &schedule,
            now,
            now.checked_add(SignedDuration::from_hours(24 * 120))?,
            12,
        )?;
        if rule.is_some() && !ahead.is_empty() {
            if rng.chance(6) {
                let d = rng.pick(&ahead).start.to_string();
                stored::set_exception(&mut tx, id, &d, Some("skipped"), None).await?;
                *counts.entry("dates skipped").or_default() += 1;
            }
            if rng.chance(3) {
                let d = rng.pick(&ahead).start.to_string();
                stored::set_exception(
                    &mut tx,
                    id,
                    &d,
                    Some("cancelled"),
                    Some("Fällt krankheitsbedingt aus."),
                )
                .await?;
                *counts.entry("dates cancelled").or_default() += 1;
                if kind == Kind::Weekly && single_id.is_none() {
                    single_id = Some(id);
                }
            }
        }
        if let (Some(cap), Some(next)) = (capacity, ahead.first()) {
            with_places.push((id, next.start.to_string(), cap));
        }
    }
    codefor_storage::commit(tx).await?;

    // Answers: people say yes to the next date of some meetups with places; a few of
    // those fill up and keep a waitlist.
    let mut tx = db.begin().await?;
    let mut accounts = Vec::new();
    for i in 0..200 {
        if let Some(id) = codefor_storage::accounts::create(
            &mut tx,
            &format!("person{i}@example.org"),
            "$argon2id$v=19$m=19456,t=2,p=1$bench$bench",
            &format!("Person {i}"),
            false,
        )
        .await?
        {
            accounts.push(id);
        }
    }
    let mut answers = 0u64;
    for (id, occurrence, cap) in &with_places {
        if !rng.chance(40) {
            continue;
        }
        let n = if rng.chance(15) {
            cap + rng.range(1, 4)
        } else {
            rng.range(1, cap / 2)
        };
        let first = rng.range(0, accounts.len() as i64 - 1) as usize;
        for k in 0..n as usize {
            let account = accounts[(first + k * 7) % accounts.len()];
            stored::answer(&mut tx, *id, occurrence, account, "yes", Some(*cap)).await?;
            answers += 1;
        }
    }
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;

    let mut sizes: Vec<(u64, i64)> = per_lab.iter().map(|(id, n)| (*n, *id)).collect();
    sizes.sort();
    let (median_count, median_lab) = sizes
        .get(sizes.len() / 2)
        .copied()
        .unwrap_or((0, labs[0].0));
    let lab_slug = labs
        .iter()
        .find(|l| l.0 == median_lab)
        .map(|l| l.1.clone())
        .unwrap_or_default();
    let mut per_state: HashMap<&str, u64> = HashMap::new();
    for l in &labs {
        *per_state.entry(l.2).or_default() += 1;
    }
    let top = per_state
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))
        .map(|(k, _)| *k)
        .unwrap_or("05");
    let land = codefor_domain::states::by_key(top).ok_or("unknown state key")?;
    let mut kinds: Vec<_> = counts.into_iter().collect();
    kinds.sort();
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    Ok(Generated {
        summary: format!(
            "{n_labs} labs ({} visible, {} states), {n_meetups} meetups ({}), {} with places, \
             {answers} answers; ?lab={lab_slug} has {median_count} meetups (the median), \
             ?land={} has {} labs",
            labs.len(),
            per_state.len(),
            kinds.join(", "),
            with_places.len(),
            land.slug,
            per_state.get(top).copied().unwrap_or(0),
        ),
        lab_slug,
        land_slug: land.slug.to_owned(),
        single_id: single_id.ok_or("no weekly meetup with a cancelled date")?,
    })
}

/// How much the pages have to go through.
async fn facts(db: &Db) -> Result<String, BoxError> {
    let (from, to) = year_ahead();
    let found = stored::in_window(db, from.as_second(), to.as_second(), Filter::default()).await?;
    let ids: Vec<i64> = found.iter().map(|m| m.id).collect();
    let exceptions = stored::exceptions(db, &ids).await?;
    let none = Vec::new();
    let all: usize = found
        .iter()
        .map(|m| {
            let ex = exceptions.get(&m.id).unwrap_or(&none);
            codefor_core::meetups::expand(m, ex, from, to, recurrence::MAX_OCCURRENCES).len()
        })
        .sum();
    // What the figures' "dates in the next 90 days" would be without its cap.
    let quarter = from
        .checked_add(SignedDuration::from_hours(24 * 90))
        .unwrap_or(from);
    let in_90_days: usize = found
        .iter()
        .filter(|m| m.status != "cancelled")
        .map(|m| {
            let ex = exceptions.get(&m.id).unwrap_or(&none);
            codefor_core::meetups::expand(m, ex, from, quarter, recurrence::MAX_OCCURRENCES)
                .iter()
                .filter(|o| {
                    let start = o.start.to_string();
                    !ex.iter()
                        .any(|e| e.kind == "cancelled" && e.occurrence == start)
                })
                .count()
        })
        .sum();
    let feed = FeedData::load(db).await?;
    let first_page = codefor_core::meetups::dates(db, Filter::default(), from, to, 51).await?;
    let last = first_page
        .last()
        .map(|d| d.start.clone())
        .unwrap_or_default();
    Ok(format!(
        "in the 366-day window of /termine/: {} meetups with {all} dates; the first page \
         (50 dates) reaches {last}; {in_90_days} dates (not cancelled) in the next 90 \
         days; the network feed holds {} meetups",
        found.len(),
        feed.meetups.len()
    ))
}
