"""What an object uses and what uses it: channel → work stream → rules → queues → agents → presences.

The edges are the references the delete guard refuses to break (app/services:
a queue is used by the streams whose default it is and by the rules routing to
it, a presence by its agents, a work stream by its channels) plus the way down
the chain (a queue uses its members).  They are read from the configuration
document, so the graph works for a file as well as for the database;
tests/app/doctor/test_impact.py checks that every "used by" the delete guard
names is here, and nothing else.
"""
from __future__ import annotations

from app.common.names import name_key

from dataclasses import dataclass, field
from typing import Any, Mapping

from models.choices import BASE_PRESENCE_NAMES

KIND_LABELS = {"channel": "Channel", "workstream": "Work stream", "rule": "Routing rule", "queue": "Queue",
               "agent": "Agent", "presence": "Presence"}


@dataclass(frozen=True, order=True)
class Node:
    kind: str
    name: str
    workstream: str = ""  # a rule's stream (rule names are unique only within it)
    rule_index: int = -1

    @property
    def label(self) -> str:
        if self.kind == "rule":
            return f"Rule {self.rule_index + 1} '{self.name}' in '{self.workstream}'"
        return f"{KIND_LABELS[self.kind]} '{self.name}'"


def _fold(name: str) -> str:
    return name_key(name)  # the one rule: case-insensitive, composed (NFC)


@dataclass
class ImpactGraph:
    nodes: dict[tuple, Node] = field(default_factory=dict)
    _uses: dict[Node, list[tuple[Node, str]]] = field(default_factory=dict)
    _used_by: dict[Node, list[tuple[Node, str]]] = field(default_factory=dict)

    def _node(self, kind: str, name: str, workstream: str = "", rule_index: int = -1) -> Node:
        key = (kind, _fold(name), _fold(workstream), rule_index)
        node = self.nodes.get(key)
        if node is None:
            node = self.nodes[key] = Node(kind, name, workstream, rule_index)
        return node

    def _edge(self, user: Node, used: Node, how: str) -> None:
        self._uses.setdefault(user, []).append((used, how))
        self._used_by.setdefault(used, []).append((user, how))

    def find(self, kind: str, name: str) -> Node | None:
        return self.nodes.get((kind, _fold(name), "", -1))

    def uses(self, node: Node) -> list[tuple[Node, str]]:
        """(what ``node`` uses, how) in document order."""
        return list(self._uses.get(node, []))

    def used_by(self, node: Node) -> list[tuple[Node, str]]:
        """(what uses ``node``, how) in document order."""
        return list(self._used_by.get(node, []))

    def of_kind(self, kind: str) -> list[Node]:
        return sorted((n for n in self.nodes.values() if n.kind == kind), key=lambda n: (_fold(n.name), n.name))

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> "ImpactGraph":
        graph = cls()
        for base, name in BASE_PRESENCE_NAMES.items():
            graph._node("presence", name)
        for presence in doc.get("presences", []):
            graph._node("presence", presence["name"])
        for agent in doc.get("agents", []):
            node = graph._node("agent", agent["name"])
            presence = graph.find("presence", agent.get("presence", "")) or graph._node("presence", agent["presence"])
            graph._edge(node, presence, "is in this presence")
        for queue in doc.get("queues", []):
            node = graph._node("queue", queue["name"])
            for member in queue.get("agents", []):
                graph._edge(node, graph.find("agent", member) or graph._node("agent", member), "member")
        for queue in doc.get("queues", []):  # a second pass: an overflow may name a queue listed later
            for overflow in queue.get("overflow", []) or []:
                if overflow.get("queue"):
                    target = graph.find("queue", overflow["queue"]) or graph._node("queue", overflow["queue"])
                    graph._edge(graph.find("queue", queue["name"]), target, "overflows to")
        for stream in doc.get("workstreams", []):
            node = graph._node("workstream", stream["name"])
            for channel in stream.get("channels", []):
                graph._edge(graph._node("channel", channel["name"]), node, "routes its conversations here")
            for index, rule in enumerate(stream.get("routing_rules", [])):
                rule_node = graph._node("rule", rule["name"], stream["name"], index)
                graph._edge(node, rule_node, "routing rule")
                if rule.get("queues"):  # a percentage split
                    for share in rule["queues"]:
                        queue = graph.find("queue", share["queue"]) or graph._node("queue", share["queue"])
                        graph._edge(rule_node, queue, f"routes a {share['percent']}% share to")
                else:
                    queue = graph.find("queue", rule["queue"]) or graph._node("queue", rule["queue"])
                    graph._edge(rule_node, queue, "routes to")
            if stream.get("default_queue") is not None:
                queue = graph.find("queue", stream["default_queue"]) or graph._node("queue", stream["default_queue"])
                graph._edge(node, queue, "default queue")
            missed = stream.get("missed_notification_presence")
            if missed:
                presence = graph.find("presence", missed) or graph._node("presence", missed)
                graph._edge(node, presence, "after a missed notification")
        return graph
