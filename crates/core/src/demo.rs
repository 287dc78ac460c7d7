//! The demo network: what an empty database is seeded with on first start, so that a
//! newcomer sees a living site at once. All text here is the project's own.
//!
//! Figures (labs, states, people, projects) are never written into prose: the About page
//! carries a `network-figures` component that the site fills from the database.

use codefor_content::markdown::render_plain;
use codefor_domain::people::{Role, person_key};
use codefor_domain::{Lab, Link, Maintenance, Page, Person, Post, Project, ProjectStatus};
use codefor_storage::{
    Db, DbError, bump_content_version, labs, meetups, pages, people, posts, projects,
};

use crate::calendars::recurrence::{self, BERLIN};

struct DemoLab {
    slug: &'static str,
    city: &'static str,
    state: &'static str,
    lat: f64,
    lon: f64,
    active: bool,
    meeting: &'static str,
    body: &'static str,
    leads: &'static [&'static str],
    members: &'static [&'static str],
}

struct DemoMeetup {
    uid: &'static str,
    labs: &'static [&'static str],
    title: &'static str,
    body: &'static str,
    /// Civil times in Berlin; an empty start: two weeks after seeding.
    start: &'static str,
    end: &'static str,
    rule: Option<&'static str>,
    venue: Option<&'static str>,
    address: Option<&'static str>,
    online: Option<&'static str>,
    capacity: Option<i64>,
}

const MEETUPS: &[DemoMeetup] = &[
    DemoMeetup {
        uid: "demo-kiel-lab-abend@codefor.invalid",
        labs: &["kiel"],
        title: "Lab-Abend in Kiel",
        body: "Wir zeigen, woran wir arbeiten, und sammeln neue Ideen. Wer zum ersten Mal \
               kommt, bekommt eine kurze Einführung.",
        start: "2026-01-06T19:00:00",
        end: "2026-01-06T21:00:00",
        rule: Some("FREQ=MONTHLY;BYDAY=1TU"),
        venue: Some("Stadtbücherei, Gruppenraum"),
        address: Some("Andreas-Gayk-Straße 31, 24103 Kiel"),
        online: None,
        capacity: None,
    },
    DemoMeetup {
        uid: "demo-leipzig-treffen@codefor.invalid",
        labs: &["leipzig"],
        title: "Offenes Treffen im Basislager",
        body: "Alle zwei Wochen: Haushaltsdaten, Open-Data-Portal und was euch sonst \
               beschäftigt. Laptop mitbringen, wer mag.",
        start: "2026-01-08T18:30:00",
        end: "2026-01-08T20:30:00",
        rule: Some("FREQ=WEEKLY;INTERVAL=2"),
        venue: Some("Basislager Coworking"),
        address: Some("Peterssteinweg 14, 04107 Leipzig"),
        online: None,
        capacity: None,
    },
    DemoMeetup {
        uid: "demo-koeln-hybrid@codefor.invalid",
        labs: &["koeln"],
        title: "Lab-Treffen (vor Ort und online)",
        body: "Jeden dritten Mittwoch im Monat. Wer nicht kommen kann, ist über den Link dabei.",
        start: "2026-01-21T19:00:00",
        end: "2026-01-21T21:00:00",
        rule: Some("FREQ=MONTHLY;BYDAY=3WE"),
        venue: Some("Bürgerzentrum Ehrenfeld"),
        address: Some("Venloer Straße 429, 50825 Köln"),
        online: Some("https://meet.example.org/oklab-koeln"),
        capacity: None,
    },
    DemoMeetup {
        uid: "demo-open-data-day@codefor.invalid",
        labs: &["kiel", "leipzig", "koeln"],
        title: "Open Data Day",
        body: "Einmal im Jahr laden die Labs gemeinsam ein: Vorträge, Datenspaziergänge und \
               ein Hackathon für alle, die offene Daten nutzen wollen.",
        start: "2026-03-07T10:00:00",
        end: "2026-03-07T17:00:00",
        rule: Some("FREQ=YEARLY;BYMONTH=3;BYDAY=1SA"),
        venue: None,
        address: None,
        online: Some("https://meet.example.org/open-data-day"),
        capacity: None,
    },
    DemoMeetup {
        uid: "demo-workshop-karten@codefor.invalid",
        labs: &["kiel"],
        title: "Werkstatt: Karten aus offenen Daten",
        body: "Zwei Stunden zum Mitmachen: aus einem Datensatz der Stadt wird eine Karte. \
               Die Plätze sind begrenzt.",
        start: "",
        end: "",
        rule: None,
        venue: Some("Stadtbücherei, Lernwerkstatt"),
        address: Some("Andreas-Gayk-Straße 31, 24103 Kiel"),
        online: None,
        capacity: Some(12),
    },
];

