"""The routing engine: which queue a conversation of a work stream goes to.

Rules are tried top to bottom; the first whose condition is true sends the
conversation to its queue, and evaluation stops.  When none is true the
conversation goes to the work stream's default queue (``fallback``).

``compile_workstream`` compiles a work stream once, so routing never re-reads
the condition tree:

* ``route_queue`` (no trace) runs ONE plain Python function generated for the
  whole stream: every variable the rules read is fetched and prepared once into
  a local, then one ``if <condition>: return <queue>`` per rule.  It is built as
  source text from fixed templates, generated identifiers and integer indexes
  only; every user value (variable names, literals, queues) lives in a
  constants tuple ``_K`` and is written ``_K[i]`` -- see "generated source"
  below for how that stays safe and still loads like a literal.  Streams too big
  or too deep for that (``MAX_GENERATED_LEAVES``, ``MAX_GENERATED_DEPTH``) and
  mistyped contexts are routed by the closures instead.
* Each leaf also becomes a closure: the traced ``route`` uses those, and so does
  ``route_queue`` when the generated function hands over.

``app.routing.conditions.evaluate`` stays the definition of truth; the generated
function and the closures agree with it for every context of text, number and
``None`` values (tests/app/routing/test_router.py checks this with hypothesis).

How the fast paths stay exact (the generated function does the same per local):

* A call first *prepares* the context into a list indexed by variable slot:
  absent and ``None`` both become ``None`` (the reference treats them alike),
  text is case-folded once per call instead of once per leaf.  ``str.casefold``
  is idempotent and keeps blank text blank, so a prepared value means exactly
  what the raw value means.
* A leaf gets a specialised closure only when it is valid for its variable's
  declared type (``app.routing.conditions.validate_condition`` has nothing to say).
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

import ast
import gc
import hashlib
import json
from dataclasses import dataclass, field
from math import isfinite
from typing import Any, Callable, Iterable, Mapping, Sequence

from app.routing.conditions import (
    GROUP_KEYS,
    LIST_OPERATORS,
    VALUELESS_OPERATORS,
    evaluate,
    evaluate_leaf,
    is_group,
    is_number,
    parse_value,
    validate_condition,
)
from app.common.errors import UserError

Prepared = list  # one slot per variable: case-folded text, a number, or None
LeafTest = Callable[[Prepared], bool]


# --------------------------------------------------------------------------- results

@dataclass(frozen=True)
class SplitTarget:
    """One queue of a percentage split and its share (1..99; a split's shares add up to 100)."""

    queue: str
    percent: int


class _Split:
    """A split rule's targets; the draw picks one.  The routing function returns it where it
    returns a queue name; callers tell the two apart by class."""

    __slots__ = ("targets", "bounds", "first")

    def __init__(self, targets: Iterable[SplitTarget]):
        self.targets = tuple(targets)
        cumulative = 0
        bounds = []
        for target in self.targets:
            cumulative += target.percent
            bounds.append((cumulative, target.queue))
        if bounds:  # shares adding up to less than 100 (an invalid document): the last takes the rest
            bounds[-1] = (100, bounds[-1][1])
        self.bounds = tuple(bounds)
        self.first = self.targets[0].queue

    def pick(self, draw: float | None) -> str:
        """``pick_target``, with the cumulative bounds worked out once."""
        if draw is None:
            return self.first
        if draw.__class__ is not float and draw.__class__ is not int or not 0 <= draw < 100:
            raise ValueError(f"a percentage draw is a number from 0 up to (not including) 100, not {draw!r}")
        for bound, queue in self.bounds:
            if draw < bound:
                return queue
        return self.first  # pragma: no cover - bounds end at 100 and draw < 100


def pick_target(targets: Sequence[SplitTarget], draw: float | None) -> str:
    """The first target whose cumulative percent exceeds ``draw`` (0 <= draw < 100); None -> the first."""
    if draw is None:
        return targets[0].queue
    if draw.__class__ not in (int, float) or not 0 <= draw < 100:
        raise ValueError(f"a percentage draw is a number from 0 up to (not including) 100, not {draw!r}")
    cumulative = 0
    for target in targets:
        cumulative += target.percent
        if draw < cumulative:
            return target.queue
    return targets[-1].queue  # shares that add up to less than 100 (an invalid document): the last takes the rest


def percentage_draw(rng: Any) -> float:
    """One percentage draw, 0 <= draw < 100, from a ``random.Random`` (the simulator's and
    ``wsc route --seed``'s: the same seed gives the same draws)."""
    return rng.random() * 100


@dataclass(frozen=True)
class RouteResult:
    workstream: str
    queue: str | None
    rule: str | None
    fallback: bool
    trace: list[dict] = field(default_factory=list)
    # the matched rule's split (empty unless it is one) and the draw that chose ``queue`` from it
    targets: tuple[SplitTarget, ...] = ()
    draw: float | None = None

    def to_json(self) -> dict:
        return {
            "workstream": self.workstream,
            "queue": self.queue,
            "rule": self.rule,
            "fallback": self.fallback,
            "targets": [{"queue": target.queue, "percent": target.percent} for target in self.targets],
            "draw": self.draw,
            "trace": self.trace,
        }


@dataclass(frozen=True)
class Classification:
    """What work classification attached to a conversation: the first matching rule and its skills."""

    rule: str | None
    skills: dict[str, str]

    def to_json(self) -> dict:
        return {"rule": self.rule, "skills": dict(self.skills)}


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


def _reference_value_test(leaf: Mapping) -> Callable[[Any], bool]:
    """The reference meaning of a leaf as a function of its (prepared) value."""
    frozen = dict(leaf)
    variable = frozen["variable"]
    return lambda value: evaluate_leaf(frozen, {} if value is None else {variable: value})


def _reference_leaf(slot: int, leaf: Mapping) -> LeafTest:
    """The reference meaning, for leaves that don't fit their variable's type."""
    test = _reference_value_test(leaf)
    return lambda p: test(p[slot])


# --------------------------------------------------------------------------- tree compilation

class _Slots:
    """Variable name -> slot index, plus which slots number leaves read."""

    def __init__(self, types: Mapping[str, str]):
        self.types = types
        self.index: dict[str, int] = {}
        self.number_read: set[int] = set()
        self._kinds: dict[int, str] = {}  # id(leaf) -> _leaf_kind, while the tree is being compiled

    def slot(self, name: str) -> int:
        return self.index.setdefault(name, len(self.index))

    def kind(self, leaf: Mapping) -> str:
        """``_leaf_kind`` once per leaf (the closures, the trace and the source all ask)."""
        kind = self._kinds.get(id(leaf))
        if kind is None:
            kind = self._kinds[id(leaf)] = _leaf_kind(leaf, self.types)
        return kind

    def done(self) -> None:
        self._kinds.clear()  # ids are only meaningful while the trees are alive


def _is_group(node: Any) -> bool:
    """``is_group`` without ``isinstance(node, typing.Mapping)`` for plain dicts (slow)."""
    if node.__class__ is dict:
        return len(node) == 1 and next(iter(node)) in GROUP_KEYS
    return is_group(node)


def _leaf_kind(leaf: Mapping, types: Mapping[str, str]) -> str:
    """How a leaf is compiled: 'reference' (doesn't fit its variable's declared type),
    'empty' (is_empty / is_not_empty), or 'text' / 'number' (a valid leaf of that type).
    The closures and the generated source both follow this one decision."""
    var_type = types.get(leaf["variable"])
    if var_type is None or validate_condition(leaf, types):
        return "reference"
    if leaf["operator"] in VALUELESS_OPERATORS:
        return "empty"
    if leaf["operator"] not in (_TEXT_SOURCE if var_type == "text" else _NUMBER_SOURCE):
        return "reference"
    return var_type


def _leaf_test(leaf: Mapping, slots: _Slots) -> LeafTest:
    variable = leaf["variable"]
    operator = leaf["operator"]
    slot = slots.slot(variable)
    kind = slots.kind(leaf)
    if kind == "reference":
        return _reference_leaf(slot, leaf)
    if kind == "empty":
        return _emptiness_leaf(slot, operator)
    if kind == "text":
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
    if _is_group(node):
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
    if _is_group(node):
        key = next(iter(node))
        prefix = f"{path}." if path else ""
        parts = [_compile_traced(child, slots, f"{prefix}{key}[{i}]", leaves) for i, child in enumerate(node[key])]
        if key == "all":
            return lambda results: all([part(results) for part in parts])
        return lambda results: any([part(results) for part in parts])
    index = len(leaves)
    leaves.append(_TracedLeaf(path, node, _leaf_test(node, slots)))
    return lambda results: results[index]


# --------------------------------------------------------------------------- generated source
#
# ``route_queue`` runs one plain Python function per work stream, generated from
# its rules as source text once at compile time.  The source is built ONLY from
# fixed templates, identifiers made here (``ctx``, ``v<n>``, ``_K``, ``_str``,
# ``_isinstance``, ``_slow``, ``_route``), keywords and integer indexes formatted
# with ``:d``.  Every value that comes from a user's file -- variable names,
# literals, value lists, queue names, reference-leaf functions -- goes into the
# constants tuple ``_K`` and is referred to as ``_K[i]``: user text is data,
# never code.  The function runs with empty builtins.
#
# Speed: ``_K[i]`` costs two extra bytecodes per use (load the tuple, index it),
# about 40 % of the hand-written speed over 200 rules.  So the source (which
# holds no user text) is parsed with ``ast.parse``, and each ``_K[i]`` whose value
# is a plain str/int/float/None or a frozenset of str/int/float is replaced by an
# ``ast.Constant`` holding that *object*; the compiled code then loads it with
# LOAD_CONST, as a literal in hand-written code would be.  The value is never
# rendered as text nor parsed.  Other values (the reference-leaf functions)
# stay ``_K[i]``.  ``CompiledRouter.source`` keeps the ``_K[i]`` text for review.
#
# Slots (each variable the rules read, hoisted once per call into ``v<n>``):
#   text   -- a declared text variable: None or case-folded ``str`` after the
#             hoist; any other value takes the closure path (``_slow``), which
#             is exact for mistyped text slots.
#   number -- a declared number variable read by a valid number leaf: text there
#             takes ``_slow`` (which hands it to the reference interpreter).
#   plain  -- anything else (undeclared, or only emptiness/reference leaves):
#             prepared exactly like ``CompiledRouter._prepare``.

MAX_GENERATED_LEAVES = 20_000  # beyond this a stream is routed by the closures
MAX_GENERATED_DEPTH = 64       # condition nesting the generator accepts (validation allows 16)

# operator -> expression over a prepared slot ``{v}`` and a constant ``{k}``
_TEXT_SOURCE = {
    "eq": "({v} == {k})",
    "ne": "({v} is not None and {v} != {k})",
    "contains": "({v} is not None and {k} in {v})",
    "not_contains": "({v} is not None and {k} not in {v})",
    "begins_with": "({v} is not None and {v}.startswith({k}))",
    "ends_with": "({v} is not None and {v}.endswith({k}))",
    "in": "({v} in {k})",
    "not_in": "({v} is not None and {v} not in {k})",
}
_NUMBER_SOURCE = {
    "eq": "({v} == {k})",
    "ne": "({v} is not None and {v} != {k})",
    "gt": "({v} is not None and {v} > {k})",
    "ge": "({v} is not None and {v} >= {k})",
    "lt": "({v} is not None and {v} < {k})",
    "le": "({v} is not None and {v} <= {k})",
    "in": "({v} in {k})",
    "not_in": "({v} is not None and {v} not in {k})",
}
# Conditions are only ever used for their truth value, so ``{v}.strip()`` is "not blank".
_EMPTINESS_SOURCE = {
    ("text", "is_empty"): "({v} is None or not {v}.strip())",
    ("text", "is_not_empty"): "({v} is not None and {v}.strip())",
    ("number", "is_empty"): "({v} is None)",
    ("number", "is_not_empty"): "({v} is not None)",
    ("plain", "is_empty"): "({v} is None or ({v}.__class__ is _str and not {v}.strip()))",
    ("plain", "is_not_empty"): "({v} is not None and not ({v}.__class__ is _str and not {v}.strip()))",
}
_HOIST_SOURCE = {
    "text": ("    {v} = ctx.get({k})\n"
             "    if {v}.__class__ is _str:\n"
             "        {v} = {v}.casefold()\n"
             "    elif {v} is not None:\n"
             "        return _slow(ctx)\n"),
    "number": ("    {v} = ctx.get({k})\n"
               "    if _isinstance({v}, _str):\n"
               "        return _slow(ctx)\n"),
    "plain": ("    {v} = ctx.get({k})\n"
              "    if _isinstance({v}, _str):\n"
              "        {v} = {v}.casefold()\n"),
}


class _NotGenerated(Exception):
    """The stream is too big or too deep for generated source; use the closures."""


class _SourceBuilder:
    def __init__(self, types: Mapping[str, str], kind: Callable[[Mapping], str]):
        self.types = types
        self.kind = kind
        self.constants: list[Any] = []
        self.slots: dict[str, int] = {}
        self.number_read: set[int] = set()
        self.leaf_count = 0

    def const(self, value: Any) -> str:
        """``_K[i]`` for a new constant: the only way a value reaches the source."""
        self.constants.append(value)
        return f"_K[{len(self.constants) - 1:d}]"

    @staticmethod
    def local(slot: int) -> str:
        return f"v{slot:d}"

    def survey(self, node: Any, depth: int) -> None:
        """Slots in order of first use, which are read as numbers, and the size guards."""
        if depth > MAX_GENERATED_DEPTH:
            raise _NotGenerated("nesting")
        if _is_group(node):
            for child in next(iter(node.values())):
                self.survey(child, depth + 1)
            return
        self.leaf_count += 1
        if self.leaf_count > MAX_GENERATED_LEAVES:
            raise _NotGenerated("size")
        slot = self.slots.setdefault(node["variable"], len(self.slots))
        if self.kind(node) == "number":
            self.number_read.add(slot)

    def mode(self, variable: str) -> str:
        if self.types.get(variable) == "text":
            return "text"
        return "number" if self.slots[variable] in self.number_read else "plain"

    def expression(self, node: Any) -> str:
        if _is_group(node):
            key = next(iter(node))
            parts: list[str] = []
            self._flatten(key, node[key], parts)
            if not parts:
                return "True" if key == "all" else "False"
            if len(parts) == 1:
                return parts[0]
            return "(" + (" and " if key == "all" else " or ").join(parts) + ")"
        return self.leaf(node)

    def _flatten(self, key: str, children: list, parts: list[str]) -> None:
        # all(a, all(b, c)) is all(a, b, c) with the same evaluation order; likewise any.
        for child in children:
            if _is_group(child) and next(iter(child)) == key:
                self._flatten(key, child[key], parts)
            else:
                parts.append(self.expression(child))

    def leaf(self, leaf: Mapping) -> str:
        variable = leaf["variable"]
        operator = leaf["operator"]
        v = self.local(self.slots[variable])
        kind = self.kind(leaf)
        if kind == "reference":
            return f"{self.const(_reference_value_test(leaf))}({v})"
        if kind == "empty":
            return _EMPTINESS_SOURCE[(self.mode(variable), operator)].format(v=v)
        value = leaf["value"]
        if kind == "text":
            if operator in LIST_OPERATORS:
                literal: Any = frozenset(item.casefold() for item in value)
            else:
                literal = value.casefold()
            template = _TEXT_SOURCE[operator]
        else:
            literal = frozenset(item for item in value if is_number(item)) if operator in LIST_OPERATORS else value
            template = _NUMBER_SOURCE[operator]
        return template.format(v=v, k=self.const(literal))


def _generate_route_queue(
    rules: Sequence["_Rule"], default_queue: Any, slots: _Slots,
    slow: Callable[[Mapping[str, Any]], Any], classes: Sequence["_Rule"] | None = None,
    default_class: Any = None,
) -> tuple[Callable[[Mapping[str, Any]], Any], str] | None:
    """One plain function for all the rules and its source; None when the stream is
    too big or too deep for generated source (the closures route it then).

    With ``classes`` (classification rules: a condition and a ``Classification`` as their
    "queue") the function first takes the first matching one (``default_class`` if none) and
    returns ``(classification, queue)``: the context is read and prepared once for both."""
    builder = _SourceBuilder(slots.types, slots.kind)
    try:
        for rule in (*(classes or ()), *rules):
            builder.survey(rule.condition, 1)
    except _NotGenerated:
        return None
    lines = ["def _route(ctx, _K=_K, _str=_str, _isinstance=_isinstance, _slow=_slow):\n"]
    for variable, slot in builder.slots.items():
        lines.append(_HOIST_SOURCE[builder.mode(variable)].format(v=builder.local(slot), k=builder.const(variable)))
    returned = "{}"
    if classes is not None:
        lines.append(f"    c = {builder.const(default_class)}\n")
        for index, rule in enumerate(classes):
            lines.append(f"    {'elif' if index else 'if'} {builder.expression(rule.condition)}:\n")
            lines.append(f"        c = {builder.const(rule.queue)}\n")
        returned = "c, {}"
    for rule in rules:
        lines.append(f"    if {builder.expression(rule.condition)}:\n")
        lines.append(f"        return {returned.format(builder.const(rule.queue))}\n")
    lines.append(f"    return {returned.format(builder.const(default_queue))}\n")
    # a split rule returns its ``_Split`` (never inlined: not a plain constant); route_queue draws
    source = "".join(lines)
    constants = tuple(builder.constants)
    namespace: dict[str, Any] = {
        "__builtins__": {}, "_K": constants, "_str": str, "_isinstance": isinstance, "_slow": slow,
    }
    # A big stream's syntax tree is many small objects: collecting while it is
    # built costs more than building it, so the collector waits (as timeit does).
    collecting = gc.isenabled()
    gc.disable()
    try:
        tree = ast.parse(source, "<generated routing rules>")
        _inline_constants(tree, constants)
        code = compile(tree, "<generated routing rules>", "exec")
        exec(code, namespace)  # noqa: S102 - our own source; user values are objects, never text
    except (SyntaxError, RecursionError, MemoryError, OverflowError, ValueError, TypeError):
        return None
    finally:
        if collecting:
            gc.enable()
    return namespace["_route"], source


def _inlinable(value: Any) -> bool:
    """A value the compiler accepts as a code constant (exact built-in types only)."""
    if value.__class__ is frozenset:
        return all(item.__class__ in (str, int, float) for item in value)
    return value is None or value.__class__ in (str, int, float)


def _inline_constants(tree: ast.AST, constants: tuple) -> None:
    """Every ``_K[i]`` in ``tree`` -> the constant object itself, so it loads like a literal.

    This works on the syntax tree of the generated source: a user's value becomes
    an ``ast.Constant`` *object* and is never rendered as, or parsed from, text.
    Values that are not plain constants (the reference-leaf functions) stay ``_K[i]``.
    """
    def replacement(node: ast.AST) -> ast.Constant | None:
        if node.__class__ is not ast.Subscript:
            return None
        target, index = node.value, node.slice
        if (target.__class__ is ast.Name and target.id == "_K" and index.__class__ is ast.Constant
                and index.value.__class__ is int and _inlinable(constants[index.value])):
            return ast.copy_location(ast.Constant(constants[index.value]), node)
        return None

    stack = [tree]
    while stack:
        node = stack.pop()
        for name in node._fields:
            value = getattr(node, name)
            if value.__class__ is list:
                for position, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        constant = replacement(item)
                        if constant is None:
                            stack.append(item)
                        else:
                            value[position] = constant
            elif isinstance(value, ast.AST):
                constant = replacement(value)
                if constant is None:
                    stack.append(value)
                else:
                    setattr(node, name, constant)


# --------------------------------------------------------------------------- the router

@dataclass(frozen=True)
class _Rule:
    name: str
    queue: "str | _Split | None"  # a split rule's queue is its targets
    condition: Mapping
    test: LeafTest
    leaves: tuple[_TracedLeaf, ...]
    combine: Combiner


class CompiledRouter:
    """The routing rules of one work stream, compiled once."""

    def __init__(self, workstream: str, default_queue: str | None, rules: list[_Rule], slots: _Slots,
                 classes: Sequence[tuple[LeafTest, Mapping, "Classification"]] = ()):
        self.workstream = workstream
        self.default_queue = default_queue
        self._rules = rules
        self._fast = tuple((rule.test, rule.queue) for rule in rules)
        # (name, reads-as-number) per slot, for the one pass that prepares a context
        self._slot_plan = tuple((name, slots.index[name] in slots.number_read) for name in slots.index)
        generated = _generate_route_queue(rules, default_queue, slots, self._route_queue_closures)
        #: the generated source of ``route_queue`` (None: too big/deep, the closures route)
        self.source: str | None = None if generated is None else generated[1]
        self._route_queue: Callable[[Mapping[str, Any]], str | None] = (
            self._route_queue_closures if generated is None else generated[0])
        #: the stream's classification rules (None: it has none), compiled like the routing rules
        self.classifier: CompiledClassifier | None = None
        self._classify_route: Callable[[Mapping[str, Any]], tuple] | None = None
        if classes:
            self.classifier = CompiledClassifier(workstream, list(classes), slots)
            combined = _generate_route_queue(
                rules, default_queue, slots, self._classify_route_closures,
                [_ClassRule(condition, result) for _test, condition, result in classes], _UNCLASSIFIED)
            self._classify_route = self._classify_route_closures if combined is None else combined[0]

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

    def route_queue(self, context: Mapping[str, Any], draw: float | None = None) -> str | None:
        """The destination queue only: the fast path, no trace (the generated function).
        ``draw`` (0 <= draw < 100) chooses among a split rule's queues; None -> its first."""
        queue = self._route_queue(context)
        if queue.__class__ is _Split:
            return queue.pick(draw)
        return queue

    def classify_and_route(self, context: Mapping[str, Any],
                           draw: float | None = None) -> tuple["Classification", str | None]:
        """``classify`` and ``route_queue`` in one call that reads the context once (one generated
        function for both rule lists): the per-conversation decision of a version 2 stream."""
        combined = self._classify_route
        if combined is None:
            return _UNCLASSIFIED, self.route_queue(context, draw)
        classification, queue = combined(context)
        if queue.__class__ is _Split:
            return classification, queue.pick(draw)
        return classification, queue

    def _classify_route_closures(self, context: Mapping[str, Any]) -> tuple:
        return self.classifier.classify(context), self._route_queue_closures(context)

    def _route_queue_closures(self, context: Mapping[str, Any]) -> str | None:
        """``route_queue`` by the closures: for streams too big for generated source
        and for mistyped contexts the generated function hands over."""
        prepared = self._prepare(context)
        if prepared is None:
            result = self.route(context)
            return _Split(result.targets) if result.targets else result.queue
        for test, queue in self._fast:
            if test(prepared):
                return queue
        return self.default_queue

    def route(self, context: Mapping[str, Any], draw: float | None = None) -> RouteResult:
        """The destination with a trace of every evaluated rule and leaf; ``draw`` as in ``route_queue``."""
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
                if rule.queue.__class__ is _Split:
                    return RouteResult(self.workstream, rule.queue.pick(draw), rule.name, False, trace,
                                       rule.queue.targets, draw)
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


def _destination(rule: Mapping[str, Any]) -> "str | _Split | None":
    """A rule's queue name, or its split's targets (``queues`` of the document, version 2)."""
    queue = rule.get("queue")
    shares = rule.get("queues") or ()
    if queue is None and shares:
        return _Split(SplitTarget(share["queue"], share["percent"]) for share in shares)
    if queue is None:
        raise UserError(f"routing rule '{rule.get('name')}' sends to no queue (give 'queue' or 'queues')")
    return queue


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
        rules.append(_Rule(rule["name"], _destination(rule), condition, test, tuple(leaves), combine))
    router = CompiledRouter(name, ws.get("default_queue"), rules, slots, _compile_classes(ws, slots))
    slots.done()
    return router


# --------------------------------------------------------------------------- classification

_UNCLASSIFIED = Classification(None, {})


@dataclass(frozen=True)
class _ClassRule:
    """A classification rule in the shape the source generator reads (its result as the "queue")."""

    condition: Mapping
    queue: Classification


class CompiledClassifier:
    """The classification rules of one work stream, compiled once: ordered, first match,
    conditions meaning what they mean in routing rules (the same closures)."""

    def __init__(self, workstream: str, rules: list[tuple[LeafTest, Mapping, Classification]], slots: _Slots):
        self.workstream = workstream
        self._rules = tuple(rules)
        self._slot_plan = tuple((name, slots.index[name] in slots.number_read) for name in slots.index)
        # the same generated source as route_queue: one function, the closures when too big
        pseudo = [_ClassRule(condition, result) for _test, condition, result in rules]
        generated = _generate_route_queue(pseudo, _UNCLASSIFIED, slots, self._classify_closures) if rules else None
        self.source: str | None = None if generated is None else generated[1]
        self._classify = self._classify_closures if generated is None else generated[0]

    @property
    def rule_count(self) -> int:
        return len(self._rules)

    def classify(self, context: Mapping[str, Any]) -> Classification:
        """The first matching rule's skills (read-only: shared by every match), or none."""
        return self._classify(context)

    def _classify_closures(self, context: Mapping[str, Any]) -> Classification:
        if not self._rules:
            return _UNCLASSIFIED
        prepared: Prepared | None = []
        for name, read_as_number in self._slot_plan:
            value = context.get(name)
            if isinstance(value, str):
                if read_as_number:
                    prepared = None  # mistyped: the reference interpreter decides
                    break
                value = value.casefold()
            prepared.append(value)
        if prepared is None:
            for _test, condition, result in self._rules:
                if evaluate(condition, context):
                    return result
            return _UNCLASSIFIED
        for test, _condition, result in self._rules:
            if test(prepared):
                return result
        return _UNCLASSIFIED


def _compile_classes(ws: Mapping[str, Any], slots: _Slots) -> list[tuple[LeafTest, Mapping, Classification]]:
    rules = []
    for index, rule in enumerate(ws.get("classification_rules", []) or []):
        where = f"work stream '{ws['name']}', classification_rules[{index}].condition"
        condition = rule.get("condition", {"all": []})
        test = _compile_fast(condition, slots, where)
        rules.append((test, condition, Classification(rule["name"], dict(rule.get("skills", {})))))
    return rules


def compile_classifier(ws: Mapping[str, Any]) -> CompiledClassifier:
    """Compile a work stream's ``classification_rules`` (a configuration-document dict)."""
    slots = _Slots(variable_types(ws))
    classifier = CompiledClassifier(ws["name"], _compile_classes(ws, slots), slots)
    slots.done()
    return classifier


_CLASSIFIERS: dict[str, CompiledClassifier] = {}
_CLASSIFIER_CACHE_SIZE = 64


def classify(ws_doc: Mapping[str, Any], context: Mapping[str, Any]) -> Classification:
    """The skills a conversation of ``ws_doc`` with ``context`` needs (compiled once per rule set)."""
    rules = ws_doc.get("classification_rules") or []
    if not rules:
        return _UNCLASSIFIED
    key = content_hash({"name": ws_doc["name"], "variables": ws_doc.get("context_variables", []), "rules": rules})
    classifier = _CLASSIFIERS.get(key)
    if classifier is None:
        if len(_CLASSIFIERS) >= _CLASSIFIER_CACHE_SIZE:
            _CLASSIFIERS.clear()
        classifier = _CLASSIFIERS[key] = compile_classifier(ws_doc)
    return classifier.classify(context)


def required_skills(ws_doc: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, str]:
    """Skill name -> minimum rating a conversation needs (empty: none)."""
    return dict(classify(ws_doc, context).skills)


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
        var_type = types.get(name)
        if var_type is None:
            name = _resolve_variable(name, types, ws["name"])
            var_type = types[name]
        # the common cases inline (exactly what coerce_value returns), the rest through it
        kind = value.__class__
        if (value is None or (kind is str and var_type == "text")
                or (var_type == "number" and (kind is int or (kind is float and isfinite(value))))):
            typed[name] = value
        elif kind is str and var_type == "number":
            try:
                typed[name] = int(value.strip())  # parse_value's first try
            except ValueError:
                typed[name] = coerce_value(name, value, var_type)
        else:
            typed[name] = coerce_value(name, value, var_type)
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
    "Classification",
    "CompiledClassifier",
    "CompiledRouter",
    "RouteResult",
    "RouterCache",
    "SplitTarget",
    "classify",
    "compile_classifier",
    "percentage_draw",
    "pick_target",
    "required_skills",
    "coerce_context",
    "coerce_value",
    "compile_workstream",
    "content_hash",
    "variable_types",
]
