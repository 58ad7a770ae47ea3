"""Typed SQLAlchemy models and the one engine/session factory. No Qt here.

The names below are loaded on first use (PEP 562), so ``models.choices`` (plain
constants the UI needs for its first window) can be imported without paying
for SQLAlchemy.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOME = {
    "make_engine": "models.db", "make_session_factory": "models.db",
    **{name: "models.entities" for name in (
        "Agent", "Baseline", "BaselineObject", "BundleHistory", "Base", "Channel", "ContextVariable", "Presence",
        "Queue", "RoutingRuleItem", "RoutingTestCase", "Setting", "WorkStream", "queue_members",
        # work distribution (document version 2)
        "AgentCapacityProfile", "AgentSkill", "CapacityProfile", "ClassificationRule", "ClassificationSkill",
        "OverflowRule", "RatingModel", "RatingValue", "RoutingRuleTarget", "Skill")},
}

__all__ = sorted(_HOME)

if TYPE_CHECKING:  # pragma: no cover — for type checkers and editors only
    from models.db import make_engine, make_session_factory  # noqa: F401
    from models.entities import (  # noqa: F401
        Agent, Base, Baseline, BaselineObject, BundleHistory, Channel, ContextVariable, Presence, Queue,
        RoutingRuleItem, RoutingTestCase, Setting, WorkStream, queue_members,
        AgentCapacityProfile, AgentSkill, CapacityProfile, ClassificationRule, ClassificationSkill,
        OverflowRule, RatingModel, RatingValue, RoutingRuleTarget, Skill,
    )


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'models' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value