const LABS: &[DemoLab] = &[
    DemoLab {
        slug: "kiel",
        city: "Kiel",
        state: "01",
        lat: 54.3233,
        lon: 10.1228,
        active: true,
        meeting: "Jeden ersten Dienstag im Monat, 19 Uhr, in der Stadtbücherei",
        body: "Wir sind Menschen aus Kiel und Umgebung, die mit offenen Daten ihre Stadt \
               verständlicher machen. Gerade arbeiten wir an Pegelständen der Förde und an \
               einer Karte barrierefreier Wege.\n\nNeue Gesichter sind immer willkommen – \
               Programmierkenntnisse braucht es nicht.",
        leads: &["Jana Petersen"],
        members: &["Ole Hansen", "Mira Schulz"],
    },
    DemoLab {
        slug: "leipzig",
        city: "Leipzig",
        state: "14",
        lat: 51.3397,
        lon: 12.3731,
        active: true,
        meeting: "Alle zwei Wochen donnerstags, 18:30 Uhr, im Basislager",
        body: "Das Lab in Leipzig verbindet Verwaltung, Hochschulen und Zivilgesellschaft. \
               Wir veröffentlichen Haushaltsdaten verständlich und begleiten das \
               Open-Data-Portal der Stadt mit Rückmeldungen aus der Praxis.",
        leads: &["Tobias Richter", "Aylin Demir"],
        members: &["Paul Wagner"],
    },
    DemoLab {
        slug: "koeln",
        city: "Köln",
        state: "05",
        lat: 50.9375,
        lon: 6.9603,
        active: true,
        meeting: "Monatlich am dritten Mittwoch, 19 Uhr, online und vor Ort",
        body: "In Köln bauen wir Werkzeuge für die Stadtgesellschaft: vom Baustellenradar bis \
               zur Übersicht über Ratsbeschlüsse. Wir treffen uns hybrid, damit alle \
               mitmachen können.",
        leads: &["Lea Becker"],
        members: &["Mira Schulz", "Jonas Klein"],
    },
    DemoLab {
        slug: "freiburg",
        city: "Freiburg im Breisgau",
        state: "08",
        lat: 47.999,
        lon: 7.8421,
        active: true,
        meeting: "Jeden zweiten Montag im Monat, 19 Uhr",
        body: "Wir beschäftigen uns mit Klimadaten, Radverkehr und offener Wissenschaft. \
               Unsere Projekte entstehen aus Fragen, die Menschen in Freiburg wirklich haben.",
        leads: &["Samuel Wolf"],
        members: &[],
    },
    DemoLab {
        slug: "rostock",
        city: "Rostock",
        state: "13",
        lat: 54.0924,
        lon: 12.0991,
        active: false,
        meeting: "Derzeit keine regelmäßigen Treffen",
        body: "Das Lab in Rostock ruht gerade. Wer es wiederbeleben möchte, meldet sich gern \
               beim Netzwerk.",
        leads: &[],
        members: &["Ole Hansen"],
    },
];

struct DemoProject {
    slug: &'static str,
    title: &'static str,
    labs: &'static [&'static str],
    status: ProjectStatus,
    topics: &'static [&'static str],
    date: &'static str,
    summary: &'static str,
    body: &'static str,
    people: &'static [&'static str],
    /// What an administration needs to know to adopt it: licence, kind of software,
    /// platforms, features, requirements (one per line).
    adopt: Option<Adopt>,
}

struct Adopt {
    license: &'static str,
    software_type: &'static str,
    platforms: &'static [&'static str],
    features: &'static [&'static str],
    requirements: &'static str,
}

