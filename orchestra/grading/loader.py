"""The checks' ``exercise`` fixture: a learner's exercise module, from the folder being graded.

The module is read from its file as saved, under its own name, and never written back:
no bytecode cache, nothing added next to it. A module that does not load (a syntax error,
an import error, ``sys.exit()`` at the top) raises :class:`ExerciseDidNotLoad` saying
what went wrong, on which line, and what to do.
"""
from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType

import pytest


class ExerciseDidNotLoad(Exception):
    """The learner's exercise file is missing or raised while it was imported."""


# Set by the grading worker before pytest starts: the folder being graded.
submission: Path | None = None


def load_exercise(folder: Path, name: str) -> ModuleType:
    """The module ``name`` loaded fresh from ``folder/name.py``, or :class:`ExerciseDidNotLoad`."""
    path = Path(folder) / f"{name}.py"
    if not path.is_file():
        raise ExerciseDidNotLoad(f"{path.name} is not in {folder}: copy it from exercises/ "
                                 "into the folder being graded")
    sys.dont_write_bytecode = True  # the learner's folder stays exactly as they left it
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and type hints look their module up by name
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise ExerciseDidNotLoad(
            f"{path.name} has a syntax error on line {error.lineno}: {error.msg}; "
            "fix that line and check again") from None
    except SystemExit as error:
        raise ExerciseDidNotLoad(
            f"{path.name} called sys.exit({error.code!r}) while it was being imported"
            f"{_line(error, path)}; an exercise module must not exit: remove that call") from None
    except Exception as error:
        raise ExerciseDidNotLoad(
            f"{path.name} raised {type(error).__name__} while it was being imported"
            f"{_line(error, path)}: {error}; fix it so the file imports cleanly") from None
    return module


def _line(error: BaseException, path: Path) -> str:
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
             if Path(frame.filename) == path]
    return f" (line {lines[-1]})" if lines else ""


@pytest.fixture
def exercise(request) -> ModuleType:
    """The learner's module for this check module (same file name), loaded fresh for each check."""
    if submission is None:
        raise RuntimeError("no submission to grade: run checks through orchestra.grading "
                           "(check('ex01') or `orchestra grade PATH`), not with bare pytest")
    return load_exercise(submission, request.module.__name__.rsplit(".", 1)[-1])
