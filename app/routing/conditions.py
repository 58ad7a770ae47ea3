"""Routing-rule conditions: the tree format, its validation and its meaning.

A node is ``{"all": [nodes]}``, ``{"any": [nodes]}`` or a leaf
``{"variable": name, "operator": op, "value": v}``.  This module is the single
definition of what a condition *means*: ``evaluate`` is the plain reference
interpreter that the compiled router (app.routing.router) must always agree with.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

TEXT_OPERATORS = (
    "eq", "ne", "contains", "not_contains", "begins_with", "ends_with",
    "in", "not_in", "is_empty", "is_not_empty",
)
NUMBER_OPERATORS = ("eq", "ne", "gt", "ge", "lt", "le", "in", "not_in", "is_empty", "is_not_empty")
OPERATORS_BY_TYPE: dict[str, tuple[str, ...]] = {"text": TEXT_OPERATORS, "number": NUMBER_OPERATORS}
ALL_OPERATORS = tuple(dict.fromkeys(TEXT_OPERATORS + NUMBER_OPERATORS))
VALUELESS_OPERATORS = frozenset({"is_empty", "is_not_empty"})
LIST_OPERATORS = frozenset({"in", "not_in"})
GROUP_KEYS = ("all", "any")
MAX_CONDITION_DEPTH = 16

# One style: comparisons are symbols (=, ≠, >, ≥, <, ≤); text and list tests are words (contains, is one of).
OPERATOR_LABELS = {
    "eq": "=",
    "ne": "≠",
    "contains": "contains",
    "not_contains": "does not contain",
    "begins_with": "begins with",
    "ends_with": "ends with",
    "gt": ">",
    "ge": "≥",
    "lt": "<",
    "le": "≤",
    "in": "is one of",
    "not_in": "is not one of",
    "is_empty": "is empty",
    "is_not_empty": "is not empty",
}


@dataclass(frozen=True)
class Issue:
    """One validation problem, located by a dotted/indexed path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_group(node: Any) -> bool:
    return isinstance(node, Mapping) and len(node) == 1 and next(iter(node)) in GROUP_KEYS


def always_true() -> dict:
    """The condition of a rule with no rows: an empty AND matches everything."""
    return {"all": []}


# --------------------------------------------------------------------------- validation

def validate_condition(node: Any, variable_types: Mapping[str, str], path: str = "condition") -> list[Issue]:
    """Every problem in ``node`` given the stream's variables (name -> 'text'|'number')."""
    if condition_is_valid(node, variable_types):
        return []
    issues: list[Issue] = []
    _validate(node, variable_types, path, 1, issues)
    return issues


_LEAF_KEYS = frozenset(("variable", "operator", "value"))
_OPERATOR_SETS = {var_type: frozenset(operators) for var_type, operators in OPERATORS_BY_TYPE.items()}


def condition_is_valid(node: Any, variable_types: Mapping[str, str], depth: int = 1) -> bool:
    """True exactly when ``validate_condition`` finds nothing, for plain JSON values (dict,
    list, str, int, float, bool, None); for anything else False means "look closer".

    The fast path for large documents (500k rules): no paths, no Issue objects, exact
    type tests instead of ABC checks; ``_validate`` stays the one wording of problems.
    """
    if depth > MAX_CONDITION_DEPTH or type(node) is not dict:
        return False
    if "all" in node or "any" in node:
        if len(node) != 1:
            return False
        children = node["all"] if "all" in node else node["any"]
        if type(children) is not list:
            return False
        depth += 1
        for child in children:
            if not condition_is_valid(child, variable_types, depth):
                return False
        return True
    if not node.keys() <= _LEAF_KEYS:
        return False
    variable = node.get("variable")
    operator = node.get("operator")
    if type(variable) is not str or not variable or type(operator) is not str:
        return False
    operators = _OPERATOR_SETS.get(variable_types.get(variable))  # type: ignore[arg-type]
    if operators is None or operator not in operators:
        return False
    if operator in VALUELESS_OPERATORS:
        return node.get("value") is None
    if "value" not in node:
        return False
    value = node["value"]
    number = variable_types[variable] == "number"
    if operator in LIST_OPERATORS:
        if type(value) is not list or not value:
            return False
        return all(map(_is_number_literal if number else _is_text_literal, value))
    return _is_number_literal(value) if number else type(value) is str


