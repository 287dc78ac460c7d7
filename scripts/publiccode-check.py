#!/usr/bin/env python3
"""Checks publiccode.yml files (standard 0.5) independently of codefor's own reader:
YAML with PyYAML (safe_load, duplicate keys refused), the structure with `jsonschema`
against scripts/publiccode-0.5.schema.json (Draft 2020-12), and `legal.license` as an
SPDX expression with `license-expression` (`LicenseRef-…` accepted).

Usage: publiccode-check.py FILE...

Prints one line per problem, `FILE: KEY: PROBLEM` (KEY dotted, e.g.
`description.de.shortDescription` or `maintenance.contacts[0].name`; `(Datei)` for the
file as a whole), and exits 1 if any file fails, 0 if all pass, 2 on wrong usage.

PyYAML reads YAML 1.1: an unquoted `2025-04-15` is a date and `no` a boolean, so such
values must be quoted to count as text. codefor's writer quotes them.

The test suite runs this on what codefor writes; scripts/requirements-test.txt pins
the packages.
"""
import json
import pathlib
import re
import sys

import jsonschema
import yaml
from license_expression import ExpressionError, get_spdx_licensing

SCHEMA = pathlib.Path(__file__).with_name("publiccode-0.5.schema.json")
MAX_BYTES = 256 * 1024
LICENSE_REF = re.compile(r"^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$")
WHOLE_FILE = "(Datei)"


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a list or mapping cannot be a key", key_node.start_mark
                )
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def dotted(path):
    key = ""
    for part in path:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
    return key


def schema_problems(document, validator):
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors:
        for leaf in leaves(error):
            key = dotted(leaf.absolute_path)
            if leaf.validator == "required" and isinstance(leaf.instance, dict):
                for name in leaf.validator_value:
                    if name not in leaf.instance:
                        yield (f"{key}.{name}" if key else name), "fehlt"
                continue
            if leaf.validator == "not" and "description" in leaf.schema:
                yield key or WHOLE_FILE, "verlangt: " + leaf.schema["description"]
                continue
            yield key or WHOLE_FILE, leaf.message


def leaves(error):
    """The most specific errors below an anyOf/allOf, or the error itself."""
    if error.context:
        for sub in error.context:
            yield from leaves(sub)
    else:
        yield error


def license_problem(expression):
    licensing = get_spdx_licensing()
    try:
        info = licensing.validate(expression, strict=True)
    except (ExpressionError, AttributeError, TypeError) as e:
        # validate() raises on some malformed expressions instead of reporting them.
        return f"kein gültiger SPDX-Ausdruck: {e}"
    unknown = [s for s in info.invalid_symbols if not LICENSE_REF.match(str(s))]
    other = [e for e in info.errors if not e.startswith("Unknown license key")]
    if unknown or other:
        return "kein gültiger SPDX-Ausdruck: " + "; ".join(other + [f"unbekannt: {s}" for s in unknown])
    return None


def check(path, validator):
    problems = []
    data = pathlib.Path(path).read_bytes()
    if len(data) > MAX_BYTES:
        return [(WHOLE_FILE, f"größer als {MAX_BYTES} Bytes")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return [(WHOLE_FILE, f"nicht UTF-8: {e}")]
    try:
        document = yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as e:
        return [(WHOLE_FILE, "kein gültiges YAML: " + " ".join(str(e).split()))]
    if not isinstance(document, dict):
        return [(WHOLE_FILE, "kein Abschnitt mit Schlüsseln")]
    problems.extend(schema_problems(document, validator))
    legal = document.get("legal")
    expression = legal.get("license") if isinstance(legal, dict) else None
    if isinstance(expression, str) and expression.strip():
        problem = license_problem(expression)
        if problem:
            problems.append(("legal.license", problem))
    return problems


def main():
    files = sys.argv[1:]
    if not files:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    failed = False
    for path in files:
        try:
            problems = check(path, validator)
        except OSError as e:
            problems = [(WHOLE_FILE, f"nicht lesbar: {e}")]
        for key, problem in problems:
            print(f"{path}: {key}: {problem}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
