"""The benchmarks run and print their figures (their goals are read by people, not asserted)."""
import importlib.util
from pathlib import Path

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def load(name):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_view_benchmark_prints_a_figure_for_every_view_and_the_widget(capsys):
    load("views").main(["views.py", "2"])
    out = capsys.readouterr().out
    assert "renderer:" in out
    for what in ("saga view: DOT + SVG", "timeline: SVG", "topology: DOT + SVG",
                 "widget: switch + reset + run + re-render", "widget: time-travel slider move"):
        line = next(line for line in out.splitlines() if line.startswith(what))
        assert float(line[44:].split()[0]) > 0


def table_rows(out: str) -> list[list[str]]:
    """The cells of every row of the first table printed (its header and rule left out)."""
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("| #"))
    rows = []
    for line in lines[first + 2:]:
        if not line.startswith("| "):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def test_the_benchmark_prints_every_measurement_with_a_figure_or_the_reason_it_has_none(capsys):
    assert load("run").main(["--quick"]) == 0
    out = capsys.readouterr().out
    machine = out.splitlines()[0]
    for fact in ("cores", "Python", "SQLite", "DBOS Transact", "load average"):
        assert fact in machine
    rows = table_rows(out)
    for section, what, figure, goal, verdict in rows:
        explained = figure.startswith(("skipped: ", "not run: "))
        assert any(ch.isdigit() for ch in figure) or explained, f"{what}: {figure!r}"
        assert not explained or verdict == "skipped", f"{what}: skipped, but says {verdict!r}"
    measured = {what: figure for _, what, figure, _, _ in rows}
    for what in ("floor: hand-written saga, plain Python calls",
                 "orchestrator, in memory, direct call", "orchestrator, in memory, queued",
                 "orchestrator, direct call, vs the floor", "orchestrator vs DBOS, synchronous=FULL",
                 "per in-flight saga instance, beyond its history",
                 "widget: switch + reset + run + re-render (median)"):
        assert what in measured, f"no row {what!r}"
    for prefix in ("orchestrator, SqliteStore, SQLite WAL, synchronous=FULL", "DBOS Transact",
                   "after 1,500 finished: what orchestra holds", "the history with World(history_limit=",
                   "1,500 sagas, direct call",
                   "cost per saga from", "notebooks/", "the whole course"):
        assert any(what.startswith(prefix) for what in measured), f"no row {prefix}..."
    dbos = [figure for what, figure in measured.items() if what.startswith("DBOS Transact")]
    if importlib.util.find_spec("dbos") is None:  # not a dependency: the row says how to get it
        assert all('pip install -e ".[bench]"' in figure for figure in dbos)
    assert {section for section, *_ in rows} == {"1 throughput", "2 durable", "3 memory",
                                                 "4 scale", "5 views", "6 course"}
