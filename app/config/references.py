"""What uses a queue, presence, skill, capacity profile or rating model (document version 2).

The delete guards (app.services.core, app.services.batch) refuse to delete an object
something else still names; these give the version 2 users as "what uses it" phrases,
object id -> [phrase, ...], for many ids at once.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models import (
    Agent,
    AgentCapacityProfile,
    AgentSkill,
    ClassificationRule,
    ClassificationSkill,
    OverflowRule,
    Queue,
    RoutingRuleItem,
    RoutingRuleTarget,
    Skill,
    WorkStream,
)

Users = dict[str, list[str]]


def _add(users: Users, rows) -> Users:
    for object_id, phrase in rows:
        listed = users.setdefault(object_id, [])
        if phrase not in listed:
            listed.append(phrase)
    return users


def queue_users(session: Session, ids: Iterable[str], going: Iterable[str] = ()) -> Users:
    """Split rules sending a share to the queue, and other queues overflowing to it
    (but not the queues in ``going``: those are deleted with it)."""
    ids = list(ids)
    going = set(going)
    owner = aliased(Queue)
    users: Users = {}
    _add(users, ((queue_id, f"rule '{rule}' in '{stream}' (a {percent}% share)")
                 for queue_id, rule, stream, percent in session.execute(
                     select(RoutingRuleTarget.queue_id, RoutingRuleItem.name, WorkStream.name, RoutingRuleTarget.percent)
                     .join(RoutingRuleItem, RoutingRuleTarget.rule_id == RoutingRuleItem.id)
                     .join(WorkStream, RoutingRuleItem.workstream_id == WorkStream.id)
                     .where(RoutingRuleTarget.queue_id.in_(ids))
                     .order_by(WorkStream.name_key, RoutingRuleItem.position))))
    _add(users, ((queue_id, f"the overflow of queue '{name}'") for queue_id, owner_id, name in session.execute(
        select(OverflowRule.target_queue_id, owner.id, owner.name).join(owner, OverflowRule.queue_id == owner.id)
        .where(OverflowRule.target_queue_id.in_(ids)).order_by(owner.name)) if owner_id not in going))
    return users


def presence_users(session: Session, ids: Iterable[str]) -> Users:
    return _add({}, ((presence_id, f"work stream '{name}' (after a missed notification)")
                     for presence_id, name in session.execute(
                         select(WorkStream.missed_notification_presence_id, WorkStream.name)
                         .where(WorkStream.missed_notification_presence_id.in_(list(ids)))
                         .order_by(WorkStream.name_key))))


def skill_users(session: Session, ids: Iterable[str]) -> Users:
    ids = list(ids)
    users = _add({}, ((skill_id, f"agent '{name}'") for skill_id, name in session.execute(
        select(AgentSkill.skill_id, Agent.name).join(Agent, AgentSkill.agent_id == Agent.id)
        .where(AgentSkill.skill_id.in_(ids)).order_by(Agent.name))))
    return _add(users, ((skill_id, f"classification rule '{rule}' in '{stream}'")
                        for skill_id, rule, stream in session.execute(
                            select(ClassificationSkill.skill_id, ClassificationRule.name, WorkStream.name)
                            .join(ClassificationRule, ClassificationSkill.rule_id == ClassificationRule.id)
                            .join(WorkStream, ClassificationRule.workstream_id == WorkStream.id)
                            .where(ClassificationSkill.skill_id.in_(ids))
                            .order_by(WorkStream.name_key, ClassificationRule.position))))


def capacity_profile_users(session: Session, ids: Iterable[str]) -> Users:
    ids = list(ids)
    users = _add({}, ((profile_id, f"work stream '{name}'") for profile_id, name in session.execute(
        select(WorkStream.capacity_profile_id, WorkStream.name).where(WorkStream.capacity_profile_id.in_(ids))
        .order_by(WorkStream.name_key))))
    return _add(users, ((profile_id, f"agent '{name}'") for profile_id, name in session.execute(
        select(AgentCapacityProfile.capacity_profile_id, Agent.name)
        .join(Agent, AgentCapacityProfile.agent_id == Agent.id)
        .where(AgentCapacityProfile.capacity_profile_id.in_(ids)).order_by(Agent.name))))


def rating_model_users(session: Session, ids: Iterable[str]) -> Users:
    return _add({}, ((model_id, f"skill '{name}'") for model_id, name in session.execute(
        select(Skill.rating_model_id, Skill.name).where(Skill.rating_model_id.in_(list(ids))).order_by(Skill.name))))
