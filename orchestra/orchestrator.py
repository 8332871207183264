"""Orchestrator: runs saga instances as models on their definition's state machine.

It sends each step's command, waits for the reply (or a time-out), retries under the
step's policy, and when a step fails for good it undoes the steps that ran, in reverse
order, one at a time. Every step is one durable write to its store before the command
leaves, so an orchestrator that dies can be :meth:`recovered <Orchestrator.recover>`
and carry on where it was: the command is sent again with the same message id, and the
service answers without acting twice.

By default the orchestrator reacts to a message the moment it arrives. With
``handling_time=`` each new order and each reply occupies it for that long, one at a
time, first come first served (see :mod:`.capacity`): latency grows with load, and it
cannot handle more than ``1 / handling_time`` messages per virtual second.
"""
from __future__ import annotations

import logging
from typing import Iterable, NamedTuple

from . import history as h
from .capacity import Capacity
from .errors import OrchestraError, Rejected
from .faults import Down
from .machine import Triggers
from .messages import Reply, _check_json, from_dict
from .saga import (COMPENSATED, COMPLETED, DISCARD, EMIT, ENDINGS, PARTIALLY_COMPENSATED, PENDING,
                   CompensationFailed, Saga)
from .store import MemoryStore, Store

log = logging.getLogger(__name__)

ACTION, UNDO = "action", "compensation"


class Pending(NamedTuple):
    """The command an instance waits on: its id, its step, and whether it does or undoes it."""

    message_id: str
    step: str
    role: str  # ACTION or UNDO


class SagaInstance(Triggers):
    """One order going through a saga: the model the state machine moves from state to state.

    Its triggers (``instance.start()``, ``instance.step_succeeded()``...) are its saga's
    machine's, found when called (see :mod:`.machine`): thousands run at once, so an
    instance holds only its own data.
    """

    __slots__ = ("orchestrator", "saga", "machine", "id", "data", "state", "done", "registered",
                 "undone", "discarded", "unanswered", "results", "failed_step", "error",
                 "attempt", "pending", "unsaved", "__dict__")  # __dict__: for a GraphMachine

    def __init__(self, orchestrator: "Orchestrator", saga: Saga, instance_id: str, data: dict):
        self.orchestrator = orchestrator
        self.saga = saga
        self.machine = orchestrator.machines[saga.name]
        self.id = instance_id
        self.data = data
        self.state = PENDING
        # Tuples, grown by replacing them: thousands of instances in flight, and a tuple of
        # strings is an object the garbage collector stops visiting (a list never is).
        self.done: tuple[str, ...] = ()        # steps that succeeded, in order
        self.registered: tuple[str, ...] = ()  # steps whose undo is owed if the saga fails
        self.undone: tuple[str, ...] = ()      # compensations that succeeded, in order
        self.discarded: tuple[str, ...] = ()   # compensations given up on (discard / emit)
        self.unanswered: tuple[str, ...] = ()  # steps with a try that got no answer: maybe done
        self.results: dict[str, dict] = {}
        self.failed_step = ""
        self.error = ""
        self.attempt = 0
        self.pending: Pending | None = None  # the command awaiting a reply
        self.unsaved: tuple = ()             # its own history rows the store has not got yet

    def state_changed(self, event) -> None:
        """Called by the machine after every transition."""
        self.orchestrator._entered(self, event.transition.source, event.event.name)

    @property
    def finished(self) -> bool:
        """Whether the instance reached one of the endings."""
        return self.state in ENDINGS

    def progress(self) -> dict[str, list[str]]:
        """Which steps are done, in progress and not started."""
        running = [self.pending.step] if self.pending and self.pending.role == ACTION else []
        names = [s.name for s in self.saga.steps]
        return {"done": list(self.done), "in_progress": running,
                "not_started": [n for n in names if n not in self.done and n not in running
                                and n not in self.registered and n != self.failed_step]}

    def snapshot(self) -> dict:
        """Everything needed to carry on after a crash, as JSON data."""
        return {"id": self.id, "saga": self.saga.name, "state": self.state, "data": self.data,
                "done": list(self.done), "registered": list(self.registered),
                "undone": list(self.undone), "discarded": list(self.discarded),
                "unanswered": list(self.unanswered), "results": dict(self.results),
                "failed_step": self.failed_step, "error": self.error, "attempt": self.attempt,
                "pending": self.pending._asdict() if self.pending else None,
                "finished": self.finished}

    def __repr__(self) -> str:
        return f"<SagaInstance {self.id} of {self.saga.name}: {self.state}>"

    def diagram(self):
        """This instance on its saga's state machine, drawn from the history."""
        from .views import saga_view
        return saga_view(self.saga, self.orchestrator.world.history.for_instance(self.id),
                         self.id)

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.diagram()._repr_mimebundle_(include, exclude)
        bundle["text/plain"] = repr(self)
        return bundle


