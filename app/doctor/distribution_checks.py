"""Checks on work distribution, with today's semantics (app/simulation/engine.py):
an agent is offered a conversation when it is a member of the queue, its
presence's base is allowed by the stream and its free capacity is at least the
stream's capacity.

Skills, capacity profiles, operating hours and overflow will be further modules
registering their checks the same way.
"""
from __future__ import annotations

from typing import Iterable

from app.doctor.facts import DocumentFacts, StreamFacts, fold
from app.doctor.findings import ERROR, INFO, WARNING, Finding, check
from models.choices import DEFAULT_SCREEN_POP_TIMEOUT

# A work stream's channel -> the kind of queue it can route to.
QUEUE_KIND_FOR_CHANNEL = {"live_chat": "messaging", "sms": "messaging", "facebook": "messaging",
                          "entity_records": "records"}


def _stream(facts: StreamFacts, code: str, severity: str, message: str, paths: Iterable[str]) -> Finding:
    return Finding(code, severity, f"'{facts.name}': {message}", tuple(paths), None, facts.name)


@check("capacity-exceeds-members", ERROR, "workstream",
       "a queue the stream routes to where no member has the capacity one conversation needs")
def capacity_exceeds_members(facts: StreamFacts) -> Iterable[Finding]:
    if facts.stream.get("capacity_format") == "profile":  # a profile-format stream takes a profile slot, no units
        return
    need = facts.stream.get("capacity", 0)
    for queue_name, why in facts.routed_queues():
        found = facts.document.queue(queue_name)
        if found is None:
            continue
        index, queue = found
        members = facts.document.members(queue)
        if members and all(agent.get("capacity", 0) < need for agent in members):
            best = max(agent.get("capacity", 0) for agent in members)
            yield _stream(facts, "capacity-exceeds-members", ERROR,
                          f"a conversation needs {need} capacity units but no member of queue '{queue['name']}' "
                          f"has more than {best}, so nothing routed there is ever assigned ({why})",
                          (f"{facts.path}.capacity", f"queues[{index}]"))


@check("queue-no-members", WARNING, "document", "a queue without agents")
def queue_without_members(facts: DocumentFacts) -> Iterable[Finding]:
    for index, queue in enumerate(facts.doc.get("queues", [])):
        if not queue.get("agents"):
            yield Finding("queue-no-members", WARNING,
                          f"queue '{queue['name']}' has no members: nothing routed there is ever assigned",
                          (f"queues[{index}]",))


@check("no-member-presence-allowed", WARNING, "workstream",
       "a queue the stream routes to whose members are all in presences the stream does not allow")
def no_member_presence_allowed(facts: StreamFacts) -> Iterable[Finding]:
    allowed = set(facts.stream.get("allowed_presences", []))
    bases = facts.document.presence_bases
    for queue_name, why in facts.routed_queues():
        found = facts.document.queue(queue_name)
        if found is None:
            continue
        index, queue = found
        members = facts.document.members(queue)
        if members and not any(bases.get(fold(agent.get("presence", ""))) in allowed for agent in members):
            yield _stream(facts, "no-member-presence-allowed", WARNING,
                          f"no member of queue '{queue['name']}' is in a presence the stream allows "
                          f"({', '.join(sorted(allowed))}), so nobody is offered its conversations now ({why})",
                          (f"{facts.path}.allowed_presences", f"queues[{index}]"))


@check("queue-kind-mismatch", WARNING, "workstream", "a stream routing to a queue of the other kind")
def queue_kind_mismatch(facts: StreamFacts) -> Iterable[Finding]:
    wanted = QUEUE_KIND_FOR_CHANNEL.get(facts.stream.get("channel"))
    for queue_name, why in facts.routed_queues():
        found = facts.document.queue(queue_name)
        if found is not None and wanted and found[1].get("kind", "messaging") != wanted:
            index, queue = found
            yield _stream(facts, "queue-kind-mismatch", WARNING,
                          f"a {facts.stream['channel']} stream routes to {queue.get('kind')} queue "
                          f"'{queue['name']}' ({why}); it needs a {wanted} queue",
                          (facts.path, f"queues[{index}]"))


@check("timeout-with-direct-open", INFO, "workstream", "a screen-pop timeout that 'Directly open session' ignores")
def timeout_with_direct_open(facts: StreamFacts) -> Iterable[Finding]:
    stream = facts.stream
    timeout = stream.get("screen_pop_timeout_s", DEFAULT_SCREEN_POP_TIMEOUT)
    if stream.get("notification") == "direct_open" and timeout != DEFAULT_SCREEN_POP_TIMEOUT:
        yield _stream(facts, "timeout-with-direct-open", INFO,
                      f"the screen-pop timeout of {timeout} s has no effect: 'Directly open session' never pops",
                      (f"{facts.path}.screen_pop_timeout_s", f"{facts.path}.notification"))


@check("affinity-on-pick", WARNING, "workstream", "keep-same-agent on a pick stream")
def affinity_on_pick(facts: StreamFacts) -> Iterable[Finding]:
    stream = facts.stream
    if stream.get("keep_same_agent") and stream.get("distribution_mode") == "pick":
        yield _stream(facts, "affinity-on-pick", WARNING,
                      "'Keep same agent for entire conversation' applies to push distribution; "
                      "on a pick stream agents choose their conversations",
                      (f"{facts.path}.keep_same_agent", f"{facts.path}.distribution_mode"))


@check("inactive-stream-with-channels", INFO, "workstream", "an inactive stream that still owns channels")
def inactive_with_channels(facts: StreamFacts) -> Iterable[Finding]:
    # Queues have no active state in this configuration; streams do.
    stream = facts.stream
    channels = stream.get("channels", [])
    if not stream.get("active", True) and channels:
        names = ", ".join(f"'{c['name']}'" for c in channels)
        yield _stream(facts, "inactive-stream-with-channels", INFO,
                      f"the stream is inactive but owns {names}: conversations there are not routed",
                      [f"{facts.path}.active"] + [f"{facts.path}.channels[{i}]" for i in range(len(channels))])
