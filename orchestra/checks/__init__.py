"""The checks that grade the exercises: one module per exercise file, named like it.

Each check is a pytest test marked ``@points(n, hint=...)``; its ``exercise`` argument is the
learner's module, loaded from the folder being graded (see :mod:`orchestra.grading`).
"""
