"""Meta-tests of the course's exercises: every solution scores full marks, every untouched
starter fails every graded check, and the two folders differ only where a TODO says so.
"""
from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path

import pytest

from orchestra.grading import exercises, grade_submission

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
NAMES = [e.name for e in exercises()]


def tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder under ``folder`` with its bytes and modification time."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"",
                                         p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def graded():
    """The solutions and the untouched starters, graded (and the folders as they were before)."""
    before = {folder: tree(folder) for folder in (SOLUTIONS, EXERCISES)}
    results = {folder: grade_submission(folder, jobs=2) for folder in (SOLUTIONS, EXERCISES)}
    return results, before


def todo_regions(lines: list[str]) -> set[int]:
    """Indices of the lines a TODO covers: its comment, the statement after it, and its block."""
    covered: set[int] = set()
    for start, line in enumerate(lines):
        if "TODO" not in line or not line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        i = start
        while i < len(lines) and lines[i].lstrip().startswith("#"):  # the comment itself
            covered.add(i)
            i += 1
        if i < len(lines):  # the statement it is about (a def, a class, a raise) ...
            covered.add(i)
            i += 1
        while i < len(lines):  # ... and everything indented under it
            text = lines[i]
            if text.strip() and len(text) - len(text.lstrip()) <= indent:
                break
            covered.add(i)
            i += 1
    return covered


def functions(source: str) -> dict[str, ast.AST]:
    """Every function in a module, by qualified name (``Loyalty.balance``)."""
    found = {}
    for node in ast.parse(source).body:
        members = node.body if isinstance(node, ast.ClassDef) else [node]
        prefix = f"{node.name}." if isinstance(node, ast.ClassDef) else ""
        for member in members:
            if isinstance(member, ast.FunctionDef):
                found[prefix + member.name] = member
    return found


def raises_not_implemented(function: ast.FunctionDef) -> bool:
    """Whether the function's last statement is ``raise NotImplementedError(...)``."""
    last = function.body[-1]
    if not isinstance(last, ast.Raise) or last.exc is None:
        return False
    raised = last.exc.func if isinstance(last.exc, ast.Call) else last.exc
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"


def test_exercises_and_solutions_mirror_each_other_file_for_file():
    starters = sorted(p.name for p in EXERCISES.glob("*.py"))
    solved = sorted(p.name for p in SOLUTIONS.glob("*.py"))
    assert starters == solved
    assert starters == [f"{name}.py" for name in NAMES], "each exercise has one check module"


def test_the_course_has_every_graded_exercise():
    assert NAMES == [
        "ex01_bounded_contexts", "ex02_commands_events", "ex03_direct_call", "ex04_queued",
        "ex05_saga",
        "ex06_compensation_policy", "ex07_choreography",
        "ex08_god_service", "ex09_durability", "ex10_cost",
        "ex11_service_retries",
        "ex12_adding_a_service"
    ]


@pytest.mark.parametrize("name", NAMES)
def test_solutions_differ_from_the_starters_only_under_todo_markers(name):
    starter = (EXERCISES / f"{name}.py").read_text().splitlines()
    solution = (SOLUTIONS / f"{name}.py").read_text().splitlines()
    covered = todo_regions(starter)
    changes = [(i1, i2) for tag, i1, i2, _, _ in
               difflib.SequenceMatcher(None, starter, solution, autojunk=False).get_opcodes()
               if tag != "equal"]
    assert changes, f"{name}: the starter and the solution are the same"
    for i1, i2 in changes:
        touched = set(range(i1, i2)) or {i1 - 1}
        assert touched <= covered, (f"{name}.py: the solution differs at starter line {i1 + 1} "
                                    f"({starter[min(i1, len(starter) - 1)].strip()!r}), "
                                    "which no TODO marker covers")


@pytest.mark.parametrize("name", NAMES)
def test_every_stub_in_a_starter_raises_not_implemented_error(name):
    starter = functions((EXERCISES / f"{name}.py").read_text())
    solution = functions((SOLUTIONS / f"{name}.py").read_text())
    stubs = [q for q, f in starter.items()
             if q not in solution or ast.dump(f) != ast.dump(solution[q])]
    assert stubs, f"{name}.py has no stub to write"
    unfinished = [q for q in stubs if not raises_not_implemented(starter[q])]
    assert unfinished == [], (f"{name}.py: {unfinished} differ from the solution but do not "
                              "raise NotImplementedError")


def test_every_solution_scores_full_marks(graded):
    results, _ = graded
    solved = results[SOLUTIONS]
    assert [(e.exercise, e.points) for e in solved.exercises] == [
        (e.exercise, e.max_points) for e in solved.exercises]
    assert all(c.ran and c.passed for e in solved.exercises for c in e.checks)


def test_every_untouched_starter_fails_every_graded_check_because_it_is_unwritten(graded):
    results, _ = graded
    starter = results[EXERCISES]
    assert starter.points == 0
    # Failed by running into the stubs, not by crashing or timing out.
    assert [c.name for e in starter.exercises for c in e.checks if c.passed or not c.ran] == []
    assert all(e.problem == "" for e in starter.exercises)


def test_grading_the_course_folders_leaves_them_as_they_were(graded):
    _, before = graded
    assert {folder: tree(folder) for folder in before} == before


def test_every_check_is_worth_points_and_has_a_hint_and_a_readable_title():
    for exercise in exercises():
        assert len(exercise.checks) >= 4, f"{exercise.name} needs several checks"
        for check in exercise.checks:
            assert check.points >= 1 and len(check.hint) > 20, check
            assert check.title and not check.title.startswith("test"), check.title


@pytest.mark.parametrize("folder", [EXERCISES, SOLUTIONS], ids=["exercises", "solutions"])
def test_the_readme_describes_every_exercise_with_its_parts_and_expected_result(folder):
    readme = (folder / "README.md").read_text()
    for name in NAMES:
        section = re.search(rf"^## {name}\b(.*?)(?=^## |\Z)", readme, re.S | re.M)
        assert section, f"{folder.name}/README.md has no '## {name}' section"
        source = (folder / f"{name}.py").read_text()
        parts = sorted(set(re.findall(r"Part ([A-Z]):", source)))
        for part in parts:
            assert f"Part {part}" in section.group(1), f"{name}: README misses Part {part}"
        assert "Expected" in section.group(1), f"{name}: README gives no expected result"
