"""Grades one submission, a learner's copy of ``exercises/``: each exercise in a subprocess."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import GradingError
from .catalogue import exercises, holds_exercises
from .results import SubmissionResult
from .runner import TIME_LIMIT, grade_exercise


def exercise_folder(path: Path | str) -> Path | None:
    """Where a submission's exercise files are: the folder itself, or its ``exercises/``."""
    path = Path(path)
    for candidate in (path, path / "exercises"):
        if candidate.is_dir() and holds_exercises(candidate):
            return candidate
    return None


def submission_folder(path: Path | str, strict: bool = True) -> Path:
    """The folder of ``path``'s exercise files, or :class:`GradingError` saying what to pass.

    With ``strict`` (grading one folder by hand) a folder that holds no exercise file is
    a mistake; without it (a batch) it is graded as it is, and scores zero.
    """
    path = Path(path)
    if not path.is_dir():
        raise GradingError(f"there is no folder {str(path)!r} to grade; pass the path of a "
                           "submission, a copy of the course's exercises/ folder")
    folder = exercise_folder(path)
    if folder is None and strict:
        known = ", ".join(e.filename for e in exercises())
        raise GradingError(
            f"{path} holds none of the exercise files ({known}); pass a copy of "
            "exercises/, or use --batch for a folder with one folder per submission")
    return folder or path


def grade_submission(path: Path | str, *, timeout: float = TIME_LIMIT, jobs: int = 1,
                     name: str | None = None, strict: bool = True) -> SubmissionResult:
    """Points per exercise for the submission in ``path`` (see :func:`submission_folder`)."""
    path = Path(path)
    folder = submission_folder(path, strict)
    todo = exercises()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        graded = list(pool.map(lambda e: grade_exercise(folder, e, timeout), todo))
    return SubmissionResult(name or path.resolve().name, str(path), graded)
