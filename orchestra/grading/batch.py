"""Grades a folder of submissions, one folder each; one bad submission never stops the rest."""
from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Callable

from ..errors import GradingError
from .catalogue import exercises, holds_exercises
from .results import CheckResult, ExerciseResult, SubmissionResult
from .runner import TIME_LIMIT
from .submission import grade_submission

log = logging.getLogger(__name__)

Progress = Callable[[int, int, SubmissionResult], None]


def submissions_in(folder: Path | str) -> list[Path]:
    """The submission folders in ``folder``, by name (hidden and ``_``-folders left out)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GradingError(f"there is no folder {str(folder)!r}; pass the folder that holds "
                           "one folder per submission")
    if holds_exercises(folder):
        raise GradingError(f"{folder} holds exercise files itself, so it is one submission; "
                           f"grade it with `orchestra grade {folder}`, or pass the folder "
                           "that holds one folder per submission to --batch")
    found = sorted(p for p in folder.iterdir()
                   if p.is_dir() and not p.name.startswith((".", "_")))
    if not found:
        raise GradingError(f"{folder} holds no submission folders; put each learner's copy "
                           "of exercises/ in a folder of its own inside it")
    return found


def default_jobs() -> int:
    """How many submissions to grade at once: one per CPU, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def grade_batch(folder: Path | str, *, timeout: float = TIME_LIMIT, jobs: int | None = None,
                progress: Progress | None = None) -> list[SubmissionResult]:
    """Every submission in ``folder`` graded, by name; ``progress`` hears of each as it ends."""
    found = submissions_in(folder)
    results: list[SubmissionResult] = []
    with ThreadPoolExecutor(max_workers=jobs or default_jobs()) as pool:
        futures = {pool.submit(grade_submission, path, timeout=timeout, strict=False): path
                   for path in found}
        for future in as_completed(futures):
            path = futures[future]
            try:
                result = future.result()
            except Exception as error:  # a grader bug or a vanished folder: this one only
                log.exception("grading %s failed", path)
                result = _ungraded(path, f"the grader failed on this submission: "
                                         f"{type(error).__name__}: {error}")
            results.append(result)
            if progress is not None:
                progress(len(results), len(found), result)
    return sorted(results, key=lambda r: r.name)


def _ungraded(path: Path, problem: str) -> SubmissionResult:
    return SubmissionResult(path.name, str(path), [
        ExerciseResult(e.name, str(path / e.filename),
                       [CheckResult(c.name, c.title, c.points, c.hint, reason=problem)
                        for c in e.checks], problem)
        for e in exercises()])
