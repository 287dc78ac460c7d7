use super::*;

const FEED: &str = "BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Test//EN\r
BEGIN:VEVENT\r
UID:weekly@example.org\r
DTSTAMP:20260101T000000Z\r
SUMMARY:Offenes Treffen\\, mit Pizza\r
DESCRIPTION:Wir hacken.\\nBringt Laptops mit.\r
LOCATION:Stadtbibliothek\\, Raum 2\r
DTSTART;TZID=Europe/Berlin:20260303T190000\r
DTEND;TZID=Europe/Berlin:20260303T210000\r
RRULE:FREQ=WEEKLY;BYDAY=TU\r
EXDATE;TZID=Europe/Berlin:20260310T190000\r
URL:https://example.org/events/1\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:weekly@example.org\r
RECURRENCE-ID;TZID=Europe/Berlin:20260317T190000\r
DTSTART;TZID=Europe/Berlin:20260317T190000\r
DTEND;TZID=Europe/Berlin:20260317T210000\r
STATUS:CANCELLED\r
SUMMARY:Offenes Treffen\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:weekly@example.org\r
RECURRENCE-ID;TZID=Europe/Berlin:20260324T190000\r
DTSTART;TZID=Europe/Berlin:20260325T180000\r
DTEND;TZID=Europe/Berlin:20260325T200000\r
SUMMARY:Offenes Treffen (Mittwoch)\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:utc@example.org\r
DTSTART:20260701T170000Z\r
DURATION:PT90M\r
SUMMARY:Sommerfest\r
LOCATION:https://meet.example.org/sommer\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:day@example.org\r
DTSTART;VALUE=DATE:20260307\r
SUMMARY:Open Data Day\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:yearly@example.org\r
DTSTART;VALUE=DATE:20260905\r
RRULE:freq=yearly;until=20280905\r
SUMMARY:Tag der\nDaten\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:nostart@example.org\r
SUMMARY:Ohne Beginn\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:often@example.org\r
DTSTART:20260701T170000Z\r
RRULE:FREQ=MINUTELY\r
SUMMARY:Zu oft\r
END:VEVENT\r
END:VCALENDAR\r
";

#[test]
fn reads_series_exceptions_overrides_utc_and_all_day_events() {
    let Feed {
        events,
        notes,
        left_out,
        complete,
    } = read_external(FEED).unwrap();
    assert!(complete);
    assert!(left_out.contains("nostart@example.org") && left_out.contains("often@example.org"));
    let by_uid: HashMap<&str, &External> = events.iter().map(|e| (e.uid.as_str(), e)).collect();
    let weekly = by_uid["weekly@example.org"];
    assert_eq!(weekly.fields.title, "Offenes Treffen, mit Pizza");
    assert_eq!(weekly.fields.starts_at, "2026-03-03T19:00:00");
    assert_eq!(weekly.fields.rrule.as_deref(), Some("FREQ=WEEKLY;BYDAY=TU"));
    assert_eq!(
        weekly.fields.address.as_deref(),
        Some("Stadtbibliothek, Raum 2")
    );
    assert!(weekly.fields.description_md.contains("Bringt Laptops mit."));
    assert!(
        weekly
            .fields
            .description_md
            .contains("https://example.org/events/1")
    );
    // The EXDATE and the moved date are left out of the series; the cancelled one is kept.
    assert_eq!(
        weekly.skipped,
        ["2026-03-10T19:00:00", "2026-03-24T19:00:00"]
    );
    assert_eq!(weekly.cancelled, ["2026-03-17T19:00:00"]);
    let moved = by_uid["weekly@example.org#2026-03-24T19:00:00"];
    assert_eq!(moved.fields.starts_at, "2026-03-25T18:00:00");
    assert_eq!(moved.fields.rrule, None);
    // 17:00 UTC in July is 19:00 in Berlin; a URL as location is the online link.
    let utc = by_uid["utc@example.org"];
    assert_eq!(utc.fields.starts_at, "2026-07-01T19:00:00");
    assert_eq!(utc.fields.ends_at, "2026-07-01T20:30:00");
    assert_eq!(
        utc.fields.online_url.as_deref(),
        Some("https://meet.example.org/sommer")
    );
    let day = by_uid["day@example.org"];
    assert!(day.fields.all_day);
    assert_eq!(day.fields.ends_at, "2026-03-08T00:00:00");
    // An all-day series ending on a date; a title with a line break becomes one line.
    let yearly = by_uid["yearly@example.org"];
    assert_eq!(
        yearly.fields.rrule.as_deref(),
        Some("FREQ=YEARLY;UNTIL=20280905T215959Z")
    );
    assert_eq!(yearly.fields.title, "Tag der Daten");
    assert_eq!(events.len(), 5);
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].contains("Ohne Beginn") && notes[0].contains("DTSTART"));
    assert!(notes[1].contains("Zu oft"));
    // The same feed read twice gives the same fingerprints.
    let again = read_external(FEED).unwrap().events;
    assert_eq!(
        events.iter().map(|e| &e.hash).collect::<Vec<_>>(),
        again.iter().map(|e| &e.hash).collect::<Vec<_>>()
    );
}

#[test]
fn refuses_what_is_not_a_calendar() {
    assert!(read_external("<html>Not found</html>").is_err());
    assert!(
        read_external("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026").is_err() || {
            // A truncated file may parse partially; it never yields an event without a start.
            read_external("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026")
                .map(|feed| feed.events.is_empty())
                .unwrap_or(true)
        }
    );
}

