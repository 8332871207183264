"""The grader in isolation: a batch of prepared broken submissions is graded with the expected
messages and in bounded time, the learners' files are never touched, and check() tells a
learner in a notebook exactly what passed, with hints for what did not.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from orchestra.errors import GradingError, UnknownExercise
from orchestra.grading import check, exercise, grade_batch, points
from orchestra.grading.points import checks_of

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
LIMIT = 5  # seconds per exercise: short, so a submission that hangs costs the suite little

REDEEM = "        have = self.balance(command.customer)\n"
RUN_ORDER = "    saga = order_saga()\n    orchestrator"
IMPORTS = "from dataclasses import dataclass\n"

# name: (file to break, text to find, what to put instead); every other file is the solution.
BROKEN = {
    "loops_in_run_order": ("ex05_saga.py", RUN_ORDER,
                           "    while True:\n        pass\n" + RUN_ORDER),
    "loops_when_imported": ("ex01_bounded_contexts.py", IMPORTS,
                            IMPORTS + "while True:\n    pass\n"),
    "syntax_error": ("ex02_commands_events.py", "    def wrap_gift(self, command):",
                     "    def wrap_gift(self, command)"),
    "wrong_answer": ("ex01_bounded_contexts.py", "        if command.points > have:",
                     "        if command.points > have + 1000:"),
    "exits_when_imported": ("ex01_bounded_contexts.py", IMPORTS,
                            IMPORTS + "import sys\nsys.exit(3)\n"),
    "exits_in_a_handler": ("ex01_bounded_contexts.py", REDEEM,
                           "        raise SystemExit(4)\n" + REDEEM),
    "kills_its_process": ("ex05_saga.py", "from orchestra import RetryPolicy, World\n",
                          "import os\nos._exit(7)\n"),
    "segfaults": ("ex05_saga.py", "from orchestra import RetryPolicy, World\n",
                  "import ctypes\nctypes.string_at(0)\n"),
    "import_error": ("ex02_commands_events.py", IMPORTS, IMPORTS + "import gift_wrap_paper\n"),
    "missing_a_file": ("ex02_commands_events.py", None, None),
}


def make_submission(folder: Path, name: str) -> Path:
    """A copy of the solutions, with one file broken as BROKEN[name] says."""
    submission = folder / name
    shutil.copytree(SOLUTIONS, submission, ignore=shutil.ignore_patterns("README.md"))
    filename, old, new = BROKEN[name]
    if old is None:
        (submission / filename).unlink()
        return submission
    source = (submission / filename).read_text()
    assert old in source, f"the solution of {filename} changed: update BROKEN[{name!r}]"
    (submission / filename).write_text(source.replace(old, new, 1))
    return submission


def line_after_imports(filename: str, lines_added: int) -> int:
    """The line number of the last of ``lines_added`` lines put after the dataclass import."""
    source = (SOLUTIONS / filename).read_text().splitlines()
    return source.index(IMPORTS.strip()) + 1 + lines_added


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: its bytes and modification time."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"",
                                         p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """A classroom: ada solved everything, bob changed nothing, the rest broke one thing each."""
    folder = tmp_path_factory.mktemp("classroom")
    shutil.copytree(SOLUTIONS, folder / "ada")
    shutil.copytree(EXERCISES, folder / "bob")
    for name in BROKEN:
        make_submission(folder, name)
    before = snapshot(folder)
    heard = []
    results = grade_batch(folder, timeout=LIMIT, jobs=2, progress=lambda done, total, result:
                          heard.append((done, total, result.name)))
    return {"results": {r.name: r for r in results}, "order": [r.name for r in results],
            "heard": heard, "before": before, "after": snapshot(folder)}


def graded(batch, name, exercise_name):
    """One exercise's result in one submission of the batch."""
    return next(e for e in batch["results"][name].exercises if e.exercise == exercise_name)


def full_marks_apart_from(batch, name, broken_exercise):
    """Whether every exercise but the broken one scored full marks."""
    return all(e.points == e.max_points for e in batch["results"][name].exercises
               if e.exercise != broken_exercise)


# -- the batch: one bad submission never stops the rest ----------------------------------------
def test_the_batch_grades_every_submission_and_reports_progress_for_each(batch):
    expected = sorted(["ada", "bob", *BROKEN])
    assert batch["order"] == expected
    assert [done for done, _, _ in batch["heard"]] == list(range(1, len(expected) + 1))
    assert {total for _, total, _ in batch["heard"]} == {len(expected)}
    assert sorted(name for _, _, name in batch["heard"]) == expected


