"""``check("ex01")``: a learner's feedback in the notebook, from the same grader teachers run.

It grades the exercise file *as saved* in your ``exercises/`` folder, in a subprocess
with a time limit, so an infinite loop costs a time-out rather than a hung kernel. No
widgets: the result is plain text and HTML.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import GradingError
from .catalogue import exercise as find_exercise
from .results import ExerciseResult
from .runner import TIME_LIMIT, grade_exercise
from .submission import exercise_folder


def find_exercises(path: Path | str | None = None, start: Path | str | None = None) -> Path:
    """The learner's exercises folder: ``path`` if given, else found from ``start`` (cwd) up."""
    if path is not None:
        path = Path(path)
        folder = exercise_folder(path.parent if path.is_file() else path)
        if folder is None:
            raise GradingError(f"{path} holds no exercise files; pass the folder that holds "
                               "your exNN_*.py files, e.g. check('ex01', path='../exercises')")
        return folder
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for candidate in (folder, folder / "exercises"):
            if candidate.name == "exercises" and exercise_folder(candidate) == candidate:
                return candidate
    raise GradingError(f"could not find your exercises/ folder from {here} or the folders "
                       "above it; pass it, e.g. check('ex01', path='../exercises')")


def check(exercise: str, path: Path | str | None = None, *,
          timeout: float = TIME_LIMIT) -> ExerciseResult:
    """Run an exercise's checks on your saved file: ``3/4 checks passed, 6/8 points`` and hints."""
    return grade_exercise(find_exercises(path), find_exercise(exercise), timeout)
