"""The graded exercises: one check module in ``orchestra/checks`` per exercise file.

The check module and the exercise share a file name, so
``orchestra/checks/ex01_bounded_contexts.py`` grades ``ex01_bounded_contexts.py`` in whichever
folder is being graded: ``exercises/``, ``solutions/`` or a learner's copy.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UnknownExercise
from .points import Check, checks_of

CHECKS_PACKAGE = "orchestra.checks"
_EXERCISE_NAME = re.compile(r"ex\d\d_\w+")


@dataclass(frozen=True)
class Exercise:
    """One exercise: its name, the file a submission holds, and the checks that grade it."""

    name: str
    checks: tuple[Check, ...]

    @property
    def filename(self) -> str:
        """The exercise's file in a submission: ``ex01_bounded_contexts.py``."""
        return f"{self.name}.py"

    @property
    def module(self) -> str:
        """The import name of its check module."""
        return f"{CHECKS_PACKAGE}.{self.name}"

    @property
    def check_file(self) -> Path:
        """The path of its check module, which the grader hands to pytest."""
        return Path(importlib.import_module(self.module).__file__)

    @property
    def max_points(self) -> int:
        """The points all its checks are worth together."""
        return sum(check.points for check in self.checks)


def exercises() -> list[Exercise]:
    """Every graded exercise, in order (ex01, ex02, ...)."""
    package = importlib.import_module(CHECKS_PACKAGE)
    names = sorted(info.name for info in pkgutil.iter_modules(package.__path__)
                   if _EXERCISE_NAME.fullmatch(info.name))
    return [Exercise(name, tuple(checks_of(importlib.import_module(f"{CHECKS_PACKAGE}.{name}"))))
            for name in names]


def exercise(name: str) -> Exercise:
    """The exercise called ``name``: ``"ex01"``, ``"ex01_bounded_contexts"`` or its file name."""
    wanted = str(name).removesuffix(".py")
    known = exercises()
    for candidate in known:
        if wanted in (candidate.name, candidate.name[:4]):
            return candidate
    raise UnknownExercise(f"there is no exercise {name!r}; the course has "
                          f"{', '.join(e.name[:4] for e in known)} "
                          f"({', '.join(e.name for e in known)})")


def holds_exercises(folder: Path) -> bool:
    """Whether ``folder`` holds at least one exercise file (so it is a submission)."""
    return any((folder / e.filename).is_file() for e in exercises())