const PROJECTS: &[DemoProject] = &[
    DemoProject {
        slug: "foerdepegel",
        title: "Fördepegel",
        labs: &["kiel"],
        status: ProjectStatus::InProduction,
        topics: &["Umwelt", "Open Data"],
        date: "2025-05-10",
        summary: "Wasserstände der Kieler Förde in Echtzeit, verständlich aufbereitet.",
        body: "Der Fördepegel zeigt aktuelle Wasserstände und warnt bei Hochwasser. Die Daten \
               stammen aus offenen Messreihen.\n\n## Mitmachen\n\nWir suchen Menschen, die \
               Texte in leichter Sprache schreiben.",
        people: &["Jana Petersen", "Ole Hansen"],
        adopt: Some(Adopt {
            license: "EUPL-1.2",
            software_type: "standalone/web",
            platforms: &["web"],
            features: &[
                "Zeigt den aktuellen Wasserstand an mehreren Messstellen",
                "Warnt bei Hochwasser mit einer verständlichen Ampel",
                "Erklärt die Messwerte in leichter Sprache",
            ],
            requirements: "Ein Webserver für statische Seiten\nZugang zu den Messreihen des Pegeldienstes",
        }),
    },
    DemoProject {
        slug: "wege-ohne-stufen",
        title: "Wege ohne Stufen",
        labs: &["kiel", "koeln"],
        status: ProjectStatus::LookingForPeople,
        topics: &["Mobilität", "Barrierefreiheit"],
        date: "2025-09-01",
        summary: "Eine Karte barrierefreier Wege, gemeinsam erfasst.",
        body: "Rampen, Aufzüge, abgesenkte Bordsteine: Wir erfassen gemeinsam, wo Wege ohne \
               Stufen möglich sind, und stellen die Daten offen zur Verfügung.",
        people: &["Mira Schulz"],
        adopt: None,
    },
    DemoProject {
        slug: "haushalt-verstehen",
        title: "Haushalt verstehen",
        labs: &["leipzig"],
        status: ProjectStatus::Finished,
        topics: &["Finanzen", "Transparenz"],
        date: "2024-11-20",
        summary: "Der städtische Haushalt als interaktive Grafik.",
        body: "Woher kommt das Geld der Stadt, wohin fließt es? Die Anwendung macht den \
               Haushalt in wenigen Klicks nachvollziehbar und kann von anderen Kommunen \
               übernommen werden.",
        people: &["Tobias Richter", "Paul Wagner"],
        adopt: Some(Adopt {
            license: "MIT",
            software_type: "standalone/web",
            platforms: &["web"],
            features: &[
                "Zeigt Einnahmen und Ausgaben als Grafik, nach Bereichen aufgeschlüsselt",
                "Vergleicht Haushaltsjahre",
            ],
            requirements: "Haushaltsdaten als CSV\nEin Webserver für statische Seiten",
        }),
    },
    DemoProject {
        slug: "ratsinfo-radar",
        title: "Ratsinfo-Radar",
        labs: &["koeln"],
        status: ProjectStatus::InProgress,
        topics: &["Politik", "Transparenz"],
        date: "2026-02-14",
        summary: "Benachrichtigungen über neue Beschlüsse zu einem Ort oder Thema.",
        body: "Wer wissen möchte, was der Rat zum eigenen Viertel beschließt, abonniert hier \
               eine Straße oder ein Thema.",
        people: &["Lea Becker", "Jonas Klein"],
        adopt: None,
    },
    DemoProject {
        slug: "klimadaten-freiburg",
        title: "Klimadaten Freiburg",
        labs: &["freiburg"],
        status: ProjectStatus::Idea,
        topics: &["Umwelt", "Klima"],
        date: "2026-06-03",
        summary: "Lokale Klimamessungen zusammenführen und offen bereitstellen.",
        body: "Eine Idee aus dem Lab: Messungen von Schulen, Hochschule und Stadt an einem Ort \
               zusammenführen.",
        people: &["Samuel Wolf"],
        adopt: None,
    },
];

struct DemoPost {
    slug: &'static str,
    title: &'static str,
    date: &'static str,
    author: &'static str,
    labs: &'static [&'static str],
    body: &'static str,
}

const POSTS: &[DemoPost] = &[
    DemoPost {
        slug: "willkommen",
        title: "Willkommen auf der neuen Plattform",
        date: "2026-11-01",
        author: "Aylin Demir",
        labs: &[],
        body: "Labs, Projekte und Termine des Netzwerks leben jetzt auf einer gemeinsamen \
               Plattform. Alle Inhalte gibt es auch als offene Daten.",
    },
    DemoPost {
        slug: "open-data-day-kiel",
        title: "Open Data Day in Kiel",
        date: "2026-03-08",
        author: "Jana Petersen",
        labs: &["kiel"],
        body: "Rund zwanzig Menschen haben einen Tag lang mit offenen Daten der Stadt \
               gearbeitet. Herausgekommen sind drei Prototypen und viele neue Kontakte.",
    },
    DemoPost {
        slug: "haushalt-in-anderen-kommunen",
        title: "„Haushalt verstehen“ jetzt in drei weiteren Kommunen",
        date: "2026-07-15",
        author: "Tobias Richter",
        labs: &["leipzig"],
        body: "Weil der Code offen ist, konnten drei Verwaltungen die Anwendung direkt \
               übernehmen. So wird aus öffentlichem Geld öffentlicher Code.",
    },
];

