"""The reasoned facts about one work stream's routing rules (computed once, shared by the checks)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from app.doctor.solver import SAT, UNKNOWN, UNSAT, Outcome, Solver
from app.routing.conditions import is_group

REACHABLE = "reachable"
UNSATISFIABLE = "unsatisfiable"
SHADOWED = "shadowed"
POSSIBLY_SHADOWED = "possibly-shadowed"
UNDECIDED = "undecided"  # not even satisfiability was decided


@dataclass
class RuleFacts:
    index: int
    status: str
    # reachable: a context that this rule routes; shadowed: a context it matches (an earlier rule takes it)
    witness: dict | None = None
    shadowed_by: list[int] = field(default_factory=list)  # earlier rule indexes (shadowed)
    always_true: bool = False
    duplicate_of: int | None = None
    taken_in_values: list[tuple[str, Any, int | None]] = field(default_factory=list)  # (variable, value, earlier)
    searched: str = ""  # for possibly-shadowed / undecided: what was searched

    @property
    def fires(self) -> bool:
        """Could some conversation be routed by this rule (as far as the doctor knows)?"""
        return self.status in (REACHABLE, POSSIBLY_SHADOWED, UNDECIDED)


@dataclass
class StreamAnalysis:
    rules: list[RuleFacts]
    default_reachable: str  # SAT / UNSAT / UNKNOWN: can a conversation fall through to the default queue?
    default_witness: dict | None = None


def canonical(condition: Any, types: Mapping[str, str]) -> str:
    """A condition's text with the order of ``all``/``any`` children and of lists ignored,
    and text compared case-folded as routing does: equal text means the same rule."""
    def walk(node: Any) -> Any:
        if is_group(node):
            key = next(iter(node))
            children = sorted((walk(child) for child in node[key]), key=lambda c: json.dumps(c, sort_keys=True))
            return {key: children}
        if not isinstance(node, Mapping):
            return node
        leaf = dict(node)
        value = leaf.get("value")
        fold = types.get(leaf.get("variable")) == "text"
        if isinstance(value, list):
            value = sorted({v.casefold() if fold and isinstance(v, str) else v for v in value}, key=repr)
        elif fold and isinstance(value, str):
            value = value.casefold()
        leaf["value"] = value
        return leaf
    return json.dumps(walk(condition), sort_keys=True, default=str)


def _first_match(solver: Solver, positive: list, upto: int, context: Mapping[str, Any]) -> int | None:
    for index in range(upto):
        if solver.matches(positive[index], context):
            return index
    return None


def _replace_leaf(node: Any, target: Mapping, replacement: Mapping) -> Any:
    if node is target:
        return replacement
    if is_group(node):
        key = next(iter(node))
        return {key: [_replace_leaf(child, target, replacement) for child in node[key]]}
    return node


def _in_leaves(node: Any) -> list[Mapping]:
    if is_group(node):
        return [leaf for child in next(iter(node.values())) for leaf in _in_leaves(child)]
    if isinstance(node, Mapping) and node.get("operator") == "in" and isinstance(node.get("value"), list):
        return [node]
    return []


def analyse_stream(stream: Mapping[str, Any], budget: int | None = None, check_in_values: bool = True) -> StreamAnalysis:
    types = {v["name"]: v.get("type", "text") for v in stream.get("context_variables", [])}
    solver = Solver(types) if budget is None else Solver(types, budget)
    conditions = [rule.get("condition", {"all": []}) for rule in stream.get("routing_rules", [])]
    positive = [solver.formula(condition) for condition in conditions]
    negative = [Solver.negate(node) for node in positive]
    dead_at, fall_through = _dead_end(solver, negative)
    seen: dict[str, int] = {}
    facts: list[RuleFacts] = []
    for index, condition in enumerate(conditions):
        fact = _rule_facts(solver, conditions, positive, negative, index, dead_at)
        text = canonical(condition, types)
        if text in seen:
            fact.duplicate_of = seen[text]
        else:
            seen[text] = index
        if check_in_values and fact.status == REACHABLE:
            fact.taken_in_values = _taken_in_values(solver, conditions, positive, negative, index)
        facts.append(fact)
    return StreamAnalysis(facts, fall_through.status, fall_through.witness)


def _dead_end(solver: Solver, negative: list) -> tuple[int | None, Outcome]:
    """(the fewest leading rules no conversation gets past, or None; the fall-through outcome).

    "Gets past the first p rules" only gets harder as p grows, so a binary search
    finds the point where it becomes impossible."""
    whole = solver.solve(negative)
    if whole.status != UNSAT:
        return None, whole
    low, high = 0, len(negative)  # past the first `low` rules: possible (or unknown); past `high`: not
    while high - low > 1:
        middle = (low + high) // 2
        if solver.solve(negative[:middle]).status == UNSAT:
            high = middle
        else:
            low = middle
    return high, whole


def _rule_facts(solver: Solver, conditions: list, positive: list, negative: list, index: int,
                dead_at: int | None) -> RuleFacts:
    alone = solver.solve([positive[index]])
    if alone.status == UNSAT:
        return RuleFacts(index, UNSATISFIABLE)
    fact = RuleFacts(index, UNDECIDED, searched=alone.reason)
    fact.always_true = solver.solve([negative[index]]).status == UNSAT
    if alone.status == UNKNOWN:
        return fact
    if dead_at is not None and index >= dead_at:
        # no conversation gets past the first `dead_at` rules
        fact.status, fact.witness = SHADOWED, alone.witness
        fact.shadowed_by = _culprits(solver, conditions, positive, negative, index, alone.witness) \
            or list(range(dead_at))
        return fact
    # The cheap way first: the rule's own witness may already get past every earlier rule.
    if _first_match(solver, positive, index, alone.witness) is None:
        fact.status, fact.witness = REACHABLE, alone.witness
        return fact
    past: Outcome = solver.solve([positive[index], *negative[:index]])
    if past.status == SAT:
        fact.status, fact.witness = REACHABLE, past.witness
    elif past.status == UNSAT:
        fact.status, fact.witness = SHADOWED, alone.witness
        fact.shadowed_by = _culprits(solver, conditions, positive, negative, index, alone.witness) \
            or _overlapping(solver, positive, index)
    else:
        fact.status, fact.witness = POSSIBLY_SHADOWED, alone.witness
        fact.searched = (f"searched {past.steps} combinations of the conditions of rules 1-{index + 1}"
                         f" without finding a conversation for it; {past.reason}")
    return fact


def _culprits(solver: Solver, conditions: list, positive: list, negative: list, index: int,
              witness: dict) -> list[int]:
    """The first earlier rule that on its own covers this one ([] if none does alone).

    A rule that covers this one matches every context this one matches, so only
    the earlier rules that match this rule's witness need asking."""
    for earlier in range(index):
        if solver.matches(positive[earlier], witness) and \
                solver.solve([positive[index], negative[earlier]]).status == UNSAT:
            return [earlier]
    return []


