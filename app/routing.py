"""The routing engine: which queue a conversation of a work stream goes to.

Rules are tried top to bottom; the first whose condition is true sends the
conversation to its queue, and evaluation stops.  When none is true the
conversation goes to the work stream's default queue (``fallback``).

``compile_workstream`` turns each rule's condition into plain Python closures
once, so routing never re-reads the condition tree.  ``app.conditions.evaluate``
stays the definition of truth; the closures agree with it for every context of
text, number and ``None`` values (tests/app/test_routing.py checks this with
hypothesis).

How the fast closures stay exact:

* A call first *prepares* the context into a list indexed by variable slot:
  absent and ``None`` both become ``None`` (the reference treats them alike),
  text is case-folded once per call instead of once per leaf.  ``str.casefold``
  is idempotent and keeps blank text blank, so a prepared value means exactly
  what the raw value means.
* A leaf gets a specialised closure only when it is valid for its variable's
  declared type (``app.conditions.validate_condition`` has nothing to say).
  Anything else (undeclared variable, wrong-type literal, unknown operator)
  falls back to ``evaluate_leaf`` on the prepared value, which is still exact.
* Text leaves are exact for number values too.  Number leaves are not exact for
  text values (the reference compares text against ``""`` there), so a context
  that puts text in a slot read by a number leaf is routed by the reference
  interpreter instead.  That only happens with a mistyped context.

Traces: ``route`` evaluates rules in order and stops at the first match; the
trace lists only the rules that were evaluated (rules after the match are
omitted).  Inside an evaluated rule every leaf is evaluated and reported, even
where ``all``/``any`` would short-circuit, so a trace always explains every row.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from app.conditions import (
    LIST_OPERATORS,
    VALUELESS_OPERATORS,
    evaluate_leaf,
    is_group,
    is_number,
    parse_value,
    validate_condition,
)
from app.errors import UserError

Prepared = list  # one slot per variable: case-folded text, a number, or None
LeafTest = Callable[[Prepared], bool]


# --------------------------------------------------------------------------- results

@dataclass(frozen=True)
class RouteResult:
    workstream: str
    queue: str | None
    rule: str | None
    fallback: bool
    trace: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "workstream": self.workstream,
            "queue": self.queue,
            "rule": self.rule,
            "fallback": self.fallback,
            "trace": self.trace,
        }


# --------------------------------------------------------------------------- leaf compilation

def _text_leaf(slot: int, operator: str, value: Any) -> LeafTest | None:
    """A closure for a valid text leaf; prepared text is already case-folded."""
    if operator in LIST_OPERATORS:
        folded = frozenset(v.casefold() for v in value)
        if operator == "in":
            return lambda p: p[slot] in folded
        return lambda p: (v := p[slot]) is not None and v not in folded
    target = value.casefold()
    if operator == "eq":
        return lambda p: p[slot] == target
    if operator == "ne":
        return lambda p: (v := p[slot]) is not None and v != target
    # A number in a text slot matches none of these, as in the reference.
    if operator == "contains":
        return lambda p: (v := p[slot]).__class__ is str and target in v
    if operator == "not_contains":
        return lambda p: (v := p[slot]).__class__ is str and target not in v
    if operator == "begins_with":
        return lambda p: (v := p[slot]).__class__ is str and v.startswith(target)
    if operator == "ends_with":
        return lambda p: (v := p[slot]).__class__ is str and v.endswith(target)
    return None


def _number_leaf(slot: int, operator: str, value: Any) -> LeafTest | None:
    """A closure for a valid number leaf; the slot never holds text here."""
    if operator in LIST_OPERATORS:
        numbers = frozenset(v for v in value if is_number(v))
        if operator == "in":
            return lambda p: p[slot] in numbers
        return lambda p: (v := p[slot]) is not None and v not in numbers
    if operator == "eq":
        return lambda p: p[slot] == value
    if operator == "ne":
        return lambda p: (v := p[slot]) is not None and v != value
    if operator == "gt":
        return lambda p: (v := p[slot]) is not None and v > value
    if operator == "ge":
        return lambda p: (v := p[slot]) is not None and v >= value
    if operator == "lt":
        return lambda p: (v := p[slot]) is not None and v < value
    if operator == "le":
        return lambda p: (v := p[slot]) is not None and v <= value
    return None


def _emptiness_leaf(slot: int, operator: str) -> LeafTest:
    if operator == "is_empty":
        return lambda p: (v := p[slot]) is None or (v.__class__ is str and not v.strip())
    return lambda p: (v := p[slot]) is not None and not (v.__class__ is str and not v.strip())


def _reference_leaf(slot: int, leaf: Mapping) -> LeafTest:
    """The reference meaning, for leaves that don't fit their variable's type."""
    frozen = dict(leaf)
    variable = frozen["variable"]
    return lambda p: evaluate_leaf(frozen, {} if p[slot] is None else {variable: p[slot]})


# --------------------------------------------------------------------------- tree compilation

class _Slots:
    """Variable name -> slot index, plus which slots number leaves read."""

    def __init__(self, types: Mapping[str, str]):
        self.types = types
        self.index: dict[str, int] = {}
        self.number_read: set[int] = set()

    def slot(self, name: str) -> int:
        return self.index.setdefault(name, len(self.index))


def _leaf_test(leaf: Mapping, slots: _Slots) -> LeafTest:
    variable = leaf["variable"]
    operator = leaf["operator"]
    slot = slots.slot(variable)
    var_type = slots.types.get(variable)
    if var_type is None or validate_condition(leaf, slots.types):
        return _reference_leaf(slot, leaf)
    if operator in VALUELESS_OPERATORS:
        return _emptiness_leaf(slot, operator)
    if var_type == "text":
        test = _text_leaf(slot, operator, leaf["value"])
    else:
        slots.number_read.add(slot)
        test = _number_leaf(slot, operator, leaf["value"])
    return test if test is not None else _reference_leaf(slot, leaf)


def _check_leaf(node: Any, where: str) -> None:
    if not isinstance(node, Mapping) or "variable" not in node or "operator" not in node:
        raise UserError(f"{where}: a condition must be a group or a leaf with a variable and an operator")


def _all_of(tests: Sequence[LeafTest]) -> LeafTest:
    if not tests:
        return lambda p: True
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda p: first(p) and second(p)
    frozen = tuple(tests)

    def all_of(p: Prepared) -> bool:
        for test in frozen:
            if not test(p):
                return False
        return True
    return all_of


def _any_of(tests: Sequence[LeafTest]) -> LeafTest:
    if not tests:
        return lambda p: False
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda p: first(p) or second(p)
    frozen = tuple(tests)

    def any_of(p: Prepared) -> bool:
        for test in frozen:
            if test(p):
                return True
        return False
    return any_of


def _compile_fast(node: Any, slots: _Slots, where: str) -> LeafTest:
    """One closure for a whole condition, short-circuiting like the reference."""
    if is_group(node):
        key = next(iter(node))
        children = node[key]
        if not isinstance(children, list):
            raise UserError(f"{where}.{key}: must be a list of conditions")
        tests = [_compile_fast(child, slots, f"{where}.{key}[{i}]") for i, child in enumerate(children)]
        return _all_of(tests) if key == "all" else _any_of(tests)
    _check_leaf(node, where)
    return _leaf_test(node, slots)


# A traced condition: its leaves in order (path, leaf, test) and a combiner that
# turns the list of leaf results into the condition's result.
Combiner = Callable[[list[bool]], bool]


@dataclass(frozen=True)
class _TracedLeaf:
    path: str
    leaf: Mapping
    test: LeafTest


def _compile_traced(node: Any, slots: _Slots, path: str, leaves: list[_TracedLeaf]) -> Combiner:
    if is_group(node):
        key = next(iter(node))
        prefix = f"{path}." if path else ""
        parts = [_compile_traced(child, slots, f"{prefix}{key}[{i}]", leaves) for i, child in enumerate(node[key])]
        if key == "all":
            return lambda results: all([part(results) for part in parts])
        return lambda results: any([part(results) for part in parts])
    index = len(leaves)
    leaves.append(_TracedLeaf(path, node, _leaf_test(node, slots)))
    return lambda results: results[index]


# --------------------------------------------------------------------------- the router

@dataclass(frozen=True)
class _Rule:
    name: str
    queue: str
    condition: Mapping
    test: LeafTest
    leaves: tuple[_TracedLeaf, ...]
    combine: Combiner


class CompiledRouter:
    """The routing rules of one work stream, compiled once."""

    def __init__(self, workstream: str, default_queue: str | None, rules: list[_Rule], slots: _Slots):
        self.workstream = workstream
        self.default_queue = default_queue
        self._rules = rules
        self._fast = tuple((rule.test, rule.queue) for rule in rules)
        # (name, reads-as-number) per slot, for the one pass that prepares a context
        self._slot_plan = tuple((name, slots.index[name] in slots.number_read) for name in slots.index)

    @property
    def rule_count(self) -> int:
        return len(self._rules)

    def _prepare(self, context: Mapping[str, Any]) -> Prepared | None:
        """Slot values for the fast closures; None when the context is mistyped
        (text where a number leaf reads), which the reference must then route."""
        prepared = []
        for name, read_as_number in self._slot_plan:
            value = context.get(name)
            if isinstance(value, str):
                if read_as_number:
                    return None
                value = value.casefold()
            prepared.append(value)
        return prepared

    def route_queue(self, context: Mapping[str, Any]) -> str | None:
        """The destination queue only: the fast path, no trace."""
        prepared = self._prepare(context)
        if prepared is None:
            return self.route(context).queue
        for test, queue in self._fast:
            if test(prepared):
                return queue
        return self.default_queue

    def route(self, context: Mapping[str, Any]) -> RouteResult:
        """The destination with a trace of every evaluated rule and leaf."""
        prepared = self._prepare(context)
        trace: list[dict] = []
        for position, rule in enumerate(self._rules):
            if prepared is None:
                results = [evaluate_leaf(item.leaf, context) for item in rule.leaves]
            else:
                results = [item.test(prepared) for item in rule.leaves]
            matched = rule.combine(results)
            trace.append({
                "rule": rule.name,
                "position": position,
                "matched": matched,
                "conditions": [_trace_leaf(item, result, context) for item, result in zip(rule.leaves, results)],
            })
            if matched:
                return RouteResult(self.workstream, rule.queue, rule.name, False, trace)
        return RouteResult(self.workstream, self.default_queue, None, True, trace)


def _trace_leaf(item: _TracedLeaf, result: bool, context: Mapping[str, Any]) -> dict:
    variable = item.leaf["variable"]
    value = item.leaf.get("value")
    return {
        "path": item.path,
        "variable": variable,
        "operator": item.leaf["operator"],
        "value": list(value) if isinstance(value, list) else value,
        "seen": context.get(variable),
        "result": result,
    }


def compile_workstream(ws: Mapping[str, Any]) -> CompiledRouter:
    """Compile a work stream (a configuration-document dict) into a router."""
    name = ws["name"]
    types = {v["name"]: v.get("type", "text") for v in ws.get("context_variables", [])}
    slots = _Slots(types)
    rules = []
    for index, rule in enumerate(ws.get("routing_rules", [])):
        where = f"work stream '{name}', routing_rules[{index}].condition"
        condition = rule.get("condition", {"all": []})
        test = _compile_fast(condition, slots, where)
        leaves: list[_TracedLeaf] = []
        combine = _compile_traced(condition, slots, "", leaves)
        rules.append(_Rule(rule["name"], rule["queue"], condition, test, tuple(leaves), combine))
    return CompiledRouter(name, ws.get("default_queue"), rules, slots)


# --------------------------------------------------------------------------- typed contexts

def variable_types(ws: Mapping[str, Any]) -> dict[str, str]:
    return {v["name"]: v.get("type", "text") for v in ws.get("context_variables", [])}


def _resolve_variable(name: str, types: Mapping[str, str], ws_name: str) -> str:
    if name in types:
        return name
    matches = [known for known in types if known.casefold() == name.casefold()]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(sorted(types)) or "none"
    raise UserError(f"unknown context variable '{name}' for work stream '{ws_name}' (known: {known})")


def coerce_value(name: str, value: Any, var_type: str) -> str | int | float | None:
    """A typed value from text a user typed or a JSON scalar; UserError if it doesn't fit."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return parse_value(value, var_type)
        except ValueError as error:
            raise UserError(f"{name}: {error}") from None
    if var_type == "number" and is_number(value):
        return value
    what = "a number" if var_type == "number" else "text"
    raise UserError(f"{name}: {json.dumps(value)} is not {what}")