const HOME: &str = "Offene Daten, offene Software und Beteiligung: In lokalen Labs bringen \
Ehrenamtliche Zivilgesellschaft, Verwaltung und Politik zusammen und bauen Anwendungen, die \
Verwaltungen direkt übernehmen können.

- **Mitmachen:** [Finde ein Lab in deiner Nähe](/labs/) – Programmierkenntnisse braucht es nicht.
- **Nachnutzen:** [Stöbere im Projektkatalog](/projekte/) – jedes Projekt ist offen lizenziert.
- **Kennenlernen:** [Lies, wer wir sind und wofür wir stehen](/ueber/).

<div class=\"component\" data-component=\"projekte/featured-projects\"></div>";

const ABOUT: &str = "Code for Germany ist ein Netzwerk von Ehrenamtlichen, die sich in lokalen \
Labs für eine offene, gemeinwohlorientierte Digitalisierung einsetzen. In den Labs treffen sich \
Menschen aus Zivilgesellschaft, Verwaltung und Politik und arbeiten gemeinsam an Lösungen für \
ihre Stadt.

<div class=\"component\" data-component=\"network-figures\"></div>

## Unsere Grundsätze

- **Offene Daten:** Verwaltungsdaten gehören maschinenlesbar und standardisiert veröffentlicht.
- **Beteiligung:** Wir führen einen offenen Dialog und binden die Zivilgesellschaft dauerhaft ein.
- **Technik ohne Selbstzweck:** Am Anfang steht das Bedürfnis eines Menschen, nicht die Technik.
- **Öffentliches Geld, öffentlicher Code:** Was mit öffentlichen Mitteln entsteht, soll offen sein.
- **Digitales Ehrenamt:** Wir fördern Menschen, die ihre Zeit und ihr Können einbringen.

## Mitmachen

Finde ein [Lab in deiner Nähe](/labs/) oder stöbere in unseren [Projekten](/projekte/).";

const PAGES: &[(&str, &str, &str)] = &[
    ("", "Code for Germany", HOME),
    ("ueber", "Über Code for Germany", ABOUT),
    (
        "grundsaetze",
        "Grundsätze",
        "Wir arbeiten offen, respektvoll und gemeinwohlorientiert. Code steht unter freien \
         Lizenzen, Daten unter offenen Lizenzen, und wir sammeln nur, was wir wirklich brauchen.",
    ),
    (
        "impressum",
        "Impressum",
        "Dies ist ein Demo-Netzwerk der Plattform codefor. Betreiberinnen und Betreiber \
         ersetzen diese Seite durch ihre eigenen Angaben.",
    ),
    (
        "datenschutz",
        "Datenschutz",
        "Diese Plattform lädt keine Inhalte von Dritten, setzt keine Tracking-Cookies und \
         speichert nur, was für ihren Betrieb nötig ist.",
    ),
];

