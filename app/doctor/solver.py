"""Deciding routing conditions by reasoning: satisfiable?  implied by earlier rules?

The meaning of a leaf is ``app.routing.conditions.evaluate_leaf`` and nothing
else: this module never restates an operator.  What it adds is *which values to
try*.  Every leaf reads one variable, so a conjunction of leaves (and of negated
leaves) is satisfiable exactly when each variable's share is.  For one variable
the solver builds a small candidate set that is *complete*: if any value
satisfies all the variable's literals, one of the candidates does.  Each
candidate is then checked with ``evaluate_leaf`` itself, so a "yes" always comes
with a witness that the reference interpreter agrees with, and a "no" rests only
on the completeness of the candidates:

* absent (``None``) is always a candidate.
* number: the truth of every number literal changes only at its constants, so
  the real line splits into the constants and the open gaps between them.  For
  every constant ``c`` the candidates hold ``c``, the nearest floats either side
  (``math.nextafter``) and the nearest integers either side; the smallest float
  and the smallest integer above a constant lie in the gap that follows it, and
  both kinds of value are what a context can hold.
* text (compared case-folded): a negated leaf on a present value means its
  opposite operator (not ``ne`` is ``eq``, not ``not_contains`` is ``contains``...).
  With an ``eq`` / ``in`` requirement the value is one of those constants,
  which are the candidates.  Otherwise the candidate is
  ``prefix + g + contains_1 + g + ... + g + suffix`` where ``prefix`` / ``suffix``
  are the longest required ones and ``g`` is a character that occurs in no
  constant: a constant can then only occur inside a required piece, so if this
  string breaks a negative literal (``ne``, ``not_in``, ``not_contains``, a
  negated ``begins_with``...) every string with those pieces does.  The same is
  built with a whitespace ``g`` for "must be blank" (``is_empty`` on a present
  value).

Leaves that do not fit their variable's declared type (an invalid document) and
undeclared variables are not decided: the answer is then UNKNOWN, as it is when
the search budget runs out.

Over one stream, formulas are trees of ``all``/``any`` over leaves; a negated
rule swaps ``all``/``any`` and negates its leaves (the language has no "not", so
this is exact).  ``Solver.solve`` searches for a context satisfying a list of
formulas: literals and ``all`` are added at once (a conflicting variable prunes
the branch), single-choice ``any`` are propagated, and the smallest remaining
``any`` is branched on.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from app.routing.conditions import (
    VALUELESS_OPERATORS,
    condition_is_valid,
    evaluate_leaf,
    is_group,
    is_number,
)

SAT, UNSAT, UNKNOWN = "sat", "unsat", "unknown"
ABSENT = object()  # a candidate: the variable is not in the context
DEFAULT_BUDGET = 4_000  # search steps per question before "not decided"

# A formula node: ("L", leaf_id, positive) | ("A", children) | ("O", children)
Node = tuple

_GLUE = "xzq_#~@%&+=0123456789ʬѣ∆"
_WHITE_GLUE = " \t\n\r\x0b\x0c\u3000\u2003\u2002\u2009\u00a0"


@dataclass(frozen=True)
class Outcome:
    status: str  # SAT, UNSAT or UNKNOWN
    witness: dict | None = None  # for SAT: variable -> value (absent variables left out)
    steps: int = 0  # search steps taken
    reason: str = ""  # for UNKNOWN: what could not be decided


_NOTHING: frozenset = frozenset()
_ABSENT_SAT = (SAT, ABSENT)  # no literals yet: the variable may simply be absent


def _value_key(value: Any) -> Any:
    """A hashable key that tells 1 from True from "1" (and lists by their items)."""
    if isinstance(value, list):
        return ("list", tuple(_value_key(item) for item in value))
    try:
        hash(value)
    except TypeError:
        return ("repr", repr(value))
    return (value.__class__.__name__, value)


class _Exhausted(Exception):
    pass


class Solver:
    """Satisfiability of formulas over one work stream's variables."""

    def __init__(self, variable_types: Mapping[str, str], budget: int = DEFAULT_BUDGET,
                 shared: dict | None = None):
        """``shared`` (a dict the caller keeps across solvers) caches one variable's decisions by
        what they depend on, its type and its literals' operators and values (not its name), so
        the streams of a configuration decide each such set once."""
        self.types = dict(variable_types)
        self.budget = budget
        self.leaves: list[Mapping] = []
        self._leaf_ids: dict[Any, int] = {}
        self._leaf_var: list[str] = []
        self._leaf_valid: list[bool] = []
        self._leaf_sig: list[tuple] = []  # (operator, value key, valid): a leaf without its variable
        self._theory: dict[tuple[str, frozenset], tuple[str, Any]] = {}
        self._shared = shared

    # ------------------------------------------------------------------ formulas

    def leaf_id(self, leaf: Mapping) -> int:
        key = (leaf.get("variable"), leaf.get("operator"), _value_key(leaf.get("value")))
        found = self._leaf_ids.get(key)
        if found is None:
            found = self._leaf_ids[key] = len(self.leaves)
            self.leaves.append(dict(leaf))
            variable = leaf.get("variable")
            self._leaf_var.append(variable if isinstance(variable, str) else "")
            valid = isinstance(variable, str) and condition_is_valid(leaf, self.types)
            self._leaf_valid.append(valid)
            self._leaf_sig.append((leaf.get("operator"), _value_key(leaf.get("value")), valid))
        return found

    def formula(self, condition: Any) -> Node:
        """The node for a condition tree (leaves interned)."""
        if condition.__class__ is dict and len(condition) == 1 and ("all" in condition or "any" in condition) \
                or condition.__class__ is not dict and is_group(condition):
            key = next(iter(condition))
            children = tuple(self.formula(child) for child in condition[key])
            return ("A" if key == "all" else "O", children)
        return ("L", self.leaf_id(condition), True)

    @staticmethod
    def negate(node: Node) -> Node:
        if node[0] == "L":
            return ("L", node[1], not node[2])
        return ("O" if node[0] == "A" else "A", tuple(Solver.negate(child) for child in node[1]))

    def variable_of(self, leaf_id: int) -> str:
        return self._leaf_var[leaf_id]

    # ------------------------------------------------------------------ one variable

    def variable_outcome(self, variable: str, literals: frozenset) -> tuple[str, Any]:
        """(SAT, value-or-ABSENT) | (UNSAT, None) | (UNKNOWN, None) for one variable's literals."""
        key = (variable, literals)
        found = self._theory.get(key)
        if found is None:
            if self._shared is None:
                found = self._decide_variable(variable, literals)
            else:
                sig = (self.types.get(variable), variable in self.types,
                       frozenset((self._leaf_sig[leaf_id], positive) for leaf_id, positive in literals))
                found = self._shared.get(sig)
                if found is None:
                    found = self._shared[sig] = self._decide_variable(variable, literals)
            self._theory[key] = found
        return found

    def _decide_variable(self, variable: str, literals: frozenset) -> tuple[str, Any]:
        pairs = [(self.leaves[leaf_id], positive) for leaf_id, positive in literals]
        decidable = variable in self.types and all(self._leaf_valid[leaf_id] for leaf_id, _ in literals)
        candidates = [ABSENT]
        if decidable:
            if self.types[variable] == "number":
                candidates += number_candidates(pairs)
            else:
                candidates += text_candidates(pairs)
        else:
            candidates += _fallback_candidates(pairs)
        for candidate in candidates:
            context = {} if candidate is ABSENT else {variable: candidate}
            if all(evaluate_leaf(leaf, context) == positive for leaf, positive in pairs):
                return SAT, candidate
        return (UNSAT, None) if decidable else (UNKNOWN, None)

    # ------------------------------------------------------------------ search

    def solve(self, formulas: Sequence[Node], budget: int | None = None) -> Outcome:
        """Is there a context for which every formula holds?"""
        self._steps = 0
        self._limit = self.budget if budget is None else budget
        self._unknown = ""
        try:
            witness = self._search({}, list(formulas))
        except _Exhausted:
            return Outcome(UNKNOWN, None, self._steps, f"search stopped after {self._steps} steps")
        if witness is not None:
            return Outcome(SAT, witness, self._steps)
        if self._unknown:
            return Outcome(UNKNOWN, None, self._steps, self._unknown)
        return Outcome(UNSAT, None, self._steps)

    def _tick(self) -> None:
        self._steps += 1
        if self._steps > self._limit:
            raise _Exhausted

    def _extended(self, variable: str, current: frozenset, leaf_id: int, positive: bool) -> tuple[frozenset, str]:
        """``current`` plus one literal, and the status of that.  When the value that
        satisfies ``current`` satisfies the new literal too, that settles it (no candidates)."""
        extended = current | {(leaf_id, positive)}
        key = (variable, extended)
        found = self._theory.get(key)
        if found is None:
            before = self._theory.get((variable, current)) if current else _ABSENT_SAT
            if before is not None and before[0] == SAT:
                value = before[1]
                context = {} if value is ABSENT else {variable: value}
                if evaluate_leaf(self.leaves[leaf_id], context) == positive:
                    found = self._theory[key] = before
            if found is None:
                found = self.variable_outcome(variable, extended)
        return extended, found[0]

    def _add(self, state: dict, leaf_id: int, positive: bool) -> dict | None:
        """``state`` with one more literal, or None when its variable becomes unsatisfiable."""
        variable = self._leaf_var[leaf_id]
        current = state.get(variable, _NOTHING)
        if (leaf_id, positive) in current:
            return state
        if (leaf_id, not positive) in current:
            return None
        extended, status = self._extended(variable, current, leaf_id, positive)
        if status == UNSAT:
            return None
        updated = dict(state)
        updated[variable] = extended
        return updated

    def _consistent(self, state: dict, leaf_id: int, positive: bool) -> bool:
        variable = self._leaf_var[leaf_id]
        current = state.get(variable, _NOTHING)
        if (leaf_id, not positive) in current:
            return False
        return self._extended(variable, current, leaf_id, positive)[1] != UNSAT

    def matches(self, node: Node, context: Mapping[str, Any], _truth: dict | None = None) -> bool:
        """Does ``context`` satisfy the formula (by ``evaluate_leaf``)?  ``_truth`` caches
        leaf results for one context across calls (``first_match``)."""
        kind = node[0]
        if kind == "L":
            leaf_id = node[1]
            if _truth is None:
                return evaluate_leaf(self.leaves[leaf_id], context) == node[2]
            truth = _truth.get(leaf_id)
            if truth is None:
                truth = _truth[leaf_id] = evaluate_leaf(self.leaves[leaf_id], context)
            return truth == node[2]
        if kind == "A":
            for child in node[1]:
                if not self.matches(child, context, _truth):
                    return False
            return True
        for child in node[1]:
            if self.matches(child, context, _truth):
                return True
        return False

    def first_match(self, nodes: Sequence[Node], upto: int, context: Mapping[str, Any]) -> int | None:
        """The index of the first of ``nodes[:upto]`` that ``context`` satisfies."""
        truth: dict[int, bool] = {}
        for index in range(upto):
            if self.matches(nodes[index], context, truth):
                return index
        return None

    def _search(self, state: dict, pending: list[Node]) -> dict | None:
        self._tick()
        ors: list[Node] = []
        stack = pending
        while True:
            while stack:
                node = stack.pop()
                kind = node[0]
                if kind == "L":
                    state = self._add(state, node[1], node[2])
                    if state is None:
                        return None
                elif kind == "A":
                    stack.extend(node[1])
                else:
                    ors.append(node)
            # propagate: drop choices that conflict; an "any" left with one choice is forced
            remaining: list[tuple[Node, tuple]] = []
            for node in ors:
                choices = []
                satisfied = False
                for child in node[1]:
                    if child[0] == "L":
                        held = state.get(self._leaf_var[child[1]], frozenset())
                        if (child[1], child[2]) in held:
                            satisfied = True
                            break
                        if not self._consistent(state, child[1], child[2]):
                            continue
                    choices.append(child)
                if satisfied:
                    continue
                if not choices:
                    return None
                remaining.append((node, tuple(choices)))
            forced = [choices[0] for _, choices in remaining if len(choices) == 1]
            ors = [("O", choices) for _, choices in remaining if len(choices) > 1]
            if not forced:
                break
            stack = forced
        if not ors:
            return self._witness(state)
        ors.sort(key=lambda node: len(node[1]))
        first, rest = ors[0], ors[1:]
        for child in first[1]:
            found = self._search(state, [*rest, child])
            if found is not None:
                return found
        return None

    def _witness(self, state: dict) -> dict | None:
        witness: dict[str, Any] = {}
        for variable, literals in state.items():
            status, value = self.variable_outcome(variable, literals)
            if status != SAT:
                self._unknown = self._unknown or f"'{variable}' mixes conditions the doctor cannot decide"
                return None
            if value is not ABSENT:
                witness[variable] = value
        return witness


