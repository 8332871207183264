"""Decisions: the business logic in a component, counted from its code, line by line.

An orchestrator that only orchestrates sends each step's command with the order's data
and reacts to the replies; nothing in its saga definition weighs the order. A "God
service" orchestrator decides: its steps' ``prepare`` functions price the order, apply
stock rules, branch on who the customer is. This module reads the code a component runs
and lists every decision in it:

- a **branch**: an ``if`` / ``elif``, a conditional expression, a ``match`` case, a loop
  or comprehension that filters on data;
- a **rule**: a comparison or ``and`` / ``or`` used as a value (``express = total > 200``);
- a **calculation**: a formula (``+ - * / // % **``, ``x -= ...``) or ``min`` / ``max`` /
  ``round`` / ``abs`` / ``sum``, counted once per formula.

For an orchestrator (or a saga) the code read is its steps' ``prepare`` functions; for a
service, its ``@handles`` and ``@subscribes`` methods. Functions they call from the same
module, and methods they call on ``self`` or ``super()``, are read too. It also lists the
module-level data the code reads (a price list, a limit): knowledge some context owns.

It is a smell detector, not a judge: it counts every ``if``, so a service's idempotency
check counts as much as a discount rule. Compare counts before and after a change, and
read the lines it lists. It only sees code it can read the source of, in the definition;
logic hidden elsewhere (a subclass of Orchestrator, say) it cannot see.
"""
from __future__ import annotations

import ast
import inspect
import linecache
import types
from dataclasses import dataclass, field
from html import escape

BRANCH, RULE, CALCULATION = "branch", "rule", "calculation"
_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
_FORMULAS = {"min", "max", "round", "abs", "sum"}


@dataclass(frozen=True)
class Decision:
    """One decision: which component, in which function and line, of what kind, the code."""

    component: str
    function: str
    line: int
    kind: str
    code: str


@dataclass
class DecisionReport:
    """The decisions found in one component (or several), and the data its code reads."""

    component: str
    decisions: list[Decision] = field(default_factory=list)
    knows: dict[str, list[str]] = field(default_factory=dict)  # function -> module data read
    functions: list[str] = field(default_factory=list)         # every function read

    def __len__(self) -> int:
        return len(self.decisions)

    def __iter__(self):
        return iter(self.decisions)

    @property
    def count(self) -> int:
        """How many decisions were found."""
        return len(self.decisions)

    def by_kind(self) -> dict[str, int]:
        """``{"branch": n, "rule": n, "calculation": n}``."""
        return {kind: sum(d.kind == kind for d in self.decisions)
                for kind in (BRANCH, RULE, CALCULATION)}

    @property
    def data_read(self) -> list[str]:
        """The module-level data (price lists, limits) the code reads, by name."""
        return sorted({name for names in self.knows.values() for name in names})

    def __repr__(self) -> str:
        return (f"<DecisionReport {self.component}: {self.count} decision(s) in "
                f"{len(self.functions)} function(s)>")

    def _repr_html_(self) -> str:
        head = f"<p><b>{escape(self.component)}</b>: {self.count} decision(s)"
        if self.data_read:
            head += f"; reads {escape(', '.join(self.data_read))}"
        head += "</p>"
        if not self.decisions:
            return head + "<p>(it only passes data on: no branch, rule or calculation)</p>"
        rows = "".join(f"<tr><td>{escape(d.function)}</td><td>{d.line}</td>"
                       f"<td>{escape(d.kind)}</td><td><code>{escape(d.code)}</code></td></tr>"
                       for d in self.decisions)
        return (head + "<table><thead><tr><th>function</th><th>line</th><th>kind</th>"
                f"<th>code</th></tr></thead><tbody>{rows}</tbody></table>")


