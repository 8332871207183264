"""How long the views take, and a widget re-render after a click, for the shop saga.

Run: .venv/bin/python benchmarks/views.py [repeats]
Goal (not a test): a widget re-render under 100 ms.
"""
from __future__ import annotations

import platform
import statistics
import sys
import time

from orchestra.playground import Playground
from orchestra.render import dot_program
from orchestra.widgets import PlaygroundPanel

GOAL_MS = 100.0


def timed(action, repeats: int) -> list[float]:
    """Milliseconds each of ``repeats`` calls of ``action`` took."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(repeats: int = 30) -> list[tuple[str, list[float]]]:
    """(what, milliseconds per repeat) for each view and for a re-render after a click."""
    playground = Playground()
    playground.set_fail_command("shipping", True)
    playground.run()
    panel = PlaygroundPanel()
    flips = iter(range(10**9))

    def click_and_rerender():
        # What a learner's click costs: flip a switch (resets nothing), re-run, redraw both views.
        panel.controls["payment"]["fail_command"].value = next(flips) % 2 == 0
        panel.reset_button.click()
        panel.run_button.click()

    return [
        ("saga view: DOT from the history", timed(lambda: playground.saga_view().source, repeats)),
        ("saga view: DOT + SVG", timed(lambda: playground.saga_view().svg(), repeats)),
        ("timeline: SVG", timed(lambda: playground.timeline_view().svg(), repeats)),
        ("topology: DOT + SVG", timed(lambda: playground.topology_view().svg(), repeats)),
        ("widget: switch + reset + run + re-render", timed(click_and_rerender, repeats)),
        ("widget: time-travel slider move", timed(
            lambda: setattr(panel.slider, "value", next(flips) % max(1, panel.slider.max)),
            repeats)),
    ]


def main(argv: list[str]) -> None:
    repeats = int(argv[1]) if len(argv) > 1 else 30
    print(f"machine: {platform.machine()}, {platform.system()}, Python "
          f"{platform.python_version()}; renderer: {dot_program() or 'none (DOT text)'}")
    print(f"{'what':44} {'median ms':>10} {'p90 ms':>8}   goal")
    for what, times in measure(repeats):
        p90 = sorted(times)[max(0, int(len(times) * 0.9) - 1)]
        goal = f"< {GOAL_MS:.0f} ms " + ("met" if statistics.median(times) < GOAL_MS else "MISSED") \
            if what.startswith("widget") else ""
        print(f"{what:44} {statistics.median(times):10.2f} {p90:8.2f}   {goal}")


if __name__ == "__main__":
    main(sys.argv)
