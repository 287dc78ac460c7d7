#!/usr/bin/env python3
"""Checks RSS 2.0 and Atom 1.0 feeds independently of codefor's own writer, with
`feedparser`.

Usage: feed-check.py [--min-entries N] SOURCE...

SOURCE is a file or an http(s) URL (fetched with the standard library; its
Content-Type is handed to feedparser). A feed fails when feedparser sets `bozo` (it
was not well-formed XML, for example because of a control character XML 1.0 forbids,
or its encoding was wrong), or when an element a valid feed needs is missing:

- RSS 2.0: channel title, link (absolute), description, language, an
  `atom:link rel="self"` with an absolute href; every item a title, an absolute link,
  a guid, a pubDate that parses (RFC 822) and a description; guids unique.
- Atom 1.0: feed title, id, updated, a self link and an alternate link (absolute);
  every entry a title, an id, an updated date, an absolute link and a summary or
  content; ids unique.

Prints `SOURCE: PROBLEM` per problem and `SOURCE: ok (VERSION, N entries)` per good
feed; exits 1 if any feed fails, 0 if all pass, 2 on wrong usage. The test suite runs
this on every feed codefor serves; scripts/requirements-test.txt pins feedparser.
"""
import sys
import urllib.request

import feedparser

MAX_BYTES = 16 * 1024 * 1024


def absolute(url):
    return isinstance(url, str) and (url.startswith("https://") or url.startswith("http://"))


def read(source):
    """The bytes of a feed and the headers feedparser should see."""
    if absolute(source):
        request = urllib.request.Request(source, headers={"User-Agent": "feed-check"})
        with urllib.request.urlopen(request, timeout=30) as response:
            headers = {"content-type": response.headers.get("Content-Type", "")}
            return response.read(MAX_BYTES), headers
    with open(source, "rb") as f:
        return f.read(MAX_BYTES), {}


def links(feed, rel):
    return [l.get("href") for l in feed.get("links", []) if l.get("rel") == rel]


def check(source, min_entries):
    problems = []
    try:
        body, headers = read(source)
    except OSError as e:
        return [f"nicht lesbar: {e}"], None, 0
    parsed = feedparser.parse(body, response_headers=headers)
    if parsed.get("bozo"):
        problems.append(f"kein wohlgeformter Feed (bozo): {parsed.get('bozo_exception')!r}")
    version = parsed.get("version") or ""
    feed = parsed.get("feed", {})
    entries = parsed.get("entries", [])
    if version == "rss20":
        for key in ("title", "link", "description", "language"):
            if not feed.get(key):
                problems.append(f"channel: {key} fehlt")
        if feed.get("link") and not absolute(feed.get("link")):
            problems.append(f"channel: link nicht absolut: {feed.get('link')}")
        selves = links(feed, "self")
        if not selves or not all(absolute(s) for s in selves):
            problems.append("channel: atom:link rel=\"self\" mit absoluter Adresse fehlt")
        for i, e in enumerate(entries):
            where = f"item[{i}] ({e.get('title', '?')!r})"
            if not e.get("title"):
                problems.append(f"{where}: title fehlt")
            if not absolute(e.get("link")):
                problems.append(f"{where}: link fehlt oder nicht absolut: {e.get('link')!r}")
            if not e.get("id"):
                problems.append(f"{where}: guid fehlt")
            if not e.get("published_parsed"):
                problems.append(f"{where}: pubDate fehlt oder ist kein RFC-822-Datum: {e.get('published')!r}")
            if not e.get("summary"):
                problems.append(f"{where}: description fehlt")
    elif version == "atom10":
        for key in ("title", "id", "updated_parsed"):
            if not feed.get(key):
                problems.append(f"feed: {key} fehlt")
        if not links(feed, "self") or not all(absolute(s) for s in links(feed, "self")):
            problems.append("feed: link rel=\"self\" mit absoluter Adresse fehlt")
        if not links(feed, "alternate") or not all(absolute(s) for s in links(feed, "alternate")):
            problems.append("feed: link rel=\"alternate\" mit absoluter Adresse fehlt")
        for i, e in enumerate(entries):
            where = f"entry[{i}] ({e.get('title', '?')!r})"
            if not e.get("title"):
                problems.append(f"{where}: title fehlt")
            if not e.get("id"):
                problems.append(f"{where}: id fehlt")
            if not e.get("updated_parsed"):
                problems.append(f"{where}: updated fehlt")
            if not absolute(e.get("link")):
                problems.append(f"{where}: link fehlt oder nicht absolut: {e.get('link')!r}")
            if not (e.get("summary") or e.get("content")):
                problems.append(f"{where}: summary/content fehlt")
    else:
        problems.append(f"weder RSS 2.0 noch Atom 1.0 (feedparser erkennt {version!r})")
    ids = [e.get("id") for e in entries if e.get("id")]
    if len(ids) != len(set(ids)):
        problems.append("guid/id nicht eindeutig")
    if len(entries) < min_entries:
        problems.append(f"{len(entries)} Einträge, erwartet mindestens {min_entries}")
    return problems, version, len(entries)


def main(argv):
    min_entries = 0
    args = list(argv)
    if len(args) >= 2 and args[0] == "--min-entries":
        try:
            min_entries = int(args[1])
        except ValueError:
            print(__doc__, file=sys.stderr)
            return 2
        args = args[2:]
    if not args or any(a.startswith("--") for a in args):
        print(__doc__, file=sys.stderr)
        return 2
    failed = False
    for source in args:
        problems, version, count = check(source, min_entries)
        for p in problems:
            print(f"{source}: {p}")
        if problems:
            failed = True
        else:
            print(f"{source}: ok ({version}, {count} Einträge)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
