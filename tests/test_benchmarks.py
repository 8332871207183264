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