/// Seeds the demo network into `db` in one transaction.
pub async fn seed(db: &Db) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let mut person_id = std::collections::HashMap::new();
    let mut lab_id = std::collections::HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    for l in LABS {
        names.extend(l.leads.iter().chain(l.members));
    }
    for p in PROJECTS {
        names.extend(p.people);
    }
    for p in POSTS {
        names.push(p.author);
    }
    for name in names {
        if person_id.contains_key(name) {
            continue;
        }
        let person = Person {
            key: person_key(name),
            name: name.to_owned(),
            ..Person::default()
        };
        let (id, _) = people::upsert(&mut tx, &person).await?;
        person_id.insert(name, id);
    }
    for l in LABS {
        let lab = Lab {
            slug: l.slug.to_owned(),
            name: format!("OK Lab {}", l.city.split(' ').next().unwrap_or(l.city)),
            city: l.city.to_owned(),
            state_key: Some(l.state.to_owned()),
            latitude: Some(l.lat),
            longitude: Some(l.lon),
            body_md: l.body.to_owned(),
            body_html: render_plain(l.body),
            active: l.active,
            hidden: false,
            meeting: Some(l.meeting.to_owned()),
            links: vec![],
            contacts: vec![Link {
                name: "E-Mail".to_owned(),
                url: format!("mailto:{}@example.org", l.slug),
            }],
            feeds: vec![],
            source: serde_json::json!({ "demo": true }),
        };
        let (id, _) = labs::upsert(&mut tx, &lab).await?;
        let people: Vec<_> = l
            .leads
            .iter()
            .map(|n| (n, Role::Lead))
            .chain(l.members.iter().map(|n| (n, Role::Member)))
            .enumerate()
            .filter_map(|(pos, (n, role))| person_id.get(*n).map(|id| (*id, role, pos)))
            .collect();
        labs::set_people(&mut tx, id, &people).await?;
        lab_id.insert(l.slug, id);
    }
    for m in MEETUPS {
        let labs: Vec<i64> = m
            .labs
            .iter()
            .filter_map(|s| lab_id.get(s).copied())
            .collect();
        let (start, end) = match m.start {
            // A one-off workshop two weeks after the seed, so the demo always has one.
            "" => {
                let berlin = jiff::tz::TimeZone::get(BERLIN).unwrap_or(jiff::tz::TimeZone::UTC);
                let day = jiff::Timestamp::now()
                    .to_zoned_datetime(berlin)
                    .date()
                    .checked_add(jiff::Span::new().days(14))
                    .unwrap_or_default();
                (
                    day.to_datetime(jiff::civil::time(18, 0, 0, 0)).to_string(),
                    day.to_datetime(jiff::civil::time(20, 30, 0, 0)).to_string(),
                )
            }
            start => (start.to_owned(), m.end.to_owned()),
        };
        let (Ok(s), Ok(e)) = (start.parse(), end.parse()) else {
            continue;
        };
        let schedule = recurrence::Schedule {
            start: s,
            end: e,
            time_zone: BERLIN,
            rule: m.rule,
            skipped: &[],
        };
        let Ok((first, last)) = recurrence::bounds(&schedule) else {
            continue;
        };
        let fields = meetups::MeetupFields {
            title: m.title.to_owned(),
            description_md: m.body.to_owned(),
            description_html: render_plain(m.body),
            starts_at: start,
            ends_at: end,
            time_zone: BERLIN.to_owned(),
            all_day: false,
            rrule: m.rule.map(str::to_owned),
            first_start: first.as_second(),
            last_end: last.map(|l| l.as_second()),
            venue: m.venue.map(str::to_owned),
            address: m.address.map(str::to_owned),
            online_url: m.online.map(str::to_owned),
            capacity: m.capacity,
            cancelled: false,
        };
        meetups::create(&mut tx, m.uid, &fields, &labs, None, None).await?;
    }
    for p in PROJECTS {
        let (development_status, maintenance, looking_for_people) = p.status.split();
        let topics: Vec<String> = p.topics.iter().map(|s| (*s).to_owned()).collect();
        let project = Project {
            slug: p.slug.to_owned(),
            title: p.title.to_owned(),
            summary: Some(p.summary.to_owned()),
            body_md: p.body.to_owned(),
            body_html: render_plain(p.body),
            labs: p.labs.iter().map(|s| (*s).to_owned()).collect(),
            development_status: Some(development_status),
            // The demo's adoptable projects are kept up by their volunteers.
            maintenance: maintenance.or(p.adopt.as_ref().map(|_| Maintenance::Community)),
            looking_for_people,
            status_text: None,
            themes: codefor_domain::projects::themes_of_tags(&topics),
            topics,
            links: vec![],
            repository_url: None,
            image: None,
            showcase: true,
            draft: false,
            date: Some(p.date.to_owned()),
            source: serde_json::json!({ "demo": true }),
        };
        let (id, _) = projects::upsert(&mut tx, &project).await?;
        let ids: Vec<i64> = p
            .people
            .iter()
            .filter_map(|n| person_id.get(n).copied())
            .collect();
        projects::set_collaborators(&mut tx, id, &ids).await?;
        if let Some(a) = &p.adopt {
            let meta = projects::Meta {
                license: Some(a.license.to_owned()),
                software_type: Some(a.software_type.to_owned()),
                platforms: a.platforms.iter().map(|s| (*s).to_owned()).collect(),
                languages: vec!["de".to_owned()],
                features: a.features.iter().map(|s| (*s).to_owned()).collect(),
                requirements_md: a.requirements.to_owned(),
                ..projects::Meta::default()
            };
            projects::set_meta(&mut tx, id, &meta).await?;
        }
    }
    for p in POSTS {
        let post = Post {
            slug: p.slug.to_owned(),
            title: p.title.to_owned(),
            date: p.date.to_owned(),
            author: Some(p.author.to_owned()),
            summary: Some(codefor_content::markdown::summary(p.body, 200)),
            body_md: p.body.to_owned(),
            body_html: render_plain(p.body),
            labs: p.labs.iter().map(|s| (*s).to_owned()).collect(),
            topics: vec![],
            image: None,
            draft: false,
            lang: "de".to_owned(),
            source: serde_json::json!({ "demo": true }),
        };
        let (id, _) = posts::upsert(&mut tx, &post).await?;
        let ids: Vec<i64> = person_id.get(p.author).copied().into_iter().collect();
        posts::set_authors(&mut tx, id, &ids).await?;
    }
    for (path, title, body) in PAGES {
        let page = Page {
            path: (*path).to_owned(),
            title: (*title).to_owned(),
            description: None,
            body_md: (*body).to_owned(),
            body_html: render_plain(body),
            draft: false,
            source: serde_json::json!({ "demo": true }),
        };
        pages::upsert(&mut tx, &page).await?;
    }
    seed_adoption(&mut tx).await?;
    seed_needs(&mut tx).await?;
    crate::datasets::seed_demo(&mut tx).await?;
    bump_content_version(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Demo organizations, what they use, and roles projects look for.
struct DemoOrganization {
    slug: &'static str,
    name: &'static str,
    kind: codefor_domain::organizations::Kind,
    state: &'static str,
    ags: &'static str,
    verified: bool,
    uses: &'static str,
    since: &'static str,
    note: &'static str,
}

const ORGANIZATIONS: &[DemoOrganization] = &[
    DemoOrganization {
        slug: "landeshauptstadt-kiel-demo",
        name: "Landeshauptstadt Kiel (Demo)",
        kind: codefor_domain::organizations::Kind::Municipality,
        state: "01",
        ags: "01002000",
        verified: true,
        uses: "foerdepegel",
        since: "2025-06",
        note: "Die Pegelanzeige ist in das Warnportal der Stadt eingebunden.",
    },
    DemoOrganization {
        slug: "kreis-rendsburg-eckernfoerde-demo",
        name: "Kreis Rendsburg-Eckernförde (Demo)",
        kind: codefor_domain::organizations::Kind::District,
        state: "01",
        ags: "01058",
        verified: false,
        uses: "wege-ohne-stufen",
        since: "2026-01",
        note: "Die Karte hilft bei der Planung barrierefreier Wege zu Kreisbehörden.",
    },
];

struct DemoRole {
    project: &'static str,
    title: &'static str,
    description: &'static str,
    skills: &'static [&'static str],
    commitment: codefor_domain::projects::Commitment,
    place: codefor_domain::projects::Place,
}

