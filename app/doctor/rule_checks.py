"""Checks on routing rules: what can never fire, what is redundant, what is odd."""
from __future__ import annotations

from typing import Iterable

from app.doctor.analysis import POSSIBLY_SHADOWED, SHADOWED, UNDECIDED, UNSATISFIABLE
from app.doctor.facts import StreamFacts
from app.doctor.findings import INFO, WARNING, Finding, check
from app.doctor.solver import UNSAT
from app.routing.conditions import VALUELESS_OPERATORS, iter_leaves, render_condition, variables_used


def _rules(facts: StreamFacts, index: int, code: str, severity: str, message: str,
           extra_paths: Iterable[str] = (), witness: dict | None = None) -> Finding:
    return Finding(code, severity, f"'{facts.name}': {message}", (facts.rule_path(index), *extra_paths),
                   witness, facts.name, index)


def _labels(facts: StreamFacts, indexes: list[int]) -> str:
    labels = [f"{i + 1}" for i in indexes]
    if len(labels) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"rules {labels[0]}-{labels[-1]}"
    if len(labels) == 1:
        return f"rule {labels[0]}"
    return "rules " + ", ".join(labels[:-1]) + " and " + labels[-1]


@check("rule-unsatisfiable", WARNING, "workstream", "a rule whose condition no conversation can meet")
def unsatisfiable(facts: StreamFacts) -> Iterable[Finding]:
    for fact in facts.analysis.rules:
        if fact.status == UNSATISFIABLE:
            condition = render_condition(facts.stream["routing_rules"][fact.index].get("condition"), facts.labels)
            yield _rules(facts, fact.index, "rule-unsatisfiable", WARNING,
                         f"{facts.rule_label(fact.index)} never fires: no conversation can meet {condition}")


@check("rule-duplicate", WARNING, "workstream", "a rule with the same condition as an earlier one")
def duplicate(facts: StreamFacts) -> Iterable[Finding]:
    for fact in facts.analysis.rules:
        if fact.duplicate_of is not None and fact.status != UNSATISFIABLE:
            yield _rules(facts, fact.index, "rule-duplicate", WARNING,
                         f"{facts.rule_label(fact.index)} never fires: it has the same condition as "
                         f"{facts.rule_label(fact.duplicate_of)}",
                         (facts.rule_path(fact.duplicate_of),), fact.witness)


@check("rule-shadowed", WARNING, "workstream", "a rule every conversation of which an earlier rule takes")
def shadowed(facts: StreamFacts) -> Iterable[Finding]:
    for fact in facts.analysis.rules:
        if fact.status != SHADOWED or fact.duplicate_of is not None:
            continue
        culprits = fact.shadowed_by
        who = (f"goes to {_labels(facts, culprits)} first" if len(culprits) == 1 else
               f"goes to one of {_labels(facts, culprits)} first")
        yield _rules(facts, fact.index, "rule-shadowed", WARNING,
                     f"{facts.rule_label(fact.index)} never fires: every conversation it matches {who}",
                     [facts.rule_path(i) for i in culprits], fact.witness)


@check("rule-possibly-shadowed", INFO, "workstream", "a rule the doctor could not prove reachable")
def possibly_shadowed(facts: StreamFacts) -> Iterable[Finding]:
    for fact in facts.analysis.rules:
        if fact.status == POSSIBLY_SHADOWED:
            yield _rules(facts, fact.index, "rule-possibly-shadowed", INFO,
                         f"{facts.rule_label(fact.index)} is possibly shadowed: {fact.searched}", (), fact.witness)
        elif fact.status == UNDECIDED:
            yield _rules(facts, fact.index, "rule-possibly-shadowed", INFO,
                         f"{facts.rule_label(fact.index)} could not be checked: {fact.searched}")


@check("rule-always-true", WARNING, "workstream", "a rule that matches every conversation, with rules after it")
def always_true(facts: StreamFacts) -> Iterable[Finding]:
    rules = facts.stream["routing_rules"]
    for fact in facts.analysis.rules:
        if fact.always_true and fact.index < len(rules) - 1 and fact.status not in (SHADOWED, UNSATISFIABLE):
            after = len(rules) - fact.index - 1
            yield _rules(facts, fact.index, "rule-always-true", WARNING,
                         f"{facts.rule_label(fact.index)} matches every conversation: the {after} "
                         f"rule{'s' if after != 1 else ''} after it and the default queue never get one")


@check("rule-in-value-taken", INFO, "workstream", "'is one of' values an earlier rule always takes")
def in_values_taken(facts: StreamFacts) -> Iterable[Finding]:
    for fact in facts.analysis.rules:
        for variable, value, earlier in fact.taken_in_values:
            by = f"{facts.rule_label(earlier)}" if earlier is not None else "earlier rules"
            witness = {variable: value}
            yield _rules(facts, fact.index, "rule-in-value-taken", INFO,
                         f"{facts.rule_label(fact.index)}: {variable} = {value!r} never reaches it, "
                         f"{by} takes it first", [] if earlier is None else [facts.rule_path(earlier)], witness)


@check("rule-tests-only-emptiness", INFO, "workstream", "a rule that only asks whether variables are empty")
def emptiness_only(facts: StreamFacts) -> Iterable[Finding]:
    for index, rule in enumerate(facts.stream.get("routing_rules", [])):
        leaves = list(iter_leaves(rule.get("condition", {"all": []})))
        if leaves and all(leaf.get("operator") in VALUELESS_OPERATORS for leaf in leaves):
            yield _rules(facts, index, "rule-tests-only-emptiness", INFO,
                         f"{facts.rule_label(index)} only tests whether variables are empty, never their values")


@check("variable-unused", INFO, "workstream", "a context variable no rule reads")
def unused_variables(facts: StreamFacts) -> Iterable[Finding]:
    used: set[str] = set()
    # classification rules read context variables too
    for rule in (*facts.stream.get("routing_rules", []), *facts.stream.get("classification_rules", [])):
        used |= variables_used(rule.get("condition", {"all": []}))
    for index, variable in enumerate(facts.stream.get("context_variables", [])):
        if variable["name"] not in used:
            yield Finding("variable-unused", INFO,
                          f"'{facts.name}': context variable '{variable['name']}' is not used by any rule",
                          (f"{facts.path}.context_variables[{index}]",), None, facts.name)


@check("default-queue-unreachable", INFO, "workstream", "the rules leave no conversation for the default queue")
def default_unreachable(facts: StreamFacts) -> Iterable[Finding]:
    stream = facts.stream
    if stream.get("routing_rules") and stream.get("default_queue") is not None \
            and facts.analysis.default_reachable == UNSAT:
        yield Finding("default-queue-unreachable", INFO,
                      f"'{facts.name}': every conversation matches a rule, so the default queue "
                      f"'{stream['default_queue']}' never gets one", (f"{facts.path}.default_queue",),
                      None, facts.name)
