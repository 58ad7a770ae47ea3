"""Typed SQLAlchemy models and the one engine/session factory. No Qt here."""
from models.db import make_engine, make_session_factory
from models.entities import (
    Agent,
    Baseline,
    BaselineObject,
    BundleHistory,
    Base,
    Channel,
    ContextVariable,
    Presence,
    Queue,
    RoutingRuleItem,
    RoutingTestCase,
    Setting,
    WorkStream,
    queue_members,
)

__all__ = [
    "Agent", "Base", "Baseline", "BaselineObject", "BundleHistory", "Channel", "ContextVariable", "Presence", "Queue", "RoutingRuleItem",
    "RoutingTestCase", "Setting", "WorkStream", "queue_members", "make_engine", "make_session_factory",
]