const ROLES: &[DemoRole] = &[
    DemoRole {
        project: "wege-ohne-stufen",
        title: "Wege vor Ort erfassen",
        description: "Mit dem Smartphone Rampen, Aufzüge und Bordsteine in deinem Viertel \
                      aufnehmen. Wir zeigen dir beim Treffen, wie es geht.",
        skills: &["Geodaten und Karten", "Barrierefreiheit"],
        commitment: codefor_domain::projects::Commitment::Occasional,
        place: codefor_domain::projects::Place::OnSite,
    },
    DemoRole {
        project: "foerdepegel",
        title: "Texte in leichter Sprache",
        description: "Die Warnhinweise des Fördepegels sollen alle verstehen. Hilf uns, sie \
                      in leichte Sprache zu übertragen und mit Betroffenen zu prüfen.",
        skills: &["Texte und Redaktion", "Barrierefreiheit"],
        commitment: codefor_domain::projects::Commitment::Weekly,
        place: codefor_domain::projects::Place::Remote,
    },
];

async fn seed_adoption(tx: &mut codefor_storage::Connection) -> Result<(), DbError> {
    use codefor_storage::{organizations, project_roles};
    for o in ORGANIZATIONS {
        let fields = organizations::Fields {
            name: o.name,
            kind: o.kind.as_str(),
            state_key: Some(o.state),
            ags: Some(o.ags),
            website_url: None,
        };
        let id = organizations::create(tx, o.slug, &fields, None).await?;
        organizations::set_verified(tx, id, o.verified).await?;
        if let Some(project) = project_roles::project_id(tx, o.uses).await? {
            organizations::record_use(tx, project, id, Some(o.since), o.note, None).await?;
        }
    }
    for r in ROLES {
        let Some(project) = project_roles::project_id(tx, r.project).await? else {
            continue;
        };
        let skills: Vec<String> = r.skills.iter().map(|s| (*s).to_owned()).collect();
        let fields = project_roles::Fields {
            title: r.title,
            description: r.description,
            skills: &skills,
            commitment: r.commitment.as_str(),
            place: r.place.as_str(),
            open: true,
        };
        project_roles::create(tx, project, &fields).await?;
    }
    Ok(())
}

