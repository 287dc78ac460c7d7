#!/usr/bin/env python3
"""Summary of one bench/run: Markdown tables and the product goals, on stdout.

Usage: summarize.py RESULTS_DIR NAME... -- URL...
Reads import.json (hyperfine), wrk-<server>-<NAME>.txt, memory.txt, pages.tsv, machine.txt.
"""

import json
import re
import statistics
import sys
from pathlib import Path


def ms(value: str) -> float:
    """A wrk duration such as 812.00us, 1.66ms or 1.02s, in milliseconds."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not m:
        raise ValueError(f"unknown wrk duration {value!r}")
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]
    return float(m.group(1)) * factor


def parse_wrk(path: Path) -> dict:
    text = path.read_text()
    out = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))}
    for pct in ("50", "99"):
        out["p" + pct] = ms(re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M).group(1))
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        errors += sum(int(g) for g in m.groups())
    out["errors"] = errors
    out["requests"] = int(re.search(r"(\d+) requests in", text).group(1))
    return out


def median_wrk(paths: list) -> dict:
    """Per-metric medians over several wrk runs (rounds), plus the runs themselves."""
    if not paths:
        raise SystemExit("summarize.py: no wrk results found")
    runs = [parse_wrk(p) for p in paths]
    out = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p99")}
    out["errors"] = sum(r["errors"] for r in runs)
    out["runs"] = runs
    return out


def kv(path: Path) -> dict:
    pairs = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            pairs[key] = value
    return pairs


def main() -> None:
    out = Path(sys.argv[1])
    args = sys.argv[2:]
    split = args.index("--")
    names, urls = args[:split], args[split + 1:]
    goals = []

    machine = (out / "machine.txt").read_text()
    print("## codefor benchmarks\n")
    print("```\n" + machine.rstrip() + "\n```\n")
    notes = out / "notes.txt"
    if notes.exists():
        for line in notes.read_text().splitlines():
            print(f"- {line.removeprefix('note: ')}")
        print()

    # Import vs. Hugo
    results = json.loads((out / "import.json").read_text())["results"]
    by_name = {r["command"]: r for r in results}
    hugo = next(r for r in results if r["command"].startswith("hugo"))
    print("### Import (hyperfine)\n")
    print("| command | mean ± σ [ms] | min [ms] | max [ms] | CPU user + sys [ms] | runs | mean vs. Hugo |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['command']} | {r['mean'] * 1000:.0f} ± {r['stddev'] * 1000:.0f} | "
            f"{r['min'] * 1000:.0f} | {r['max'] * 1000:.0f} | "
            f"{r['user'] * 1000:.0f} + {r['system'] * 1000:.0f} | {len(r['times'])} | "
            f"{r['mean'] / hugo['mean']:.2f}× |"
        )
    fresh = by_name.get("codefor import (fresh database)")
    if fresh:
        ratio = fresh["mean"] / hugo["mean"]
        met = ratio <= 0.1
        goals.append(
            f"Import at most 1/10 of Hugo's time: {'met' if met else 'NOT met'} "
            f"(fresh import {fresh['mean'] * 1000:.0f} ms = {ratio:.2f}× Hugo's "
            f"{hugo['mean'] * 1000:.0f} ms, fastest runs {fresh['min'] * 1000:.0f} vs. {hugo['min'] * 1000:.0f} ms; "
            f"the goal needs ≤ {hugo['mean'] * 100:.0f} ms)"
        )
    print()

    # Serving
    pages = {}
    if (out / "pages.tsv").exists():
        for line in (out / "pages.tsv").read_text().splitlines():
            url, size, ctype, first, second = line.split("\t")
            pages[url] = (int(size), ctype, float(first) * 1000, float(second) * 1000)
    print("### Serving (wrk; settings above; medians over the rounds)\n")
    print(
        "| URL | bytes | codefor req/s | nginx req/s | codefor / nginx | "
        "codefor p50 / p99 [ms] | nginx p50 / p99 [ms] | errors (codefor / nginx) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    lab = None
    p99s = []
    rounds = []
    for name, url in zip(names, urls):
        c = median_wrk(sorted(out.glob(f"wrk-codefor-{name}-r*.txt")))
        n = median_wrk(sorted(out.glob(f"wrk-nginx-{name}-r*.txt")))
        rounds.append((url, c, n))
        p99s.append((url, c["p99"]))
        if lab is None:
            lab = (url, c, n)
        size = pages.get(url, ("?", ""))[0]
        print(
            f"| `{url}` | {size} | {c['rps']:,.0f} | {n['rps']:,.0f} | {c['rps'] / n['rps']:.2f} | "
            f"{c['p50']:.2f} / {c['p99']:.2f} | {n['p50']:.2f} / {n['p99']:.2f} | "
            f"{c['errors']} / {n['errors']} |"
        )
        if c["errors"] or n["errors"]:
            goals.append(f"WARNING: errors or non-2xx answers on {url} (see wrk-*-{name}-r*.txt)")
    print()
    if len(rounds[0][1]["runs"]) > 1:
        print("Each round, codefor / nginx (req/s; p99 ms):\n")
        print("| URL | " + " | ".join(f"round {k + 1}" for k in range(len(rounds[0][1]["runs"]))) + " |")
        print("| --- |" + " ---: |" * len(rounds[0][1]["runs"]))
        for url, c, n in rounds:
            cells = [
                f"{a['rps']:,.0f} / {b['rps']:,.0f}; {a['p99']:.1f} / {b['p99']:.1f}"
                for a, b in zip(c["runs"], n["runs"])
            ]
            print(f"| `{url}` | " + " | ".join(cells) + " |")
        print()

    mem = kv(out / "memory.txt")
    cold_rows = [
        (name, url, parse_wrk(out / f"wrk-cold-codefor-{name}.txt"))
        for name, url in zip(names, urls)
        if (out / f"wrk-cold-codefor-{name}.txt").exists()
    ]
    if cold_rows:
        print("### codefor cold start (fresh server per URL, page not rendered yet; wrk -d WRK_COLD)\n")
        print(
            "| URL | first request alone [ms] | second request [ms] | req/s | p50 / p99 [ms] | "
            "peak RSS [MiB] |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, url, c in cold_rows:
            first = pages.get(url, (0, "", float("nan"), float("nan")))
            hwm_cold = int(mem.get(f"codefor_cold_hwm_kb_{name}", 0)) / 1024
            print(
                f"| `{url}` | {first[2]:.1f} | {first[3]:.1f} | {c['rps']:,.0f} | "
                f"{c['p50']:.2f} / {c['p99']:.2f} | {hwm_cold:.1f} |"
            )
        print()

    idle = int(mem.get("codefor_rss_idle_kb", 0)) / 1024
    after = int(mem.get("codefor_rss_after_kb", 0)) / 1024
    crawl = int(mem.get("codefor_rss_crawl_kb", 0)) / 1024
    hwm = int(mem.get("codefor_hwm_kb", 0)) / 1024
    nginx_rss = int(mem.get("nginx_rss_after_kb", 0)) / 1024
    print("### Memory (resident, /proc/PID/status)\n")
    statuses = {k.removeprefix("crawl_status_"): int(v) for k, v in mem.items() if k.startswith("crawl_status_")}
    crawled = sum(statuses.values())
    print("| process | after start | after the wrk runs | after requesting every page once | peak (VmHWM) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| codefor serve | {idle:.1f} MiB | {after:.1f} MiB | {crawl:.1f} MiB | {hwm:.1f} MiB |")
    print(f"| nginx (master + workers, 3 files) | | | {nginx_rss:.1f} MiB | |")
    print()
    if crawled:
        print(
            f"Every page: the {crawled} URLs of Hugo's build (folders with an index.html, aliases included) "
            "requested once from codefor, by status: "
            + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
            + " (list in crawl.txt).\n"
        )

    if lab:
        url, c, n = lab
        ratio = c["rps"] / n["rps"]
        goals.append(
            f"Lab page `{url}` at least half of nginx's requests/s: {'met' if ratio >= 0.5 else 'NOT met'} "
            f"({c['rps']:,.0f} vs. {n['rps']:,.0f} req/s = {ratio:.2f})"
        )
        others = "; ".join(f"`{u}` {p:.2f} ms" for u, p in p99s[1:])
        goals.append(
            f"p99 < 10 ms at 64 connections on the lab page `{url}`: {'met' if c['p99'] < 10 else 'NOT met'} "
            f"(p99 {c['p99']:.2f} ms; nginx {n['p99']:.2f} ms. Other URLs, codefor: {others})"
        )
    goals.append(
        f"Under 100 MB resident: {'met' if 0 < hwm < 100 else 'NOT met'} (peak {hwm:.1f} MiB after the wrk runs "
        f"and {crawled} pages; cold-start peaks above)"
    )
    print("### Goals\n")
    for g in goals:
        print(f"- {g}")


if __name__ == "__main__":
    main()
