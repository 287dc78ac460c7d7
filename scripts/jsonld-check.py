#!/usr/bin/env python3
"""Checks the schema.org JSON-LD embedded in HTML pages independently of codefor's own
writer: every `<script type="application/ld+json">` block is found with the standard
library's HTML parser, read as JSON and expanded by the JSON-LD processor `pyld`; then
the expected types and their required properties are checked on the expanded graph.

Usage: jsonld-check.py [--expect TYPE[:PROP,PROP...]]... SOURCE...

SOURCE is an HTML file or an http(s) URL. No network is used for contexts: the
schema.org context (`https://schema.org`, `http://schema.org`, with or without a
trailing slash) is read from crates/codefor/tests/data/schema-org-context.jsonld;
any other remote context is refused. Each `--expect` names a type (`Organization`,
`SoftwareSourceCode`, `Event`, `BlogPosting`, `Dataset`, …) that the page must carry
as a top-level node, optionally with properties required beyond the type's own list.

A page fails when a block is not JSON, does not expand, names no type, lacks a required
property of its type, holds a relative address where an absolute one belongs, or an
expected type is missing. Prints `SOURCE: PROBLEM` per problem and `SOURCE: ok (TYPES)`
per good page; exits 1 if any page fails, 0 if all pass, 2 on wrong usage.
scripts/requirements-test.txt pins pyld.
"""
import html.parser
import json
import pathlib
import re
import sys
import urllib.request

from pyld import jsonld

SCHEMA = "https://schema.org/"
CONTEXT_FILE = (
    pathlib.Path(__file__).resolve().parent.parent
    / "crates/codefor/tests/data/schema-org-context.jsonld"
)
SCHEMA_URLS = {
    "https://schema.org", "https://schema.org/", "http://schema.org", "http://schema.org/",
}
MAX_BYTES = 16 * 1024 * 1024

