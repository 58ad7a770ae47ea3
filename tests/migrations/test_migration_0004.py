"""Migration 0004 (work distribution): old rows keep their meaning up, split rules survive down.

Runs on SQLite and, as the ``[postgresql]`` variant (marked pg), on PostgreSQL.
"""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from models import make_engine
from tests.migrations.steps import migrate as _migrate, tracked_insert as _tracked

NEW_TABLES = {"rating_model", "rating_value", "skill", "agent_skill", "capacity_profile", "agent_capacity_profile",
              "overflow_rule", "routing_rule_target", "classification_rule", "classification_skill"}


@pytest.fixture
def engine(backend_url):
    engine = make_engine(backend_url)
    yield engine
    engine.dispose()


def _version_1_rows(engine) -> None:
    with engine.begin() as c:
        presence = c.execute(text("select id from presence where name = 'Available'")).scalar_one()
        c.execute(text(_tracked("agent", "a1", name="Ana", capacity=100, presence_id=presence)))
        c.execute(text(_tracked("queue", "q1", name="General", kind="messaging", description="")))
        c.execute(text(_tracked("queue", "q2", name="VIP", kind="messaging", description="")))
        c.execute(text("insert into queue_member (queue_id, agent_id) values ('q1', 'a1')"))
        c.execute(text(_tracked("workstream", "w1", name="Chat", name_key="chat", channel="live_chat", active=True,
                                capacity=10, auto_close_after_inactivity_s=0, distribution_mode="push",
                                notification="screen_pop_timeout", screen_pop_timeout_s=120,
                                allowed_presences='["available"]', assign_after_decline_s=0,
                                keep_same_agent=False, wrap_up_block_s=0, default_queue_id="q1")))
        c.execute(text(_tracked("routing_rule_item", "r1", workstream_id="w1", name="VIP", description="",
                                queue_id="q2", position=0, condition='{"all": []}')))


def test_upgrade_gives_old_rows_the_version_1_meaning(engine):
    _migrate(engine, "upgrade", "0003")
    _version_1_rows(engine)
    _migrate(engine, "upgrade", "0004")
    assert NEW_TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as c:
        assert c.execute(text("select priority, assignment_method, operating_hours from queue where id = 'q1'")).one() \
            == (10_000, "highest_capacity", None)
        stream = c.execute(text("select capacity_format, capacity_profile_id, skill_matching, "
                                "missed_notification_presence_id, reconnect_window_s from workstream")).one()
        assert tuple(stream) == ("units", None, "none", None, 0)
        assert c.execute(text("select queue_id from routing_rule_item")).scalar_one() == "q2"
        assert c.execute(text("select count(*) from queue_member")).scalar_one() == 1  # not cascaded away


def test_downgrade_turns_a_split_into_its_largest_share_and_drops_the_new_tables(engine):
    _migrate(engine, "upgrade", "0003")
    _version_1_rows(engine)
    _migrate(engine, "upgrade", "0004")
    with engine.begin() as c:
        c.execute(text("update routing_rule_item set queue_id = NULL where id = 'r1'"))
        c.execute(text("insert into routing_rule_target (id, rule_id, position, queue_id, percent) values "
                       "('t1', 'r1', 0, 'q2', 30), ('t2', 'r1', 1, 'q1', 70)"))
        c.execute(text(_tracked("rating_model", "m1", name="Proficiency")))
        c.execute(text("insert into rating_value (id, rating_model_id, position, value) values ('v1', 'm1', 0, '1')"))
        c.execute(text(_tracked("skill", "s1", name="Mortgages", rating_model_id="m1")))
        c.execute(text("insert into agent_skill (agent_id, skill_id, rating) values ('a1', 's1', '1')"))
    _migrate(engine, "downgrade", "0003")
    tables = set(inspect(engine).get_table_names())
    assert not NEW_TABLES & tables
    assert "priority" not in {col["name"] for col in inspect(engine).get_columns("queue")}
    with engine.connect() as c:
        assert c.execute(text("select queue_id from routing_rule_item")).scalar_one() == "q1"
        assert c.execute(text("select count(*) from queue_member")).scalar_one() == 1
    _migrate(engine, "upgrade", "0004")  # and up again
    with engine.connect() as c:
        assert c.execute(text("select count(*) from routing_rule_target")).scalar_one() == 0


def test_the_database_refuses_a_share_out_of_range(engine):
    _migrate(engine, "upgrade", "0004")
    _version_1_rows(engine)
    with pytest.raises(Exception, match="(?i)check"):
        with engine.begin() as c:
            c.execute(text("insert into routing_rule_target (id, rule_id, position, queue_id, percent) values "
                           "('t1', 'r1', 0, 'q2', 100)"))