def test_the_solved_submission_scores_full_marks_and_the_untouched_one_scores_zero(batch):
    ada, bob = batch["results"]["ada"], batch["results"]["bob"]
    assert ada.points == ada.max_points > 0 and ada.problems == []
    assert bob.points == 0 and bob.passed == 0


def test_an_infinite_loop_in_a_check_is_stopped_and_costs_only_the_checks_it_stopped(batch):
    saga = graded(batch, "loops_in_run_order", "ex05_saga")
    assert saga.problem.startswith(f"timed out after {LIMIT} s while checking "
                                   "'run_order runs the order and returns where it ended'")
    assert saga.seconds < 4 * LIMIT  # the isolation guarantee: a hang is cut off at the limit
    reasons = {c.name: c.reason for c in saga.checks}
    assert reasons["test_run_order_runs_the_order_and_returns_where_it_ended"] == (
        f"timed out after {LIMIT} s while this check ran")
    assert reasons["test_left_behind_finds_nothing_of_a_compensated_order"] == (
        f"did not run: timed out after {LIMIT} s before it")
    stopped_at = [c.name for c in saga.checks].index(
        "test_run_order_runs_the_order_and_returns_where_it_ended")
    assert all(c.passed for c in saga.checks[:stopped_at]), "finished checks keep their points"
    assert full_marks_apart_from(batch, "loops_in_run_order", "ex05_saga")


def test_an_infinite_loop_at_the_top_of_a_file_times_out_that_exercise_only(batch):
    loyalty = graded(batch, "loops_when_imported", "ex01_bounded_contexts")
    assert loyalty.problem.startswith(f"timed out after {LIMIT} s")
    assert loyalty.points == 0 and not any(c.ran for c in loyalty.checks)
    assert loyalty.seconds < 4 * LIMIT
    assert full_marks_apart_from(batch, "loops_when_imported", "ex01_bounded_contexts")


def test_a_syntax_error_fails_every_check_of_its_exercise_naming_the_line(batch):
    gifts = graded(batch, "syntax_error", "ex02_commands_events")
    line = next(i for i, text in enumerate(
        (SOLUTIONS / "ex02_commands_events.py").read_text().splitlines(), 1)
        if "def wrap_gift" in text)
    expected = (f"ex02_commands_events.py has a syntax error on line {line}: expected ':'; "
                "fix that line and check again")
    assert gifts.problem == expected
    assert {c.reason for c in gifts.checks} == {expected}
    assert gifts.points == 0
    assert full_marks_apart_from(batch, "syntax_error", "ex02_commands_events")


def test_a_wrong_answer_fails_just_its_check_with_the_check_s_own_message(batch):
    loyalty = graded(batch, "wrong_answer", "ex01_bounded_contexts")
    assert [c.name for c in loyalty.failed] == [
        "test_redeeming_more_points_than_ada_has_is_refused_and_says_how_many_she_has"]
    assert loyalty.failed[0].reason == (
        "ada redeemed 50 points with only 20: the service should refuse")
    assert loyalty.problem == ""
    assert loyalty.summary() == "5/6 checks passed, 6/8 points"


def test_sys_exit_when_imported_fails_the_exercise_and_says_so(batch):
    loyalty = graded(batch, "exits_when_imported", "ex01_bounded_contexts")
    line = line_after_imports("ex01_bounded_contexts.py", 2)
    assert loyalty.problem == (f"ex01_bounded_contexts.py called sys.exit(3) while it was being "
                               f"imported (line {line}); an exercise module must not exit: "
                               "remove that call")
    assert loyalty.points == 0
    assert full_marks_apart_from(batch, "exits_when_imported", "ex01_bounded_contexts")


def test_sys_exit_inside_a_handler_fails_the_checks_that_reach_it(batch):
    loyalty = graded(batch, "exits_in_a_handler", "ex01_bounded_contexts")
    assert {c.name for c in loyalty.failed} == {
        "test_redeeming_takes_the_points_off",
        "test_redeeming_more_points_than_ada_has_is_refused_and_says_how_many_she_has"}
    assert all(c.reason.startswith("the code called sys.exit(4) (ex01_bounded_contexts.py, line")
               for c in loyalty.failed)
    assert loyalty.points == 5


def test_a_process_that_exits_under_the_grader_loses_the_exercise_with_a_clear_reason(batch):
    saga = graded(batch, "kills_its_process", "ex05_saga")
    assert saga.problem.startswith("the grading process exited with code 7 before the checks "
                                   "finished (does the code call os._exit()")
    assert saga.points == 0 and not any(c.passed for c in saga.checks)
    assert full_marks_apart_from(batch, "kills_its_process", "ex05_saga")


