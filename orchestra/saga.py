"""Saga definition: the business process as data, checked when defined, compiled to a state machine.

A saga is an ordered list of steps. Each step sends one command and names the command
that undoes it::

    PLACE_ORDER = Saga("place_order", [
        Step("reserving_stock", ReserveStock, compensation=ReleaseStock),
        Step("charging_payment", ChargePayment, compensation=RefundPayment,
             retry=RetryPolicy(attempts=3, backoff=0.5), timeout=2.0),
        Step("scheduling_shipment", ScheduleShipment, compensation=CancelShipment),
    ])

Step names read as conditions (the instance *is* ``charging_payment``). A command's
fields are filled from the instance's data by name. The definition compiles to one
``transitions`` machine whose states are ``pending``, each step, ``completed``,
``compensating_<step>`` for each step that has a compensation, and the endings
``compensated``, ``partially_compensated`` and ``compensation_failed``.
"""
from __future__ import annotations

import dataclasses
import keyword
from dataclasses import dataclass
from typing import Callable, Iterable

from .errors import OrchestraError
from .machine import machine_class
from .messages import Command, Event, field_names
from .retry import RetryPolicy

PENDING = "pending"
COMPLETED = "completed"
COMPENSATED = "compensated"                      # every step that ran was undone
PARTIALLY_COMPENSATED = "partially_compensated"  # a compensation failed; it was discarded or reported
COMPENSATION_FAILED = "compensation_failed"      # a compensation failed; the saga stopped there
ENDINGS = (COMPLETED, COMPENSATED, PARTIALLY_COMPENSATED, COMPENSATION_FAILED)
RESERVED = (PENDING, *ENDINGS)
_IDS = ("message_id", "correlation_id", "causation_id")

# What the orchestrator does once a compensation has failed every retry.
TERMINATE = "terminate"   # stop: leave the rest undone and the saga in compensation_failed
DISCARD = "discard"       # note it in the history and go on undoing the other steps
EMIT = "emit"             # publish CompensationFailed for someone else to handle, then go on
THEN = (TERMINATE, DISCARD, EMIT)


class InvalidSaga(OrchestraError):
    """A saga definition that cannot run; the message says what to change."""


@dataclass(frozen=True, kw_only=True)
class CompensationFailed(Event):
    """A compensation failed every retry; a person (or another service) must finish the undo."""

    saga: str
    step: str
    command: str
    error: str


@dataclass(frozen=True)
class Step:
    """One step: send ``action``; undo it with ``compensation`` if a later step fails.

    ``prepare``, if given, is called with a copy of the instance's data just before the
    step's command is first built, and returns the fields to add or change (or raises
    ``Rejected`` to refuse the order). Mapping data is its job; a prepare that prices,
    branches or refuses makes business decisions inside the orchestrator, the "God
    service" smell that :mod:`orchestra.analysis.decisions` counts.
    """

    name: str
    action: type[Command]
    compensation: type[Command] | None = None
    retry: RetryPolicy = RetryPolicy(attempts=1)
    timeout: float = 5.0
    prepare: Callable[[dict], dict] | None = None

    @property
    def compensating(self) -> str:
        """The state the saga is in while this step is being undone."""
        return f"compensating_{self.name}"


@dataclass(frozen=True)
class CompensationPolicy:
    """Retry a failing compensation under ``retry``; ``then`` terminate, discard or emit."""

    retry: RetryPolicy = RetryPolicy(attempts=3, backoff=1.0)
    then: str = TERMINATE

    def __post_init__(self):
        if self.then not in THEN:
            raise InvalidSaga(f"CompensationPolicy(then={self.then!r}): use one of "
                              f"{', '.join(repr(t) for t in THEN)}")