/// A demo need and what became of it so far.
struct DemoNeed {
    /// Who brought it: a demo account (it cannot sign in).
    author: &'static str,
    organization: Option<&'static str>,
    title: &'static str,
    body: &'static str,
    affected: &'static str,
    state: Option<&'static str>,
    municipality: &'static str,
    topic: &'static str,
    missing: &'static str,
    /// Later steps: status, reason, the lab (for "adopted"), a project to link.
    steps: &'static [(
        &'static str,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
    )],
    supporters: usize,
}

const NEED_PEOPLE: &[(&str, &str)] = &[
    ("ruth.demo@demo.invalid", "Ruth Sommer"),
    ("jonas.demo@demo.invalid", "Jonas Albers"),
    ("meike.demo@demo.invalid", "Meike Hansen"),
    ("timo.demo@demo.invalid", "Timo Brandt"),
    ("elif.demo@demo.invalid", "Elif Kaya"),
];

const NEEDS: &[DemoNeed] = &[
    DemoNeed {
        author: "meike.demo@demo.invalid",
        organization: Some("landeshauptstadt-kiel-demo"),
        title: "Barrierefreie Wege zu den Bürgerbüros finden",
        body: "Viele Menschen mit Rollator oder Rollstuhl rufen bei uns an, bevor sie ins \
               Bürgerbüro kommen: Gibt es Stufen? Funktioniert der Aufzug?\n\nWir hätten gern \
               eine Karte, die Wege ohne Stufen von der Haltestelle bis zum Eingang zeigt – und \
               die wir selbst aktuell halten können.",
        affected: "Menschen mit Gehbehinderung, Eltern mit Kinderwagen, Beschäftigte der \
                   Bürgerbüros am Telefon",
        state: Some("01"),
        municipality: "Kiel",
        topic: "stadt",
        missing: "Daten zu Stufen, Rampen und Aufzügen rund um öffentliche Gebäude.",
        steps: &[
            (
                "adopted",
                "Das passt zu unserem Projekt „Wege ohne Stufen“. Wir laden zum nächsten Treffen ein.",
                Some("kiel"),
                None,
            ),
            (
                "in_progress",
                "Die Karte bekommt eine Ebene für die fünf Bürgerbüros.",
                None,
                Some("wege-ohne-stufen"),
            ),
        ],
        supporters: 4,
    },
    DemoNeed {
        author: "jonas.demo@demo.invalid",
        organization: None,
        title: "Hitzeinseln in der Innenstadt sichtbar machen",
        body: "Im Sommer wird es in manchen Straßen unerträglich heiß. Wo sind die kühlen \
               Orte – Brunnen, Schatten, offene Kirchen – und wo fehlen Bäume?\n\nEine Karte \
               würde älteren Menschen helfen, und der Gemeinderat sähe, wo gepflanzt werden \
               sollte.",
        affected: "Ältere Menschen, Kinder, alle ohne Garten",
        state: Some("08"),
        municipality: "Freiburg im Breisgau",
        topic: "umwelt",
        missing: "Temperaturmessungen in den Stadtteilen, ein Baumkataster als offene Daten.",
        steps: &[],
        supporters: 3,
    },
    DemoNeed {
        author: "elif.demo@demo.invalid",
        organization: None,
        title: "Öffnungszeiten der Ämter als offene Daten",
        body: "Die Öffnungszeiten stehen auf jeder Website anders, oft als PDF. Wer Termine \
               plant oder eine App baut, muss sie abtippen.\n\nGut wäre ein einheitliches, \
               maschinenlesbares Format, das jede Verwaltung veröffentlicht.",
        affected: "Alle, die zu einem Amt müssen; Entwicklerinnen und Entwickler von Apps",
        state: None,
        municipality: "",
        topic: "politik",
        missing: "Ein Standardformat für Öffnungszeiten und Ausnahmen (Feiertage).",
        steps: &[(
            "discussion",
            "Gibt es schon einen Standard, auf den wir aufbauen können? Bitte teilt Beispiele.",
            None,
            None,
        )],
        supporters: 5,
    },
];

