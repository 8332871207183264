"""orchestra's benchmarks side by side: how fast, how big, and against whom.

Run: .venv/bin/python benchmarks/run.py [--quick]

It prints one Markdown table (the README's benchmark section is a copy of it): the
machine, then each figure beside its goal. The goals are read by people, not asserted.
Every order is the shop's three-step saga, one in ten undone at shipping (workload.py).

1. throughput in memory: the orchestrator, direct call and queued, against a hand-written
   saga making the same service calls (the floor);
2. durable throughput: the SQLite store against DBOS Transact on SQLite, same settings;
3. memory per in-flight instance, and what 100,000 finished sagas leave behind;
4. scale: 1k, 10k and 100k sagas, and whether the cost per saga stays the same;
5. view latency, and a widget re-render after a click;
6. the course: every notebook run top to bottom.

``--quick`` runs everything small (a few seconds; the test suite does that), so its
figures say only that each measurement works.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the modules beside this one

import course  # noqa: E402
import durable  # noqa: E402
import memory  # noqa: E402
import throughput  # noqa: E402
import views  # noqa: E402

# The goals (from the issue): goals, not tests.
FLOOR_RATIO = 10          # at most 10x the hand-written floor's time per saga
PER_SECOND = 10_000       # at least 10,000 in-memory sagas per second on one core
DBOS_RATIO = 1.0          # durable mode at least as fast as DBOS on the same machine
BYTES_IN_FLIGHT = 2_048   # at most 2 KB per in-flight instance beyond its history
RERENDER_MS = views.GOAL_MS
COURSE_SECONDS = 60
LINEAR = 0.30             # "linear" when the cost per saga varies less than this

SIZES = {
    "full": dict(throughput=10_000, repeats=3, durable=300, in_flight=10_000,
                 scale=(1_000, 10_000, 100_000), view_repeats=30, notebooks=None,
                 history_limit=100_000),
    "quick": dict(throughput=300, repeats=1, durable=10, in_flight=300,
                  scale=(100, 300, 1_500), view_repeats=2, notebooks=1, history_limit=2_000),
}


class Row(NamedTuple):
    """One line of the table."""

    section: str
    what: str
    figure: str
    goal: str = ""
    verdict: str = ""


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def progress(what: str) -> None:
    print(f"... {what}", file=sys.stderr, flush=True)


# -- the machine ------------------------------------------------------------------------------
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.0f} GiB RAM"
    except OSError:
        pass
    return "RAM unknown"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (how busy the machine was), where known."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def peak_memory() -> str:
    """The largest resident memory this process had, where known."""
    try:
        import resource  # not on Windows
    except ImportError:
        return "unknown"
    return f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"  # KiB on Linux


def machine() -> str:
    """One line saying what this ran on."""
    dbos = durable.dbos_version()
    return (f"{cpu_model()}, {os.cpu_count()} cores, {memory_total()}; {platform.platform()}; "
            f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; "
            f"transitions {importlib.metadata.version('transitions')}; "
            f"DBOS Transact {dbos or 'not installed'}; load average at start {load_average()}")


# -- the six measurements ---------------------------------------------------------------------
def in_memory_rows(n: int, repeats: int) -> list[Row]:
    progress(f"1. throughput in memory: {n:,} orders, best of {repeats}")
    rate = throughput.in_memory(n, repeats)
    floor = rate["floor"]
    section = "1 throughput"
    rows = [
        Row(section, "floor: hand-written saga, plain Python calls", f"{floor:,.0f} sagas/s"),
        Row(section, "hand-written saga over the world (transport, history, clock)",
            f"{rate['over_the_world']:,.0f} sagas/s = {floor / rate['over_the_world']:.0f}x "
            "the floor's time", verdict="for comparison"),
    ]
    for transport, label in (("direct", "direct call"), ("queued", "queued")):
        per_second = rate[transport]
        rows += [
            Row(section, f"orchestrator, in memory, {label}", f"{per_second:,.0f} sagas/s",
                f">= {PER_SECOND:,} sagas/s", verdict(per_second >= PER_SECOND)),
            Row(section, f"orchestrator, {label}, vs the floor",
                f"{floor / per_second:.0f}x the floor's time", f"<= {FLOOR_RATIO}x",
                verdict(floor / per_second <= FLOOR_RATIO)),
        ]
    rows.append(Row(section, "orchestrator, direct call, garbage collector off",
                    f"{rate['direct_no_gc']:,.0f} sagas/s", verdict="for comparison"))
    return rows


def durable_rows(n: int, repeats: int) -> list[Row]:
    rows = []
    section = "2 durable"
    for synchronous in ("FULL", "NORMAL"):
        progress(f"2. durable, synchronous={synchronous}: {n:,} orders each, one at a time, "
                 f"best of {repeats}")
        ours, theirs = durable.best_of(repeats, n, synchronous)
        settings = f"SQLite {ours['journal_mode'].upper()}, synchronous={ours['synchronous']}"
        rows.append(Row(section, f"orchestrator, SqliteStore, {settings}",
                        f"{ours['per_second']:,.0f} sagas/s, "
                        f"{ours['commits_per_saga']:.1f} commits per saga"))
        if "skipped" in theirs:
            rows.append(Row(section, f"DBOS Transact, {settings}", f"skipped: {theirs['skipped']}",
                            verdict="skipped"))
            rows.append(Row(section, f"orchestrator vs DBOS, synchronous={synchronous}",
                            "skipped: no DBOS figure to compare with", f">= {DBOS_RATIO:g}x",
                            "skipped"))
            continue
        same = (theirs["journal_mode"].upper(), theirs["synchronous"]) == (
            ours["journal_mode"].upper(), ours["synchronous"])
        their_settings = f"SQLite {theirs['journal_mode'].upper()}, " \
                         f"synchronous={theirs['synchronous']}"
        rows.append(Row(section, f"DBOS Transact {durable.dbos_version()}, {their_settings}",
                        f"{theirs['per_second']:,.0f} workflows/s, "
                        f"{theirs['commits_per_saga']:.1f} commits per workflow"))
        ratio = ours["per_second"] / theirs["per_second"]
        rows.append(Row(section, f"orchestrator vs DBOS, synchronous={synchronous}",
                        f"{ratio:.2f}x DBOS's throughput" if same else
                        f"skipped: DBOS ran with {their_settings}, not the same", f">= {DBOS_RATIO:g}x",
                        verdict(ratio >= DBOS_RATIO) if same else "skipped"))
    return rows


def memory_rows(n: int) -> tuple[list[Row], str]:
    progress(f"3. memory: {n:,} orders in flight, twice (with and without their history)")
    found = memory.in_flight(n)
    beyond = found["beyond_history"]
    where = "; ".join(f"{name} {size:,.0f} B" for name, size in found["where"])
    section = "3 memory"
    return [
        Row(section, "per in-flight saga instance, beyond its history", f"{beyond:,.0f} B",
            f"<= {BYTES_IN_FLIGHT:,} B", verdict(beyond <= BYTES_IN_FLIGHT)),
        Row(section, "per in-flight saga instance: its history (records + the store's copy)",
            f"{found['history']:,.0f} B"),
    ], f"Beyond its history, an in-flight instance's bytes were allocated in: {where}."


def after_finished_rows(kept: list[dict], limited: list[dict],
                        limit: int) -> tuple[list[Row], list[str]]:
    """Rows on what finished sagas leave behind, and a table of every holder."""
    small, large = kept
    rows = memory.growth(small["held"], small["n"], large["held"], large["n"])
    n = large["n"]
    section = "3 memory"
    must_be_zero = [r for r in rows if r["kind"] == "must be 0"]
    history = [r for r in rows if r["kind"] == memory.HISTORY]
    business = [r for r in rows if r["kind"] == memory.BUSINESS]
    ours = [r for r in rows if r["kind"] not in (memory.HISTORY, memory.BUSINESS)]
    growing = [f"{r['short']} ({r['per_saga']:,.0f} B/saga)" for r in ours if r["grows"]]

    def total(these):
        return sum(r["bytes"] for r in these)

    def size(these):
        return f"{total(these) / 2**20:,.1f} MiB = {total(these) / n:,.0f} B per finished saga"

    first, last = limited
    bounded = last["bytes"] <= 2 * first["bytes"] + 65536
    out = [
        Row(section, f"after {n:,} finished: machine models, running instances, "
                     "scheduled calls, outbox",
            ", ".join(f"{r['items']:,}" for r in must_be_zero), "all 0",
            verdict(all(r["items"] == 0 for r in must_be_zero))),
        Row(section, f"after {n:,} finished: what orchestra holds (store, idempotency, "
                     "transport), beyond the history", size(ours),
            "no growth with finished work",
            "GROWS: " + ", ".join(growing) if growing else "flat"),
        Row(section, f"after {n:,} finished: the shop's own records (ledger, shipments)",
            size(business), verdict="the business's data: grows"),
        Row(section, f"after {n:,} finished: the history (keeps everything by default)",
            size(history), verdict="grows, by design"),
        Row(section, f"the history with World(history_limit={limit:,}), after "
                     f"{first['n']:,} and {last['n']:,} finished",
            f"{first['bytes'] / 2**20:,.1f} MiB, {last['bytes'] / 2**20:,.1f} MiB "
            f"({last['records']:,} records kept)", "no growth with finished work",
            "flat" if bounded else "GROWS"),
    ]
    table = [f"| held after finishing | items | B per saga after {small['n']:,} "
             f"| B per saga after {n:,} | grows with finished work? |",
             "|---|--:|--:|--:|---|"]
    for r in rows:
        table.append(f"| {r['what']} | {r['items']:,} | {r['small_per_saga']:,.0f} | "
                     f"{r['per_saga']:,.0f} | {'yes' if r['grows'] else 'no'} ({r['kind']}) |")
    return out, table


def scale_rows(sizes: tuple[int, ...], repeats: int) -> tuple[list[Row], list[dict]]:
    progress(f"4. scale: {', '.join(f'{n:,}' for n in sizes)} orders, direct, in memory "
             "(and what the two largest runs leave behind)")
    found, kept = throughput.scale(sizes, repeats)
    section = "4 scale"
    rows = [Row(section, f"{r['n']:,} sagas, direct call, in memory",
                f"{r['seconds']:,.2f} s CPU = {r['us_per_saga']:,.0f} µs per saga") for r in found]
    spread = throughput.spread(found)
    rows.append(Row(section, f"cost per saga from {sizes[0]:,} to {sizes[-1]:,} sagas",
                    f"varies {spread:.0%}", f"< {LINEAR:.0%}: linear",
                    "linear" if spread < LINEAR else "NOT linear"))
    no_gc = throughput.spread(found, "us_per_saga_no_gc")
    rows.append(Row(section, "the same with the garbage collector off",
                    " / ".join(f"{r['us_per_saga_no_gc']:,.0f}" for r in found)
                    + f" µs per saga: varies {no_gc:.0%}", verdict="for comparison"))
    return rows, kept


def view_rows(repeats: int) -> list[Row]:
    progress(f"5. views: {repeats} repeats each")
    rows = []
    for what, times in views.measure(repeats):
        median = statistics.median(times)
        widget = what.startswith("widget")
        rows.append(Row("5 views", f"{what} (median)", f"{median:,.1f} ms",
                        f"< {RERENDER_MS:.0f} ms" if widget else "",
                        verdict(median < RERENDER_MS) if widget else ""))
    return rows


def course_rows(limit: int | None) -> list[Row]:
    section = "6 course"
    paths = course.notebooks()
    why = course.missing_tools()
    if why:
        return [Row(section, "the whole course", f"not run: {why}", f"< {COURSE_SECONDS} s",
                    "skipped")]
    if not paths:
        return [Row(section, "the whole course", "not run: notebooks/ holds no notebook",
                    f"< {COURSE_SECONDS} s", "skipped")]
    run = paths if limit is None else paths[:limit]
    progress(f"6. the course: {len(run)} of {len(paths)} notebooks")
    rows, total, failed = [], 0.0, []
    for path in run:
        seconds, error = course.execute(path)
        total += seconds
        if error:
            failed.append(path.name)
        rows.append(Row(section, f"notebooks/{path.name}",
                        f"{seconds:,.1f} s" + (f" (failed: {error})" if error else "")))
    if len(run) < len(paths):
        rows.append(Row(section, "the whole course",
                        f"not run: --quick ran {len(run)} of {len(paths)} notebooks "
                        f"({total:,.1f} s)", f"< {COURSE_SECONDS} s", "skipped"))
    else:
        rows.append(Row(section, f"the whole course ({len(paths)} notebooks, one kernel each)",
                        f"{total:,.1f} s" + (f"; failed: {', '.join(failed)}" if failed else ""),
                        f"< {COURSE_SECONDS} s", verdict(total < COURSE_SECONDS and not failed)))
    return rows


# -- the table --------------------------------------------------------------------------------
def table(rows: list[Row]) -> list[str]:
    """The rows as a Markdown table, padded so it reads in a terminal too."""
    cells = [("#", "measurement", "figure", "goal", "")] + [
        (r.section, r.what, r.figure, r.goal, r.verdict) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    lines = []
    for i, cell in enumerate(cells):
        lines.append("| " + " | ".join(text.ljust(width) for text, width in zip(cell, widths))
                     + " |")
        if i == 0:
            lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="everything small, in a few seconds: checks that it all runs")
    args = parser.parse_args(argv)
    size = SIZES["quick" if args.quick else "full"]
    started = time.perf_counter()
    header = machine()
    rows = in_memory_rows(size["throughput"], size["repeats"])
    rows += durable_rows(size["durable"], min(size["repeats"], 2))
    memory_found, where = memory_rows(size["in_flight"])
    scaled, kept = scale_rows(size["scale"], size["repeats"])
    limit = size["history_limit"]
    progress(f"3. memory: the history kept to {limit:,} records, after "
             f"{' and '.join(f'{n:,}' for n in size['scale'][-2:])} sagas")
    limited = memory.history_under_a_limit(size["scale"][-2:], limit)
    finished, holders = after_finished_rows(kept, limited, limit)
    rows += memory_found + finished + scaled
    rows += view_rows(size["view_repeats"])
    rows += course_rows(size["notebooks"])
    print(f"**Machine:** {header}; SQLite files in {tempfile.gettempdir()}"
          + (" (--quick: small sizes, figures not comparable)" if args.quick else ""))
    print()
    print("\n".join(table(rows)))
    print()
    print(where)
    print()
    print("\n".join(holders))
    print()
    print(f"Peak resident memory of this run: {peak_memory()}; it took "
          f"{time.perf_counter() - started:,.0f} s; load average at the end {load_average()}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
