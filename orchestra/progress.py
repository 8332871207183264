"""Long runs: place thousands of orders as they arrive, and say how far along the run is.

:func:`run_orders` places orders one after another in virtual time (at random moments,
``rate`` per second on average, from their own seeded generator; or evenly spaced) and
runs the world in batches, calling ``progress(done, total)`` after each one. The library
never prints: pass a :class:`ProgressBar` in a notebook, or any function of your own.
"""
from __future__ import annotations

import random
from typing import Callable

Progress = Callable[[int, int], None]


def arrival_times(count: int, rate: float, *, start: float = 0.0, seed: int = 0,
                  even: bool = False) -> list[float]:
    """When ``count`` orders arrive, ``rate`` per virtual second on average.

    Customers arrive independently (a Poisson process: random gaps, seeded, so the same
    seed gives the same moments); with ``even`` they arrive exactly ``1 / rate`` apart.
    """
    if not rate > 0:
        raise ValueError(f"rate={rate!r}: orders per virtual second, so a number > 0")
    gaps = random.Random(seed)
    times, now = [], start
    for _ in range(count):
        times.append(round(now, 6))
        now += 1 / rate if even else gaps.expovariate(rate)
    return times


def run_orders(world, place: Callable[[str], object], count: int, *, rate: float,
               seed: int = 0, even: bool = False, batch: int = 250, prefix: str = "o-",
               progress: Progress | None = None) -> list[str]:
    """Place ``count`` orders (``place(order_id)`` each) as they arrive, run until all end.

    Runs the world a batch of arrivals at a time and calls ``progress(placed, count)``
    after each batch, then ``progress(count, count)`` once everything has finished.
    Returns the order ids, in the order they arrived.
    """
    if batch < 1:
        raise ValueError(f"batch={batch!r}: how many arrivals to run between progress "
                         "reports, so 1 or more")
    ids = [f"{prefix}{i}" for i in range(count)]
    times = arrival_times(count, rate, start=world.clock.now, seed=seed, even=even)
    for first in range(0, count, batch):
        last = min(first + batch, count)
        for order_id, when in zip(ids[first:last], times[first:last]):
            world.clock.call_at(when, place, order_id)
        world.run(until=times[last - 1])
        if progress is not None and last < count:
            progress(last, count)
    world.run()
    if progress is not None:
        progress(count, count)
    return ids


class ProgressBar:
    """A progress bar for a notebook: pass it as ``progress=``; it shows ``done/total``."""

    def __init__(self, what: str = "orders", total: int = 1):
        import ipywidgets as w  # only notebooks need it
        self.bar = w.IntProgress(value=0, min=0, max=max(1, total), description=what,
                                 style={"description_width": "initial"})
        self.label = w.Label(value=f"0/{total:,}")
        self.widget = w.HBox([self.bar, self.label])

    def __call__(self, done: int, total: int) -> None:
        self.bar.max = max(1, total)
        self.bar.value = done
        self.label.value = f"{done:,}/{total:,}" + (" ✓" if done >= total else "")

    def _ipython_display_(self) -> None:
        from IPython.display import display
        display(self.widget)