fn meetup(rrule: Option<&str>) -> Meetup {
    Meetup {
        id: 1,
        uid: "meetup-1@codefor.test".into(),
        title: "Lab-Abend; mit, Sonderzeichen".into(),
        description_md: "Erste Zeile\nZweite Zeile".into(),
        description_html: String::new(),
        starts_at: "2026-02-10T19:00:00".into(),
        ends_at: "2026-02-10T21:00:00".into(),
        time_zone: BERLIN.into(),
        all_day: 0,
        rrule: rrule.map(Into::into),
        venue: Some("Rathaus".into()),
        address: Some("Markt 1, 24103 Kiel".into()),
        online_url: None,
        capacity: Some(20),
        status: "scheduled".into(),
        source_id: None,
        sequence: 2,
        created_at: "2026-01-01T00:00:00Z".into(),
        updated_at: "2026-01-02T00:00:00Z".into(),
    }
}

#[test]
fn writes_one_event_per_series_with_rrule_exdate_and_cancelled_overrides() {
    let m = meetup(Some("FREQ=MONTHLY;BYDAY=2TU"));
    let exceptions = [
        Exception {
            meetup_id: 1,
            occurrence: "2026-03-10T19:00:00".into(),
            kind: "skipped".into(),
            reason: None,
        },
        Exception {
            meetup_id: 1,
            occurrence: "2026-04-14T19:00:00".into(),
            kind: "cancelled".into(),
            reason: Some("Ostern".into()),
        },
    ];
    let text = calendar(
        "OK Lab Kiel",
        "Termine",
        &[Item {
            meetup: &m,
            labs: &[],
            exceptions: &exceptions,
            url: "https://codefor.test/termine/1/",
            only: None,
            tentative: false,
        }],
    );
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(text.contains("PRODID:-//Code for Germany//codefor//DE\r\n"));
    assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin"));
    assert!(text.contains("RRULE:FREQ=MONTHLY;BYDAY=2TU\r\n"));
    assert!(text.contains("EXDATE;TZID=Europe/Berlin:20260310T190000\r\n"));
    assert!(text.contains("RECURRENCE-ID;TZID=Europe/Berlin:20260414T190000\r\n"));
    assert!(text.contains("DTSTART;TZID=Europe/Berlin:20260210T190000\r\n"));
    assert!(text.contains("SUMMARY:Lab-Abend\\; mit\\, Sonderzeichen\r\n"));
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
    assert_eq!(text.matches("UID:meetup-1@codefor.test").count(), 2);
    // Lines are folded at 75 octets.
    assert!(text.split("\r\n").all(|line| line.len() <= 75), "{text}");
    // What we write, we read back as the same series.
    let Feed {
        events: back,
        notes,
        ..
    } = read_external(&text).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(back.len(), 1);
    assert_eq!(
        back[0].fields.rrule.as_deref(),
        Some("FREQ=MONTHLY;BYDAY=2TU")
    );
    assert_eq!(back[0].skipped, ["2026-03-10T19:00:00"]);
    assert_eq!(back[0].cancelled, ["2026-04-14T19:00:00"]);
}

#[test]
fn a_single_date_of_a_series_is_its_own_event() {
    let m = meetup(Some("FREQ=WEEKLY"));
    let text = calendar(
        "Meine Termine",
        "",
        &[Item {
            meetup: &m,
            labs: &[],
            exceptions: &[],
            url: "https://codefor.test/termine/1/",
            only: Some("2026-02-17T19:00:00"),
            tentative: true,
        }],
    );
    assert!(!text.contains("RRULE:FREQ=WEEKLY"));
    assert!(text.contains("UID:20260217T190000-meetup-1@codefor.test\r\n"));
    assert!(text.contains("DTSTART;TZID=Europe/Berlin:20260217T190000\r\n"));
    assert!(text.contains("DTEND;TZID=Europe/Berlin:20260217T210000\r\n"));
    assert!(text.contains("STATUS:TENTATIVE\r\n"));
}

#[test]
fn text_cannot_break_out_of_its_line() {
    let mut m = meetup(None);
    m.title = "x\r\nBEGIN:VEVENT\r\nSUMMARY:Phish\rURL:https://evil.example".into();
    m.description_md = "eins\r\nzwei\rdrei".into();
    m.venue = Some("Ort\nZweite Zeile".into());
    let text = calendar(
        "Name\r\nBEGIN:VEVENT",
        "",
        &[Item {
            meetup: &m,
            labs: &[],
            exceptions: &[],
            url: "https://codefor.test/termine/1/",
            only: None,
            tentative: false,
        }],
    );
    assert_eq!(text.matches("\r\nBEGIN:VEVENT\r\n").count(), 1, "{text}");
    assert!(!text.contains("\r\nSUMMARY:Phish"));
    assert!(!text.contains("\r\nURL:https://evil"));
    // Every CR ends a line, and every line starts a property or continues one.
    assert!(!text.replace("\r\n", "").contains('\r'));
    assert!(text.contains("BEGIN:VTIMEZONE"));
    let back = read_external(&text).unwrap().events;
    assert_eq!(back.len(), 1);
    assert!(
        back[0]
            .fields
            .title
            .starts_with("x BEGIN:VEVENT SUMMARY:Phish")
    );
}
