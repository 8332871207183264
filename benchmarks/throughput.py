"""In-memory throughput and scale: completed shop sagas per second, and per-saga cost by size.

Every figure is this process's CPU time (see workload.cpu_time), the best of a few runs
(the least disturbed by whatever else the machine does), each on a fresh world, after
collecting the garbage of the run before. The garbage collector stays on, as it is for
everyone who uses orchestra: turning it off is shown apart, for comparison.
"""
from __future__ import annotations

import gc

import memory
from workload import expected, orders, run_hand_written, run_orchestrator, run_over_the_world, shop


def _best(repeats: int, run) -> float:
    """The shortest of ``repeats`` runs, in seconds."""
    times = []
    for _ in range(repeats):
        gc.collect()
        times.append(run())
    return min(times)


def _checked(seconds: float, ends: dict, n: int) -> float:
    if ends != expected(n):
        raise RuntimeError(f"the orders ended {ends}, not {expected(n)}")
    return seconds


def _orchestrated(data: list[dict], transport: str) -> float:
    world, orchestrator = shop(len(data), transport)
    return _checked(run_orchestrator(world, orchestrator, data), orchestrator.counts(), len(data))


def _without_gc(run) -> float:
    gc.disable()
    try:
        return run()
    finally:
        gc.enable()


def in_memory(n: int, repeats: int) -> dict[str, float]:
    """Sagas per second: the floor, over the world, and the orchestrator on both transports."""
    data = orders(n)
    runs = {
        "floor": lambda: _checked(*run_hand_written(data), n),
        "over_the_world": lambda: _checked(*run_over_the_world(data), n),
        "direct": lambda: _orchestrated(data, "direct"),
        "queued": lambda: _orchestrated(data, "queued"),
        "direct_no_gc": lambda: _without_gc(lambda: _orchestrated(data, "direct")),
    }
    return {name: n / _best(repeats, run) for name, run in runs.items()}


def scale(sizes: tuple[int, ...], repeats: int) -> tuple[list[dict], list[dict]]:
    """CPU seconds and microseconds per saga at each size (direct, in memory; once more with
    the garbage collector off), and what the two largest runs left behind once every saga
    had finished (see memory.held)."""
    rows, kept = [], []
    for n in sizes:
        data = orders(n)
        best = None
        for _ in range(repeats if n < max(sizes) else 1):  # the largest run is long enough
            gc.collect()
            world, orchestrator = shop(n)
            seconds = run_orchestrator(world, orchestrator, data)
            _checked(seconds, orchestrator.counts(), n)
            if best is None or seconds < best[0]:
                best = (seconds, world, orchestrator)
        seconds, world, orchestrator = best
        if n in sorted(sizes)[-2:]:
            kept.append({"n": n, "held": memory.held(world, orchestrator)})
        del best, world, orchestrator
        gc.collect()
        no_gc = _without_gc(lambda: _orchestrated(data, "direct"))
        rows.append({"n": n, "seconds": seconds, "us_per_saga": seconds / n * 1e6,
                     "us_per_saga_no_gc": no_gc / n * 1e6})
    return rows, kept


def spread(rows: list[dict], key: str = "us_per_saga") -> float:
    """How far the per-saga cost varies across sizes: (largest - smallest) / smallest."""
    costs = [row[key] for row in rows]
    return (max(costs) - min(costs)) / min(costs)
