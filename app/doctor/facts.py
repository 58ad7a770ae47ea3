"""What the checks look at: the document with its lookups, one work stream at a time."""
from __future__ import annotations

from app.common.names import name_key

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

from app.doctor.analysis import StreamAnalysis, analyse_stream
from app.doctor.solver import UNSAT
from models.choices import BASE_PRESENCE_NAMES


def fold(name: str) -> str:
    return name_key(name)  # the one rule: case-insensitive, composed (NFC)


@dataclass
class DocumentFacts:
    doc: Mapping[str, Any]
    budget: int | None = None
    _members: dict[str, list[Mapping]] = field(default_factory=dict, repr=False)

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
            self._analysis = analyse_stream(self.stream, self.document.budget)
        return self._analysis

    def routed_queues(self) -> list[tuple[str, str]]:
        """(queue name, why) for every queue a conversation of this stream can be routed to."""
        found: dict[str, tuple[str, str]] = {}
        for fact in self.analysis.rules:
            if fact.fires:
                queue = self.stream["routing_rules"][fact.index]["queue"]
                found.setdefault(fold(queue), (queue, f"{self.rule_label(fact.index)} routes there"))
        default = self.stream.get("default_queue")
        if default is not None and self.analysis.default_reachable != UNSAT:
            found.setdefault(fold(default), (default, "it is the default queue"))
        return list(found.values())