def _is_number_literal(value: Any) -> bool:
    kind = type(value)
    return (kind is int or kind is float) and math.isfinite(value)


def _is_text_literal(value: Any) -> bool:
    return type(value) is str


def _validate(node: Any, types: Mapping[str, str], path: str, depth: int, issues: list[Issue]) -> None:
    if depth > MAX_CONDITION_DEPTH:
        issues.append(Issue(path, f"conditions nest deeper than {MAX_CONDITION_DEPTH} levels"))
        return
    if not isinstance(node, Mapping):
        issues.append(Issue(path, "a condition must be an object"))
        return
    if any(key in node for key in GROUP_KEYS):
        if len(node) != 1:
            issues.append(Issue(path, "a group has exactly one key, 'all' or 'any'"))
            return
        key = next(iter(node))
        children = node[key]
        if not isinstance(children, list):
            issues.append(Issue(f"{path}.{key}", "must be a list of conditions"))
            return
        for index, child in enumerate(children):
            _validate(child, types, f"{path}.{key}[{index}]", depth + 1, issues)
        return
    _validate_leaf(node, types, path, issues)


def _validate_leaf(node: Mapping, types: Mapping[str, str], path: str, issues: list[Issue]) -> None:
    unknown = set(node) - {"variable", "operator", "value"}
    if unknown:
        issues.append(Issue(path, f"unknown key '{sorted(unknown)[0]}' in a condition"))
        return
    variable = node.get("variable")
    operator = node.get("operator")
    if not isinstance(variable, str) or not variable:
        issues.append(Issue(path, "a condition needs a variable"))
        return
    if not isinstance(operator, str) or operator not in ALL_OPERATORS:
        issues.append(Issue(path, f"unknown operator {operator!r}"))
        return
    var_type = types.get(variable)
    if var_type is None:
        issues.append(Issue(path, f"unknown context variable '{variable}'"))
        return
    if operator not in OPERATORS_BY_TYPE[var_type]:
        issues.append(Issue(path, f"operator '{operator}' needs a number variable"
                                  if var_type == "text" else
                                  f"operator '{operator}' needs a text variable"))
        return
    if operator in VALUELESS_OPERATORS:
        if "value" in node and node["value"] is not None:
            issues.append(Issue(path, f"operator '{operator}' takes no value"))
        return
    if "value" not in node:
        issues.append(Issue(path, f"operator '{operator}' needs a value"))
        return
    value = node["value"]
    if operator in LIST_OPERATORS:
        if not isinstance(value, list) or not value:
            issues.append(Issue(f"{path}.value", f"operator '{operator}' needs a non-empty list"))
            return
        for index, item in enumerate(value):
            problem = value_problem(item, var_type)
            if problem:
                issues.append(Issue(f"{path}.value[{index}]", problem))
        return
    problem = value_problem(value, var_type)
    if problem:
        issues.append(Issue(f"{path}.value", problem))


def value_problem(value: Any, var_type: str) -> str | None:
    """Why ``value`` is not a valid literal of ``var_type`` (None when it is)."""
    if var_type == "number":
        return None if is_number(value) else f"{value!r} is not a number"
    if not isinstance(value, str):
        return f"{value!r} is not text"
    return None


