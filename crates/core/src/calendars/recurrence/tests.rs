use super::*;

fn dt(s: &str) -> DateTime {
    s.parse().unwrap()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn starts(schedule: &Schedule<'_>, from: &str, to: &str) -> Vec<String> {
    occurrences(schedule, ts(from), ts(to), 100)
        .unwrap()
        .iter()
        .map(|o| format!("{} {}", o.start, o.start_at))
        .collect()
}

#[test]
fn weekly_stays_at_local_time_across_both_daylight_saving_changes() {
    // Thursdays 19:00–21:00; summer time starts on 29 March 2026, ends on 25 October.
    let schedule = Schedule {
        start: dt("2026-03-19T19:00"),
        end: dt("2026-03-19T21:00"),
        time_zone: BERLIN,
        rule: Some("FREQ=WEEKLY"),
        skipped: &[],
    };
    assert_eq!(
        starts(&schedule, "2026-03-18T00:00Z", "2026-04-03T00:00Z"),
        [
            "2026-03-19T19:00:00 2026-03-19T18:00:00Z",
            "2026-03-26T19:00:00 2026-03-26T18:00:00Z",
            "2026-04-02T19:00:00 2026-04-02T17:00:00Z",
        ]
    );
    assert_eq!(
        starts(&schedule, "2026-10-21T00:00Z", "2026-11-06T00:00Z"),
        [
            "2026-10-22T19:00:00 2026-10-22T17:00:00Z",
            "2026-10-29T19:00:00 2026-10-29T18:00:00Z",
            "2026-11-05T19:00:00 2026-11-05T18:00:00Z",
        ]
    );
}

#[test]
fn second_tuesday_of_the_month_across_daylight_saving_with_a_skipped_date() {
    let skipped = [dt("2026-11-10T19:00")];
    let schedule = Schedule {
        start: dt("2026-02-10T19:00"),
        end: dt("2026-02-10T21:30"),
        time_zone: BERLIN,
        rule: Some("FREQ=MONTHLY;BYDAY=2TU"),
        skipped: &skipped,
    };
    assert_eq!(
        starts(&schedule, "2026-02-01T00:00Z", "2026-05-01T00:00Z"),
        [
            "2026-02-10T19:00:00 2026-02-10T18:00:00Z",
            "2026-03-10T19:00:00 2026-03-10T18:00:00Z",
            "2026-04-14T19:00:00 2026-04-14T17:00:00Z",
        ]
    );
    // October is summer time, November winter time, and 10 November is left out.
    assert_eq!(
        starts(&schedule, "2026-10-01T00:00Z", "2027-01-01T00:00Z"),
        [
            "2026-10-13T19:00:00 2026-10-13T17:00:00Z",
            "2026-12-08T19:00:00 2026-12-08T18:00:00Z",
        ]
    );
    // At 22:00 in Berlin the October meetup (until 21:30) is over.
    let next = next(&schedule, ts("2026-10-13T20:00Z")).unwrap().unwrap();
    assert_eq!(next.start, dt("2026-12-08T19:00"));
    assert_eq!(next.end, dt("2026-12-08T21:30"));
}

#[test]
fn an_occurrence_still_going_on_is_in_the_window() {
    let schedule = Schedule {
        start: dt("2026-06-02T18:00"),
        end: dt("2026-06-02T22:00"),
        time_zone: BERLIN,
        rule: Some("FREQ=WEEKLY;BYDAY=TU"),
        skipped: &[],
    };
    let now = ts("2026-06-09T18:00Z"); // 20:00 in Berlin, the meetup of 9 June is on
    assert_eq!(
        next(&schedule, now).unwrap().unwrap().start,
        dt("2026-06-09T18:00")
    );
}

#[test]
fn bounds_are_open_without_an_end_and_closed_with_count_or_until() {
    let mut schedule = Schedule {
        start: dt("2026-01-05T18:30"),
        end: dt("2026-01-05T20:00"),
        time_zone: BERLIN,
        rule: Some("FREQ=WEEKLY"),
        skipped: &[],
    };
    assert_eq!(bounds(&schedule).unwrap(), (ts("2026-01-05T17:30Z"), None));
    schedule.rule = Some("FREQ=WEEKLY;COUNT=3");
    assert_eq!(
        bounds(&schedule).unwrap(),
        (ts("2026-01-05T17:30Z"), Some(ts("2026-01-19T19:00Z")))
    );
    schedule.rule = Some("FREQ=WEEKLY;UNTIL=20260701T000000Z");
    // The last Monday before July, in summer time.
    assert_eq!(bounds(&schedule).unwrap().1, Some(ts("2026-06-29T18:00Z")));
    schedule.rule = None;
    assert_eq!(
        bounds(&schedule).unwrap(),
        (ts("2026-01-05T17:30Z"), Some(ts("2026-01-05T19:00Z")))
    );
}

#[test]
fn bad_rules_are_refused_with_a_reason() {
    let start = dt("2026-01-05T18:30");
    assert!(check_rule("FREQ=WEEKLY;INTERVAL=2", start, BERLIN).is_ok());
    for too_often in [
        "FREQ=MINUTELY",
        "freq=secondly",
        "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11",
        "FREQ=WEEKLY;byminute=0,30",
    ] {
        assert_eq!(
            check_rule(too_often, start, BERLIN),
            Err(RecurrenceError::TooFrequent),
            "{too_often}"
        );
    }
    assert!(check_rule("freq=weekly;byday=tu", start, BERLIN).is_ok());
    assert!(matches!(
        check_rule("FREQ=SOMETIMES", start, BERLIN),
        Err(RecurrenceError::Rule(_))
    ));
    assert!(matches!(
        check_rule("FREQ=WEEKLY\nRRULE:FREQ=DAILY", start, BERLIN),
        Err(RecurrenceError::Rule(_))
    ));
    assert_eq!(
        check_rule("FREQ=WEEKLY", start, "Mars/Olympus"),
        Err(RecurrenceError::TimeZone("Mars/Olympus".into()))
    );
    // A rule that never matches ends the search instead of looping.
    let never = Schedule {
        start,
        end: dt("2026-01-05T20:00"),
        time_zone: BERLIN,
        rule: Some("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"),
        skipped: &[],
    };
    let found = occurrences(&never, ts("2026-01-01T00:00Z"), ts("2030-01-01T00:00Z"), 10);
    assert!(found.map(|f| f.is_empty()).unwrap_or(true));
}

/// Starting a long series from a later date of its own gives exactly the dates that
/// walking from its real start gives.
#[test]
fn jumping_ahead_keeps_every_date() {
    let skipped = [dt("2029-03-26T19:00"), dt("2029-10-29T19:00")];
    for rule in [
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;INTERVAL=2",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH",
        "FREQ=WEEKLY;BYDAY=MO,WE;WKST=SU",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;UNTIL=20291231T230000Z",
        "FREQ=WEEKLY;COUNT=200",
        "FREQ=MONTHLY;BYDAY=2MO",
    ] {
        let schedule = Schedule {
            start: dt("2024-01-01T19:00"), // a Monday
            end: dt("2024-01-01T21:00"),
            time_zone: BERLIN,
            rule: Some(rule),
            skipped: &skipped,
        };
        for (from, to) in [
            ("2029-03-01T00:00Z", "2029-04-15T00:00Z"),
            ("2029-10-01T00:00Z", "2029-11-15T00:00Z"),
            ("2024-01-01T00:00Z", "2024-02-01T00:00Z"),
        ] {
            let (from, to) = (ts(from), ts(to));
            let ours: Vec<DateTime> = occurrences(&schedule, from, to, 500)
                .unwrap()
                .iter()
                .map(|o| o.start)
                .collect();
            let walked: Vec<DateTime> = rule_set(&schedule)
                .unwrap()
                .after(instant(from).unwrap())
                .before(instant(to).unwrap())
                .all(500)
                .dates
                .iter()
                .map(|d| civil(d).unwrap())
                .collect();
            assert_eq!(ours, walked, "{rule} from {from}");
        }
    }
    // The jump itself happens for the rules it is meant for, and only for them.
    let near = dt("2029-03-01T00:00");
    let mut schedule = Schedule {
        start: dt("2024-01-01T19:00"),
        end: dt("2024-01-01T21:00"),
        time_zone: BERLIN,
        rule: Some("FREQ=WEEKLY;INTERVAL=2"),
        skipped: &[],
    };
    let jumped = jump(&schedule, near);
    assert!(jumped > dt("2029-01-01T00:00") && jumped < near, "{jumped}");
    assert_eq!(jumped.weekday(), jiff::civil::Weekday::Monday);
    schedule.rule = Some("FREQ=WEEKLY;COUNT=200");
    assert_eq!(jump(&schedule, near), schedule.start);
    schedule.rule = Some("FREQ=WEEKLY;BYDAY=TU");
    assert_eq!(
        jump(&schedule, near),
        schedule.start,
        "start not a date of the rule"
    );
}
