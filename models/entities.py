"""The configuration tables.

Every entity has a stable UUID, created/modified timestamps and a version
counter; SQLAlchemy's ``version_id_col`` makes a concurrent UPDATE over a stale
row fail instead of silently winning.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from models.choices import (
    DEFAULT_QUEUE_PRIORITY,
    DEFAULT_WORK_ITEM_LIMIT,
    DESCRIPTION_MAX,
    MAX_QUEUE_PRIORITY,
    MAX_WORK_ITEM_LIMIT,
    NAME_MAX,
    OVERFLOW_LIMIT_MAX,
    PRESENCE_TEXT_MAX,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# A baseline is named by the SHA-256 (hex) of its config.json; a manifest's source id has up to 200 characters.
BASELINE_ID_MAX = 64
SOURCE_ID_MAX = 200


def utcnow() -> datetime:
    # Stored naive in UTC: SQLite has no time zones and PostgreSQL gets the same value.
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Tracked:
    """Identity, timestamps and the optimistic-locking version counter."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}

    def touch(self) -> None:
        """Force an UPDATE (and so a version bump) when only children changed."""
        self.modified_at = utcnow()


queue_members = Table(
    "queue_member",
    Base.metadata,
    Column("queue_id", ForeignKey("queue.id", ondelete="CASCADE"), primary_key=True),
    Column("agent_id", ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True),
)


class Presence(Tracked, Base):
    __tablename__ = "presence"

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    base: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(PRESENCE_TEXT_MAX), default="")
    # The five base presences always exist and cannot be deleted.
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)


class RatingModel(Tracked, Base):
    """A rating model; its values are ordered lowest first."""

    __tablename__ = "rating_model"

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)

    values: Mapped[list[RatingValue]] = relationship(
        back_populates="rating_model", cascade="all, delete-orphan", order_by="RatingValue.position"
    )


