"""What a form may name from the work distribution records (no Qt): skills with their rating
values, capacity profiles with their work item limits, presences and queues, each sorted by
name and read once when the form opens.

The single catalogue of the console: the work stream editor checks a stream's version 2
fields against it, and the agent form (``Services.distribution_catalogue``) offers its skills
and profiles.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.common.names import name_key
from models import CapacityProfile, Presence, Queue, RatingValue, Skill


@dataclass(frozen=True)
class DistributionCatalogue:
    # Skill name -> its rating model's values, lowest first.
    skills: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Profile name -> its work item limit (the default an agent's override starts from).
    profiles: dict[str, int] = field(default_factory=dict)
    presences: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()

    def ratings(self, skill: str) -> tuple[str, ...]:
        """The rating values of ``skill`` (any case); () for an unknown skill."""
        key = name_key(skill)
        return next((values for name, values in self.skills.items() if name_key(name) == key), ())

    def folded_skills(self) -> dict[str, tuple[str, ...]]:
        return {name_key(name): values for name, values in self.skills.items()}

    def folded_profiles(self) -> set[str]:
        return {name_key(name) for name in self.profiles}

    def folded_presences(self) -> set[str]:
        return {name_key(name) for name in self.presences}


def _order(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def read_catalogue(db) -> DistributionCatalogue:
    """A few small selects from the tables, in one session (no mapper needed)."""
    value, skill = RatingValue.__table__, Skill.__table__
    profile, presence, queue = CapacityProfile.__table__, Presence.__table__, Queue.__table__
    with db.sessions() as session:
        values: dict[str, list[str]] = {}
        for model_id, text in session.execute(select(value.c.rating_model_id, value.c.value)
                                              .order_by(value.c.rating_model_id, value.c.position)):
            values.setdefault(model_id, []).append(text)
        skills = {name: tuple(values.get(model_id, ()))
                  for name, model_id in session.execute(select(skill.c.name, skill.c.rating_model_id))}
        profiles = dict(session.execute(select(profile.c.name, profile.c.work_item_limit)).all())
        presences = list(session.scalars(select(presence.c.name)))
        queues = list(session.scalars(select(queue.c.name)))
    return DistributionCatalogue({name: skills[name] for name in sorted(skills, key=_order)},
                                 {name: profiles[name] for name in sorted(profiles, key=_order)},
                                 tuple(sorted(presences, key=_order)), tuple(sorted(queues, key=_order)))
