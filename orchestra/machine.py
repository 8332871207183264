"""The `transitions` machine a saga compiles to, shared by every instance of that saga.

``transitions`` binds a bound method per trigger, per ``may_`` check and per ``is_`` state
onto every model it is given: some 30 objects and 9 KB per instance, and a list scan on
every add and remove. An orchestrator with thousands of orders in flight pays that for
methods it never calls. So a lean machine (``lean=True``) only sets a model's state and
keeps its models in insertion order with O(1) add and remove; the model's class supplies
the triggers itself (see :class:`Triggers`), looked up on the machine when called.

A fire costs ``transitions`` about 6 µs, most of it in machinery a saga's moves never use
(queues, conditions, before/prepare/finalize callbacks, debug logging). :class:`LeanEvent`
does a plain move (one transition from the state, no conditions, no callbacks but the
machine's ``after_state_change``) in a fraction of that, with the same effect and the
same ``EventData`` handed to the callback; any other move takes ``transitions``' own path.
Everything else (conditions, callbacks, diagrams, errors) is ``transitions``' own.
"""
from __future__ import annotations

from functools import partial


class Models:
    """A machine's models: a list to ``transitions`` and to readers, a dict underneath."""

    __slots__ = ("_by_id",)

    def __init__(self):
        self._by_id: dict[int, object] = {}

    def append(self, model) -> None:
        self._by_id[id(model)] = model

    def remove(self, model) -> None:
        if self._by_id.pop(id(model), None) is None:
            raise ValueError(f"{model!r} is not a model of this machine")

    def __contains__(self, model) -> bool:
        return id(model) in self._by_id

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __getitem__(self, index):
        return list(self._by_id.values())[index]

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def __repr__(self) -> str:
        return repr(list(self))


class Triggers:
    """Model mixin for a lean machine: ``model.start()``, ``model.may_start()`` and
    ``model.is_pending()`` work as if ``transitions`` had bound them, looked up on the
    model's ``machine`` when called."""

    __slots__ = ()

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "machine":
            raise AttributeError(name)
        machine = self.machine
        events, states = machine.events, machine.states
        if name in events:
            return partial(events[name].trigger, self)
        if name.startswith("may_") and name[4:] in events:
            return partial(machine._can_trigger, self, name[4:])
        if name.startswith("is_") and name[3:] in states:
            return partial(machine.is_state, states[name[3:]].value, self)
        if name in ("trigger", "may_trigger"):
            return partial(machine._get_trigger if name == "trigger" else machine._can_trigger,
                           self)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}; "
                             f"its machine's triggers are {', '.join(events)}")


def _lean_event_class():
    from transitions.core import Event, EventData

    class LeanEvent(Event):
        """An Event that fires a plain move itself (see the module's docstring)."""

        def trigger(self, model, *args, **kwargs):
            machine = self.machine
            if (args or kwargs or machine.has_queue or machine.prepare_event
                    or machine.before_state_change or machine.finalize_event
                    or machine.on_exception):
                return super().trigger(model, *args, **kwargs)
            source = getattr(model, machine.model_attribute)
            moves = self.transitions.get(source)
            if not moves or len(moves) != 1:
                return super().trigger(model)  # transitions says why it cannot move
            move = moves[0]
            state = machine.states.get(source)
            there = machine.states.get(move.dest) if move.dest else None
            if (there is None or state is None or move.prepare or move.conditions or move.before
                    or move.after or state.on_exit or there.on_enter or there.final):
                return super().trigger(model)
            event_data = EventData(state, self, machine, model, args, kwargs)
            event_data.transition = move
            setattr(model, machine.model_attribute, there.value)
            event_data.state = there
            machine.callbacks(machine.after_state_change, event_data)
            event_data.result = True
            return True

    return LeanEvent


def machine_class(diagrams: bool):
    """The Machine class a saga compiles to: :class:`SagaMachine`, or a GraphMachine that
    draws (and is never lean: diagrams are for the few orders a notebook shows)."""
    global _PLAIN, _DIAGRAM
    if diagrams:
        if _DIAGRAM is None:
            from transitions.extensions import GraphMachine

            class DiagramMachine(GraphMachine):
                """GraphMachine whose remove_model also drops the model's graph (else it leaks)."""

                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    self.models = Models()

                def remove_model(self, model):
                    for one in (model if isinstance(model, list) else [model]):
                        self.model_graphs.pop(id(one), None)
                    super().remove_model(model)

            _DIAGRAM = DiagramMachine
        return _DIAGRAM
    if _PLAIN is None:
        from transitions import Machine

        class SagaMachine(Machine):
            """A transitions Machine whose models are :class:`Models` and whose plain moves
            are fired by :class:`LeanEvent`; with ``lean``, adding a model sets its state and
            binds nothing (the model brings :class:`Triggers`)."""

            event_cls = _lean_event_class()

            def __init__(self, *args, lean: bool = False, **kwargs):
                super().__init__(*args, **kwargs)
                self.lean = lean
                self.models = Models()

            def add_model(self, model, initial=None):
                if not self.lean:
                    return super().add_model(model, initial)
                state = self.get_state(self.initial if initial is None else initial)
                for one in (model if isinstance(model, list) else [model]):
                    if one not in self.models:
                        setattr(one, self.model_attribute, state.value)
                        self.models.append(one)
                return None

        _PLAIN = SagaMachine
    return _PLAIN


_PLAIN = None
_DIAGRAM = None
