"""Virtual time: a deterministic discrete-event scheduler.

Nothing sleeps. Work is scheduled at a virtual moment and :meth:`Clock.run` jumps straight
from one moment to the next, so a 30-second outage costs no wall time. Ties run in the
order they were scheduled and all randomness comes from one seeded generator, so the same
seed always gives the same run.
"""
from __future__ import annotations

import heapq
import itertools
import random
from typing import Any, Callable

from .errors import SimulationRunaway

# Virtual times are rounded to the microsecond so 0.1 + 0.2 prints as 0.3 in the history.
_DIGITS = 6


class Timer:
    """A scheduled call; :meth:`cancel` stops it from running."""

    __slots__ = ("when", "seq", "callback", "args", "cancelled")

    def __init__(self, when: float, seq: int, callback: Callable, args: tuple):
        self.when = when
        self.seq = seq
        self.callback = callback
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        """Do not run this call (cancelling twice, or after it ran, is harmless)."""
        self.cancelled = True


class Clock:
    """Virtual time in seconds, a queue of scheduled calls, and the run's seeded randomness.

    The queue holds plain tuples ``(when, seq, callback, args)``: ``seq`` is unique, so
    the tuples compare in C and never reach the callback. A call that may be cancelled goes
    in as ``(when, seq, timer, None)``.
    """

    def __init__(self, seed: int = 0):
        self.now: float = 0.0
        self.seed = seed
        self.random = random.Random(seed)
        self._queue: list[tuple] = []
        self._seq = itertools.count()

    def call_later(self, delay: float, callback: Callable, *args: Any) -> Timer:
        """Run ``callback(*args)`` ``delay`` virtual seconds from now; returns its :class:`Timer`."""
        if delay < 0:
            raise ValueError(f"cannot schedule {delay}s in the past; use a delay >= 0")
        return self.call_at(self.now + delay, callback, *args)

    def call_at(self, when: float, callback: Callable, *args: Any) -> Timer:
        """Run ``callback(*args)`` at virtual time ``when`` (not earlier than now)."""
        when = round(max(when, self.now), _DIGITS)
        timer = Timer(when, next(self._seq), callback, args)
        heapq.heappush(self._queue, (when, timer.seq, timer, None))
        return timer

    def schedule(self, delay: float, callback: Callable, args: tuple = ()) -> None:
        """Run ``callback(*args)`` ``delay`` (>= 0) seconds from now, for good: no :class:`Timer`
        to cancel it (the transports' way: cheaper, for the calls that are never cancelled)."""
        if delay < 0:
            raise ValueError(f"cannot schedule {delay}s in the past; use a delay >= 0")
        heapq.heappush(self._queue, (round(self.now + delay, _DIGITS), next(self._seq),
                                     callback, args))

    @property
    def pending(self) -> int:
        """How many calls are still scheduled (cancelled ones included until they come up)."""
        return len(self._queue)

    def next_time(self) -> float | None:
        """When the next scheduled call runs, or None when nothing is scheduled."""
        queue = self._queue
        while queue and _is_cancelled(queue[0]):
            heapq.heappop(queue)
        return queue[0][0] if queue else None

    def step(self) -> bool:
        """Run the next scheduled call; False when there is nothing left to run."""
        queue = self._queue
        while queue:
            entry = heapq.heappop(queue)
            if _is_cancelled(entry):
                continue
            self.now = entry[0]
            _run(entry)
            return True
        return False

    def run(self, until: float | None = None, max_steps: int = 10_000_000) -> int:
        """Run scheduled calls in time order until none are left or time would pass ``until``.

        Returns the number of calls run. With ``until``, the clock ends exactly at ``until``.
        """
        steps = 0
        queue, pop = self._queue, heapq.heappop
        limit = float("inf") if until is None else until
        while queue:
            entry = queue[0]
            if _is_cancelled(entry):
                pop(queue)
                continue
            if entry[0] > limit:
                break
            if steps >= max_steps:
                raise SimulationRunaway(
                    f"ran {max_steps} scheduled calls and time is at {self.now}s; something "
                    "keeps rescheduling itself (a retry with no limit?). Bound it, or pass "
                    "a larger max_steps if the run really is that long"
                )
            pop(queue)
            self.now = entry[0]
            _run(entry)
            steps += 1
        if until is not None and until > self.now:
            self.now = round(until, _DIGITS)
        return steps

    def uniform(self, low: float, high: float) -> float:
        """A seeded random number in [low, high]."""
        return self.random.uniform(low, high)

    def chance(self, p: float) -> bool:
        """True with probability ``p``, from the seeded generator."""
        return p > 0 and self.random.random() < p


def _is_cancelled(entry: tuple) -> bool:
    return entry[3] is None and entry[2].cancelled


def _run(entry: tuple) -> None:
    if entry[3] is None:
        timer = entry[2]
        timer.callback(*timer.args)
    else:
        entry[2](*entry[3])