def _overlapping(solver: Solver, positive: list, index: int) -> list[int]:
    """The earlier rules that match some conversation this one matches."""
    return [earlier for earlier in range(index)
            if solver.solve([positive[index], positive[earlier]]).status != UNSAT]


def _taken_in_values(solver: Solver, conditions: list, positive: list, negative: list, index: int) -> list[tuple[str, Any, int | None]]:
    """``in`` values of a reachable rule that earlier rules always take first."""
    taken = []
    condition = conditions[index]
    for leaf in _in_leaves(condition):
        values = leaf["value"]
        if len(values) < 2:
            continue
        for value in values:
            narrowed = _replace_leaf(condition, leaf, {"variable": leaf["variable"], "operator": "eq", "value": value})
            node = solver.formula(narrowed)
            alone = solver.solve([node])
            if alone.status != SAT:
                continue  # unsatisfiable with the rest of the rule: another finding's business
            if solver.solve([node, *negative[:index]]).status == UNSAT:
                taken.append((leaf["variable"], value, _first_match(solver, positive, index, alone.witness)))
    return taken


__all__ = ["POSSIBLY_SHADOWED", "REACHABLE", "SHADOWED", "UNDECIDED", "UNSATISFIABLE", "RuleFacts",
           "StreamAnalysis", "analyse_stream", "canonical", "SAT"]