# --------------------------------------------------------------------------- candidates

def _constants(pairs: Iterable[tuple[Mapping, bool]]) -> list[Any]:
    values: list[Any] = []
    for leaf, _ in pairs:
        if leaf.get("operator") in VALUELESS_OPERATORS:
            continue
        value = leaf.get("value")
        values.extend(value if isinstance(value, list) else [value])
    return values


def number_candidates(pairs: Sequence[tuple[Mapping, bool]]) -> list[Any]:
    """Complete candidates for a number variable (see the module docstring)."""
    constants = sorted({c for c in _constants(pairs) if is_number(c)})
    required = _required_values(pairs)
    if required is not None:
        return [c for c in required if is_number(c)]
    out: list[Any] = [0]
    for c in constants:
        below, above = math.floor(c), math.ceil(c)
        out += [c, below - 1, below + 1, above - 1, above + 1]
        for toward in (-math.inf, math.inf):
            near = math.nextafter(float(c), toward)
            if math.isfinite(near):
                out.append(near)
    seen: set = set()
    unique = []
    for value in out:
        key = (type(value), value)
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique


# On a present value a negated leaf means its opposite operator: not (ne t) is eq t, and so on.
_AS_POSITIVE = {("eq", True): "eq", ("ne", False): "eq", ("in", True): "in", ("not_in", False): "in",
                ("contains", True): "contains", ("not_contains", False): "contains",
                ("begins_with", True): "begins_with", ("ends_with", True): "ends_with"}


