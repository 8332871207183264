"""Grades one exercise of one submission in its own subprocess, with a time limit.

The subprocess (:mod:`.worker`) runs the exercise's checks with pytest in a temporary
directory and reports each outcome as a line of JSON. Whatever happens to it (an infinite
loop, ``sys.exit()``, a crash, a kill) this side still returns a result: every check that
did not report passing is failed, with the reason.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .catalogue import Exercise
from .results import CheckResult, ExerciseResult

log = logging.getLogger(__name__)

TIME_LIMIT = 30.0  # seconds per exercise; the course's checks need about one
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder that holds orchestra/


def grade_exercise(submission: Path | str, exercise: Exercise,
                   timeout: float = TIME_LIMIT) -> ExerciseResult:
    """The result of running ``exercise``'s checks on ``submission/<exercise file>``."""
    submission = Path(submission).resolve()
    if not (submission / exercise.filename).is_file():
        problem = f"{exercise.filename} is missing from {submission}"
        return _result(exercise, submission, {}, problem,
                       lambda check: f"did not run: {problem}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="orchestra-grade-") as tmp:
        report = Path(tmp) / "report.jsonl"
        stderr_path = Path(tmp) / "stderr.txt"
        with open(Path(tmp) / "stdout.txt", "wb") as stdout, open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "orchestra.grading.worker", str(submission),
                 exercise.name, str(report)],
                cwd=tmp, env=_environment(), stdin=subprocess.DEVNULL, stdout=stdout,
                stderr=stderr, **_own_process_group())
            try:
                code, timed_out = process.wait(timeout=timeout), False
            except subprocess.TimeoutExpired:
                code, timed_out = None, True
            finally:
                _kill_group(process)  # also whatever the learner's code started
                process.wait()
        events = _read(report)
        last_words = _last_line(stderr_path)
    seconds = time.monotonic() - started
    result = _interpret(exercise, submission, events, timed_out, code, timeout, last_words)
    result.seconds = seconds
    log.info("%s %s: %s", submission.name, exercise.name, result.summary())
    return result


def _interpret(exercise: Exercise, submission: Path, events: list[dict], timed_out: bool,
               code: int | None, timeout: float, last_words: str) -> ExerciseResult:
    outcomes: dict[str, dict] = {}
    running = None
    problem = ""
    done, exit_code = False, None
    for event in events:
        kind = event.get("event")
        if kind == "start":
            running = event["check"]
        elif kind == "result":
            seen = outcomes.setdefault(event["check"], {"passed": True, "reason": ""})
            if seen["passed"] and not event["passed"]:  # a parametrised check passes only whole
                seen.update(passed=False, reason=event["reason"])
            running = None
        elif kind == "load_error" and not problem:
            problem = event["reason"]
        elif kind == "collect_error":
            problem = (f"the checks for {exercise.name} could not be loaded (a problem with "
                       f"the course install, not your code): {event['reason'].strip()[-400:]}")
        elif kind == "done":
            done = True
            exit_code = event.get("exit")
    stopped = ""
    if timed_out:
        stopped = f"timed out after {timeout:g} s"
        problem = stopped + (f" while checking '{_title(exercise, running)}': is there an "
                             "infinite loop, or a wait for input?" if running else
                             " before any check finished: is there an infinite loop at the "
                             "top level of the file?")
    elif not done:
        stopped = _crash(code, last_words)
        problem = stopped + (f" while checking '{_title(exercise, running)}'" if running else "")
    elif not problem and any(c.name not in outcomes for c in exercise.checks):
        problem = (f"the checks stopped early (pytest ended with exit code {exit_code}): does "
                   "the code raise KeyboardInterrupt or call pytest.exit()?")

    def not_run(check) -> str:
        if check.name == running:
            return f"{stopped} while this check ran" if stopped else f"it never finished: {problem}"
        return f"did not run: {stopped} before it" if stopped else f"did not run: {problem}"
    return _result(exercise, submission, outcomes, problem, not_run)


def _result(exercise: Exercise, submission: Path, outcomes: dict, problem: str,
            not_run) -> ExerciseResult:
    checks = []
    for check in exercise.checks:
        outcome = outcomes.get(check.name)
        ran = outcome is not None
        checks.append(CheckResult(
            name=check.name, title=check.title, max_points=check.points, hint=check.hint,
            passed=ran and outcome["passed"], ran=ran,
            reason=(outcome["reason"] if ran else not_run(check))))
    return ExerciseResult(exercise.name, str(submission / exercise.filename), checks, problem)


def _title(exercise: Exercise, name: str) -> str:
    for check in exercise.checks:
        if check.name == name:
            return check.title
    return name


def _crash(code: int | None, last_words: str) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        what = f"the grading process was killed by {name}"
    else:
        what = f"the grading process exited with code {code} before the checks finished"
    hint = "does the code call os._exit(), kill its own process or crash Python?"
    return f"{what} ({hint})" + (f"; its last words: {last_words}" if last_words else "")


def _read(report: Path) -> list[dict]:
    if not report.exists():
        return []
    events = []
    for line in report.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line cut off by a kill: everything after it is unknown
    return events


def _last_line(path: Path) -> str:
    lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
             if line.strip()]
    return lines[-1].strip()[:300] if lines else ""


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    env.update(PYTHONDONTWRITEBYTECODE="1",      # no __pycache__ in the learner's folder
               PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",  # only our plugin: same result everywhere
               PYTHONHASHSEED="0", PYTHONIOENCODING="utf-8")
    # The subprocess grades with this very orchestra, installed or not.
    env["PYTHONPATH"] = os.pathsep.join(
        [_PACKAGE_ROOT] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def _own_process_group() -> dict:
    if os.name == "posix":
        return {"start_new_session": True}
    return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}


def _kill_group(process: subprocess.Popen) -> None:
    if os.name == "posix":
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    elif process.poll() is None:
        process.kill()