class RatingValue(Base):
    """One value of a rating model (rewritten with its model; the model's version moves)."""

    __tablename__ = "rating_value"
    __table_args__ = (
        UniqueConstraint("rating_model_id", "position"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rating_model_id: Mapped[str] = mapped_column(ForeignKey("rating_model.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    value: Mapped[str] = mapped_column(String(NAME_MAX))

    rating_model: Mapped[RatingModel] = relationship(back_populates="values")


class Skill(Tracked, Base):
    __tablename__ = "skill"

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    rating_model_id: Mapped[str] = mapped_column(ForeignKey("rating_model.id", ondelete="RESTRICT"), index=True)

    rating_model: Mapped[RatingModel] = relationship(lazy="joined")


class CapacityProfile(Tracked, Base):
    __tablename__ = "capacity_profile"
    __table_args__ = (
        CheckConstraint(f"work_item_limit >= 1 AND work_item_limit <= {MAX_WORK_ITEM_LIMIT}",
                        name="work_item_limit_range"),
    )

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    work_item_limit: Mapped[int] = mapped_column(Integer, default=DEFAULT_WORK_ITEM_LIMIT)


class AgentSkill(Base):
    """An agent's rating in a skill: a value of the skill's rating model (checked by the document)."""

    __tablename__ = "agent_skill"

    agent_id: Mapped[str] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[str] = mapped_column(ForeignKey("skill.id", ondelete="RESTRICT"), primary_key=True, index=True)
    rating: Mapped[str] = mapped_column(String(NAME_MAX))

    skill: Mapped[Skill] = relationship(lazy="joined")


class AgentCapacityProfile(Base):
    """An agent holds a capacity profile, with its own work item limit for it."""

    __tablename__ = "agent_capacity_profile"
    __table_args__ = (
        CheckConstraint(f"work_item_limit >= 1 AND work_item_limit <= {MAX_WORK_ITEM_LIMIT}",
                        name="work_item_limit_range"),
    )

    agent_id: Mapped[str] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True)
    capacity_profile_id: Mapped[str] = mapped_column(ForeignKey("capacity_profile.id", ondelete="RESTRICT"),
                                                     primary_key=True, index=True)
    work_item_limit: Mapped[int] = mapped_column(Integer)

    capacity_profile: Mapped[CapacityProfile] = relationship(lazy="joined")


class Agent(Tracked, Base):
    __tablename__ = "agent"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity_not_negative"),)

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    capacity: Mapped[int] = mapped_column(Integer, default=100)
    presence_id: Mapped[str] = mapped_column(ForeignKey("presence.id", ondelete="RESTRICT"), index=True)

    presence: Mapped[Presence] = relationship(lazy="joined")
    queues: Mapped[list[Queue]] = relationship(secondary=queue_members, back_populates="agents")
    skills: Mapped[list[AgentSkill]] = relationship(cascade="all, delete-orphan")
    capacity_profiles: Mapped[list[AgentCapacityProfile]] = relationship(cascade="all, delete-orphan")


class Queue(Tracked, Base):
    __tablename__ = "queue"
    __table_args__ = (
        CheckConstraint(f"priority >= 1 AND priority <= {MAX_QUEUE_PRIORITY}", name="priority_range"),
    )

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="messaging")
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="")
    # 1 is the highest priority (Dynamics' msdyn_priority).
    priority: Mapped[int] = mapped_column(Integer, default=DEFAULT_QUEUE_PRIORITY,
                                          server_default=str(DEFAULT_QUEUE_PRIORITY))
    assignment_method: Mapped[str] = mapped_column(String(24), default="highest_capacity",
                                                   server_default="highest_capacity")
    # The document's operating_hours object as it stands ({timezone, week, closed_dates}), or
    # NULL for always open: read and written whole, never queried by parts.
    operating_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    agents: Mapped[list[Agent]] = relationship(secondary=queue_members, back_populates="queues")
    overflow_rules: Mapped[list[OverflowRule]] = relationship(
        back_populates="queue", cascade="all, delete-orphan", order_by="OverflowRule.position",
        foreign_keys="OverflowRule.queue_id",
    )


class OverflowRule(Base):
    """One overflow rule of a queue, in order (rewritten with its queue; the queue's version moves)."""

    __tablename__ = "overflow_rule"
    __table_args__ = (
        UniqueConstraint("queue_id", "position"),
        CheckConstraint(f"waiting_limit IS NULL OR (waiting_limit >= 1 AND waiting_limit <= {OVERFLOW_LIMIT_MAX})",
                        name="waiting_limit_range"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    queue_id: Mapped[str] = mapped_column(ForeignKey("queue.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    condition: Mapped[str] = mapped_column(String(24))  # the document's "when"
    waiting_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the document's "limit"
    action: Mapped[str] = mapped_column(String(24))
    target_queue_id: Mapped[str | None] = mapped_column(ForeignKey("queue.id", ondelete="RESTRICT"), index=True,
                                                        nullable=True)
    reason: Mapped[str] = mapped_column(String(NAME_MAX), default="")

    queue: Mapped[Queue] = relationship(back_populates="overflow_rules", foreign_keys=[queue_id])
    target_queue: Mapped[Queue | None] = relationship(foreign_keys=[target_queue_id], lazy="joined")


class WorkStream(Tracked, Base):
    __tablename__ = "workstream"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("wrap_up_block_s >= 0 AND wrap_up_block_s <= 43200", name="wrap_up_range"),
    )

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    # Case-folded name: names are unique regardless of case, on any database.
    name_key: Mapped[str] = mapped_column(String(NAME_MAX * 3), unique=True)
    channel: Mapped[str] = mapped_column(String(24))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    capacity: Mapped[int] = mapped_column(Integer, default=10)
    auto_close_after_inactivity_s: Mapped[int] = mapped_column(Integer, default=0)
    distribution_mode: Mapped[str] = mapped_column(String(8), default="push")
    notification: Mapped[str] = mapped_column(String(24), default="screen_pop_timeout")
    screen_pop_timeout_s: Mapped[int] = mapped_column(Integer, default=120)
    allowed_presences: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["available", "busy"])
    assign_after_decline_s: Mapped[int] = mapped_column(Integer, default=0)
    keep_same_agent: Mapped[bool] = mapped_column(Boolean, default=False)
    wrap_up_block_s: Mapped[int] = mapped_column(Integer, default=0)
    default_queue_id: Mapped[str | None] = mapped_column(ForeignKey("queue.id", ondelete="RESTRICT"), index=True)
    capacity_format: Mapped[str] = mapped_column(String(8), default="units", server_default="units")
    capacity_profile_id: Mapped[str | None] = mapped_column(
        ForeignKey("capacity_profile.id", ondelete="RESTRICT"), index=True, nullable=True)
    skill_matching: Mapped[str] = mapped_column(String(8), default="none", server_default="none")
    missed_notification_presence_id: Mapped[str | None] = mapped_column(
        ForeignKey("presence.id", ondelete="RESTRICT"), index=True, nullable=True)
    decline_reasons: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    reconnect_window_s: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    default_queue: Mapped[Queue | None] = relationship(lazy="joined")
    capacity_profile: Mapped[CapacityProfile | None] = relationship(lazy="joined")
    missed_notification_presence: Mapped[Presence | None] = relationship(lazy="joined")
    classification_rules: Mapped[list[ClassificationRule]] = relationship(
        back_populates="workstream", cascade="all, delete-orphan", order_by="ClassificationRule.position"
    )
    context_variables: Mapped[list[ContextVariable]] = relationship(
        back_populates="workstream", cascade="all, delete-orphan", order_by="ContextVariable.position"
    )
    routing_rules: Mapped[list[RoutingRuleItem]] = relationship(
        back_populates="workstream", cascade="all, delete-orphan", order_by="RoutingRuleItem.position"
    )
    channels: Mapped[list[Channel]] = relationship(back_populates="workstream", order_by="Channel.name")


class ContextVariable(Tracked, Base):
    __tablename__ = "context_variable"
    __table_args__ = (UniqueConstraint("workstream_id", "name"),)

    workstream_id: Mapped[str] = mapped_column(ForeignKey("workstream.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    type: Mapped[str] = mapped_column(String(8), default="text")
    # The user's order (issue 10): the editor, the document and the trial pane list them so.
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    workstream: Mapped[WorkStream] = relationship(back_populates="context_variables")


class RoutingRuleItem(Tracked, Base):
    __tablename__ = "routing_rule_item"

    workstream_id: Mapped[str] = mapped_column(ForeignKey("workstream.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    # NULL when the rule splits over ``targets`` instead.
    queue_id: Mapped[str | None] = mapped_column(ForeignKey("queue.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    condition: Mapped[dict[str, Any]] = mapped_column(JSON)

    workstream: Mapped[WorkStream] = relationship(back_populates="routing_rules")
    queue: Mapped[Queue | None] = relationship(lazy="joined")
    targets: Mapped[list[RoutingRuleTarget]] = relationship(
        cascade="all, delete-orphan", order_by="RoutingRuleTarget.position", lazy="selectin"
    )


class RoutingRuleTarget(Base):
    """One share of a rule's percentage split (2..5 rows summing to 100, checked by the document)."""

    __tablename__ = "routing_rule_target"
    __table_args__ = (
        UniqueConstraint("rule_id", "position"),
        CheckConstraint("percent >= 1 AND percent <= 99", name="percent_range"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rule_id: Mapped[str] = mapped_column(ForeignKey("routing_rule_item.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    queue_id: Mapped[str] = mapped_column(ForeignKey("queue.id", ondelete="RESTRICT"), index=True)
    percent: Mapped[int] = mapped_column(Integer)

    queue: Mapped[Queue] = relationship(lazy="joined")


class ClassificationRule(Tracked, Base):
    """Work classification: ordered, the first rule whose condition holds attaches its skills."""

    __tablename__ = "classification_rule"

    workstream_id: Mapped[str] = mapped_column(ForeignKey("workstream.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    position: Mapped[int] = mapped_column(Integer)
    condition: Mapped[dict[str, Any]] = mapped_column(JSON)

    workstream: Mapped[WorkStream] = relationship(back_populates="classification_rules")
    skills: Mapped[list[ClassificationSkill]] = relationship(
        cascade="all, delete-orphan", order_by="ClassificationSkill.position", lazy="selectin"
    )


class ClassificationSkill(Base):
    """A skill (and the rating required) a classification rule attaches."""

    __tablename__ = "classification_skill"

    rule_id: Mapped[str] = mapped_column(ForeignKey("classification_rule.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[str] = mapped_column(ForeignKey("skill.id", ondelete="RESTRICT"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str] = mapped_column(String(NAME_MAX))

    skill: Mapped[Skill] = relationship(lazy="joined")


class Channel(Tracked, Base):
    __tablename__ = "channel"

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    workstream_id: Mapped[str] = mapped_column(ForeignKey("workstream.id", ondelete="RESTRICT"), index=True)
    # This channel is the default of its kind (its work stream is then the kind's default).
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    workstream: Mapped[WorkStream] = relationship(back_populates="channels")


class RoutingTestCase(Tracked, Base):
    """A saved 'Test routing' case: a context and the queue it should reach."""

    __tablename__ = "routing_test_case"
    __table_args__ = (UniqueConstraint("workstream_id", "name"),)

    workstream_id: Mapped[str] = mapped_column(ForeignKey("workstream.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    expected_queue: Mapped[str] = mapped_column(String(NAME_MAX))


class Setting(Base):
    """Key/value facts about this database (its id, the demo seed marker)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


ENTITY_TYPES = (Presence, Agent, Queue, WorkStream, ContextVariable, RoutingRuleItem, Channel,
                RatingModel, Skill, CapacityProfile, ClassificationRule)


class BundleHistory(Base):
    """One line per bundle imported or exported: when, which file, what it did."""

    __tablename__ = "bundle_history"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    direction: Mapped[str] = mapped_column(String(8))  # "import" | "export"
    file: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(8))  # "full" | "delta" | "cmt"
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    baseline_id: Mapped[str | None] = mapped_column(String(BASELINE_ID_MAX))


class Baseline(Base):
    """The state of the configuration when a full bundle was exported or imported.

    A delta since a baseline carries what changed after it; conflicts are
    judged against the versions recorded here.
    """

    __tablename__ = "baseline"

    id: Mapped[str] = mapped_column(String(BASELINE_ID_MAX), primary_key=True)  # SHA-256 hex of config.json
    label: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # From a bundle's manifest (at most 200 characters there), usually a database's UUID.
    source_database_id: Mapped[str] = mapped_column(String(SOURCE_ID_MAX), default="")


class BaselineObject(Base):
    __tablename__ = "baseline_object"

    baseline_id: Mapped[str] = mapped_column(ForeignKey("baseline.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    object_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    version: Mapped[int] = mapped_column(Integer)
