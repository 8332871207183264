"""The ``orchestra`` command. ``orchestra grade PATH`` grades one submission; ``orchestra grade
--batch DIR`` grades every submission folder in DIR and writes a gradebook; ``orchestra reset``
puts exercises back to their starters, keeping a backup.

This is the one module that prints: the library logs, and the command decides what to show.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import GradingError
from .grading import (TIME_LIMIT, exercises, grade_batch, grade_submission, submissions_in,
                      write_gradebook)
from .grading.batch import default_jobs
from .grading.submission import submission_folder


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 once grading ran, 2 for a usage error)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.run(args)
    except GradingError as error:
        print(f"orchestra {args.command}: error: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orchestra", description="The orchestra course's tools.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    grade = commands.add_parser(
        "grade", help="grade one submission, or a folder of them with --batch",
        description="Grade one submission (a copy of exercises/) and print the points per "
                    "exercise, or with --batch grade every submission folder in PATH and "
                    "write a gradebook. Each exercise runs in its own subprocess with a time "
                    "limit; a submission that loops, crashes or exits loses its points, "
                    "never the batch. Exits 0 once grading ran, whatever the scores.",
        epilog="Instructors: `orchestra grade solutions/` is the smoke test: full marks.")
    grade.add_argument("path", metavar="PATH", type=Path,
                       help="a submission folder; with --batch, the folder of submission folders")
    grade.add_argument("--batch", action="store_true",
                       help="PATH holds one folder per submission: grade them all")
    grade.add_argument("--out", type=Path, default=Path("grades"),
                       help="with --batch: where to write gradebook.csv, gradebook.json and "
                            "<submission>/results.json (default: ./grades)")
    grade.add_argument("--results", type=Path, metavar="FILE",
                       help="without --batch: also write a Gradescope-style results.json here")
    grade.add_argument("--timeout", type=_positive, default=TIME_LIMIT, metavar="SECONDS",
                       help=f"time limit per exercise (default: {TIME_LIMIT:g})")
    grade.add_argument("--jobs", type=_at_least_one, default=None, metavar="N",
                       help=f"how many to grade at once (default: {default_jobs()})")
    grade.add_argument("--summary", action="store_true",
                       help="print only the points, not each failing check")
    grade.set_defaults(run=_grade)
    reset = commands.add_parser(
        "reset", help="put exercises back as they were at the start (your version is kept)",
        description="Restore exercises to their starters. Your current file is first copied "
                    "to exercises/.backup/ with a timestamp, so nothing is lost.")
    reset.add_argument("exercise", nargs="*", metavar="EXERCISE",
                       help="which ones, e.g. ex05 (default: all of them)")
    reset.add_argument("--path", type=Path, default=Path("exercises"),
                       help="the exercises folder (default: ./exercises)")
    reset.set_defaults(run=_reset)
    return parser


def _reset(args) -> int:
    from .grading.catalogue import exercise
    from .grading.reset import reset_exercise
    if not args.path.is_dir():
        raise GradingError(f"{args.path} is not a folder; run this from the course's folder "
                           "or pass --path to your exercises/ folder")
    chosen = [exercise(name) for name in args.exercise] or exercises()
    for one in chosen:
        backup = reset_exercise(args.path, one)
        kept = f" (your version is in {backup})" if backup else " (it was untouched)"
        print(f"reset {one.filename}{kept}")
    return 0


def _grade(args) -> int:
    if args.batch:
        return _grade_batch(args)
    if args.results is not None and _inside(args.results, args.path):
        raise GradingError(f"--results {args.results} is inside the submission {args.path}; "
                           "the grader never writes into a submission: write it elsewhere")
    submission_folder(args.path)  # a usage error is reported before anything else
    count = len(exercises())
    print(f"Grading {args.path} ({count} exercises, time limit {args.timeout:g} s each)")
    result = grade_submission(args.path, timeout=args.timeout, jobs=args.jobs or default_jobs())
    print(result.text(details=not args.summary))
    if args.results is not None:
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(result.gradescope(), indent=2) + "\n",
                                encoding="utf-8")
        print(f"Wrote {args.results}")
    return 0


def _grade_batch(args) -> int:
    found = submissions_in(args.path)
    if _inside(args.out, args.path):
        raise GradingError(f"--out {args.out} is inside {args.path}, where it would be taken "
                           "for a submission next time; write the gradebook elsewhere")
    jobs = args.jobs or default_jobs()
    print(f"Grading {len(found)} submissions in {args.path} ({len(exercises())} exercises "
          f"each, time limit {args.timeout:g} s per exercise, {jobs} at a time)",
          file=sys.stderr)
    width = max(len(p.name) for p in found)

    def progress(done: int, total: int, result) -> None:
        problems = f"  ({'; '.join(result.problems)})" if result.problems else ""
        print(f"[{done:>{len(str(total))}}/{total}] {result.name:<{width}}  "
              f"{result.points:>3}/{result.max_points} points{problems}",
              file=sys.stderr, flush=True)

    results = grade_batch(args.path, timeout=args.timeout, jobs=jobs, progress=progress)
    written = write_gradebook(results, args.out, time_limit=args.timeout)
    print(f"Graded {len(results)} submissions. Gradebook: {written['csv']} and "
          f"{written['json']}; a results.json per submission in {written['results']}/")
    return 0


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


if __name__ == "__main__":
    sys.exit(main())