/// The profiles two demo people show: one to everyone (so the people pages and the
/// people of the open-data API have someone to show), one part by part.
fn demo_profile(email: &str) -> Option<codefor_domain::profiles::Profile> {
    use codefor_domain::profiles::{Profile, Sector, Visibility};
    let visible = |parts: &[(&str, Visibility)]| {
        parts
            .iter()
            .map(|(part, v)| ((*part).to_owned(), *v))
            .collect()
    };
    match email {
        "ruth.demo@demo.invalid" => Some(Profile {
            bio: "Arbeitet im Bürgeramt einer Demo-Stadt und bringt ein, was Menschen am \
                  Schalter fragen. Probiert gern aus, was andere Labs gebaut haben."
                .to_owned(),
            sector: Some(Sector::Administration),
            skills: vec!["Verwaltungswissen".to_owned(), "Moderation".to_owned()],
            interests: vec!["Digitale Verwaltung".to_owned(), "Beteiligung".to_owned()],
            visibility: visible(&[
                ("bio", Visibility::Public),
                ("sector", Visibility::Public),
                ("skills", Visibility::Public),
                ("interests", Visibility::Public),
                ("labs", Visibility::Public),
            ]),
        }),
        "jonas.demo@demo.invalid" => Some(Profile {
            bio: "Studiert Geoinformatik und zeichnet Karten aus offenen Daten.".to_owned(),
            sector: Some(Sector::Science),
            skills: vec![
                "Geodaten und Karten".to_owned(),
                "Programmierung".to_owned(),
            ],
            interests: vec!["Mobilität".to_owned(), "Offene Daten".to_owned()],
            visibility: visible(&[
                ("skills", Visibility::Public),
                ("interests", Visibility::Members),
            ]),
        }),
        _ => None,
    }
}

/// Demo needs with their history, supports and the demo accounts behind them.
async fn seed_needs(tx: &mut codefor_storage::Connection) -> Result<(), DbError> {
    use codefor_storage::{accounts, needs, organizations};
    let mut ids = Vec::new();
    for (email, name) in NEED_PEOPLE {
        // No password hash verifies against "!": demo accounts cannot sign in.
        if let Some(id) = accounts::create(tx, email, "!", name, false).await? {
            if let Some(profile) = demo_profile(email) {
                accounts::set_profile(tx, id, &profile).await?;
            }
            ids.push((*email, *name, id));
        }
    }
    for n in NEEDS {
        let Some((_, author_name, author)) = ids.iter().find(|(e, _, _)| *e == n.author) else {
            continue;
        };
        let organization = match n.organization {
            Some(slug) => organizations::id_by_slug(tx, slug).await?,
            None => None,
        };
        let fields = needs::Fields {
            title: n.title,
            body: n.body,
            body_html: &crate::needs::render(n.body),
            affected: n.affected,
            state_key: n.state,
            municipality: n.municipality,
            lab_id: None,
            topic: n.topic,
            missing: n.missing,
            organization_id: organization,
        };
        let id = needs::create(tx, &fields, *author, true, false).await?;
        needs::follow(tx, id, *author).await?;
        needs::add_event(
            tx,
            id,
            "submitted",
            "Das Bedürfnis ist öffentlich: alle können es unterstützen und mitdiskutieren.",
            None,
            Some(*author),
            author_name,
        )
        .await?;
        let mut adopted = None;
        let mut current = "submitted";
        for (status, reason, lab, project) in n.steps {
            if let Some(lab) = lab {
                adopted = labs::id_by_slug(tx, lab).await?;
            }
            if let Some(project) = project
                && let Some(pid) = codefor_storage::project_roles::project_id(tx, project).await?
            {
                needs::link_project(tx, id, pid).await?;
            }
            let step = needs::Step {
                status,
                adopted_lab_id: adopted,
                contact_id: None,
                merged_into: None,
            };
            needs::set_status(tx, id, &step, current).await?;
            current = status;
            let lab_of_step = if *status == "adopted" { adopted } else { None };
            needs::add_event(tx, id, status, reason, lab_of_step, None, "OK Lab").await?;
        }
        for (_, _, supporter) in ids
            .iter()
            .filter(|(_, _, a)| a != author)
            .take(n.supporters)
        {
            needs::support(tx, id, *supporter).await?;
        }
    }
    Ok(())
}
