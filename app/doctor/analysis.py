"""The reasoned facts about one work stream's routing rules (computed once, shared by the checks)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from app.doctor.solver import SAT, UNKNOWN, UNSAT, Solver
from app.routing.conditions import is_group

REACHABLE = "reachable"
UNSATISFIABLE = "unsatisfiable"
SHADOWED = "shadowed"
POSSIBLY_SHADOWED = "possibly-shadowed"
UNDECIDED = "undecided"  # not even satisfiability was decided
MAX_CULPRIT_QUESTIONS = 6  # earlier rules asked "do you cover it alone?" (only for the message)


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


def _leaf_key(leaf: Mapping, types: Mapping[str, str]) -> Any:
    """A leaf with list order ignored and text case-folded, as routing compares it: a tuple
    (cheaper than the JSON text it replaces, and as strict: 1, 1.0 and True differ)."""
    value = leaf.get("value")
    fold = types.get(leaf.get("variable")) == "text"
    try:
        if isinstance(value, list):
            items = {v.casefold() if fold and isinstance(v, str) else v for v in value}
            value = ("list", tuple((type(v).__name__, v) for v in sorted(items, key=repr)))
        else:
            value = (type(value).__name__, value.casefold() if fold and isinstance(value, str) else value)
        key = (leaf.get("variable"), leaf.get("operator"), value)
        hash(key)
        return key
    except TypeError:  # something unhashable in an invalid document: its JSON text then
        return json.dumps([leaf.get("variable"), leaf.get("operator"), leaf.get("value")], default=str)


def canonical(solver: Solver, node: Any, types: Mapping[str, str], leaf_keys: dict[int, str]) -> Any:
    """A formula's value with the order of ``all``/``any`` children ignored: equal means the same rule."""
    if node[0] == "L":
        key = leaf_keys.get(node[1])
        if key is None:
            key = leaf_keys[node[1]] = _leaf_key(solver.leaves[node[1]], types)
        return key
    return (node[0], frozenset(canonical(solver, child, types, leaf_keys) for child in node[1]))


def _first_match(solver: Solver, positive: list, upto: int, context: Mapping[str, Any]) -> int | None:
    """The first of the rules before ``upto`` that ``context`` matches."""
    return solver.first_match(positive, upto, context)


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


def analyse_stream(stream: Mapping[str, Any], budget: int | None = None, check_in_values: bool = True,
                   shared: dict | None = None) -> StreamAnalysis:
    """``shared``: one-variable decisions kept across streams (see ``Solver``)."""
    types = {v["name"]: v.get("type", "text") for v in stream.get("context_variables", [])}
    solver = Solver(types, shared=shared) if budget is None else Solver(types, budget, shared=shared)
    conditions = [rule.get("condition", {"all": []}) for rule in stream.get("routing_rules", [])]
    positive = [solver.formula(condition) for condition in conditions]
    negative = [Solver.negate(node) for node in positive]
    dead = _dead_end(solver, positive, negative)
    fall_through = dead[1]
    seen: dict[Any, int] = {}
    leaf_keys: dict[int, str] = {}
    facts: list[RuleFacts] = []
    for index, condition in enumerate(conditions):
        fact = _rule_facts(solver, positive, negative, index, dead)
        text = canonical(solver, positive[index], types, leaf_keys)
        if text in seen:
            fact.duplicate_of = seen[text]
        else:
            seen[text] = index
        if check_in_values and fact.status == REACHABLE:
            fact.taken_in_values = _taken_in_values(solver, conditions, positive, negative, index, fact.witness)
        facts.append(fact)
    return StreamAnalysis(facts, fall_through.status, fall_through.witness)


@dataclass
class _Past:
    """Can a conversation matching ``node`` (None: any) get past the first ``upto`` rules?"""

    status: str
    witness: dict | None
    used: list[int]  # the earlier rules whose negations the answer rests on
    steps: int
    reason: str = ""
    seen: list[dict] = field(default_factory=list)  # every context tried: each one matches ``node``


def _get_past(solver: Solver, positive: list, negative: list, node: Any, upto: int, start: dict) -> _Past:
    """Counterexample-guided: start from a witness; while an earlier rule catches it, add
    "not that rule" and solve again.  The formulas stay small (only the rules that
    caught a witness), and an UNSAT over a subset of the earlier rules is UNSAT over all."""
    used: list[int] = []
    witness, steps = start, 0
    head = [] if node is None else [node]
    seen = [start]
    while True:
        caught = _first_match(solver, positive, upto, witness)
        if caught is None:
            return _Past(SAT, witness, used, steps, seen=seen)
        used.append(caught)
        outcome = solver.solve([*head, *(negative[j] for j in used)])
        steps += outcome.steps
        if outcome.status != SAT:
            return _Past(outcome.status, None, sorted(used), steps, outcome.reason, seen)
        witness = outcome.witness
        seen.append(witness)


