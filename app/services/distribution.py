"""Work distribution records (document version 2), as the console's editors use them.

Rating models (an ordered scale), skills (each rated on a rating model) and capacity
profiles (a work item limit) are listed, created, changed and deleted here; agents'
skills and profile overrides, and a queue's priority, assignment method, operating
hours and overflow, are set here too.  ``Services`` (app.services.core) inherits it, so
a view calls ``services.save_skill(...)`` like any other use case.

Every write is one transaction and returns what it changed (``Saved.changes`` or a
``Changes``).  Problems raise ``DocumentInvalid`` with the document's paths relative to
the object (``values[2]``, ``rating_model``, ``operating_hours.week.mon[0]``,
``overflow[1].queue``), so a form shows each under its field.  A delete is refused with
``InUseError`` while anything names the record; ``distribution_delete_refusal`` gives
the same reason beforehand, so a view can refuse before it asks "are you sure?".

SQLAlchemy, pydantic and the document are imported inside the methods: the first
window imports ``app.services.core`` without them (tests/ui/shell/test_startup.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from app.common.errors import DocumentInvalid, InUseError
from app.services.changes import Changes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.services.lists import CapacityProfileRow, RatingModelRow, SkillRow

    from app.workstreams.catalogue import DistributionCatalogue

# The kinds of record this module owns: kind -> (entity name in models, the noun users read).
DISTRIBUTION_KINDS = {"rating_models": ("RatingModel", "rating model"), "skills": ("Skill", "skill"),
                      "capacity_profiles": ("CapacityProfile", "capacity profile")}


def parse_document(model: type, data: Any) -> Any:
    """``data`` as the document class ``model``; its problems as ``DocumentInvalid`` with paths."""
    from pydantic import ValidationError

    from app.config.document import issues_from_pydantic

    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise DocumentInvalid(issues_from_pydantic(error)) from None


def _issue(path: str, message: str):
    from app.routing.conditions import Issue

    return Issue(path, message)


class DistributionServices:
    """Mixed into ``Services``: relies on its ``db``, ``_get``, ``_target``, ``_name_clash``."""

    db: Any
    _get: Callable[..., Any]
    _target: Callable[..., Any]
    _name_clash: Callable[..., Any]

    # ------------------------------------------------------------------ lists

    # Read with SQLAlchemy Core, from the tables (as Services' other lists): a headless
    # `wsc list skills` then never configures the ORM's mappers.

    def list_rating_models(self, search: str = "") -> list[RatingModelRow]:
        from app.services import lists

        return lists.list_rating_models(self.db, search)

    def list_skills(self, search: str = "") -> list[SkillRow]:
        from app.services import lists

        return lists.list_skills(self.db, search)

    def list_capacity_profiles(self, search: str = "") -> list[CapacityProfileRow]:
        from app.services import lists

        return lists.list_capacity_profiles(self.db, search)

    def distribution_catalogue(self) -> "DistributionCatalogue":
        """Skills (with their rating values), profiles (with their limits), presences and queue names:
        the one catalogue (app.workstreams.catalogue) the work stream editor reads too."""
        from app.workstreams.catalogue import read_catalogue

        return read_catalogue(self.db)

    # ------------------------------------------------------------------ rating models

    def load_rating_model(self, rating_model_id: str):
        from app.config.document import RatingModelDoc
        from app.config.io import rating_model_dict
        from app.services.core import Loaded
        from models import RatingModel

        with self.db.sessions() as session:
            model = self._get(session, RatingModel, rating_model_id, "rating model")
            return Loaded(model.id, RatingModelDoc.model_validate(rating_model_dict(model, with_ids=True)),
                          model.version)

    def save_rating_model(self, data, rating_model_id: str | None = None, expected_version: int | None = None):
        """Create or change a rating model; values held by agents or asked by rules must stay."""
        from app.config.document import RatingModelDoc
        from app.config.io import ConfigWriter, fold
        from app.services.core import Saved
        from models import RatingModel

        doc = parse_document(RatingModelDoc, data)
        with self.db.session() as session:
            target = self._target(session, RatingModel, rating_model_id, expected_version, "rating model")
            issues = self._name_clash(session, RatingModel, doc.name, rating_model_id, "rating model")
            seen: set[str] = set()
            for index, value in enumerate(doc.values):
                if fold(value) in seen:
                    issues.append(_issue(f"values[{index}]", f"rating value '{value}' listed twice"))
                seen.add(fold(value))
            if target is not None:
                issues += _held_ratings_issues(session, [s.id for s in _skills_of(session, target.id)],
                                               list(doc.values), "values")
            if issues:
                raise DocumentInvalid(issues)
            with session.no_autoflush:
                model = ConfigWriter(session).rating_model(
                    doc.model_copy(update={"id": target.id if target else doc.id}))
            session.flush()
            return Saved(model.id, model.version, model.name, Changes.of("rating_models", "skills", ids=[model.id]))

    def delete_rating_model(self, rating_model_id: str) -> Changes:
        from models import RatingModel

        with self.db.session() as session:
            model = self._get(session, RatingModel, rating_model_id, "rating model")
            self._refuse_distribution_delete(session, "rating_models", model)
            session.delete(model)
        return Changes.of("rating_models", "skills", ids=[rating_model_id])

    # ------------------------------------------------------------------ skills

    def load_skill(self, skill_id: str):
        from app.config.document import SkillDoc
        from app.config.io import skill_dict
        from app.services.core import Loaded
        from models import Skill

        with self.db.sessions() as session:
            skill = self._get(session, Skill, skill_id, "skill")
            return Loaded(skill.id, SkillDoc.model_validate(skill_dict(skill, with_ids=True)), skill.version)

    def save_skill(self, data, skill_id: str | None = None, expected_version: int | None = None):
        """Create or change a skill; a new rating model must hold every rating given in the skill."""
        from app.config.document import SkillDoc
        from app.config.io import ConfigWriter
        from app.services.core import Saved
        from models import RatingModel, Skill

        doc = parse_document(SkillDoc, data)
        with self.db.session() as session:
            target = self._target(session, Skill, skill_id, expected_version, "skill")
            issues = self._name_clash(session, Skill, doc.name, skill_id, "skill")
            writer = ConfigWriter(session)
            model = writer.lookup(RatingModel, doc.rating_model)
            if model is None:
                issues.append(_issue("rating_model", f"unknown rating model '{doc.rating_model}'"))
            elif target is not None and target.rating_model_id != model.id:
                issues += _held_ratings_issues(session, [target.id], [v.value for v in model.values], "rating_model")
            if issues:
                raise DocumentInvalid(issues)
            doc = doc.model_copy(update={"id": target.id if target else doc.id, "rating_model": model.name})
            with session.no_autoflush:
                skill = writer.skill(doc)
            session.flush()
            return Saved(skill.id, skill.version, skill.name, Changes.of("skills", "rating_models", ids=[skill.id]))

    def delete_skill(self, skill_id: str) -> Changes:
        from models import Skill

        with self.db.session() as session:
            skill = self._get(session, Skill, skill_id, "skill")
            self._refuse_distribution_delete(session, "skills", skill)
            session.delete(skill)
        return Changes.of("skills", "rating_models", ids=[skill_id])

    # ------------------------------------------------------------------ capacity profiles

    def load_capacity_profile(self, profile_id: str):
        from app.config.document import CapacityProfileDoc
        from app.config.io import capacity_profile_dict
        from app.services.core import Loaded
        from models import CapacityProfile

        with self.db.sessions() as session:
            profile = self._get(session, CapacityProfile, profile_id, "capacity profile")
            return Loaded(profile.id, CapacityProfileDoc.model_validate(capacity_profile_dict(profile, with_ids=True)),
                          profile.version)

    def save_capacity_profile(self, data, profile_id: str | None = None, expected_version: int | None = None):
        from app.config.document import CapacityProfileDoc
        from app.config.io import ConfigWriter
        from app.services.core import Saved
        from models import CapacityProfile

        doc = parse_document(CapacityProfileDoc, data)
        with self.db.session() as session:
            target = self._target(session, CapacityProfile, profile_id, expected_version, "capacity profile")
            issues = self._name_clash(session, CapacityProfile, doc.name, profile_id, "capacity profile")
            if issues:
                raise DocumentInvalid(issues)
            with session.no_autoflush:
                profile = ConfigWriter(session).capacity_profile(
                    doc.model_copy(update={"id": target.id if target else doc.id}))
            session.flush()
            return Saved(profile.id, profile.version, profile.name,
                         Changes.of("capacity_profiles", ids=[profile.id]))

    def delete_capacity_profile(self, profile_id: str) -> Changes:
        from models import CapacityProfile

        with self.db.session() as session:
            profile = self._get(session, CapacityProfile, profile_id, "capacity profile")
            self._refuse_distribution_delete(session, "capacity_profiles", profile)
            session.delete(profile)
        return Changes.of("capacity_profiles", ids=[profile_id])

    # ------------------------------------------------------------------ the delete guard

    def distribution_delete_refusal(self, kind: str, object_id: str) -> str | None:
        """Why a rating model, skill or profile cannot be deleted (what delete_* would say), or None."""
        import models

        entity, noun = DISTRIBUTION_KINDS[kind]
        with self.db.sessions() as session:
            obj = self._get(session, getattr(models, entity), object_id, noun)
            try:
                self._refuse_distribution_delete(session, kind, obj)
            except InUseError as refusal:
                return str(refusal)
        return None

    @staticmethod
    def _refuse_distribution_delete(session: "Session", kind: str, obj: Any) -> None:
        from app.config.references import capacity_profile_users, rating_model_users, skill_users
        from app.workstreams.editing import referrer_sentence

        users_of = {"rating_models": rating_model_users, "skills": skill_users,
                    "capacity_profiles": capacity_profile_users}[kind]
        users = users_of(session, [obj.id]).get(obj.id, [])
        if users:
            noun = DISTRIBUTION_KINDS[kind][1]
            raise InUseError(referrer_sentence(f"{noun.capitalize()} '{obj.name}'", users), users)

    # ------------------------------------------------------------------ agents and queues

    def set_agent_distribution(self, agent_id: str, skills: dict[str, str], capacity_profiles: dict[str, int],
                               expected_version: int | None = None):
        """An agent's skills (skill -> rating) and capacity profile overrides (profile -> limit), the rest kept."""
        loaded = self.load_agent(agent_id)  # type: ignore[attr-defined]
        data = {**loaded.doc.model_dump(exclude={"id"}), "skills": dict(skills),
                "capacity_profiles": dict(capacity_profiles)}
        return self.save_agent(data, agent_id, loaded.version if expected_version is None  # type: ignore[attr-defined]
                               else expected_version)

    def set_queue_distribution(self, queue_id: str, *, priority: int, assignment_method: str,
                               operating_hours: dict | None, overflow: list[dict],
                               expected_version: int | None = None):
        """A queue's priority, assignment method, operating hours (None: always open) and overflow rules."""
        loaded = self.load_queue(queue_id)  # type: ignore[attr-defined]
        data = {**loaded.doc.model_dump(exclude={"id"}), "priority": priority, "assignment_method": assignment_method,
                "operating_hours": operating_hours, "overflow": list(overflow)}
        return self.save_queue(data, queue_id, loaded.version if expected_version is None  # type: ignore[attr-defined]
                               else expected_version)

    def default_queue_users(self, queue_id: str) -> list[str]:
        """The work streams whose default queue this is (a default queue ignores overflow)."""
        from sqlalchemy import select

        from app.config.io import sort_key
        from models import WorkStream

        with self.db.sessions() as session:
            return sorted(session.scalars(select(WorkStream.name).where(WorkStream.default_queue_id == queue_id)),
                          key=sort_key)