def decisions(target) -> DecisionReport:
    """The decisions in an orchestrator's sagas, a saga, a service (or its class), or a function."""
    from ..orchestrator import Orchestrator
    from ..saga import Saga
    from ..service import Service

    if isinstance(target, Orchestrator):
        name = f"{target.name} (orchestrator)"
        functions = [(f"{s.name}.{step.name}", step.prepare) for s in target.sagas.values()
                     for step in s.steps if step.prepare is not None]
    elif isinstance(target, Saga):
        name = f"saga {target.name}"
        functions = [(f"{target.name}.{step.name}", step.prepare) for step in target.steps
                     if step.prepare is not None]
    elif isinstance(target, Service) or (isinstance(target, type) and issubclass(target, Service)):
        name = target.name or getattr(target, "__name__", type(target).__name__)
        handlers = {**target.command_handlers, **target.event_handlers}
        functions = [(attr, getattr(target, attr)) for attr in dict.fromkeys(handlers.values())]
    elif callable(target):
        name = getattr(target, "__qualname__", repr(target))
        functions = [(name, target)]
    else:
        raise TypeError(f"decisions() reads an Orchestrator, a Saga, a Service or a function, "
                        f"not {target!r}")
    report = DecisionReport(name)
    seen: set = set()
    for _, function in functions:
        _read(function, report, seen, owner=_owner_class(target))
    return report


def decisions_by_component(world) -> dict[str, int]:
    """How many decisions each orchestrator and service in ``world`` holds, by name."""
    from ..orchestrator import Orchestrator
    from ..service import Service
    return {name: decisions(endpoint).count for name, endpoint in world.endpoints.items()
            if isinstance(endpoint, (Orchestrator, Service))}


# -- reading one function -----------------------------------------------------------------
def _owner_class(target):
    if isinstance(target, type):
        return target
    return type(target) if hasattr(target, "command_handlers") else None


def _read(function, report: DecisionReport, seen: set, owner=None) -> None:
    function = inspect.unwrap(getattr(function, "__func__", function))
    code = getattr(function, "__code__", None)
    if code is None or code in seen:
        return
    seen.add(code)
    label = getattr(function, "__qualname__", code.co_name).replace(".<locals>", "")
    report.functions.append(label)
    node = _node_of(function)
    if node is None:  # no source to read (a built-in, code made by exec): assume the worst
        report.decisions.append(Decision(report.component, label, code.co_firstlineno,
                                         BRANCH, "(source not available: counted as one)"))
        return
    finder = _Finder(report.component, label)
    finder.visit(node.body if isinstance(node, ast.Lambda) else node)
    report.decisions.extend(finder.found)
    known = []
    for name in sorted(finder.names):
        value = function.__globals__.get(name, _MISSING)
        if value is not _MISSING and not (callable(value) or isinstance(value, types.ModuleType)):
            known.append(name)
    if known:
        report.knows[label] = known
    for name in finder.calls:  # functions of the same module that it calls
        called = function.__globals__.get(name)
        if (isinstance(called, types.FunctionType)
                and called.__module__ == function.__module__):
            _read(called, report, seen, owner)
    for name in finder.self_calls:  # methods it calls on self
        method = getattr(owner, name, None) if owner is not None else None
        if isinstance(method, types.FunctionType):
            _read(method, report, seen, owner)
    for name in finder.super_calls:  # the base class's method it extends
        method = _inherited(owner, function, name)
        if method is not None:
            _read(method, report, seen, owner)


def _inherited(owner, function, name: str):
    """The method ``name`` that ``super()`` reaches from the class defining ``function``."""
    if owner is None:
        return None
    mro = owner.__mro__
    for i, klass in enumerate(mro):
        if any(getattr(v, "__code__", None) is function.__code__ for v in vars(klass).values()):
            for base in mro[i + 1:]:
                method = vars(base).get(name)
                if isinstance(method, types.FunctionType):
                    return method
    return None


_MISSING = object()
_TREES: dict[tuple[str, int], ast.AST] = {}


