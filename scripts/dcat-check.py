#!/usr/bin/env python3
"""Checks the DCAT-AP.de catalog codefor writes, independently of codefor's own RDF code:
the Turtle and the JSON-LD are parsed with rdflib, must be the same graph (isomorphic),
and are validated with pySHACL against the shapes in
crates/codefor/tests/data/dcat-ap-de/shapes-2.0.ttl (DCAT-AP.de 2.0).

Usage: dcat-check.py CATALOG.ttl [CATALOG.jsonld] [--shapes SHAPES.ttl]

Exits 0 when everything conforms (warnings for missing recommended properties are
printed but do not fail), 1 with the report when a file does not parse, the two graphs
differ, or a shape is violated, 2 on wrong usage.

scripts/requirements-test.txt pins rdflib and pyshacl; the test suite runs this.
"""
import pathlib
import sys

from pyshacl import validate
from rdflib import Graph, Namespace
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

SHAPES = (
    pathlib.Path(__file__).resolve().parent.parent
    / "crates/codefor/tests/data/dcat-ap-de/shapes-2.0.ttl"
)
SH = Namespace("http://www.w3.org/ns/shacl#")


def parse(path, fmt):
    g = Graph()
    try:
        g.parse(path, format=fmt)
    except Exception as e:  # noqa: BLE001 - any parser error is a finding
        print(f"{path}: does not parse as {fmt}: {e}")
        return None
    return g


def main(argv):
    args = list(argv[1:])
    shapes = SHAPES
    if "--shapes" in args:
        i = args.index("--shapes")
        if i + 1 >= len(args):
            print(__doc__)
            return 2
        shapes = pathlib.Path(args[i + 1])
        del args[i : i + 2]
    if not 1 <= len(args) <= 2:
        print(__doc__)
        return 2
    ttl = parse(args[0], "turtle")
    if ttl is None:
        return 1
    if len(args) == 2:
        jsonld = parse(args[1], "json-ld")
        if jsonld is None:
            return 1
        if not isomorphic(ttl, jsonld):
            _, only_ttl, only_jsonld = graph_diff(to_isomorphic(ttl), to_isomorphic(jsonld))
            print("Turtle and JSON-LD are not the same graph.")
            for t in sorted(only_ttl)[:20]:
                print("  only in Turtle: ", t)
            for t in sorted(only_jsonld)[:20]:
                print("  only in JSON-LD:", t)
            return 1
    shapes_graph = Graph().parse(shapes, format="turtle")
    _, results, text = validate(
        ttl,
        shacl_graph=shapes_graph,
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    violations = list(results.subjects(SH.resultSeverity, SH.Violation))
    warnings = list(results.subjects(SH.resultSeverity, SH.Warning))
    print(f"{len(ttl)} triples, {len(violations)} violations, {len(warnings)} warnings")
    if violations:
        print(text)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