def _skills_of(session: "Session", rating_model_id: str) -> list:
    from sqlalchemy import select

    from models import Skill

    return list(session.scalars(select(Skill).where(Skill.rating_model_id == rating_model_id)))


def _held_ratings_issues(session: "Session", skill_ids: list[str], values: list[str], path: str) -> list:
    """A rating an agent holds or a classification rule asks, of these skills, that ``values`` lacks."""
    from sqlalchemy import select

    from models import Agent, AgentSkill, ClassificationRule, ClassificationSkill, Skill, WorkStream

    if not skill_ids:
        return []
    allowed = set(values)
    missing: list[str] = []  # ratings no longer offered, in the order found
    users: list[str] = []
    for rating, skill, agent in session.execute(
            select(AgentSkill.rating, Skill.name, Agent.name).join(Skill, AgentSkill.skill_id == Skill.id)
            .join(Agent, AgentSkill.agent_id == Agent.id).where(AgentSkill.skill_id.in_(skill_ids))
            .order_by(Agent.name)):
        if rating not in allowed:
            missing.append(rating)
            users.append(f"agent '{agent}' ({skill} {rating})")
    for rating, skill, rule, stream in session.execute(
            select(ClassificationSkill.rating, Skill.name, ClassificationRule.name, WorkStream.name)
            .join(Skill, ClassificationSkill.skill_id == Skill.id)
            .join(ClassificationRule, ClassificationSkill.rule_id == ClassificationRule.id)
            .join(WorkStream, ClassificationRule.workstream_id == WorkStream.id)
            .where(ClassificationSkill.skill_id.in_(skill_ids)).order_by(WorkStream.name_key)):
        if rating not in allowed:
            missing.append(rating)
            users.append(f"classification rule '{rule}' in '{stream}' ({skill} {rating})")
    if not missing:
        return []
    ratings = sorted(set(missing), key=missing.index)
    named = ", ".join(f"'{r}'" for r in ratings)
    shown = ", ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
    verb = "is" if len(ratings) == 1 else "are"
    return [_issue(path, f"{'rating' if len(ratings) == 1 else 'ratings'} {named} {verb} still used by {shown}")]