# Properties every top-level node of a type must carry.
REQUIRED = {
    "Organization": ["name", "url", "description"],
    "WebSite": ["name", "url"],
    "SoftwareSourceCode": ["name", "description", "url", "author", "dateModified"],
    "Event": [
        "name", "url", "startDate", "endDate", "eventStatus", "eventAttendanceMode",
        "location", "organizer",
    ],
    "BlogPosting": [
        "headline", "url", "datePublished", "dateModified", "author", "publisher",
        "inLanguage",
    ],
    "Article": ["headline", "datePublished", "author", "publisher", "inLanguage"],
    "CreativeWork": ["name", "url"],
    "Dataset": ["name", "description", "url", "publisher"],
    "DataDownload": ["contentUrl"],
}
# Properties every nested node of a type must carry (authors, places, downloads).
NESTED_REQUIRED = {
    "Organization": ["name"],
    "Person": ["name"],
    "Place": ["name"],
    "GeoCoordinates": ["latitude", "longitude"],
    "VirtualLocation": ["url"],
    "DataDownload": ["contentUrl"],
    "ImageObject": ["url"],
}
# Properties whose values are addresses: they must be absolute.
ADDRESSES = {
    "url", "sameAs", "codeRepository", "license", "contentUrl", "image", "logo",
    "mainEntityOfPage", "softwareHelp", "isPartOf",
}
# Dates with a time must carry an offset; plain dates are fine.
DATE_PROPS = {"startDate", "endDate", "datePublished", "dateModified", "dateCreated"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$")


class Scripts(html.parser.HTMLParser):
    """Collects the text of every `<script type="application/ld+json">`."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            kind = (dict(attrs).get("type") or "").split(";")[0].strip().lower()
            self._current = [] if kind == "application/ld+json" else None

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._current is not None:
            self.blocks.append("".join(self._current))
            self._current = None


def local_loader(url, options=None):
    """Only schema.org, from the file shipped with the tests; nothing from the network."""
    if url in SCHEMA_URLS:
        with open(CONTEXT_FILE, encoding="utf-8") as f:
            document = json.load(f)
        return {"contextUrl": None, "documentUrl": url, "document": document}
    raise jsonld.JsonLdError(
        f"remote context refused (no network): {url}",
        "jsonld.LoadDocumentError",
        code="loading remote context failed",
    )


# No base: a relative address stays relative (pyld would otherwise resolve it against
# http://example.org/base/ and hide it).
OPTIONS = {"documentLoader": local_loader, "base": None}


def read(source):
    if source.startswith("http://") or source.startswith("https://"):
        request = urllib.request.Request(source, headers={"User-Agent": "jsonld-check"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read(MAX_BYTES).decode("utf-8")
    return pathlib.Path(source).read_text(encoding="utf-8")


def short(iri):
    return iri[len(SCHEMA):] if isinstance(iri, str) and iri.startswith(SCHEMA) else iri


def values(node, prop):
    return node.get(SCHEMA + prop, [])


def said(value):
    """Whether a value says something: a node, an address or a non-empty literal."""
    if isinstance(value, dict) and "@value" not in value and "@id" not in value:
        return True
    return scalar(value) not in (None, "")


def scalar(value):
    if isinstance(value, dict):
        return value.get("@id", value.get("@value"))
    return value


def check_node(node, where, problems, top_level):
    types = [short(t) for t in node.get("@type", [])]
    if top_level and not types:
        problems.append(f"{where}: Knoten ohne @type")
    required = REQUIRED if top_level else NESTED_REQUIRED
    for t in types:
        for prop in required.get(t, []):
            if not any(said(v) for v in values(node, prop)):
                problems.append(f"{where}: {t} ohne {prop}")
    for key, vals in node.items():
        if key.startswith("@"):
            continue
        prop = short(key)
        for v in vals:
            if isinstance(v, dict) and ("@type" in v or any(not k.startswith("@") for k in v)):
                if "@value" not in v:
                    check_node(v, f"{where} > {prop}", problems, False)
                    if prop in ADDRESSES and "@id" in v and not absolute(v["@id"]):
                        problems.append(f"{where}: {prop} nicht absolut: {v['@id']!r}")
                    continue
            text = scalar(v)
            if prop in ADDRESSES and isinstance(text, str) and not absolute(text):
                problems.append(f"{where}: {prop} nicht absolut: {text!r}")
            if prop in DATE_PROPS and isinstance(text, str) and not DATE.match(text):
                problems.append(f"{where}: {prop} ist kein ISO-8601-Datum mit Offset: {text!r}")
    return types


def absolute(url):
    return url.startswith("https://") or url.startswith("http://")


def check(source, expected):
    problems = []
    try:
        page = read(source)
    except (OSError, UnicodeDecodeError) as e:
        return [f"nicht lesbar: {e}"], []
    parser = Scripts()
    parser.feed(page)
    parser.close()
    if not parser.blocks:
        problems.append("kein <script type=\"application/ld+json\">")
    found = []
    for i, block in enumerate(parser.blocks):
        where = f"Block {i + 1}"
        try:
            document = json.loads(block)
        except json.JSONDecodeError as e:
            problems.append(f"{where}: kein JSON: {e}")
            continue
        try:
            expanded = jsonld.expand(document, OPTIONS)
        except jsonld.JsonLdError as e:
            problems.append(f"{where}: JSON-LD lässt sich nicht expandieren: {e}")
            continue
        if not expanded:
            problems.append(f"{where}: expandiert zu nichts (kein Kontext, kein @type?)")
        for node in expanded:
            nodes = node.get("@graph", [node]) if "@graph" in node else [node]
            for n in nodes:
                found.extend(check_node(n, where, problems, True))
    for kind, extra in expected:
        if kind not in found:
            problems.append(f"erwarteter Typ {kind} fehlt (gefunden: {', '.join(found) or 'keiner'})")
    # Extra properties asked for on the command line.
    for kind, extra in expected:
        if not extra:
            continue
        for i, block in enumerate(parser.blocks):
            try:
                expanded = jsonld.expand(json.loads(block), OPTIONS)
            except (json.JSONDecodeError, jsonld.JsonLdError):
                continue
            for node in expanded:
                for n in node.get("@graph", [node]) if "@graph" in node else [node]:
                    if kind in [short(t) for t in n.get("@type", [])]:
                        for prop in extra:
                            if not values(n, prop):
                                problems.append(f"Block {i + 1}: {kind} ohne {prop}")
    return problems, found


def main(argv):
    expected = []
    sources = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--expect" and args:
            kind, _, extra = args.pop(0).partition(":")
            expected.append((kind, [p for p in extra.split(",") if p]))
        elif a.startswith("--"):
            print(__doc__, file=sys.stderr)
            return 2
        else:
            sources.append(a)
    if not sources:
        print(__doc__, file=sys.stderr)
        return 2
    failed = False
    for source in sources:
        problems, found = check(source, expected)
        for p in problems:
            print(f"{source}: {p}")
        if problems:
            failed = True
        else:
            print(f"{source}: ok ({', '.join(found)})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