def _positive(pairs: Sequence[tuple[Mapping, bool]], operator: str) -> list[Any]:
    """The values of the literals that require ``operator`` of a present value."""
    values = []
    for leaf, positive in pairs:
        if _AS_POSITIVE.get((leaf.get("operator"), positive)) == operator:
            values.append(leaf["value"])
    return values


def _required_values(pairs: Sequence[tuple[Mapping, bool]]) -> list[Any] | None:
    """The values an ``eq`` / ``in`` requirement allows (the shortest such list), or None."""
    options = [[value] for value in _positive(pairs, "eq")] + [list(values) for values in _positive(pairs, "in")]
    return min(options, key=len) if options else None


def _fresh(alphabet: str, constants: Sequence[str]) -> str | None:
    for char in alphabet:
        if char.casefold() == char and not any(char in c for c in constants):
            return char
    return None


def text_candidates(pairs: Sequence[tuple[Mapping, bool]]) -> list[Any]:
    """Complete candidates for a text variable, as case-folded text (see the module docstring)."""
    required = _required_values(pairs)
    if required is not None:
        return list(dict.fromkeys(value.casefold() for value in required if isinstance(value, str)))
    constants = [c.casefold() for c in _constants(pairs) if isinstance(c, str)]
    prefixes = sorted({value.casefold() for value in _positive(pairs, "begins_with")}, key=len)
    suffixes = sorted({value.casefold() for value in _positive(pairs, "ends_with")}, key=len)
    pieces = sorted({value.casefold() for value in _positive(pairs, "contains")})
    prefix = prefixes[-1] if prefixes else ""
    suffix = suffixes[-1] if suffixes else ""
    out: list[Any] = [prefix + "".join(pieces) + suffix]  # the most readable first; often enough
    for alphabet in (_GLUE, _WHITE_GLUE):
        glue = _fresh(alphabet, constants)
        if glue is not None:
            out.append(prefix + glue + glue.join(pieces) + (glue if pieces else "") + suffix)
    out.append("")
    return list(dict.fromkeys(out))


def _fallback_candidates(pairs: Sequence[tuple[Mapping, bool]]) -> list[Any]:
    """Values worth a try where nothing is decided (a "yes" is still checked exactly)."""
    out: list[Any] = []
    for value in _constants(pairs):
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            out.append(value)
    return out + ["", "x", 0]


__all__ = ["ABSENT", "Outcome", "SAT", "Solver", "UNKNOWN", "UNSAT"]
