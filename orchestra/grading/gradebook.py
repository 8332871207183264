"""Writes a batch's gradebook: one CSV row and one JSON entry per submission, and a
Gradescope-style ``results.json`` per submission in a folder of its own."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from .catalogue import exercises
from .results import SubmissionResult


def write_gradebook(results: list[SubmissionResult], out: Path | str,
                    time_limit: float | None = None) -> dict[str, Path]:
    """Write gradebook.csv, gradebook.json and <submission>/results.json into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = [e.name for e in exercises()]
    csv_path = out / "gradebook.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", *names, "points", "max_points", "checks_passed",
                         "checks", "problems"])
        for r in results:
            by_name = {e.exercise: e.points for e in r.exercises}
            writer.writerow([r.name, *(by_name.get(n, 0) for n in names), r.points,
                             r.max_points, r.passed, r.checks, "; ".join(r.problems)])
    json_path = out / "gradebook.json"
    json_path.write_text(json.dumps({
        "time_limit_seconds": time_limit,
        "exercises": [{"name": e.name, "max_points": e.max_points,
                       "checks": [{"name": c.name, "points": c.points, "hint": c.hint}
                                  for c in e.checks]} for e in exercises()],
        "submissions": [r.to_dict() for r in results],
    }, indent=2) + "\n", encoding="utf-8")
    for r in results:
        folder = out / r.name
        folder.mkdir(exist_ok=True)
        (folder / "results.json").write_text(json.dumps(r.gradescope(), indent=2) + "\n",
                                             encoding="utf-8")
    return {"csv": csv_path, "json": json_path, "results": out}