def parse_value(text: str, var_type: str) -> str | int | float:
    """A typed value from what a user typed. Raises ValueError with a readable reason."""
    if var_type == "text":
        return text
    stripped = text.strip()
    try:
        number: int | float = int(stripped)
    except ValueError:
        try:
            number = float(stripped)
        except ValueError:
            raise ValueError(f"'{text}' is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"'{text}' is not a finite number")
    return number


# --------------------------------------------------------------------------- tree helpers

def iter_leaves(node: Any) -> Iterable[Mapping]:
    if is_group(node):
        for child in next(iter(node.values())):
            yield from iter_leaves(child)
    elif isinstance(node, Mapping):
        yield node


def variables_used(node: Any) -> set[str]:
    return {leaf["variable"] for leaf in iter_leaves(node) if isinstance(leaf.get("variable"), str)}


def rename_variable(node: Any, old: str, new: str) -> Any:
    """A copy of ``node`` with every leaf on ``old`` pointing at ``new``."""
    if is_group(node):
        key = next(iter(node))
        return {key: [rename_variable(child, old, new) for child in node[key]]}
    if isinstance(node, Mapping):
        leaf = dict(node)
        if leaf.get("variable") == old:
            leaf["variable"] = new
        return leaf
    return node


def render_condition(node: Any, labels: Mapping[str, str] | None = None) -> str:
    """A one-line, human reading of a condition (for rule lists and logs)."""
    labels = labels or {}
    text = _render(node, labels, top=True)
    return text or "(always)"


def _render(node: Any, labels: Mapping[str, str], top: bool) -> str:
    if is_group(node):
        key = next(iter(node))
        parts = [_render(child, labels, top=False) for child in node[key]]
        parts = [p for p in parts if p]
        if not parts:
            return ""
        joined = (" AND " if key == "all" else " OR ").join(parts)
        return joined if top or len(parts) == 1 else f"({joined})"
    if not isinstance(node, Mapping):
        return "?"
    name = labels.get(node.get("variable", ""), node.get("variable", "?"))
    operator = node.get("operator", "?")
    label = OPERATOR_LABELS.get(operator, operator)
    if operator in VALUELESS_OPERATORS:
        return f"{name} {label}"
    return f"{name} {label} {_render_value(node.get('value'))}"


def _render_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_render_value(v) for v in value) + "]"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- meaning

def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def evaluate_leaf(leaf: Mapping, context: Mapping[str, Any]) -> bool:
    """The reference meaning of one leaf.  ``context`` values are already typed."""
    operator = leaf["operator"]
    present = leaf["variable"] in context
    seen = context.get(leaf["variable"])
    if operator == "is_empty":
        return not present or _blank(seen)
    if operator == "is_not_empty":
        return present and not _blank(seen)
    if not present or seen is None:
        return False
    expected = leaf.get("value")
    if isinstance(seen, str):
        seen_text = seen.casefold()
        if operator in LIST_OPERATORS:
            found = any(isinstance(v, str) and v.casefold() == seen_text for v in expected)
            return found if operator == "in" else not found
        target = expected.casefold() if isinstance(expected, str) else ""
        if operator == "eq":
            return seen_text == target
        if operator == "ne":
            return seen_text != target
        if operator == "contains":
            return target in seen_text
        if operator == "not_contains":
            return target not in seen_text
        if operator == "begins_with":
            return seen_text.startswith(target)
        if operator == "ends_with":
            return seen_text.endswith(target)
        return False
    if operator in LIST_OPERATORS:
        found = any(is_number(v) and v == seen for v in expected)
        return found if operator == "in" else not found
    if operator == "eq":
        return seen == expected
    if operator == "ne":
        return seen != expected
    if operator == "gt":
        return seen > expected
    if operator == "ge":
        return seen >= expected
    if operator == "lt":
        return seen < expected
    if operator == "le":
        return seen <= expected
    return False


def evaluate(node: Any, context: Mapping[str, Any]) -> bool:
    """The reference interpreter: slow, obvious, and the definition of truth."""
    if is_group(node):
        key = next(iter(node))
        results = (evaluate(child, context) for child in node[key])
        return all(results) if key == "all" else any(results)
    return evaluate_leaf(node, context)
