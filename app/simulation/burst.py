"""Believable conversations for a burst: contexts a class can watch each routing rule catch.

A burst on a work stream takes turns between its rules (and its default route): for a
rule's turn it builds a context that satisfies the rule's condition — the literals the
rule tests (``Gold``, ``payment``, a balance under 0) — with plausible values for the
other variables, and checks that no earlier rule takes it first (rules are evaluated in
order).  A few conversations of each burst are plain random, like real traffic.  The
same seed gives the same contexts.
"""
from __future__ import annotations

import random
from typing import Any, Mapping, Sequence

from app.routing.conditions import LIST_OPERATORS, evaluate, is_group, iter_leaves

ATTEMPTS = 12        # tries to build a context that the wanted rule (and no earlier one) matches
RANDOM_SHARE = 0.15  # conversations of a burst with plain random values
COMMON_WORDS = ("hello", "card lost", "address change", "statement", "question", "login help", "complaint")
_TEXT_HINTS = {  # plausible values by what a variable's name says it holds
    "tier": ("Standard", "Silver", "Gold", "Platinum"),
    "segment": ("Retail", "Business", "Private"),
    "language": ("English", "French", "German", "Spanish"),
    "country": ("UK", "France", "Germany", "Spain"),
    "topic": ("payment", "mortgage", "card lost", "fees", "investments", "address change"),
    "product": ("current account", "savings", "mortgage", "credit card", "pension"),
    "channel": ("web", "app", "sms"),
}


def _literals(conditions: Sequence[Any]) -> dict[str, list]:
    """Variable -> the literal values the conditions test it against (lists flattened)."""
    found: dict[str, list] = {}
    for condition in conditions:
        for leaf in iter_leaves(condition):
            name = leaf.get("variable")
            value = leaf.get("value")
            if not isinstance(name, str) or value is None:
                continue
            values = value if leaf.get("operator") in LIST_OPERATORS and isinstance(value, list) else [value]
            found.setdefault(name, []).extend(v for v in values if v is not None)
    return found


class ContextMaker:
    """Contexts for one work stream document (``ConfigDocument`` form, defaults filled)."""

    def __init__(self, stream: Mapping[str, Any]):
        self.stream = stream
        self.variables = [(v["name"], v.get("type", "text"), v.get("display_name") or v["name"])
                          for v in stream.get("context_variables", [])]
        self.types = {name: var_type for name, var_type, _label in self.variables}
        self.rules = [rule for rule in stream.get("routing_rules", []) if rule.get("active", True)]
        self.literals = _literals([rule.get("condition", {}) for rule in self.rules])

    # ------------------------------------------------------------------ plausible values

    def plausible(self, name: str, rng: random.Random) -> Any:
        """A value that looks like real traffic for variable ``name``."""
        var_type = self.types.get(name, "text")
        seen = self.literals.get(name, [])
        if var_type == "number":
            numbers = [v for v in seen if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if numbers and rng.random() < 0.6:
                base = rng.choice(numbers)
                spread = max(1, abs(base) // 2 or 10)
                return base + rng.randint(-spread, spread)
            return rng.choice((0, 45, 120, 640, 2_500, 18_250, 75_000, 240_000, -120))
        words = [v for v in seen if isinstance(v, str)]
        hinted = next((values for key, values in _TEXT_HINTS.items() if key in name.casefold()), ())
        pool = list(dict.fromkeys([*words, *hinted])) or list(COMMON_WORDS)
        return rng.choice(pool)

    # ------------------------------------------------------------------ satisfying a condition

    def _satisfy_leaf(self, leaf: Mapping[str, Any], context: dict, rng: random.Random) -> None:
        name, operator, value = leaf.get("variable"), leaf.get("operator"), leaf.get("value")
        if not isinstance(name, str):
            return
        number = self.types.get(name) == "number"
        if operator == "is_empty":
            context.pop(name, None)
            return
        if operator == "is_not_empty":
            context[name] = self.plausible(name, rng)
            return
        if operator in LIST_OPERATORS:
            options = [v for v in (value or []) if v is not None]
            if operator == "in" and options:
                context[name] = rng.choice(options)
            else:
                for _ in range(6):
                    candidate = self.plausible(name, rng)
                    if candidate not in options:
                        context[name] = candidate
                        return
            return
        if number and isinstance(value, (int, float)):
            step = max(1, abs(value) // 5 or 5)
            context[name] = {
                "eq": value, "ne": value + step, "gt": value + rng.randint(1, step), "ge": value + rng.randint(0, step),
                "lt": value - rng.randint(1, step), "le": value - rng.randint(0, step),
            }.get(operator, value)
            return
        if isinstance(value, str):
            other = self.plausible(name, rng)
            if not isinstance(other, str) or value.casefold() in other.casefold():
                other = rng.choice(COMMON_WORDS)
            context[name] = {
                "eq": value, "ne": other, "contains": f"{rng.choice(('about', 're:', 'help with'))} {value}",
                "not_contains": other, "begins_with": f"{value} {rng.choice(('help', 'question', 'issue'))}",
                "ends_with": f"{rng.choice(('help with', 'question on', 'about'))} {value}",
            }.get(operator, value)

    def _satisfy(self, node: Any, context: dict, rng: random.Random) -> None:
        if is_group(node):
            key = next(iter(node))
            children = node[key]
            if key == "any" and children:
                self._satisfy(rng.choice(children), context, rng)
            else:
                for child in children:
                    self._satisfy(child, context, rng)
            return
        if isinstance(node, Mapping):
            self._satisfy_leaf(node, context, rng)

    # ------------------------------------------------------------------ contexts

    def random_context(self, rng: random.Random) -> dict:
        """Plausible values for the stream's variables (a few left unset)."""
        return {name: self.plausible(name, rng) for name, _type, _label in self.variables if rng.random() >= 0.1}

    def routed_by(self, context: Mapping[str, Any]) -> int | None:
        """The position of the first rule matching ``context`` (None: the default route)."""
        for position, rule in enumerate(self.rules):
            if evaluate(rule.get("condition", {}), context):
                return position
        return None

    def context_for(self, target: int | None, rng: random.Random) -> dict:
        """A context the rule at ``target`` takes (None: one no rule takes), when one can be found in
        a few tries; otherwise the last try (the simulator routes whatever it gets)."""
        context: dict = {}
        for _ in range(ATTEMPTS):
            context = self.random_context(rng)
            if target is not None:
                self._satisfy(self.rules[target].get("condition", {}), context, rng)
            if self.routed_by(context) == target:
                return context
        return context

    def contexts(self, count: int, rng: random.Random) -> list[dict]:
        """``count`` contexts taking turns between the rules and the default route, a few random."""
        targets: list[int | None] = [*range(len(self.rules)), None]
        order = targets[:]
        rng.shuffle(order)
        made = []
        for index in range(count):
            if rng.random() < RANDOM_SHARE:
                made.append(self.random_context(rng))
            else:
                made.append(self.context_for(order[index % len(order)], rng))
        return made


__all__ = ["ContextMaker"]