def coerce_context(ws: Mapping[str, Any], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Typed context values for ``ws`` from user input (names matched case-insensitively)."""
    types = variable_types(ws)
    typed: dict[str, Any] = {}
    for name, value in raw.items():
        canonical = _resolve_variable(name, types, ws["name"])
        typed[canonical] = coerce_value(canonical, value, types[canonical])
    return typed


# --------------------------------------------------------------------------- cache

def content_hash(ws: Mapping[str, Any]) -> str:
    text = json.dumps(ws, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class RouterCache:
    """Compiled routers by work-stream key; recompiled when the version changes.

    ``version`` is the stored row version; pass None to key on the content
    instead.  The service layer calls ``invalidate`` when a work stream is saved.
    """

    def __init__(self) -> None:
        self._routers: dict[Any, tuple[Any, CompiledRouter]] = {}

    def get(self, key: Any, version: Any, ws: Mapping[str, Any]) -> CompiledRouter:
        stamp = version if version is not None else content_hash(ws)
        cached = self._routers.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        router = compile_workstream(ws)
        self._routers[key] = (stamp, router)
        return router

    def invalidate(self, key: Any) -> None:
        self._routers.pop(key, None)

    def clear(self) -> None:
        self._routers.clear()

    def __len__(self) -> int:
        return len(self._routers)


__all__ = [
    "CompiledRouter",
    "RouteResult",
    "RouterCache",
    "coerce_context",
    "coerce_value",
    "compile_workstream",
    "content_hash",
    "variable_types",
]