class Orchestrator:
    """Runs instances of one or more sagas inside a world, as the endpoint ``name``."""

    def __init__(self, world, sagas: Saga | Iterable[Saga], *, name: str = "orchestrator",
                 store: Store | None = None, diagrams: bool = False, handling_time: float = 0.0):
        self.world = world
        self.name = name
        self.store = store if store is not None else MemoryStore()
        self.sagas = {s.name: s for s in ([sagas] if isinstance(sagas, Saga) else sagas)}
        for saga in self.sagas.values():
            saga.check_handlers(world.handlers)
        # Lean machines: an instance is not given 30 bound methods (see orchestra.machine).
        self.machines = {name: saga.build_machine(diagrams, lean=not diagrams)
                         for name, saga in self.sagas.items()}
        self.active: dict[str, SagaInstance] = {}
        self.alive = True
        # One worker: every new order and every reply waits its turn (0: no waiting at all).
        self.capacity = Capacity(world, name, handling_time)
        if name in world.endpoints:
            world.endpoints[name] = self  # a restart: the new process takes the old one's address
        else:
            world.add(self)

    # -- starting and watching instances --------------------------------------------------
    def start(self, saga: Saga | str, instance_id: str, **data) -> SagaInstance:
        """Start an instance of ``saga`` with the data its commands are filled from."""
        saga = self._saga(saga)
        if instance_id in self.active or self.store.snapshot(instance_id) is not None:
            raise OrchestraError(f"an instance {instance_id!r} exists already; every instance "
                                 "needs its own id (the order id, say)")
        missing = saga.required_fields() - set(data)
        if missing:
            raise OrchestraError(
                f"saga {saga.name!r} needs {', '.join(sorted(missing))} to fill its commands; "
                f"pass them to start(), e.g. start({saga.name!r}, {instance_id!r}, "
                + ", ".join(f"{m}=..." for m in sorted(missing)) + ")")
        _check_json(data, f"the data of {instance_id}")
        instance = SagaInstance(self, saga, instance_id, dict(data))
        self.active[instance_id] = instance
        self.machines[saga.name].add_model(instance, initial=PENDING)
        self.capacity.admit(instance_id, saga.name, self._take, instance)
        return instance

    def _take(self, instance: SagaInstance) -> None:
        """Take a new order on: its first step begins (unless a crash forgot it meanwhile)."""
        if self.active.get(instance.id) is instance:
            _fire(instance, "start")

    def instance(self, instance_id: str) -> SagaInstance | dict:
        """A running instance, or the stored snapshot of a finished one."""
        if instance_id in self.active:
            return self.active[instance_id]
        snapshot = self.store.snapshot(instance_id)
        if snapshot is None:
            kept = getattr(self.store, "keep_finished", None)
            forgets = (f"; the memory store keeps only the last {kept:,} finished instances "
                       "(MemoryStore(keep_finished=None) keeps all)" if kept is not None else "")
            raise OrchestraError(f"no instance {instance_id!r}; running: "
                                 f"{', '.join(list(self.active)[:10]) or 'none'}{forgets}")
        return snapshot

    def state(self, instance_id: str) -> str:
        """The state of an instance, running or finished."""
        found = self.instance(instance_id)
        return found.state if isinstance(found, SagaInstance) else found["state"]

    def progress(self, instance_id: str) -> dict[str, list[str]]:
        """Which of an instance's steps are done, in progress and not started."""
        found = self.instance(instance_id)
        if isinstance(found, SagaInstance):
            return found.progress()
        names = [s.name for s in self.sagas[found["saga"]].steps]
        return {"done": found["done"], "in_progress": [],
                "not_started": [n for n in names if n not in found["done"]
                                and n not in found["registered"] and n != found["failed_step"]]}

    def history(self, instance_id: str) -> list[h.Record]:
        """Everything that happened to an instance, from the world's history."""
        return self.world.history.for_instance(instance_id)

    def counts(self) -> dict[str, int]:
        """How many instances are in each state (running and finished)."""
        # Every state an instance enters is written to the store first, so the store is current.
        return self.store.counts()

    # -- crash and recovery -----------------------------------------------------------------
    def crash(self) -> None:
        """The orchestrator process dies: its memory is gone, messages to it are not answered."""
        self.alive = False
        self.world.faults.add(Down(self.name, at=self.world.clock.now))
        for instance in self.active.values():
            self.machines[instance.saga.name].remove_model(instance)
        self.active.clear()
        self.store.lose_everything()

    @classmethod
    def recover(cls, world, sagas, *, name: str = "orchestrator", store: Store,
                diagrams: bool = False, handling_time: float = 0.0) -> "Orchestrator":
        """Start a fresh orchestrator on ``store`` and resume every unfinished instance."""
        self = cls(world, sagas, name=name, store=store, diagrams=diagrams,
                   handling_time=handling_time)
        for fault in world.faults.active:
            if isinstance(fault, Down) and fault.service == name:
                world.faults.remove(fault)
        for snapshot, outbox in store.unfinished():
            self._resume(snapshot, outbox)
        return self

    def _resume(self, snapshot: dict, outbox: dict | None) -> None:
        saga = self.sagas.get(snapshot["saga"])
        if saga is None:
            raise OrchestraError(f"the store holds an instance of saga {snapshot['saga']!r}, "
                                 f"which this orchestrator was not given; pass it to recover()")
        instance = SagaInstance(self, saga, snapshot["id"], snapshot["data"])
        for key in ("done", "registered", "undone", "discarded", "unanswered"):
            setattr(instance, key, tuple(snapshot[key]))
        for key in ("results", "failed_step", "error", "attempt"):
            setattr(instance, key, snapshot[key])
        instance.pending = Pending(**snapshot["pending"]) if snapshot["pending"] else None
        pending = instance.pending
        if pending and pending.role == ACTION and pending.step not in instance.unanswered:
            instance.unanswered += (pending.step,)  # the crash cut its try off unanswered
        self.active[instance.id] = instance
        self.machines[saga.name].add_model(instance, initial=snapshot["state"])
        self._log(instance, "resumed", state=instance.state)
        if instance.state == PENDING:
            _fire(instance, "start")
        elif outbox is not None:
            self._send(instance, from_dict(outbox))

    # -- what happens on entering a state ---------------------------------------------------
    def _entered(self, instance: SagaInstance, source: str, trigger: str) -> None:
        self._note(instance, h.STATE, detail={"saga": instance.saga.name, "from": source,
                                              "to": instance.state, "trigger": trigger})
        saga = instance.saga
        if instance.state in saga.by_name:
            step = saga.by_name[instance.state]
            if step.prepare is not None and not self._prepared(instance, step):
                return
            if step.compensation and step.name not in instance.registered:
                instance.registered += (step.name,)  # owed before it runs: it may time out
            self._begin(instance, step.name, ACTION, step.action)
        elif instance.state.startswith("compensating_"):
            step = saga.by_name[instance.state[len("compensating_"):]]
            self._begin(instance, step.name, UNDO, step.compensation)
        else:
            self._finish(instance)

    def _prepared(self, instance: SagaInstance, step) -> bool:
        """Let the step's prepare fill in the data; False when it refused the order."""
        try:
            changes = step.prepare(dict(instance.data))
        except Rejected as refusal:  # the orchestrator itself said no: undo what ran
            instance.failed_step, instance.error = step.name, str(refusal)
            self._note(instance, h.FAILED, message_type=step.action.__name__, detail={
                "step": step.name, "error": str(refusal), "rejected": True, "by": "prepare"})
            self._compensate_next(instance)
            return False
        if not isinstance(changes, dict):
            raise TypeError(f"the prepare of step {step.name!r} returned {changes!r}; it "
                            "returns a dict of the fields to add or change ({} for none)")
        _check_json(changes, f"what step {step.name!r}'s prepare returned")
        instance.data.update(changes)
        return True

    def _begin(self, instance, step_name, role, command_type, attempt: int = 1) -> None:
        suffix = "" if role == ACTION else ":undo"
        command = instance.saga.build(command_type, instance.data,
                                      message_id=f"{instance.id}:{step_name}{suffix}",
                                      correlation_id=instance.id)
        instance.attempt = attempt
        instance.pending = Pending(command.message_id, step_name, role)
        self._save(instance, outbox=command)
        self._send(instance, command)

    def _send(self, instance, command) -> None:
        step = instance.saga.by_name[instance.pending.step]
        self.world.send(command, sender=self.name, timeout=step.timeout)

    def _finish(self, instance) -> None:
        instance.pending = None
        saga = instance.saga
        event = {COMPLETED: saga.completed_event, COMPENSATED: saga.compensated_event,
                 PARTIALLY_COMPENSATED: saga.compensated_event}.get(instance.state)
        if event is not None:
            self.world.publish(saga.build(event, instance.data), sender=self.name,
                               correlation_id=instance.id)
        self._save(instance, outbox=None)
        # Finished work leaves the machine, so memory does not grow with it.
        self.machines[saga.name].remove_model(instance)
        del self.active[instance.id]

    # -- replies ----------------------------------------------------------------------------
    def receive(self, reply: Reply, respond=None) -> None:
        """A reply (or a time-out) for one of our instances arrived: handle it in turn."""
        if self.alive:
            self.capacity.admit(reply.correlation_id, reply.type, self._handle, reply)

    def _handle(self, reply: Reply) -> None:
        if not self.alive:  # it died while the reply waited its turn
            return
        instance = self.active.get(reply.correlation_id)
        pending = instance.pending if instance is not None else None
        if pending is None or reply.causation_id != pending.message_id:
            self._log(instance, "stale_reply", reply=reply.causation_id) if instance else None
            return
        if pending.role == ACTION:
            self._action_replied(instance, reply)
        else:
            self._compensation_replied(instance, reply)

    def _action_replied(self, instance: SagaInstance, reply: Reply) -> None:
        step = instance.saga.by_name[instance.pending.step]
        if reply.timed_out and step.name not in instance.unanswered:
            instance.unanswered += (step.name,)
        if reply.ok:
            instance.done += (step.name,)
            instance.results[step.name] = reply.result
            _fire(instance, "step_succeeded")
            return
        if not reply.rejected and instance.attempt < step.retry.attempts:
            self._retry(instance, step.retry.delay(instance.attempt), reply)
            return
        instance.failed_step, instance.error = step.name, reply.error
        if step.name in instance.registered and step.name not in instance.unanswered:
            # A definite "no" to every try (refused, rejected, gave up): nothing to undo. A try
            # that timed out may still land after a later "no", so its undo stays owed.
            instance.registered = tuple(s for s in instance.registered if s != step.name)
        self._compensate_next(instance)

    def _compensation_replied(self, instance: SagaInstance, reply: Reply) -> None:
        step_name = instance.pending.step
        if reply.ok:
            instance.undone += (step_name,)
            self._compensate_next(instance)
            return
        policy = instance.saga.on_compensation_failure
        if instance.attempt < policy.retry.attempts:
            self._retry(instance, policy.retry.delay(instance.attempt), reply)
            return
        self._note(instance, h.FAILED, message_id=instance.pending.message_id, detail={
            "compensation": step_name, "error": reply.error, "attempts": instance.attempt,
            "then": policy.then})
        if policy.then == DISCARD or policy.then == EMIT:
            instance.discarded += (step_name,)
            if policy.then == EMIT:
                command = instance.saga.by_name[step_name].compensation
                self.world.publish(CompensationFailed(saga=instance.saga.name, step=step_name,
                                                      command=command.__name__,
                                                      error=reply.error),
                                   sender=self.name, correlation_id=instance.id)
            self._compensate_next(instance)
        else:
            instance.error = reply.error
            _fire(instance, "compensation_gave_up")

    def _compensate_next(self, instance: SagaInstance) -> None:
        owed = [s for s in reversed(instance.registered)
                if s not in instance.undone and s not in instance.discarded]
        if owed:
            _fire(instance, f"compensate_{owed[0]}")
        elif instance.discarded:
            _fire(instance, "compensation_partly_done")
        else:
            _fire(instance, "compensation_done")

    def _retry(self, instance: SagaInstance, delay: float, reply: Reply) -> None:
        pending = instance.pending
        self._note(instance, h.RETRIED, message_id=pending.message_id, detail={
            "step": pending.step, "role": pending.role, "attempt": instance.attempt + 1,
            "after": delay, "error": reply.error})
        instance.attempt += 1
        self.world.clock.call_later(delay, self._resend, instance, pending)

    def _resend(self, instance: SagaInstance, pending: "Pending") -> None:
        if not self.alive or instance.pending != pending:
            return
        step = instance.saga.by_name[pending.step]
        command_type = step.action if pending.role == ACTION else step.compensation
        self._begin(instance, step.name, pending.role, command_type, instance.attempt)

    # -- the store --------------------------------------------------------------------------
    def _note(self, instance: SagaInstance, kind: str, detail: dict, message_type: str = "",
              message_id: str = "") -> None:
        """Record an orchestrator decision in the history; the next write stores it too."""
        instance.unsaved += (self.world.history.add(
            kind, instance.id, self.name, "", message_type, message_id, detail),)

    def _save(self, instance: SagaInstance, outbox) -> None:
        records, instance.unsaved = instance.unsaved, ()
        self.store.save(instance, records, outbox)

    def _log(self, instance, note: str, **detail) -> None:
        log.info("%s: %s %s", instance.id if instance else "-", note, detail)

    def _saga(self, saga: Saga | str) -> Saga:
        name = saga.name if isinstance(saga, Saga) else saga
        if name not in self.sagas:
            raise OrchestraError(f"this orchestrator does not run saga {name!r}; it runs "
                                 f"{', '.join(self.sagas)}")
        return self.sagas[name]


def _fire(instance: SagaInstance, trigger: str) -> None:
    """Move ``instance`` along its machine: ``transitions`` runs the move and its callbacks."""
    instance.machine.events[trigger].trigger(instance)
