#!/usr/bin/env python3
"""Reads an iCalendar file with the `icalendar` package (strictly: a parse error is an
error) and prints every occurrence between two dates, expanded by
`recurring_ical_events`: one line per occurrence, `UID<TAB>START<TAB>END<TAB>STATUS`,
start and end in UTC (`2026-03-10T18:00:00Z`; all-day dates as `2026-03-07`).

Usage: ics-occurrences.py FILE FROM TO      (FROM, TO: YYYY-MM-DD)

The test suite compares this independent expansion with codefor's own.
"""
import datetime
import sys

import icalendar
import recurring_ical_events


def utc(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise SystemExit(f"floating time without zone: {value}")
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def main():
    path, start, end = sys.argv[1:4]
    with open(path, "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    for component in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART"):
            if required not in component:
                raise SystemExit(f"VEVENT without {required}")
    for name in calendar.walk("VTIMEZONE"):
        if "TZID" not in name:
            raise SystemExit("VTIMEZONE without TZID")
    lines = []
    between = recurring_ical_events.of(calendar).between(
        datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    )
    for event in between:
        lines.append(
            "\t".join(
                [
                    str(event["UID"]),
                    utc(event["DTSTART"].dt),
                    utc(event["DTEND"].dt),
                    str(event.get("STATUS", "")),
                ]
            )
        )
    print("\n".join(sorted(lines)))


if __name__ == "__main__":
    main()
