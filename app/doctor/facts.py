"""What the checks look at: the document with its lookups, one work stream at a time."""
from __future__ import annotations

from app.common.names import name_key

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

from app.doctor.analysis import StreamAnalysis, analyse_stream
from app.doctor.solver import SAT, UNSAT, Solver
from models.choices import BASE_PRESENCE_NAMES


def fold(name: str) -> str:
    return name_key(name)  # the one rule: case-insensitive, composed (NFC)


def rule_queues(rule: Mapping[str, Any]) -> list[str]:
    """The queues a routing rule sends to: its ``queue``, or the queues of its split."""
    if rule.get("queue") is not None:
        return [rule["queue"]]
    return [share["queue"] for share in rule.get("queues", [])]


def never_open(queue: Mapping[str, Any]) -> bool:
    """Operating hours without a single interval in the week: closed at every hour."""
    hours = queue.get("operating_hours")
    return hours is not None and not any(hours.get("week", {}).values())


def rules_key(stream: Mapping[str, Any]) -> str:
    """What a stream's rule analysis depends on: its variables and routing rules, nothing else."""
    return json.dumps([stream.get("context_variables", []), stream.get("routing_rules", [])],
                      sort_keys=True, default=str)


@dataclass
class DocumentFacts:
    doc: Mapping[str, Any]
    budget: int | None = None
    _members: dict[str, list[Mapping]] = field(default_factory=dict, repr=False)
    # rules_key -> analysis, shared between documents (an import preview examines two that mostly agree)
    analyses: dict[str, StreamAnalysis] | None = field(default=None, repr=False)
    # one-variable decisions shared by every stream's solver (app.doctor.solver.Solver)
    theory: dict = field(default_factory=dict, repr=False)

    @cached_property
    def queues(self) -> dict[str, tuple[int, Mapping]]:
        return {fold(q["name"]): (i, q) for i, q in enumerate(self.doc.get("queues", []))}

    @cached_property
    def agents(self) -> dict[str, tuple[int, Mapping]]:
        return {fold(a["name"]): (i, a) for i, a in enumerate(self.doc.get("agents", []))}

    @cached_property
    def presence_bases(self) -> dict[str, str]:
        """Presence name (folded) -> base presence, the base presences included."""
        bases = {fold(name): base for base, name in BASE_PRESENCE_NAMES.items()}
        bases.update({fold(p["name"]): p["base"] for p in self.doc.get("presences", [])})
        return bases

    @cached_property
    def skills(self) -> dict[str, tuple[int, Mapping, list[str]]]:
        """Skill name (folded) -> (index, skill, its rating values lowest first)."""
        models = {fold(m["name"]): m["values"] for m in self.doc.get("rating_models", [])}
        return {fold(s["name"]): (i, s, models.get(fold(s["rating_model"]), []))
                for i, s in enumerate(self.doc.get("skills", []))}

    def queue(self, name: str | None) -> tuple[int, Mapping] | None:
        return None if name is None else self.queues.get(fold(name))

    def members(self, queue: Mapping) -> list[Mapping]:
        key = fold(queue["name"])
        found = self._members.get(key)
        if found is None:
            found = self._members[key] = [self.agents[fold(n)][1] for n in queue.get("agents", [])
                                          if fold(n) in self.agents]
        return found

    def streams(self):
        for index, stream in enumerate(self.doc.get("workstreams", [])):
            yield StreamFacts(self, index, stream)


@dataclass
class StreamFacts:
    document: DocumentFacts
    index: int
    stream: Mapping[str, Any]
    _analysis: StreamAnalysis | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.stream["name"]

    @property
    def path(self) -> str:
        return f"workstreams[{self.index}]"

    def rule_path(self, index: int) -> str:
        return f"{self.path}.routing_rules[{index}]"

    def rule_name(self, index: int) -> str:
        return self.stream["routing_rules"][index]["name"]

    def rule_label(self, index: int) -> str:
        """How the editor shows a rule: its position (1-based) and name."""
        return f"rule {index + 1} '{self.rule_name(index)}'"

    @cached_property
    def labels(self) -> dict[str, str]:
        """Context variable name -> display name (how the editor shows conditions)."""
        return {v["name"]: v.get("display_name") or v["name"] for v in self.stream.get("context_variables", [])}

    @property
    def analysis(self) -> StreamAnalysis:
        if self._analysis is None:
            shared = self.document.analyses
            theory = self.document.theory
            if shared is None:
                self._analysis = analyse_stream(self.stream, self.document.budget, shared=theory)
            else:
                key = rules_key(self.stream)
                found = shared.get(key)
                if found is None:
                    found = shared[key] = analyse_stream(self.stream, self.document.budget, shared=theory)
                self._analysis = found
        return self._analysis

    def classification_witness(self, index: int) -> dict | None:
        """A context that classification rule ``index`` classifies (no earlier rule matches it),
        or None when the doctor finds none within its budget."""
        types = {v["name"]: v.get("type", "text") for v in self.stream.get("context_variables", [])}
        solver = Solver(types) if self.document.budget is None else Solver(types, self.document.budget)
        rules = self.stream.get("classification_rules", [])
        formulas = [solver.formula(rule.get("condition", {"all": []})) for rule in rules[:index + 1]]
        outcome = solver.solve([formulas[-1], *(Solver.negate(node) for node in formulas[:-1])])
        return outcome.witness if outcome.status == SAT else None

    def routed_queues(self) -> list[tuple[str, str]]:
        """(queue name, why) for every queue a conversation of this stream can be routed to."""
        found: dict[str, tuple[str, str]] = {}
        for fact in self.analysis.rules:
            if fact.fires:
                rule = self.stream["routing_rules"][fact.index]
                for queue in rule_queues(rule):  # one queue, or each queue of a percentage split
                    found.setdefault(fold(queue), (queue, f"{self.rule_label(fact.index)} routes there"))
        default = self.stream.get("default_queue")
        if default is not None and self.analysis.default_reachable != UNSAT:
            found.setdefault(fold(default), (default, "it is the default queue"))
        return list(found.values())