def test_a_crash_of_python_itself_costs_that_exercise_not_the_batch(batch):
    saga = graded(batch, "segfaults", "ex05_saga")
    assert saga.problem.startswith("the grading process")
    assert saga.points == 0 and not any(c.passed for c in saga.checks)
    assert full_marks_apart_from(batch, "segfaults", "ex05_saga")


def test_an_import_error_names_the_missing_module(batch):
    gifts = graded(batch, "import_error", "ex02_commands_events")
    line = line_after_imports("ex02_commands_events.py", 1)
    assert gifts.problem == ("ex02_commands_events.py raised ModuleNotFoundError while it was "
                             f"being imported (line {line}): No module named 'gift_wrap_paper'; "
                             "fix it so the file imports cleanly")
    assert gifts.points == 0


def test_a_missing_file_scores_zero_for_that_exercise_and_says_which(batch):
    gifts = graded(batch, "missing_a_file", "ex02_commands_events")
    assert gifts.problem.startswith("ex02_commands_events.py is missing from ")
    assert gifts.points == 0 and len(gifts.checks) == 6
    assert full_marks_apart_from(batch, "missing_a_file", "ex02_commands_events")


def test_grading_never_writes_into_a_submission(batch):
    assert batch["after"] == batch["before"]


# -- check(): a learner's feedback in the notebook -------------------------------------------
@pytest.fixture
def course(tmp_path):
    """A learner's copy of the course: notebooks/ and an exercises/ folder with ex01 half done."""
    (tmp_path / "notebooks").mkdir()
    make_submission(tmp_path, "wrong_answer").rename(tmp_path / "exercises")
    return tmp_path


def test_check_finds_the_exercises_beside_the_notebooks_and_shows_points_and_hints(course,
                                                                                   monkeypatch):
    monkeypatch.chdir(course / "notebooks")
    result = check("ex01")
    assert result.summary() == "5/6 checks passed, 6/8 points"
    assert result.submission == str(course / "exercises" / "ex01_bounded_contexts.py")
    shown = repr(result)
    assert shown.startswith("ex01_bounded_contexts: 5/6 checks passed, 6/8 points")
    failing = exercise("ex01").checks[-1]
    assert f"hint: {failing.hint}" in shown
    assert "FAILED redeeming more points than ada has is refused" in shown
    assert shown.count("FAILED") == 1


def test_check_shows_the_same_in_html_for_jupyter(course):
    page = check("ex01", path=course / "exercises")._repr_html_()
    assert "5/6 checks passed, 6/8 points" in page
    assert "failed:" in page and "hint:" in page
    assert "ada redeemed 50 points with only 20" in page


def test_check_never_reports_a_check_that_did_not_run_as_passed(course):
    (course / "exercises" / "ex05_saga.py").write_text("while True:\n    pass\n")
    result = check("ex05", path=course / "exercises", timeout=2)
    assert result.passed == 0 and not result.all_passed
    assert result.summary().startswith("0/10 checks passed, 0/")
    assert "timed out after 2 s" in repr(result)


def test_check_says_which_exercises_exist_when_asked_for_another():
    with pytest.raises(UnknownExercise,
                       match="there is no exercise 'ex99'; the course has ex01, ex02"):
        check("ex99", path=SOLUTIONS)


def test_check_says_how_to_point_it_at_the_exercises_when_it_cannot_find_them(tmp_path,
                                                                               monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GradingError, match=r"could not find your exercises/ folder .*"
                                           r"check\('ex01', path='../exercises'\)"):
        check("ex01")


def test_check_runs_in_a_jupyter_kernel_and_shows_html_without_widgets(course):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(
        "from orchestra.grading import check\ncheck('ex01')")]
    NotebookClient(notebook, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(course / "notebooks")}}).execute()
    [output] = notebook.cells[0].outputs
    assert output.output_type == "execute_result"
    assert set(output.data) == {"text/plain", "text/html"}
    assert "5/6 checks passed, 6/8 points" in output.data["text/html"]


# -- @points ------------------------------------------------------------------------------------
def test_a_check_needs_points_and_a_hint():
    with pytest.raises(ValueError, match="a whole number of points"):
        points(0, hint="something")
    with pytest.raises(ValueError, match="needs a hint"):
        points(1, hint=" ")
    with pytest.raises(ValueError, match="which pytest will not run"):
        points(1, hint="try again")(lambda exercise: None)


def test_a_check_module_with_an_unmarked_test_is_refused():
    import types
    module = types.ModuleType("ex99_unmarked")

    def test_forgot_its_points(exercise):
        pass
    module.test_forgot_its_points = test_forgot_its_points
    with pytest.raises(ValueError, match="test_forgot_its_points carry no @points"):
        checks_of(module)