class Saga:
    """A validated saga definition: its steps, its compensation policy, its state machine."""

    def __init__(self, name: str, steps: Iterable[Step], *,
                 on_compensation_failure: CompensationPolicy = CompensationPolicy(),
                 completed_event: type[Event] | None = None,
                 compensated_event: type[Event] | None = None):
        self.name = name
        self.steps: tuple[Step, ...] = tuple(steps)
        self.on_compensation_failure = on_compensation_failure
        self.completed_event = completed_event
        self.compensated_event = compensated_event
        self._check()
        self.by_name = {step.name: step for step in self.steps}
        self._required: set[str] | None = None

    def __repr__(self) -> str:
        return f"Saga({self.name!r}, steps={[s.name for s in self.steps]})"

    # -- validation: every mistake is reported when the saga is defined --------------------
    def _check(self) -> None:
        if not self.steps:
            raise InvalidSaga(f"saga {self.name!r} has no steps; give it at least one Step")
        seen: set[str] = set()
        for i, step in enumerate(self.steps):
            where = f"saga {self.name!r}, step {i + 1}"
            if not isinstance(step, Step):
                raise InvalidSaga(f"{where} is {step!r}; write Step(name, Command, ...)")
            if not (step.name.isidentifier() and not keyword.iskeyword(step.name)):
                raise InvalidSaga(f"{where} is named {step.name!r}; a step name is a state name, "
                                  "so use letters, digits and _ (like 'charging_payment')")
            if step.name in RESERVED or step.name.startswith("compensating_"):
                raise InvalidSaga(f"{where} is named {step.name!r}, which the saga uses itself; "
                                  "name the step after what it is doing ('charging_payment')")
            if step.name in seen:
                raise InvalidSaga(f"saga {self.name!r} has two steps named {step.name!r}; "
                                  "each step needs its own name")
            seen.add(step.name)
            for role, command in (("action", step.action), ("compensation", step.compensation)):
                if command is None and role == "compensation":
                    continue
                if not (isinstance(command, type) and issubclass(command, Command)):
                    raise InvalidSaga(f"{where} ({step.name}): its {role} is {command!r}; "
                                      "pass a Command class, like ReserveStock")
            if step.prepare is not None and not callable(step.prepare):
                raise InvalidSaga(f"{where} ({step.name}): prepare={step.prepare!r}; pass a "
                                  "function that takes the order's data and returns a dict")
            if not (isinstance(step.timeout, (int, float)) and step.timeout > 0):
                raise InvalidSaga(f"{where} ({step.name}): timeout={step.timeout!r}; a timeout "
                                  "is how many seconds to wait for a reply, so it must be > 0")
        for event in (self.completed_event, self.compensated_event):
            if event is not None and not (isinstance(event, type) and issubclass(event, Event)):
                raise InvalidSaga(f"saga {self.name!r}: {event!r} is not an Event class")

    def check_handlers(self, handled: Iterable[type]) -> None:
        """Reject the saga if a command or compensation has no handler among ``handled``."""
        handled = set(handled)
        for step in self.steps:
            for role, command in (("action", step.action), ("compensation", step.compensation)):
                if command is not None and command not in handled:
                    known = ", ".join(sorted(c.__name__ for c in handled)) or "none"
                    raise InvalidSaga(
                        f"saga {self.name!r}, step {step.name!r}: no service handles its {role} "
                        f"{command.__name__}; add a service that does, or use one of: {known}"
                    )

    # -- the data an instance needs ---------------------------------------------------------
    def commands(self) -> list[type[Command]]:
        """Every command the saga may send, actions first."""
        return ([s.action for s in self.steps] +
                [s.compensation for s in self.steps if s.compensation is not None])

    def required_fields(self) -> set[str]:
        """The data fields an instance must be started with (those with no default)."""
        if self._required is None:
            self._required = self._find_required_fields()
        return self._required

    def _find_required_fields(self) -> set[str]:
        base = {f.name for f in dataclasses.fields(Command)}
        needed = set()
        for command in self.commands() + [e for e in (self.completed_event,
                                                      self.compensated_event) if e]:
            for f in dataclasses.fields(command):
                if (f.name not in base and f.default is dataclasses.MISSING
                        and f.default_factory is dataclasses.MISSING):
                    needed.add(f.name)
        return needed

    def build(self, message_type: type, data: dict, **ids) -> Command | Event:
        """The command (or event) of ``message_type`` filled from the instance's data."""
        names = _filled(message_type)
        return message_type(**{k: data[k] for k in names if k in data}, **ids)

    # -- the state machine ------------------------------------------------------------------
    @property
    def states(self) -> list[str]:
        """Every state, in the order a diagram should show them."""
        return ([PENDING] + [s.name for s in self.steps] + [COMPLETED] +
                [s.compensating for s in reversed(self.steps) if s.compensation] +
                [COMPENSATED, PARTIALLY_COMPENSATED, COMPENSATION_FAILED])

    @property
    def transitions(self) -> list[dict]:
        """The legal moves, as ``transitions`` transition dicts (trigger, source, dest)."""
        names = [s.name for s in self.steps]
        moves = [dict(trigger="start", source=PENDING, dest=names[0])]
        for here, there in zip(names, names[1:] + [COMPLETED]):
            moves.append(dict(trigger="step_succeeded", source=here, dest=there))
        undoable = [s for s in self.steps if s.compensation]
        compensating = [s.compensating for s in undoable]
        for i, step in enumerate(self.steps):
            # Undo starts from the failing step (its own undo is registered before it ran) ...
            later_running = names[i:]
            # ... or goes on from the undo of a later step.
            later_undoing = [s.compensating for s in undoable if names.index(s.name) > i]
            if step.compensation:
                moves.append(dict(trigger=f"compensate_{step.name}",
                                  source=later_running + later_undoing, dest=step.compensating))
        moves.append(dict(trigger="compensation_done", source=names + compensating,
                          dest=COMPENSATED))
        moves.append(dict(trigger="compensation_partly_done", source=compensating,
                          dest=PARTIALLY_COMPENSATED))
        if compensating:
            moves.append(dict(trigger="compensation_gave_up", source=compensating,
                              dest=COMPENSATION_FAILED))
        return moves

    def build_machine(self, diagrams: bool = False, lean: bool = False):
        """A ``transitions`` machine for this definition; an orchestrator builds one and adds
        every instance to it as a model (so one machine serves thousands of instances).

        With ``diagrams``, a GraphMachine that keeps a graph per model (and, unlike
        transitions' own, forgets it when the model is removed). With ``lean``, models
        are not given bound trigger methods (see :mod:`orchestra.machine`).
        """
        options = {"graph_engine": "graphviz"} if diagrams else {"lean": lean}
        return machine_class(diagrams)(
            model=None, states=self.states, transitions=self.transitions, initial=PENDING,
            auto_transitions=False, send_event=True, after_state_change="state_changed",
            name=self.name, **options)


_FILLED: dict[type, tuple[str, ...]] = {}


def _filled(message_type: type) -> tuple[str, ...]:
    """The fields of a message type a saga fills from an instance's data (all but the ids)."""
    names = _FILLED.get(message_type)
    if names is None:
        names = _FILLED[message_type] = tuple(n for n in field_names(message_type)
                                              if n not in _IDS)
    return names
