"""A check: a pytest test function worth some points, with a hint for whoever fails it.

Mark each check in ``orchestra/checks/exNN_topic.py`` like this::

    @points(2, hint="raise Rejected(...) when ada asks for more points than she has")
    def test_redeeming_more_points_than_ada_has_is_refused(exercise):
        ...

The ``exercise`` fixture is the learner's module, loaded from the submission being graded.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Check:
    """What a check is worth and what to tell a learner whose code fails it."""

    name: str
    points: int
    hint: str
    title: str



def points(value: int, *, hint: str):
    """Mark a test function as a graded check worth ``value`` points, with a ``hint``."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"@points({value!r}): a check is worth a whole number of points, "
                         "at least 1")
    if not hint or not hint.strip():
        raise ValueError("@points(...) needs a hint: one sentence that helps a learner who "
                         "fails it")

    def mark(function):
        if not function.__name__.startswith("test_"):
            raise ValueError(f"@points marks {function.__name__}, which pytest will not run; "
                             "name a check test_<what it shows as a sentence>")
        function._orchestra_check = Check(function.__name__, value, hint.strip(),
                                          _title(function))
        return function
    return mark


def checks_of(module: ModuleType) -> list[Check]:
    """The checks a check module defines, in the order they are written."""
    tests = [f for name, f in vars(module).items()
             if name.startswith("test_") and inspect.isfunction(f)]
    unmarked = [f.__name__ for f in tests if not hasattr(f, "_orchestra_check")]
    if unmarked:
        raise ValueError(f"{module.__name__}: {', '.join(unmarked)} carry no @points(...); "
                         "every check is worth points and has a hint, so mark them")
    tests.sort(key=lambda f: f.__code__.co_firstlineno)
    return [f._orchestra_check for f in tests]


def _title(function) -> str:
    """The check as a sentence: its docstring's first line, else its name read aloud."""
    doc = (function.__doc__ or "").strip()
    if doc:
        return doc.splitlines()[0].strip().rstrip(".")
    return function.__name__.removeprefix("test_").replace("_", " ")
