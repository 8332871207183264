"""What grading found: per check, per exercise, per submission; as text, HTML and JSON.

A check passes only when pytest ran it and it passed. A check that did not run (its
exercise did not load, timed out or crashed first) is failed, and its reason says why.
"""
from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: the points it is worth, whether it passed, and why not."""

    name: str
    title: str
    max_points: int
    hint: str
    passed: bool = False
    ran: bool = False
    reason: str = ""

    @property
    def points(self) -> int:
        """The points earned: all of them when the check passed, none otherwise."""
        return self.max_points if self.passed else 0


@dataclass
class ExerciseResult:
    """One exercise graded in one submission."""

    exercise: str
    submission: str
    checks: list[CheckResult]
    problem: str = ""          # why the checks could not all run: timed out, crashed, missing ...
    seconds: float = 0.0

    @property
    def points(self) -> int:
        """Points earned."""
        return sum(c.points for c in self.checks)

    @property
    def max_points(self) -> int:
        """Points available."""
        return sum(c.max_points for c in self.checks)

    @property
    def passed(self) -> int:
        """How many checks passed."""
        return sum(c.passed for c in self.checks)

    @property
    def failed(self) -> list[CheckResult]:
        """The checks that did not pass (including those that did not run)."""
        return [c for c in self.checks if not c.passed]

    @property
    def all_passed(self) -> bool:
        """Whether every check ran and passed."""
        return bool(self.checks) and not self.failed

    def summary(self) -> str:
        """``3/4 checks passed, 6/8 points``."""
        return (f"{self.passed}/{len(self.checks)} checks passed, "
                f"{self.points}/{self.max_points} points")

    def text(self, hints: bool = True) -> str:
        """The result as plain text: the summary, then each failing check with why and a hint."""
        lines = [f"{self.exercise}: {self.summary()}"]
        if self.problem:
            lines.append(f"  problem: {self.problem}")
        for check in self.failed:
            lines.append(f"  FAILED {check.title} ({_points(check.max_points)})")
            lines.append(f"    why:  {_one_line(check.reason)}")
            if hints:
                lines.append(f"    hint: {check.hint}")
        if self.all_passed:
            lines.append("  every check passed")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        """The result for a notebook: the summary in bold, each failing check with its hint."""
        e = html.escape
        mark = "&#10004; " if self.all_passed else ""  # a tick, as well as the words, not colour
        parts = [f"<div class='orchestra-check'><p><strong>{mark}{e(self.exercise)}: "
                 f"{e(self.summary())}</strong></p>"]
        if self.problem:
            parts.append(f"<p><strong>Problem:</strong> {e(self.problem)}</p>")
        if self.failed:
            parts.append("<ul>")
            for check in self.failed:
                parts.append(
                    f"<li><strong>&#10008; failed:</strong> {e(check.title)} "
                    f"({_points(check.max_points)})<br><em>why:</em> "
                    f"<code>{e(_one_line(check.reason))}</code><br><em>hint:</em> "
                    f"{e(check.hint)}</li>")
            parts.append("</ul>")
        parts.append(f"<p><small>checked {e(self.submission)}</small></p></div>")
        return "".join(parts)

    def to_dict(self) -> dict:
        """The result as JSON data."""
        return {"exercise": self.exercise, "submission": self.submission,
                "points": self.points, "max_points": self.max_points,
                "checks_passed": self.passed, "checks": len(self.checks),
                "problem": self.problem, "seconds": round(self.seconds, 3),
                "results": [asdict(c) | {"points": c.points} for c in self.checks]}


@dataclass
class SubmissionResult:
    """Every exercise graded in one submission (one learner's copy of ``exercises/``)."""

    name: str
    path: str
    exercises: list[ExerciseResult] = field(default_factory=list)

    @property
    def points(self) -> int:
        """Points earned over every exercise."""
        return sum(e.points for e in self.exercises)

    @property
    def max_points(self) -> int:
        """Points available over every exercise."""
        return sum(e.max_points for e in self.exercises)

    @property
    def passed(self) -> int:
        """Checks passed over every exercise."""
        return sum(e.passed for e in self.exercises)

    @property
    def checks(self) -> int:
        """Checks run (or owed) over every exercise."""
        return sum(len(e.checks) for e in self.exercises)

    @property
    def problems(self) -> list[str]:
        """One line per exercise whose checks could not all run."""
        return [f"{e.exercise}: {e.problem}" for e in self.exercises if e.problem]

    def text(self, details: bool = True) -> str:
        """A table of points per exercise, then (with ``details``) each failing check."""
        width = max([len(e.exercise) for e in self.exercises] + [5])
        rows = [(e.exercise, e.points, e.max_points, e.passed, len(e.checks))
                for e in self.exercises]
        rows.append(("total", self.points, self.max_points, self.passed, self.checks))
        lines = [f"{name:<{width}}  {f'{got}/{of}':>7} points  {f'{ok}/{n}':>7} checks passed"
                 for name, got, of, ok, n in rows]
        if details:
            for e in self.exercises:
                if e.failed or e.problem:
                    lines += ["", e.text()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def to_dict(self) -> dict:
        """The result as JSON data."""
        return {"submission": self.name, "path": self.path, "points": self.points,
                "max_points": self.max_points, "checks_passed": self.passed,
                "checks": self.checks, "problems": self.problems,
                "exercises": [e.to_dict() for e in self.exercises]}

    def gradescope(self) -> dict:
        """The result as a Gradescope autograder ``results.json``."""
        tests = []
        for e in self.exercises:
            for number, c in enumerate(e.checks, 1):
                output = "" if c.passed else f"{_one_line(c.reason)}\nHint: {c.hint}"
                tests.append({"name": f"{e.exercise}: {c.title}",
                              "number": f"{e.exercise[2:4].lstrip('0')}.{number}",
                              "score": c.points, "max_score": c.max_points,
                              "status": "passed" if c.passed else "failed", "output": output})
        return {"score": self.points,
                "execution_time": round(sum(e.seconds for e in self.exercises), 3),
                "output": "\n".join([f"{self.points}/{self.max_points} points, "
                                     f"{self.passed}/{self.checks} checks passed"]
                                    + self.problems),
                "tests": tests}


def _points(n: int) -> str:
    return f"{n} point" if n == 1 else f"{n} points"


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."
