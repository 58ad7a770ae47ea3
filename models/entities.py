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

from models.choices import DESCRIPTION_MAX, NAME_MAX, PRESENCE_TEXT_MAX

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


class Agent(Tracked, Base):
    __tablename__ = "agent"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity_not_negative"),)

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    capacity: Mapped[int] = mapped_column(Integer, default=100)
    presence_id: Mapped[str] = mapped_column(ForeignKey("presence.id", ondelete="RESTRICT"), index=True)

    presence: Mapped[Presence] = relationship(lazy="joined")
    queues: Mapped[list[Queue]] = relationship(secondary=queue_members, back_populates="agents")


class Queue(Tracked, Base):
    __tablename__ = "queue"

    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="messaging")
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="")

    agents: Mapped[list[Agent]] = relationship(secondary=queue_members, back_populates="queues")


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

    default_queue: Mapped[Queue | None] = relationship(lazy="joined")
    context_variables: Mapped[list[ContextVariable]] = relationship(
        back_populates="workstream", cascade="all, delete-orphan", order_by="ContextVariable.name"
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

    workstream: Mapped[WorkStream] = relationship(back_populates="context_variables")


class RoutingRuleItem(Tracked, Base):
    __tablename__ = "routing_rule_item"

    workstream_id: Mapped[str] = mapped_column(ForeignKey("workstream.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    queue_id: Mapped[str] = mapped_column(ForeignKey("queue.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    condition: Mapped[dict[str, Any]] = mapped_column(JSON)

    workstream: Mapped[WorkStream] = relationship(back_populates="routing_rules")
    queue: Mapped[Queue] = relationship(lazy="joined")


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


ENTITY_TYPES = (Presence, Agent, Queue, WorkStream, ContextVariable, RoutingRuleItem, Channel)


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