def _dead_end(solver: Solver, positive: list, negative: list) -> tuple[int | None, _Past]:
    """(a number of leading rules no conversation gets past, or None; the fall-through answer)."""
    fall_through = _get_past(solver, positive, negative, None, len(negative), {})
    if fall_through.status != UNSAT:
        return None, fall_through
    return max(fall_through.used) + 1, fall_through


def _rule_facts(solver: Solver, positive: list, negative: list, index: int,
                dead: tuple[int | None, _Past]) -> RuleFacts:
    alone = solver.solve([positive[index]])
    if alone.status == UNSAT:
        return RuleFacts(index, UNSATISFIABLE)
    fact = RuleFacts(index, UNDECIDED, searched=alone.reason)
    # the empty context is a context: a rule it fails is not always true (most rules; no search)
    fact.always_true = solver.matches(positive[index], {}) and solver.solve([negative[index]]).status == UNSAT
    if alone.status == UNKNOWN:
        return fact
    dead_at, fall_through = dead
    if dead_at is not None and index >= dead_at:
        # no conversation gets past the rules the fall-through rests on
        fact.status, fact.witness = SHADOWED, alone.witness
        fact.shadowed_by = _culprits(solver, positive, negative, index, [alone.witness]) or fall_through.used
        return fact
    past = _get_past(solver, positive, negative, positive[index], index, alone.witness)
    if past.status == SAT:
        fact.status, fact.witness = REACHABLE, past.witness
    elif past.status == UNSAT:
        fact.status, fact.witness = SHADOWED, alone.witness
        if len(past.used) == 1:
            # Early exit: "this rule and not that one" is unsatisfiable, so that one covers it
            # alone, and no earlier rule does (it would have caught the first witness).
            fact.shadowed_by = list(past.used)
        else:
            fact.shadowed_by = _culprits(solver, positive, negative, index, past.seen, past.used) or past.used
    else:
        fact.status, fact.witness = POSSIBLY_SHADOWED, alone.witness
        fact.searched = (f"searched {past.steps} combinations of the conditions of rules "
                         f"{', '.join(str(j + 1) for j in past.used)} and {index + 1} without finding a "
                         f"conversation that gets to it; {past.reason}")
    return fact


def _culprits(solver: Solver, positive: list, negative: list, index: int, witnesses: list[dict],
              among: list[int] | None = None) -> list[int]:
    """The first earlier rule that on its own covers this one ([] if none does alone).

    A rule that covers this one matches every context this one matches, so only the
    earlier rules that match every context found for this rule need asking (each
    answer "no" brings one more such context)."""
    asked = 0
    witnesses = list(witnesses)
    for earlier in (range(index) if among is None else among):
        if all(solver.matches(positive[earlier], witness) for witness in witnesses):
            outcome = solver.solve([positive[index], negative[earlier]])
            if outcome.status == UNSAT:
                return [earlier]
            if outcome.status == SAT:
                witnesses.append(outcome.witness)
            asked += 1
            if asked == MAX_CULPRIT_QUESTIONS:
                break
    return []



def _taken_in_values(solver: Solver, conditions: list, positive: list, negative: list, index: int,
                     witness: dict | None = None) -> list[tuple[str, Any, int | None]]:
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
            if witness is not None:
                # Early exit: the rule's own witness with this value, if it still matches the
                # narrowed rule and no earlier rule, proves the value reaches it (no search).
                trial = {**witness, leaf["variable"]: value}
                if solver.matches(node, trial) and _first_match(solver, positive, index, trial) is None:
                    continue
            alone = solver.solve([node])
            if alone.status != SAT:
                continue  # unsatisfiable with the rest of the rule: another finding's business
            if _get_past(solver, positive, negative, node, index, alone.witness).status == UNSAT:
                taken.append((leaf["variable"], value, _first_match(solver, positive, index, alone.witness)))
    return taken


__all__ = ["POSSIBLY_SHADOWED", "REACHABLE", "SHADOWED", "UNDECIDED", "UNSATISFIABLE", "RuleFacts",
           "StreamAnalysis", "analyse_stream", "canonical", "SAT"]
