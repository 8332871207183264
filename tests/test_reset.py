"""Resetting a learner's exercise restores the starter and keeps their work as a backup."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent


@pytest.fixture
def course(tmp_path):
    """A git checkout of the course's exercises, as a learner has it."""
    shutil.copytree(REPO / "exercises", tmp_path / "exercises")
    for command in (["git", "init", "-q"], ["git", "add", "."],
                    ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(command, cwd=tmp_path, check=True)
    return tmp_path


def reset(course, *names):
    return subprocess.run([sys.executable, "-m", "orchestra", "reset", *names],
                          cwd=course, capture_output=True, text=True)


def test_reset_restores_the_starter_and_keeps_adas_version_in_a_backup(course):
    mine = course / "exercises" / "ex01_bounded_contexts.py"
    starter = mine.read_text()
    mine.write_text(starter + "\n# ada's attempt\n")
    done = reset(course, "ex01")
    assert done.returncode == 0, done.stderr
    assert mine.read_text() == starter
    backups = list((course / "exercises" / ".backup").glob("ex01_bounded_contexts.*.py"))
    assert len(backups) == 1 and backups[0].read_text().endswith("# ada's attempt\n")
    assert "your version is in" in done.stdout


def test_resetting_an_untouched_exercise_makes_no_backup(course):
    done = reset(course, "ex02")
    assert done.returncode == 0 and "untouched" in done.stdout
    assert not (course / "exercises" / ".backup").exists()


def test_reset_outside_a_git_checkout_says_what_to_do_and_changes_nothing(tmp_path):
    shutil.copytree(REPO / "exercises", tmp_path / "exercises")
    mine = tmp_path / "exercises" / "ex01_bounded_contexts.py"
    mine.write_text("# ada's attempt\n")
    done = reset(tmp_path, "ex01")
    assert done.returncode == 2
    assert "not inside the course's git checkout" in done.stderr
    assert mine.read_text() == "# ada's attempt\n"


def test_reset_of_an_exercise_the_course_does_not_have_names_the_ones_it_has(course):
    done = reset(course, "ex99")
    assert done.returncode != 0 and "ex01" in done.stderr
