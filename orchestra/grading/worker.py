"""The grading subprocess: runs one exercise's checks with pytest and reports each as JSON.

Started by :mod:`.runner` as ``python -m orchestra.grading.worker SUBMISSION EXERCISE REPORT``
with a time limit, in a temporary working directory. It appends one JSON object per line
to REPORT as it goes, so whatever finished before a time-out or a crash is known:

- ``{"event": "start", "check": name}`` a check began;
- ``{"event": "result", "check": name, "passed": bool, "reason": text}`` it finished;
- ``{"event": "load_error", "reason": text}`` the learner's file did not load;
- ``{"event": "collect_error", "reason": text}`` the check module itself did not load;
- ``{"event": "done", "exit": code}`` pytest finished.
"""
from __future__ import annotations

import importlib.util
import json
import sys
import traceback
from pathlib import Path

import pytest

from . import loader
from .catalogue import CHECKS_PACKAGE
from .loader import ExerciseDidNotLoad


class Reporter:
    """A pytest plugin that writes each check's outcome to the report as it happens."""

    def __init__(self, out, submission: Path):
        self.out = out
        self.submission = submission
        self.outcomes: dict[str, dict] = {}
        self.load_error_reported = False

    def emit(self, **event) -> None:
        """Append one event to the report, flushed at once (a crash may follow)."""
        self.out.write(json.dumps(event) + "\n")
        self.out.flush()

    def pytest_collectreport(self, report):
        """A check module that does not import is the course's fault: say so."""
        if report.failed:
            self.emit(event="collect_error", reason=report.longreprtext[-2000:])

    def pytest_runtest_logstart(self, nodeid, location):
        """Note which check is running, so a time-out or a crash can name it."""
        self.emit(event="start", check=_check_name(nodeid))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        """Fold setup, call and teardown into one outcome per check; report it after teardown."""
        report = yield
        name = getattr(item, "originalname", item.name)
        outcome = self.outcomes.setdefault(item.nodeid, {"passed": True, "reason": ""})
        if not report.passed and outcome["passed"]:
            outcome["passed"] = False
            outcome["reason"] = self._reason(call, report)
        if call.when == "teardown":
            self.emit(event="result", check=name, **outcome)
        return report

    def _reason(self, call, report) -> str:
        """Why a check failed, in words a learner can act on."""
        if report.skipped:
            return f"it was skipped, so it did not run ({_exc_text(call)})"
        if call.excinfo is None:
            return report.longreprtext[-500:] or "it failed"
        error = call.excinfo.value
        if isinstance(error, ExerciseDidNotLoad):
            if not self.load_error_reported:
                self.load_error_reported = True
                self.emit(event="load_error", reason=str(error))
            return str(error)
        where = _where(error, self.submission)
        if isinstance(error, NotImplementedError):
            return f"not written yet{where}: {error}" if str(error) else f"not written yet{where}"
        if isinstance(error, SystemExit):
            return (f"the code called sys.exit({error.code!r}){where}; exercise code must "
                    "return or raise, never exit the process")
        if isinstance(error, AssertionError):
            # pytest appends its own explanation ("assert ... + where ..."): the check's
            # message, when it has one, says it better.
            message, explained, explanation = str(error).strip().partition("\nassert ")
            if explained and message:
                return message
            return str(error).strip() or "an assertion failed"
        return f"{type(error).__name__}: {error}{where}"


def _check_name(nodeid: str) -> str:
    return nodeid.rsplit("::", 1)[-1].split("[", 1)[0]


def _exc_text(call) -> str:
    return call.excinfo.exconly().strip() if call.excinfo else "no reason given"


def _where(error: BaseException, submission: Path) -> str:
    """`` (ex01_bounded_contexts.py, line 42)``: the learner's line the error came from."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if Path(f.filename).parent == submission]
    return f" ({Path(frames[-1].filename).name}, line {frames[-1].lineno})" if frames else ""


def main(argv: list[str] | None = None) -> int:
    """Run the checks of one exercise against one submission; report to the given file."""
    submission, exercise, report = (argv if argv is not None else sys.argv[1:])
    sys.dont_write_bytecode = True
    loader.submission = Path(submission).resolve()
    # Found, not imported: pytest must import the check module itself to rewrite its asserts.
    check_file = importlib.util.find_spec(f"{CHECKS_PACKAGE}.{exercise}").origin
    Path("pytest.ini").write_text("[pytest]\n")  # in our temporary directory: no outside config
    with open(report, "a", encoding="utf-8") as out:
        reporter = Reporter(out, loader.submission)
        code = pytest.main([check_file, "-q", "--tb=short", "-p", "no:cacheprovider",
                            "-c", "pytest.ini", "--rootdir", ".",
                            "--confcutdir", str(Path(check_file).parent)],
                           plugins=[reporter, loader])
        reporter.emit(event="done", exit=int(code))
    return 0


if __name__ == "__main__":
    sys.exit(main())
