"""Work-distribution rules of document version 2 for the simulator: skill ratings as positions,
requirements, coverage, and the ranking key of each assignment method.

Kept apart from ``engine.py`` so each rule can be read (and tested) on its own:

* a rating is compared by its position in its skill's rating model (lowest first);
* ``exact``: an agent qualifies only holding every required skill at or above its rating;
* ``closest``: every agent qualifies, ranked by ``coverage_key`` (most requirements met, then
  the smallest total shortfall) before the queue's assignment method;
* assignment methods (``method_key``; lower sorts first):
  ``highest_capacity`` most free capacity (units, or free slots of the stream's capacity
  profile), then the oldest last offer or assignment, then name (today's rule);
  ``round_robin`` the member after the one last offered in the queue's order (its member
  list), wrapping round;
  ``least_active`` the longest since the agent last released capacity (never first), then the
  queue's order.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from app.common.names import name_key

HIGHEST_CAPACITY, ROUND_ROBIN, LEAST_ACTIVE = "highest_capacity", "round_robin", "least_active"
ASSIGNMENT_METHODS = (HIGHEST_CAPACITY, ROUND_ROBIN, LEAST_ACTIVE)

Requirement = tuple[str, int, str, str]  # (folded skill, minimum position, skill name, rating)


class SkillCatalogue:
    """Skill name -> its rating model's values, and rating text -> position."""

    def __init__(self, doc: Mapping[str, Any]):
        models = {name_key(m["name"]): list(m["values"]) for m in doc.get("rating_models", [])}
        self.values: dict[str, list[str]] = {}
        self.names: dict[str, str] = {}
        for skill in doc.get("skills", []):
            key = name_key(skill["name"])
            self.values[key] = models.get(name_key(skill["rating_model"]), [])
            self.names[key] = skill["name"]

    def position(self, skill: str, rating: str) -> int:
        """The rating's position in its skill's model (0 = lowest); -1 when unknown."""
        values = self.values.get(name_key(skill), [])
        if rating in values:
            return values.index(rating)
        folded = [name_key(v) for v in values]
        key = name_key(rating)
        return folded.index(key) if key in folded else -1

    def held(self, ratings: Mapping[str, str]) -> dict[str, int]:
        """An agent's skills as folded skill -> rating position."""
        return {name_key(skill): self.position(skill, rating) for skill, rating in ratings.items()}

    def requirements(self, skills: Mapping[str, str]) -> tuple[Requirement, ...]:
        return tuple((name_key(skill), self.position(skill, rating), skill, rating)
                     for skill, rating in skills.items())


def qualifies(held: Mapping[str, int], requirements: Iterable[Requirement]) -> bool:
    """``exact``: every required skill held at or above its rating."""
    for skill, minimum, _name, _rating in requirements:
        if held.get(skill, -1) < minimum:
            return False
    return True


def coverage_key(held: Mapping[str, int], requirements: Iterable[Requirement]) -> tuple[int, int]:
    """``closest``: (-requirements met, total shortfall in rating steps); lower is better.
    A skill not held falls short by its required position + 1 (one below the lowest rating)."""
    met = shortfall = 0
    for skill, minimum, _name, _rating in requirements:
        position = held.get(skill, -1)
        if position >= minimum:
            met += 1
        else:
            shortfall += minimum - position
    return (-met, shortfall)
