"""Checks on work distribution, with today's semantics (app/simulation/engine.py):
an agent is offered a conversation when it is a member of the queue, its
presence's base is allowed by the stream and its free capacity is at least the
stream's capacity.

Version 2 adds skills (an exact-match stream needs an agent holding every skill a
classification rule requires), capacity profiles (a profile-based stream needs
members holding its profile; its capacity units do not apply), operating hours
and overflow (a queue never open, transfer loops, overflow on a default queue,
which the default queue ignores) and percentage splits (a share sent to a queue
that can never assign).
"""
from __future__ import annotations

from typing import Iterable, Iterator, Mapping

from app.doctor.facts import DocumentFacts, StreamFacts, fold, never_open
from app.doctor.findings import ERROR, INFO, WARNING, Finding, check
from app.doctor.solver import UNSAT
from models.choices import DEFAULT_SCREEN_POP_TIMEOUT

# A work stream's channel -> the kind of queue it can route to.
QUEUE_KIND_FOR_CHANNEL = {"live_chat": "messaging", "sms": "messaging", "facebook": "messaging",
                          "entity_records": "records"}


def _stream(facts: StreamFacts, code: str, severity: str, message: str, paths: Iterable[str]) -> Finding:
    return Finding(code, severity, f"'{facts.name}': {message}", tuple(paths), None, facts.name)


def _routed_members(facts: StreamFacts) -> Iterator[tuple[int, Mapping, list, str]]:
    """Each queue the stream routes to that the document has: its index, itself, its members, and why."""
    for queue_name, why in facts.routed_queues():
        found = facts.document.queue(queue_name)
        if found is not None:
            index, queue = found
            yield index, queue, facts.document.members(queue), why


@check("capacity-exceeds-members", ERROR, "workstream",
       "a queue the stream routes to where no member has the capacity one conversation needs")
def capacity_exceeds_members(facts: StreamFacts) -> Iterable[Finding]:
    if facts.stream.get("capacity_format") == "profile":
        return  # a profile-based stream counts work items of its profile, not capacity units
    need = facts.stream.get("capacity", 0)
    for index, queue, members, why in _routed_members(facts):
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
    for index, queue, members, why in _routed_members(facts):
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


# --------------------------------------------------------------------------- version 2: skills, profiles, hours, overflow, splits

def _holds(agent: Mapping, skill_key: str, minimum: str, values: list[str]) -> bool:
    """Does ``agent`` hold the skill at ``minimum`` or above (by its rating model's order)?"""
    rating = next((r for name, r in agent.get("skills", {}).items() if fold(name) == skill_key), None)
    if rating is None or rating not in values or minimum not in values:
        return False
    return values.index(rating) >= values.index(minimum)


def _qualified(agent: Mapping, required: Mapping[str, str], skills: Mapping) -> bool:
    return all(_holds(agent, fold(name), rating, skills.get(fold(name), (0, {}, []))[2])
               for name, rating in required.items())


@check("skills-unheld", ERROR, "workstream",
       "a classification rule requiring skills no agent (or no member of the stream's queues) holds at that rating")
def skills_unheld(facts: StreamFacts) -> Iterable[Finding]:
    matching = facts.stream.get("skill_matching", "none")
    if matching == "none":
        return  # skills are not looked at
    # exact: nobody else qualifies, so such conversations wait for ever; closest: ranked without them
    severity = ERROR if matching == "exact" else WARNING
    document = facts.document
    agents = [agent for _, agent in document.agents.values()]
    members: dict[str, Mapping] = {}
    for queue_name, _why in facts.routed_queues():
        found = document.queue(queue_name)
        if found is not None:
            for agent in document.members(found[1]):
                members.setdefault(fold(agent["name"]), agent)
    outcome = ("such conversations are never assigned (exact skill matching)" if matching == "exact" else
               "closest matching offers them to agents who lack it")
    for index, rule in enumerate(facts.stream.get("classification_rules", [])):
        path = f"{facts.path}.classification_rules[{index}]"
        required = rule.get("skills", {})
        nobody = [(name, rating) for name, rating in required.items()
                  if not any(_holds(a, fold(name), rating, document.skills.get(fold(name), (0, {}, []))[2])
                             for a in agents)]
        if nobody:
            listed = ", ".join(f"'{name}' at {rating} or above" for name, rating in nobody)
            skill_paths = [f"skills[{document.skills[fold(n)][0]}]" for n, _ in nobody if fold(n) in document.skills]
            yield Finding("skills-unheld", severity,
                          f"'{facts.name}': classification rule {index + 1} '{rule['name']}' requires {listed}, "
                          f"which no agent holds: {outcome}",
                          (path, *(f"{path}.skills.{n}" for n, _ in nobody), *skill_paths),
                          facts.classification_witness(index), facts.name)
        elif members and not any(_qualified(a, required, document.skills) for a in members.values()):
            wanted = ", ".join(f"'{name}' {rating}+" for name, rating in required.items())
            yield Finding("skills-unheld", severity,
                          f"'{facts.name}': classification rule {index + 1} '{rule['name']}' requires {wanted}; "
                          f"agents hold that, but no member of the stream's queues does: {outcome}",
                          (path,), facts.classification_witness(index), facts.name)


@check("profile-unheld", ERROR, "workstream",
       "a profile-based stream routing to a queue where no member holds its capacity profile")
