"""What a work stream's version 2 fields may name: skills with their rating values,
capacity profiles and presences, read once when the editor opens (no Qt)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.common.names import name_key
from models import CapacityProfile, Presence, RatingModel, Skill


@dataclass(frozen=True)
class DistributionCatalogue:
    # Skill name -> its rating model's values, lowest first.
    skills: dict[str, list[str]] = field(default_factory=dict)
    profiles: list[str] = field(default_factory=list)
    presences: list[str] = field(default_factory=list)

    def ratings(self, skill: str) -> list[str]:
        """The rating values of ``skill`` (any case); [] for an unknown skill."""
        key = name_key(skill)
        return next((values for name, values in self.skills.items() if name_key(name) == key), [])

    def folded_skills(self) -> dict[str, list[str]]:
        return {name_key(name): values for name, values in self.skills.items()}

    def folded_profiles(self) -> set[str]:
        return {name_key(name) for name in self.profiles}

    def folded_presences(self) -> set[str]:
        return {name_key(name) for name in self.presences}


def _order(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def read_catalogue(db) -> DistributionCatalogue:
    """Three small selects (skills come with their rating model and its values)."""
    with db.sessions() as session:
        skills = session.scalars(select(Skill).options(
            selectinload(Skill.rating_model).selectinload(RatingModel.values))).all()
        by_skill = {skill.name: [v.value for v in skill.rating_model.values] for skill in skills}
        profiles = list(session.scalars(select(CapacityProfile.name)))
        presences = list(session.scalars(select(Presence.name)))
    return DistributionCatalogue(dict(sorted(by_skill.items(), key=lambda item: _order(item[0]))),
                                 sorted(profiles, key=_order), sorted(presences, key=_order))