def _node_of(function) -> ast.AST | None:
    """The function's (or lambda's) node in the syntax tree of the file or cell it came from."""
    code = function.__code__
    lines = linecache.getlines(code.co_filename, function.__globals__)
    if not lines:
        return None
    source = "".join(lines)
    key = (code.co_filename, hash(source))
    tree = _TREES.get(key)
    if tree is None:
        try:
            tree = _TREES[key] = ast.parse(source)
        except SyntaxError:
            return None
    lambdas = code.co_name == "<lambda>"
    for node in ast.walk(tree):
        if lambdas and isinstance(node, ast.Lambda) and node.lineno == code.co_firstlineno:
            return node
        if (not lambdas and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                and node.name == code.co_name
                and code.co_firstlineno in {node.lineno, *(d.lineno for d in node.decorator_list)}):
            return node
    return None


class _Finder(ast.NodeVisitor):
    """Walks one function's code and notes each branch, rule and calculation in it."""

    def __init__(self, component: str, function: str):
        self.component, self.function = component, function
        self.found: list[Decision] = []
        self.names: set[str] = set()
        self.calls: list[str] = []
        self.self_calls: list[str] = []
        self.super_calls: list[str] = []
        self._in_test = 0      # inside a branch's condition: its comparisons are the branch
        self._in_formula = 0   # inside a counted formula or rule: count it once

    def _add(self, node: ast.AST, kind: str, code: str) -> None:
        code = " ".join(code.split())
        self.found.append(Decision(self.component, self.function, node.lineno, kind,
                                   code if len(code) <= 80 else code[:77] + "..."))

    def _test(self, node: ast.AST) -> None:
        self._in_test += 1
        self.visit(node)
        self._in_test -= 1

    # branches
    def visit_If(self, node: ast.If) -> None:
        self._add(node, BRANCH, f"if {ast.unparse(node.test)}")
        self._test(node.test)
        for child in node.body + node.orelse:
            self.visit(child)

    def visit_While(self, node: ast.While) -> None:
        self._add(node, BRANCH, f"while {ast.unparse(node.test)}")
        self._test(node.test)
        for child in node.body + node.orelse:
            self.visit(child)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self._add(node, BRANCH, ast.unparse(node))
        self._test(node.test)
        self.visit(node.body)
        self.visit(node.orelse)

    def visit_match_case(self, node) -> None:
        self._add(node.pattern, BRANCH, f"case {ast.unparse(node.pattern)}")
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self.visit(node.target)
        self.visit(node.iter)
        for test in node.ifs:
            self._add(test, BRANCH, f"... if {ast.unparse(test)}")
            self._test(test)

    # rules
    def _rule(self, node: ast.AST) -> None:
        if not self._in_test and not self._in_formula:
            self._add(node, RULE, ast.unparse(node))
        self._in_formula += 1
        self.generic_visit(node)
        self._in_formula -= 1

    visit_Compare = _rule
    visit_BoolOp = _rule

    # calculations
    def visit_BinOp(self, node: ast.BinOp) -> None:
        strings = any(isinstance(side, ast.JoinedStr) or
                      (isinstance(side, ast.Constant) and isinstance(side.value, str))
                      for side in (node.left, node.right))
        if isinstance(node.op, _ARITHMETIC) and not strings and not self._in_formula:
            self._add(node, CALCULATION, ast.unparse(node))
        self._in_formula += 1
        self.generic_visit(node)
        self._in_formula -= 1

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.op, _ARITHMETIC):
            self._add(node, CALCULATION, ast.unparse(node))
        self._in_formula += 1
        self.generic_visit(node)
        self._in_formula -= 1

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            if func.id in _FORMULAS and not self._in_formula:
                self._add(node, CALCULATION, ast.unparse(node))
                self._in_formula += 1
                self.generic_visit(node)
                self._in_formula -= 1
                return
            self.calls.append(func.id)
        elif (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
              and func.value.id == "self"):
            self.self_calls.append(func.attr)
        elif (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
              and isinstance(func.value.func, ast.Name) and func.value.func.id == "super"):
            self.super_calls.append(func.attr)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.names.add(node.id)

    # a function defined inside is part of this one; a class inside is not ours to judge
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        return
