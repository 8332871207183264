"""`orchestra grade`: one submission, or a folder of them and a gradebook; errors say what to do."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestra.cli import main
from orchestra.grading import exercise, exercises

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
# Derived from the catalogue, so adding an exercise does not break these tests.
NAMES = [e.name for e in exercises()]
TOTAL = sum(e.max_points for e in exercises())
COURSE_POINTS = f"{TOTAL}/{TOTAL}"
SAGA = exercise("ex05")  # grace's ex05 loops forever


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """Three submissions: ada solved everything, bob changed nothing, grace's ex05 loops forever."""
    folder = tmp_path_factory.mktemp("classroom")
    shutil.copytree(SOLUTIONS, folder / "ada")
    shutil.copytree(EXERCISES, folder / "bob")
    shutil.copytree(SOLUTIONS, folder / "grace")
    (folder / "grace" / "ex05_saga.py").write_text("while True:\n    pass\n")
    return folder


@pytest.fixture(scope="module")
def batch_run(classroom, tmp_path_factory):
    """`orchestra grade --batch` on the classroom: its exit code, output and gradebook folder."""
    out = tmp_path_factory.mktemp("grades")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["grade", "--batch", str(classroom), "--out", str(out), "--timeout", "5"])
    return code, stdout.getvalue(), stderr.getvalue(), out


def test_grading_the_solutions_prints_full_marks_per_exercise(capsys):
    assert main(["grade", str(SOLUTIONS)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Grading {SOLUTIONS} ({len(NAMES)} exercises, time limit 30 s each)"
    assert [line.split()[0] for line in out[1:]] == [*NAMES, "total"]
    assert out[-1].split()[1:3] == [COURSE_POINTS, "points"]


def test_grading_the_untouched_exercises_prints_zero_and_why_each_check_failed(capsys):
    assert main(["grade", str(EXERCISES)]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"^total +0/{TOTAL} points", out, re.M), out
    assert "FAILED ada starts with the points she was given (1 point)" in out
    assert "why:  not written yet (ex01_bounded_contexts.py, line" in out


def test_results_can_be_written_as_a_gradescope_results_json(tmp_path, capsys):
    results = tmp_path / "results" / "results.json"
    assert main(["grade", str(SOLUTIONS), "--summary", "--results", str(results)]) == 0
    data = json.loads(results.read_text())
    assert data["score"] == TOTAL
    assert {t["status"] for t in data["tests"]} == {"passed"}
    assert sum(t["max_score"] for t in data["tests"]) == TOTAL
    assert "FAILED" not in capsys.readouterr().out


def test_the_batch_exits_0_though_submissions_failed_and_shows_progress(batch_run):
    code, _, progress, _ = batch_run
    assert code == 0
    lines = [line for line in progress.splitlines() if line.startswith("[")]
    assert sorted(line.split()[1] for line in lines) == ["ada", "bob", "grace"]
    assert [line.split("]")[0] for line in lines] == ["[1/3", "[2/3", "[3/3"]
    grace = next(line for line in lines if " grace " in line)
    assert f"{TOTAL - SAGA.max_points}/{TOTAL} points" in grace
    assert "ex05_saga: timed out after 5 s" in grace


def test_the_batch_writes_a_csv_gradebook_with_points_per_exercise(batch_run):
    _, out, _, folder = batch_run
    assert f"Gradebook: {folder / 'gradebook.csv'}" in out
    with open(folder / "gradebook.csv", newline="") as f:
        rows = {row["submission"]: row for row in csv.DictReader(f)}
    assert list(rows) == ["ada", "bob", "grace"]
    assert (rows["ada"]["points"], rows["ada"]["max_points"]) == (str(TOTAL), str(TOTAL))
    assert rows["bob"]["points"] == "0"
    assert (rows["grace"]["ex05_saga"], rows["grace"]["ex01_bounded_contexts"]) == ("0", "8")
    assert rows["grace"]["problems"].startswith("ex05_saga: timed out after 5 s")


def test_the_batch_writes_a_json_gradebook_and_a_results_json_per_submission(batch_run):
    _, _, _, folder = batch_run
    book = json.loads((folder / "gradebook.json").read_text())
    assert [s["submission"] for s in book["submissions"]] == ["ada", "bob", "grace"]
    assert [e["name"] for e in book["exercises"]] == NAMES
    grace = json.loads((folder / "grace" / "results.json").read_text())
    assert grace["score"] == TOTAL - SAGA.max_points
    failed = [t for t in grace["tests"] if t["status"] == "failed"]
    assert len(failed) == len(SAGA.checks) and all(t["score"] == 0 and "Hint:" in t["output"] for t in failed)


def test_the_batch_leaves_the_submissions_as_they_were(batch_run, classroom):
    assert sorted(p.name for p in classroom.iterdir()) == ["ada", "bob", "grace"]
    assert not list(classroom.rglob("__pycache__"))
    assert (classroom / "grace" / "ex05_saga.py").read_text() == "while True:\n    pass\n"


@pytest.mark.parametrize("args, message", [
    (["grade", "no-such-folder"], "there is no folder 'no-such-folder' to grade; pass the path"),
    (["grade", "--batch", "no-such-folder"],
     "there is no folder 'no-such-folder'; pass the folder"),
    (["grade", "--batch", str(SOLUTIONS)], "holds exercise files itself, so it is one submission"),
    (["grade", str(ROOT / "tests")], "holds none of the exercise files"),
], ids=["missing folder", "missing batch folder", "batch of one", "not a submission"])
def test_a_usage_error_exits_2_with_a_message_that_says_what_to_do(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("orchestra grade: error: ") and message in err


def test_the_gradebook_may_not_go_inside_the_folder_of_submissions(classroom, capsys):
    assert main(["grade", "--batch", str(classroom), "--out", str(classroom / "grades")]) == 2
    assert "would be taken for a submission" in capsys.readouterr().err
    assert not (classroom / "grades").exists()


def test_the_orchestra_command_runs_as_a_module_too():
    done = subprocess.run([sys.executable, "-m", "orchestra", "grade", str(SOLUTIONS), "--summary"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].split()[1] == COURSE_POINTS
