//! Dates as German readers expect them.

const MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

/// `2014-04-09` → `9. April 2014`; anything else is returned unchanged.
pub fn german(date: &str) -> String {
    let mut parts = date.get(..10).unwrap_or(date).splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return date.to_owned();
    };
    match (m.parse::<usize>(), d.parse::<u32>()) {
        (Ok(m @ 1..=12), Ok(d)) => format!("{d}. {} {y}", MONTHS[m - 1]),
        _ => date.to_owned(),
    }
}

/// RFC 2822 date for RSS, at noon UTC (posts carry only a day).
pub fn rfc2822(date: &str) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(date.get(..10)?, &format).ok()?;
    d.with_hms(12, 0, 0)
        .ok()?
        .assume_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn german_dates() {
        assert_eq!(super::german("2014-04-09"), "9. April 2014");
        assert_eq!(super::german("2020-12-31T10:00:00Z"), "31. Dezember 2020");
        assert_eq!(super::german("kein Datum"), "kein Datum");
        assert_eq!(
            super::rfc2822("2014-04-09").as_deref(),
            Some("Wed, 09 Apr 2014 12:00:00 +0000")
        );
    }
}

/// Unix seconds → `9. April 2014, 18:05 Uhr` in Berlin time.
pub fn german_unix(seconds: i64) -> String {
    match jiff::Timestamp::from_second(seconds) {
        Ok(ts) => german_datetime(&ts.to_string()),
        Err(_) => String::new(),
    }
}

/// An RFC 3339 moment → `9. April 2014, 18:05 Uhr` in Berlin time (daylight saving
/// from the time zone database); anything else is returned unchanged.
pub fn german_datetime(moment: &str) -> String {
    let Ok(ts) = moment.parse::<jiff::Timestamp>() else {
        return moment.to_owned();
    };
    let Ok(zone) = jiff::tz::TimeZone::get("Europe/Berlin") else {
        return moment.to_owned();
    };
    let local = ts.to_zoned_datetime(zone);
    format!(
        "{}, {:02}:{:02} Uhr",
        german(&local.date().to_string()),
        local.hour(),
        local.minute()
    )
}

#[cfg(test)]
mod datetime_tests {
    use super::german_datetime;

    #[test]
    fn shows_berlin_time_with_summer_time() {
        assert_eq!(
            german_datetime("2026-01-15T17:05:00Z"),
            "15. Januar 2026, 18:05 Uhr"
        );
        assert_eq!(
            german_datetime("2026-07-01T17:05:00Z"),
            "1. Juli 2026, 19:05 Uhr"
        );
        // The switch: 2026-03-29 01:00 UTC.
        assert_eq!(
            german_datetime("2026-03-29T00:59:00Z"),
            "29. März 2026, 01:59 Uhr"
        );
        assert_eq!(
            german_datetime("2026-03-29T01:00:00Z"),
            "29. März 2026, 03:00 Uhr"
        );
        assert_eq!(german_datetime("kaputt"), "kaputt");
    }
}
