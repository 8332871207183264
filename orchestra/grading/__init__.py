"""Grading: the checks learners run in a notebook and the grader teachers run on a folder.

One concept per module:

- :mod:`.points`: ``@points(n, hint=...)`` marks a pytest test as a graded check;
- :mod:`.catalogue`: the exercises, one check module each in ``orchestra/checks``;
- :mod:`.loader`: the ``exercise`` fixture, the learner's module from the folder graded;
- :mod:`.worker`: the subprocess that runs one exercise's checks and reports JSON;
- :mod:`.runner`: starts it with a time limit and turns whatever happened into a result;
- :mod:`.results`: points per check, exercise and submission, as text, HTML and JSON;
- :mod:`.submission` and :mod:`.batch`: one submission, or a folder of them;
- :mod:`.gradebook`: the CSV, the JSON and a Gradescope ``results.json`` each;
- :mod:`.notebook`: ``check("ex01")`` for learners.
"""
from ..errors import GradingError, UnknownExercise
from .batch import grade_batch, submissions_in
from .catalogue import Exercise, exercise, exercises
from .gradebook import write_gradebook
from .notebook import check, find_exercises
from .points import Check, points
from .results import CheckResult, ExerciseResult, SubmissionResult
from .runner import TIME_LIMIT, grade_exercise
from .submission import grade_submission

__all__ = [
    "TIME_LIMIT", "Check", "CheckResult", "Exercise", "ExerciseResult", "GradingError",
    "SubmissionResult", "UnknownExercise", "check", "exercise", "exercises", "find_exercises",
    "grade_batch", "grade_exercise", "grade_submission", "points", "submissions_in",
    "write_gradebook",
]