def profile_unheld(facts: StreamFacts) -> Iterable[Finding]:
    stream = facts.stream
    profile = stream.get("capacity_profile")
    if stream.get("capacity_format") != "profile" or profile is None:
        return
    for index, queue, members, why in _routed_members(facts):
        if members and not any(fold(profile) in {fold(p) for p in agent.get("capacity_profiles", {})}
                               for agent in members):
            yield _stream(facts, "profile-unheld", ERROR,
                          f"its work items use capacity profile '{profile}', which no member of queue "
                          f"'{queue['name']}' holds, so nothing routed there is ever assigned ({why})",
                          (f"{facts.path}.capacity_profile", f"queues[{index}].agents"))


@check("queue-never-open", ERROR, "document", "a queue with operating hours but no open hour in the week")
def queue_never_open(facts: DocumentFacts) -> Iterable[Finding]:
    for index, queue in enumerate(facts.doc.get("queues", [])):
        if never_open(queue):
            closed = next((o for o in queue.get("overflow", []) if o.get("when") == "closed"), None)
            then = ("every work item overflows" if closed is not None else
                    "nothing routed there is ever assigned")
            yield Finding("queue-never-open", ERROR,
                          f"queue '{queue['name']}' is closed at every hour of the week: {then}",
                          (f"queues[{index}].operating_hours.week",))


@check("overflow-loop", WARNING, "document", "overflow transfers that lead back to where they started")
def overflow_loop(facts: DocumentFacts) -> Iterable[Finding]:
    """One finding per group of queues that transfer to each other (a strongly connected
    component of the transfer graph), naming one loop through it from its first queue.
    Linear in queues and overflow rules, however tangled the transfers are."""
    queues = facts.queues
    transfers: dict[str, list[tuple[str, int]]] = {}  # folded queue -> [(folded target, overflow index)]
    for key, (_index, queue) in queues.items():
        for o_index, rule in enumerate(queue.get("overflow", [])):
            if rule.get("action") == "transfer" and rule.get("queue") is not None and fold(rule["queue"]) in queues:
                transfers.setdefault(key, []).append((fold(rule["queue"]), o_index))
    for group in _strongly_connected(list(queues), transfers):
        if len(group) < 2:
            continue  # a queue cannot overflow to itself (the document refuses it)
        start = min(group, key=lambda q: queues[q][0])
        step = _loop_from(start, group, transfers)
        names = [queues[q][1]["name"] for q, _ in step] + [queues[start][1]["name"]]
        yield Finding("overflow-loop", WARNING,
                      f"overflow loop {' → '.join(names)}: transfers lead back to "
                      f"'{names[0]}', so a work item can bounce between these queues",
                      tuple(f"queues[{queues[q][0]}].overflow[{o}]" for q, o in step))


def _strongly_connected(nodes: list[str], edges: Mapping[str, list[tuple[str, int]]]) -> list[set[str]]:
    """Tarjan's strongly connected components, without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position][0]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            for target, _o in targets:  # children done: take their low links
                if target in on_stack:
                    low[node] = min(low[node], low[target])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups


def _loop_from(start: str, group: set[str], edges: Mapping[str, list[tuple[str, int]]]) -> list[tuple[str, int]]:
    """The shortest transfer path from ``start`` back to it inside ``group``: [(queue, overflow index)]."""
    previous: dict[str, tuple[str, int]] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target, o_index in edges.get(node, []):
                if target not in group:
                    continue
                if target == start:
                    path = [(node, o_index)]
                    while node != start:
                        node, o_index = previous[node]
                        path.append((node, o_index))
                    return path[::-1]
                if target not in previous:
                    previous[target] = (node, o_index)
                    following.append(target)
        frontier = following
    return []


@check("overflow-on-default-queue", INFO, "workstream", "overflow rules on the stream's default queue, which ignores them")
def overflow_on_default_queue(facts: StreamFacts) -> Iterable[Finding]:
    default = facts.stream.get("default_queue")
    found = facts.document.queue(default)
    if found is None or not found[1].get("overflow"):
        return
    index, queue = found
    if facts.stream.get("routing_rules") and facts.analysis.default_reachable == UNSAT:
        return  # nothing falls through to it
    yield _stream(facts, "overflow-on-default-queue", INFO,
                  f"queue '{queue['name']}' is its default queue: its overflow rules are ignored for work items "
                  f"that fall through to it (they stay, even when it is closed or full)",
                  (f"{facts.path}.default_queue", f"queues[{index}].overflow"))


@check("split-to-unusable-queue", WARNING, "workstream",
       "a percentage split sending a share to a queue that never assigns (no members, never open)")
def split_to_unusable_queue(facts: StreamFacts) -> Iterable[Finding]:
    for fact in facts.analysis.rules:
        rule = facts.stream["routing_rules"][fact.index]
        if not fact.fires or not rule.get("queues"):
            continue
        for s_index, share in enumerate(rule["queues"]):
            found = facts.document.queue(share["queue"])
            if found is None:
                continue
            queue = found[1]
            why = ("has no members" if not queue.get("agents") else
                   "is closed at every hour of the week" if never_open(queue) else None)
            if why is None:
                continue
            yield Finding("split-to-unusable-queue", WARNING,
                          f"'{facts.name}': {facts.rule_label(fact.index)} sends {share['percent']}% of its "
                          f"conversations to queue '{queue['name']}', which {why}",
                          (f"{facts.rule_path(fact.index)}.queues[{s_index}]", f"queues[{found[0]}]"),
                          fact.witness, facts.name, fact.index)
