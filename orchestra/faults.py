"""Fault injection as data: take a service down, fail its next commands, slow it down.

A fault is a frozen dataclass naming a service and, optionally, when it starts (``at``)
and ends (``until``) in virtual time. A fault plan is a list of them; it round-trips
through JSON like everything else. :class:`Faults` is the live switchboard a world
consults before each delivery and each attempt.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Callable, Iterable

from . import history as h
from .errors import InvalidFault, UnknownService


@dataclass(frozen=True)
class Fault:
    """Base of every fault: which service, from when, until when (None: until removed)."""

    service: str
    at: float = field(default=0.0, kw_only=True)
    until: float | None = field(default=None, kw_only=True)

    def __post_init__(self):
        self.check()  # a fault that cannot make sense is refused when written, not when it bites

    def check(self) -> None:
        """Raise :class:`InvalidFault` when the fault cannot make sense."""
        if self.at < 0:
            raise InvalidFault(f"{self}: 'at' is a virtual time, so it must be >= 0")
        if self.until is not None and self.until <= self.at:
            raise InvalidFault(f"{self}: 'until' ({self.until}) must come after 'at' ({self.at})")


@dataclass(frozen=True)
class Down(Fault):
    """The service is down: direct calls are refused, queued messages wait in its inbox."""


@dataclass(frozen=True)
class FailNext(Fault):
    """The service's next ``n`` attempts fail (only for ``command``, when given)."""

    n: int = 1
    command: str | None = None

    def check(self) -> None:
        super().check()
        if not isinstance(self.n, int) or isinstance(self.n, bool) or self.n < 1:
            raise InvalidFault(f"{self}: n counts attempts to fail, so it must be 1 or more")


@dataclass(frozen=True)
class FailRandomly(Fault):
    """Each attempt at the service fails with probability ``p`` (seeded: the same every run)."""

    p: float = 0.5
    command: str | None = None

    def check(self) -> None:
        super().check()
        if not 0 <= self.p <= 1:
            raise InvalidFault(f"{self}: p is a probability, between 0 and 1")


@dataclass(frozen=True)
class Latency(Fault):
    """Every message to the service takes ``seconds`` longer to arrive."""

    seconds: float = 1.0

    def check(self) -> None:
        super().check()
        if self.seconds < 0:
            raise InvalidFault(f"{self}: seconds of added latency must be >= 0")


FAULT_TYPES = {cls.__name__: cls for cls in (Down, FailNext, FailRandomly, Latency)}


def plan_to_json(faults: Iterable[Fault]) -> str:
    """A fault plan as JSON text."""
    return json.dumps([{"type": type(f).__name__, **dataclasses.asdict(f)} for f in faults],
                      sort_keys=True)


def plan_from_json(text: str) -> list[Fault]:
    """The fault plan :func:`plan_to_json` wrote."""
    plan = []
    for row in json.loads(text):
        row = dict(row)
        kind = row.pop("type", None)
        if kind not in FAULT_TYPES:
            raise InvalidFault(f"unknown fault type {kind!r}; use one of {', '.join(FAULT_TYPES)}")
        try:
            plan.append(FAULT_TYPES[kind](**row))
        except TypeError as error:
            raise InvalidFault(f"a {kind} in this plan does not fit ({error}); write it as "
                               "plan_to_json does") from None
    return plan


class _Active:
    __slots__ = ("fault", "remaining")

    def __init__(self, fault: Fault):
        self.fault = fault
        self.remaining = getattr(fault, "n", None)


class Faults:
    """The faults in force in one world, switched on and off in virtual time."""

    def __init__(self, clock, history, names: Callable[[], Iterable[str]]):
        self._clock = clock
        self._history = history
        self._names = names
        self._active: list[_Active] = []
        self.plan: list[Fault] = []
        # Called with a service's name when it comes back up (the queued transport drains it).
        self.on_up: list[Callable[[str], None]] = []

    def add(self, fault: Fault) -> Fault:
        """Schedule a fault: on at ``fault.at`` (now, if that has passed), off at ``fault.until``."""
        if not isinstance(fault, Fault):
            raise InvalidFault(
                f"{fault!r} is not a fault; use Down, FailNext, FailRandomly or Latency"
            )
        fault.check()
        names = sorted(self._names())
        if fault.service not in names:
            raise UnknownService(
                f"{type(fault).__name__} names the service {fault.service!r}, which this world "
                f"does not have; services: {', '.join(names)}"
            )
        self.plan.append(fault)
        if fault.at <= self._clock.now:
            self._switch_on(fault)  # now means now: a fault added mid-run bites at once
        else:
            self._clock.call_at(fault.at, self._switch_on, fault)
        if fault.until is not None:
            self._clock.call_at(fault.until, self.remove, fault)
        return fault

    def remove(self, fault: Fault) -> None:
        """Switch a fault off now (harmless when it is already off)."""
        for entry in self._active:
            if entry.fault is fault or entry.fault == fault:
                self._active.remove(entry)
                self._history.append(h.FAULT_OFF, receiver=fault.service,
                                     detail={"fault": _describe(fault)})
                if isinstance(fault, Down) and not self.is_down(fault.service):
                    for callback in self.on_up:
                        callback(fault.service)
                return

    def clear(self) -> None:
        """Switch every fault off now."""
        for entry in list(self._active):
            self.remove(entry.fault)

    @property
    def active(self) -> list[Fault]:
        """The faults in force right now."""
        return [entry.fault for entry in self._active]

    def is_down(self, service: str) -> bool:
        """Whether the service is down right now."""
        return bool(self._active) and any(isinstance(e.fault, Down) and e.fault.service == service for e in self._active)

    def latency(self, service: str) -> float:
        """Extra seconds every message to the service takes right now."""
        if not self._active:
            return 0.0
        return sum(e.fault.seconds for e in self._active
                   if isinstance(e.fault, Latency) and e.fault.service == service)

    def failure(self, service: str, command: str) -> str | None:
        """Why this attempt must fail, or None; consumes one of a FailNext's ``n``."""
        if not self._active:
            return None
        for entry in self._active:
            fault = entry.fault
            if fault.service != service or getattr(fault, "command", None) not in (None, command):
                continue
            if isinstance(fault, FailNext):
                entry.remaining -= 1
                if entry.remaining <= 0:
                    self.remove(fault)
                return f"injected failure: {_describe(fault)}"
            if isinstance(fault, FailRandomly) and self._clock.chance(fault.p):
                return f"injected failure: {_describe(fault)}"
        return None

    def _switch_on(self, fault: Fault) -> None:
        if fault.until is not None and self._clock.now >= fault.until:
            return
        self._active.append(_Active(fault))
        self._history.append(h.FAULT_ON, receiver=fault.service,
                             detail={"fault": _describe(fault)})


def _describe(fault: Fault) -> str:
    shown = {f.name: getattr(fault, f.name) for f in dataclasses.fields(fault)
             if f.name not in ("service", "at", "until") and getattr(fault, f.name) is not None}
    args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
    return f"{type(fault).__name__}({fault.service!r}{', ' + args if args else ''})"
