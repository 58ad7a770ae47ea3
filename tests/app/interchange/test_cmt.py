"""CMT packages: writer facts, round trip, reading Dynamics spellings, hostile XML."""
from __future__ import annotations

from models.choices import CHANNEL_KIND_FOR

import io
import zipfile
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from app.interchange import cmt
from app.common import safety
from app.interchange.cmt import (
    CmtError,
    CmtImport,
    CmtRejected,
    cmt_package_bytes,
    condition_xml,
    parse_condition,
    read_cmt_package,
    write_cmt_package,
)
from app.config.document import strip_ids, validate_document
from app.interchange.bundles.delta import document_dict
from tests.app.interchange.bundles.helpers import sample_doc, sample_doc_without_ids, stream, zip_of
from tests.app.interchange.cmt_schema_facts import (
    ABSENT_IN_FILE,
    CHOICES,
    CMT_ENTITIES,
    CMT_FIELDS,
    EXEMPT_ENTITIES,
)

REPO = Path(__file__).resolve().parents[3]
MICROSOFT_SCHEMAS = REPO / ".." / "shared" / "reference" / "dynamics-cmt"


def package_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def cmt_part(doc: dict) -> dict:
    """What a CMT round trip keeps of a document."""
    kept = document_dict(validate_document(doc))
    kept["version"] = 2  # a package is read as the current version
    kept["presences"], kept["agents"] = [], []
    models = kept["rating_models"]
    for skill in kept["skills"]:  # a characteristic names no rating model: the package's first
        skill["rating_model"] = models[0]["name"]
    for queue in kept["queues"]:
        queue["agents"] = []
        queue["operating_hours"], queue["overflow"] = None, []  # not in Microsoft's schema
    for item in kept["workstreams"]:
        item["classification_rules"] = []  # decision rule sets: not written
        item["routing_rules"] = [rule for rule in item["routing_rules"] if rule["queue"] is not None]  # splits skipped
        # and what Microsoft's work stream columns do not hold
        item.update(missed_notification_presence=None, decline_reasons=[], reconnect_window_s=0)
        # Durations travel in whole minutes: a part minute comes back rounded up.
        for key in ("auto_close_after_inactivity_s", "assign_after_decline_s"):
            item[key] = -(-item[key] // 60) * 60
        # Channels are not carried; a default stream comes back with a placeholder default channel.
        if any(c["is_default"] for c in item["channels"]):
            kind = CHANNEL_KIND_FOR[item["channel"]]
            item["channels"] = [{"name": f"{item['name']} (default {kind.replace('_', ' ')})", "kind": kind,
                                 "is_default": True}]
        else:
            item["channels"] = []
    return kept


def v2_sample() -> dict:
    """The sample document with work distribution: a rating model, skills, a capacity profile the chat
    stream uses with exact skill matching, VIP first and round robin; and what CMT cannot carry
    (office hours, overflow, a classification rule, agents' skills, a percentage split)."""
    doc = sample_doc()
    doc["version"] = 2
    doc["rating_models"] = [{"id": "71000000-0000-4000-8000-000000000001", "name": "Proficiency",
                             "values": ["Novice", "Good", "Expert"]}]
    doc["skills"] = [{"id": "72000000-0000-4000-8000-000000000001", "name": "Mortgages", "rating_model": "Proficiency"}]
    doc["capacity_profiles"] = [{"id": "73000000-0000-4000-8000-000000000001", "name": "Chat", "work_item_limit": 4}]
    doc["agents"][0].update(skills={"Mortgages": "Expert"}, capacity_profiles={"Chat": 2})
    vip = next(q for q in doc["queues"] if q["name"] == "VIP")
    vip.update(priority=1, assignment_method="round_robin",
               operating_hours={"timezone": "Europe/London", "week": {"mon": [["09:00", "17:00"]]}, "closed_dates": []},
               overflow=[{"when": "closed", "action": "transfer", "queue": "General"}])
    chat = stream(doc, "Chat - Support")
    chat.update(capacity_format="profile", capacity_profile="Chat", skill_matching="exact",
                classification_rules=[{"name": "Loans", "condition": {"all": []}, "skills": {"Mortgages": "Good"}}])
    chat["routing_rules"].append({"name": "Half and half", "description": "",
                                  "queues": [{"queue": "General", "percent": 50}, {"queue": "VIP", "percent": 50}],
                                  "condition": {"all": []}})
    return doc


def package(data_xml: str, schema_xml: str | None = None) -> bytes:
    schema = schema_xml if schema_xml is not None else cmt.schema_xml()
    return zip_of([("[Content_Types].xml", cmt.CONTENT_TYPES_XML.encode()),
                   ("data_schema.xml", schema.encode()), ("data.xml", data_xml.encode())])


def records_xml(*entities: tuple[str, str]) -> str:
    body = "".join(f'<entity name="{name}" displayname="x"><records>{records}</records></entity>'
                   for name, records in entities)
    return f'<?xml version="1.0" encoding="utf-8"?><entities timestamp="t">{body}</entities>'


def field(name: str, value: str, **extra: str) -> str:
    attrs = "".join(f' {k}="{v}"' for k, v in extra.items())
    return f'<field name="{name}" value="{value}"{attrs} />'


QID = "11111111-1111-4111-8111-111111111111"
SID = "22222222-2222-4222-8222-222222222222"


def queue_record(qid: str = QID, name: str = "General", **fields: str) -> str:
    extra = "".join(field(k, v) for k, v in fields.items())
    return f'<record id="{qid}">{field("name", name)}{extra}</record>'


def stream_record(*fields: str, sid: str = SID, name: str = "Chat") -> str:
    return f'<record id="{sid}">{field("msdyn_name", name)}{"".join(fields)}</record>'


# --------------------------------------------------------------------------- writer facts

def test_schema_written_is_exactly_the_facts_table():
    schema = SafeET.fromstring(package_members(cmt_package_bytes(v2_sample()))["data_schema.xml"], forbid_dtd=True)
    written = {}
    for entity in schema.findall("entity"):
        written[entity.get("name")] = {f.get("name"): (f.get("type"), f.get("lookupType"))
                                       for f in entity.findall("fields/field")}
        if entity.get("name") in CMT_ENTITIES:
            for attribute, value in CMT_ENTITIES[entity.get("name")].items():
                assert entity.get(attribute) == value, (entity.get("name"), attribute)
    assert written == CMT_FIELDS
    assert cmt.written_fields() == CMT_FIELDS


def test_data_written_uses_only_facts_table_fields():
    data = SafeET.fromstring(package_members(cmt_package_bytes(v2_sample()))["data.xml"], forbid_dtd=True)
    seen = set()
    for entity in data.findall("entity"):
        table = CMT_FIELDS[entity.get("name")]
        for record in entity.findall("records/record"):
            for item in record.findall("field"):
                kind, lookup = table[item.get("name")]
                seen.add((entity.get("name"), item.get("name")))
                assert (item.get("lookupentity") or None) == lookup
                if kind == "entityreference":
                    assert item.get("lookupentityname")
    assert seen == {(e, f) for e, fields in CMT_FIELDS.items() for f in fields}  # the sample exercises all


def test_choice_values_match_the_facts():
    assert cmt.CAPACITY_FORMATS == CHOICES["msdyn_capacityformat"]
    assert cmt.SKILL_MATCHING == CHOICES["msdyn_matchinglogic"]
    assert cmt.ASSIGNMENT_METHODS == CHOICES["msdyn_assignmentstrategy"]
    assert cmt.CHANNELS == CHOICES["msdyn_streamsource"]
    assert cmt.NOTIFICATIONS == CHOICES["msdyn_notification"]
    assert cmt.DISTRIBUTION == CHOICES["msdyn_workdistributionmode"]
    assert cmt.PRESENCES == CHOICES["msdyn_allowedpresences"]
    assert cmt.DATA_TYPES == CHOICES["msdyn_datatype"]
    assert cmt.QUEUE_TYPES == CHOICES["msdyn_queuetype"]


@pytest.mark.skipif(not MICROSOFT_SCHEMAS.is_dir(), reason="../shared/reference/dynamics-cmt is for developers and CI")
def test_facts_table_matches_microsofts_schema_files():
    found: dict[str, list[tuple[str, dict, dict]]] = {}
    for path in sorted(MICROSOFT_SCHEMAS.glob("*.xml")):
        root = SafeET.fromstring(path.read_bytes(), forbid_dtd=True)
        for entity in root.findall("entity"):
            fields = {f.get("name"): (f.get("type"), f.get("lookupType")) for f in entity.findall("fields/field")}
            found.setdefault(entity.get("name"), []).append((path.name, dict(entity.attrib), fields))
    for entity, facts in CMT_FIELDS.items():
        if entity in EXEMPT_ENTITIES:
            assert entity not in found, f"{entity} is in Microsoft's files now: check it instead of exempting it"
            continue
        assert entity in found, f"{entity} is not in Microsoft's schema files"
        for file_name, attributes, fields in found[entity]:
            absent = ABSENT_IN_FILE.get(file_name, {}).get(entity, frozenset())
            for name, fact in facts.items():
                if name in absent:
                    assert name not in fields, f"{file_name} has {entity}.{name} now: drop it from ABSENT_IN_FILE"
                    continue
                assert fields.get(name) == fact, f"{file_name}: {entity}.{name} is {fields.get(name)}, table says {fact}"
            for attribute, value in CMT_ENTITIES[entity].items():
                assert attributes.get(attribute) == value, f"{file_name}: {entity} {attribute}"
    for file_name, entities in ABSENT_IN_FILE.items():
        for entity, columns in entities.items():
            assert file_name in {name for name, _a, _f in found.get(entity, [])}, f"{file_name} lists no {entity}"
            assert columns <= set(CMT_FIELDS[entity]), f"{file_name}: {sorted(columns - set(CMT_FIELDS[entity]))}"


# --------------------------------------------------------------------------- round trip

def test_round_trip_with_ids_keeps_what_cmt_carries():
    doc = sample_doc()
    imported = read_cmt_package(cmt_package_bytes(doc))
    assert isinstance(imported, CmtImport)
    assert imported.document == cmt_part(doc)
    assert imported.ignored == []
    assert imported.notes == ["workstream 'Chat - Support': default of its channel kind; "
                              "placeholder channel 'Chat - Support (default chat widget)' created"]


def test_round_trip_of_work_distribution_keeps_what_microsofts_tables_hold():
    doc = v2_sample()
    package = cmt.build_cmt_package(doc)
    imported = read_cmt_package(package.data)
    assert imported.document == cmt_part(doc)
    assert imported.document["capacity_profiles"] == doc["capacity_profiles"]
    assert imported.document["rating_models"] == doc["rating_models"]
    chat = stream(imported.document, "Chat - Support")
    assert (chat["capacity_format"], chat["capacity_profile"], chat["skill_matching"]) == ("profile", "Chat", "exact")
    vip = next(q for q in imported.document["queues"] if q["name"] == "VIP")
    assert (vip["priority"], vip["assignment_method"]) == (1, "round_robin")
    # one line for each thing the package cannot hold
    assert package.not_carried == [
        "operating hours of 1 queue ('VIP'): Microsoft's schema has no columns for a weekly schedule "
        "(msdyn_operatinghour holds a name only)",
        "overflow rules of 1 queue ('VIP'): Dynamics keeps them as decision rule sets, which the console does not write",
        "classification rules of 1 work stream ('Chat - Support'): Dynamics keeps them as decision rule sets, "
        "which the console does not write",
        "skills and capacity profiles of 1 agent ('Ana'): agents are not carried",
        "rule 'Half and half' of work stream 'Chat - Support' splits conversations between queues "
        "(50% 'General', 50% 'VIP'); a routing rule item has one queue, so it is skipped",
    ]


def test_version_2_values_as_microsofts_records_spell_them():
    data = package_members(cmt_package_bytes(v2_sample()))["data.xml"].decode()
    chat = written_stream(v2_sample(), "Chat - Support")
    assert chat["msdyn_capacityformat"] == "192360000" and chat["msdyn_matchinglogic"] == "192350000"
    assert '<field name="msdyn_assignmentstrategy" value="192350001" />' in data  # round robin
    assert '<field name="msdyn_priority" value="1" />' in data
    assert '<field name="msdyn_defaultmaxunits" value="4" />' in data
    assert '<field name="name" value="Expert" />' in data and '<field name="value" value="3" />' in data
    assert 'lookupentity="msdyn_capacityprofile" lookupentityname="Chat"' in data


def test_a_custom_assignment_strategy_is_reported_not_carried():
    queue = (f'<record id="{QID}">{field("name", "Q")}{field("msdyn_assignmentstrategy", "192350002")}'
             f'{field("msdyn_priority", "3")}</record>')
    imported = read_cmt_package(package(records_xml(("queue", queue))))
    [read] = imported.document["queues"]
    assert (read["priority"], read["assignment_method"]) == (3, "highest_capacity")
    assert imported.ignored == ["queue 'Q': not carried: msdyn_assignmentstrategy 192350002 "
                                "(custom assignment configuration)"]


def test_a_profile_stream_without_its_profile_in_the_package_stays_unit_based():
    imported = read_cmt_package(package(records_xml(("msdyn_liveworkstream", stream_record(
        field("msdyn_streamsource", "192360000"), field("msdyn_capacityformat", "192360000"))))))
    [read] = imported.document["workstreams"]
    assert read["capacity_format"] == "units" and read["capacity_profile"] is None
    assert any("profile based, but its capacity profile is not in the package" in n for n in imported.notes)


def test_round_trip_without_ids_uses_stable_guids():
    doc = sample_doc_without_ids()
    first = read_cmt_package(cmt_package_bytes(doc))
    assert strip_ids(first.document) == strip_ids(cmt_part(doc))
    assert first.document == read_cmt_package(cmt_package_bytes(doc)).document


def test_round_trip_of_the_demo_data():
    demo = REPO / "resources" / "demo_config.json"
    if not demo.exists():
        pytest.skip("no demo data")
    import json

    doc = json.loads(demo.read_text(encoding="utf-8"))
    assert strip_ids(read_cmt_package(cmt_package_bytes(doc)).document) == strip_ids(cmt_part(doc))


def test_output_is_deterministic_and_has_the_three_members(tmp_path):
    first, second = cmt_package_bytes(sample_doc()), cmt_package_bytes(sample_doc())
    assert first == second
    assert list(package_members(first)) == ["[Content_Types].xml", "data_schema.xml", "data.xml"]
    path = tmp_path / "out.zip"
    write_cmt_package(path, sample_doc())
    handle = io.BytesIO()
    write_cmt_package(handle, sample_doc())
    assert path.read_bytes() == handle.getvalue() == first


def test_spellings_written():
    data = package_members(cmt_package_bytes(sample_doc()))["data.xml"].decode()
    assert 'timestamp="1980-01-01T00:00:00.0000000Z"' in data
    assert '<field name="msdyn_allowedpresences" value="[-1,192360000,192360001,-1]" />' in data
    assert '<field name="msdyn_enableagentaffinity" value="True" />' in data
    assert '<field name="statecode" value="1" />' in data  # the inactive SMS stream
    assert f'value="{sample_doc()["queues"][0]["id"]}" lookupentity="queue" lookupentityname="General"' in data
    assert "&#10;" in data  # a newline in a description survives the attribute


def written_stream(doc: dict, name: str) -> dict[str, str]:
    data = SafeET.fromstring(package_members(cmt_package_bytes(doc))["data.xml"], forbid_dtd=True)
    for record in data.findall("entity[@name='msdyn_liveworkstream']/records/record"):
        fields = {f.get("name"): f.get("value") for f in record.findall("field")}
        if fields["msdyn_name"] == name:
            return fields
    raise AssertionError(name)


def test_durations_are_written_in_minutes_rounded_up_and_reported():
    doc = sample_doc()
    chat = stream(doc, "Chat - Support")
    chat["auto_close_after_inactivity_s"], chat["assign_after_decline_s"] = 600, 61
    written = written_stream(doc, "Chat - Support")
    assert written["msdyn_autocloseafterinactivity"] == "10"
    assert written["msdyn_assignworkitemafterdecline"] == "2"
    rounded = cmt.build_cmt_package(doc).rounded
    assert "workstream 'Chat - Support': assign_after_decline_s 61 s is not whole minutes; " \
           "msdyn_assignworkitemafterdecline written as 2 min (rounded up)" in rounded
    assert not any("auto_close" in line and "Chat - Support" in line for line in rounded)


def test_unified_routing_columns_are_written_with_microsofts_values():
    chat = written_stream(sample_doc(), "Chat - Support")
    sms = written_stream(sample_doc(), "SMS - Alerts")
    for fields in (chat, sms):
        assert fields["msdyn_mode"] == "717210001"
        assert fields["msdyn_direction"] == "0"
        assert fields["msdyn_capacityformat"] == "192350000"
        assert "msdyn_screenpoptimeout" not in fields  # Microsoft's records set only the option set
        assert "msdyn_matchinglogic" not in fields  # the console has no skills to match
    assert chat["msdyn_conversationmode"] == "192350000" and "msdyn_conversationmode" not in sms
    assert chat["msdyn_screenpoptimeout_optionSet"] == "120"
    assert chat["msdyn_enableselectingfrompushbasedworkstreams"] == "True"


@pytest.mark.skipif(not MICROSOFT_SCHEMAS.is_dir(), reason="../shared/reference/dynamics-cmt is for developers and CI")
def test_every_field_written_exists_in_microsofts_schema_with_the_same_type():
    microsoft: dict[str, dict[str, set]] = {}
    for path in MICROSOFT_SCHEMAS.glob("*.xml"):
        for entity in SafeET.fromstring(path.read_bytes(), forbid_dtd=True).findall("entity"):
            for item in entity.findall("fields/field"):
                microsoft.setdefault(entity.get("name"), {}).setdefault(item.get("name"), set()).add(
                    (item.get("type"), item.get("lookupType")))
    for entity, fields in cmt.written_fields().items():
        if entity in EXEMPT_ENTITIES:
            continue
        for name, fact in fields.items():
            assert microsoft[entity].get(name) == {fact}, f"{entity}.{name}: ours {fact}, Microsoft's {microsoft[entity].get(name)}"


def test_rule_items_can_be_left_out():
    members = package_members(cmt_package_bytes(sample_doc(), include_rule_items=False))
    assert b"msdyn_ocruleitem" not in members["data.xml"] + members["data_schema.xml"]
    imported = read_cmt_package(cmt_package_bytes(sample_doc(), include_rule_items=False))
    assert stream(imported.document, "Chat - Support")["routing_rules"] == []


def test_control_characters_cannot_be_written():
    doc = sample_doc()
    doc["queues"][0]["description"] = "bell \x07"
    with pytest.raises(CmtError, match="control character"):
        cmt_package_bytes(doc)


def test_invalid_document_is_not_written():
    doc = sample_doc()
    doc["workstreams"][0]["default_queue"] = "Nowhere"
    with pytest.raises(CmtError, match="unknown queue 'Nowhere'"):
        cmt_package_bytes(doc)


@pytest.mark.parametrize("condition", [
    {"all": []},
    {"any": []},
    {"variable": "t", "operator": "eq", "value": "x"},
    {"all": [{"variable": "t", "operator": "contains", "value": "%50%_off%"}]},
    {"all": [{"variable": "t", "operator": "not_contains", "value": ""}]},
    {"any": [{"variable": "n", "operator": "ge", "value": 1.5}, {"variable": "n", "operator": "lt", "value": -3}]},
    {"all": [{"variable": "n", "operator": "in", "value": [1, 2.25, 1e20]}]},
    {"all": [{"variable": "t", "operator": "not_in", "value": ["a<b", 'q"uote', "&amp;"]}]},
    {"all": [{"variable": "t", "operator": "is_empty"}, {"any": [{"variable": "n", "operator": "is_not_empty"},
                                                                 {"all": [{"variable": "t", "operator": "ends_with",
                                                                           "value": " z "}]}]}]},
])
def test_condition_text_round_trip(condition):
    types = {"t": "text", "n": "number"}
    assert parse_condition(condition_xml(condition), types, "x") == condition


# --------------------------------------------------------------------------- reading Dynamics packages

@pytest.mark.parametrize("spelling", ["[-1,192360000,192360001,-1]", "[-1, 192360000, 192360001, -1]",
                                      "192360000,192360001", "[192360000,192360001]", " 192360001 , 192360000 "])
def test_reads_every_multiselect_spelling(spelling):
    data = records_xml(("queue", queue_record()), ("msdyn_liveworkstream", stream_record(
        field("msdyn_streamsource", "192360000"), field("msdyn_allowedpresences", spelling),
        field("msdyn_defaultqueue", QID, lookupentity="queue"))))
    assert read_cmt_package(package(data)).document["workstreams"][0]["allowed_presences"] == ["available", "busy"]


@pytest.mark.parametrize("spelling, expected", [("True", True), ("False", False), ("true", True), ("false", False),
                                                ("1", True), ("0", False)])
def test_reads_every_boolean_spelling(spelling, expected):
    data = records_xml(("queue", queue_record()), ("msdyn_liveworkstream", stream_record(
        field("msdyn_streamsource", "192360000"), field("msdyn_enableagentaffinity", spelling),
        field("msdyn_defaultqueue", QID, lookupentity="queue"))))
    assert read_cmt_package(package(data)).document["workstreams"][0]["keep_same_agent"] is expected


def test_durations_are_read_as_minutes_and_the_option_set_timeout_is_read():
    data = records_xml(("queue", queue_record()), ("msdyn_liveworkstream", stream_record(
        field("msdyn_streamsource", "192360000"), field("msdyn_autocloseafterinactivity", "2880"),
        field("msdyn_assignworkitemafterdecline", "5"), field("msdyn_screenpoptimeout_optionSet", "90"),
        field("msdyn_defaultqueue", QID, lookupentity="queue"))))
    chat = read_cmt_package(package(data)).document["workstreams"][0]
    assert chat["auto_close_after_inactivity_s"] == 172800
    assert chat["assign_after_decline_s"] == 300
    assert chat["screen_pop_timeout_s"] == 90


def test_the_plain_number_screen_pop_timeout_of_older_packages_is_read():
    data = records_xml(("queue", queue_record()), ("msdyn_liveworkstream", stream_record(
        field("msdyn_streamsource", "192360000"), field("msdyn_screenpoptimeout", "150"),
        field("msdyn_defaultqueue", QID, lookupentity="queue"))))
    imported = read_cmt_package(package(data))
    assert imported.document["workstreams"][0]["screen_pop_timeout_s"] == 150
    assert imported.ignored == []


def test_duration_too_large_for_seconds_is_refused():
    data = records_xml(("msdyn_liveworkstream", stream_record(
        field("msdyn_streamsource", "192360000"), field("msdyn_autocloseafterinactivity", "2147483647"))))
    with pytest.raises(CmtRejected, match="msdyn_autocloseafterinactivity 2147483647 minutes is out of range"):
        read_cmt_package(package(data))


def test_a_fixed_column_with_another_value_is_reported_not_carried():
    data = records_xml(("queue", queue_record()), ("msdyn_liveworkstream", stream_record(
        field("msdyn_streamsource", "192360000"), field("msdyn_direction", "1"),
        field("msdyn_mode", "717210001"), field("msdyn_matchinglogic", "192350001"),
        field("msdyn_defaultqueue", QID, lookupentity="queue"))))
    imported = read_cmt_package(package(data))
    assert imported.ignored == ["msdyn_liveworkstream 'Chat': not carried: msdyn_direction 1"]
    assert imported.document["workstreams"][0]["skill_matching"] == "closest"  # carried since version 2


def test_two_records_under_one_guid_are_refused_naming_both():
    data = records_xml(("queue", queue_record() + queue_record(name="Other")))
    with pytest.raises(CmtRejected) as caught:
        read_cmt_package(package(data))
    assert str(caught.value) == (f"queue {QID} appears twice: data.xml (queue record 1) and data.xml (queue record 2)")


def test_reads_both_boolean_and_multiselect_spellings():
    data = records_xml(
        ("queue", queue_record()),
        ("msdyn_liveworkstream", stream_record(
            field("msdyn_streamsource", "192340000"),
            field("msdyn_enableagentaffinity", "1"),
            field("msdyn_allowedpresences", " 192360003, 192360000 "),
            field("msdyn_defaultqueue", QID, lookupentity="queue", lookupentityname="General"),
            field("msdyn_isdefault", "0"),
        )),
        ("msdyn_liveworkstream", stream_record(
            field("msdyn_streamsource", "192360000"),
            field("msdyn_enableagentaffinity", "true"),
            field("msdyn_allowedpresences", "[192360001]"),
            field("msdyn_defaultqueue", QID, lookupentity="queue"),
            sid="33333333-3333-4333-8333-333333333333", name="Chat 2",
        )),
    )
    doc = read_cmt_package(package(data)).document
    first, second = doc["workstreams"]
    assert first["keep_same_agent"] is True and first["allowed_presences"] == ["available", "away"]
    assert second["keep_same_agent"] is True and second["allowed_presences"] == ["busy"]
    assert first["channel"] == "sms" and first["default_queue"] == "General"


def test_missing_fields_take_the_documents_defaults():
    data = records_xml(("queue", queue_record()), ("msdyn_liveworkstream", stream_record(
        field("msdyn_streamsource", "192360000"),
        field("msdyn_defaultqueue", QID, lookupentity="queue", lookupentityname="General"))))
    chat = read_cmt_package(package(data)).document["workstreams"][0]
    assert chat["capacity"] == 10 and chat["screen_pop_timeout_s"] == 120 and chat["active"] is True


def test_missing_default_queue_imports_the_stream_inactive():
    data = records_xml(("msdyn_liveworkstream", stream_record(field("msdyn_streamsource", "192360000"))))
    imported = read_cmt_package(package(data))
    assert imported.document["workstreams"][0]["active"] is False
    assert imported.notes == ["workstream 'Chat': no default queue in the package; imported as inactive"]


def test_queue_outside_the_package_becomes_a_stub_queue():
    outside = "5a4b76b0-dab5-4717-9743-9490f2f822c6"
    data = records_xml(("msdyn_liveworkstream", stream_record(
        field("msdyn_streamsource", "192350000"),
        field("msdyn_defaultqueue", "{5A4B76B0-DAB5-4717-9743-9490F2F822C6}", lookupentity="queue",
              lookupentityname="Default entity queue"))))
    imported = read_cmt_package(package(data))
    assert imported.document["queues"] == [{"id": outside, "name": "Default entity queue", "kind": "records",
                                            "description": "", "agents": [], "priority": 10_000,
                                            "assignment_method": "highest_capacity", "operating_hours": None,
                                            "overflow": []}]
    assert imported.document["workstreams"][0]["default_queue"] == "Default entity queue"
    assert "added as an empty records queue" in imported.notes[0]


def test_unmodelled_entities_fields_and_values_are_listed():
    variable = (
        '<record id="44444444-4444-4444-8444-444444444444">'
        + field("msdyn_name", "customer") + field("msdyn_datatype", "192350100")
        + field("msdyn_liveworkstreamid", SID, lookupentity="msdyn_liveworkstream") + "</record>"
    )
    data = records_xml(
        ("queue", queue_record(msdyn_maxqueuesize="5")),
        ("queue", queue_record("55555555-5555-4555-8555-555555555555", "Voice", msdyn_queuetype="192350002")),
        ("msdyn_liveworkstream", stream_record(
            field("msdyn_streamsource", "192360000"), field("msdyn_direction", "0"), field("msdyn_mode", "1"),
            field("msdyn_defaultqueue", QID, lookupentity="queue"))),
        ("msdyn_liveworkstream", stream_record(field("msdyn_streamsource", "192300000"),
                                               sid="66666666-6666-4666-8666-666666666666", name="WhatsApp")),
        ("msdyn_ocliveworkstreamcontextvariable", variable + variable.replace("44444444-4444-4444-8444-444444444444",
                                                                               "88888888-8888-4888-8888-888888888888")
         .replace(SID, "66666666-6666-4666-8666-666666666666").replace("customer", "phone")
         .replace("192350100", "192350000")),
        ("msdyn_decisioncontract", '<record id="77777777-7777-4777-8777-777777777777" />'),
    )
    imported = read_cmt_package(package(data))
    assert imported.ignored == [
        "entity msdyn_decisioncontract (1 record): not modelled",
        "queue 'Voice': queue type 192350002 is not modelled (skipped)",
        "workstream 'WhatsApp': channel 192300000 is not modelled (skipped)",
        "context variable 'customer' of workstream 'Chat': type Entity Reference is not modelled (skipped)",
        "context variable 'phone': skipped with its work stream",
        "queue 'General': not carried: msdyn_maxqueuesize",
        "msdyn_liveworkstream 'Chat': not carried: msdyn_mode 1",
    ]
    assert [w["name"] for w in imported.document["workstreams"]] == ["Chat"]


def test_rules_follow_priority_and_skip_unknown_queues():
    def rule(rid: str, name: str, priority: str, queue: str | None) -> str:
        target = field("msdyn_cdsqueueassignid", queue, lookupentity="queue") if queue else ""
        return (f'<record id="{rid}">' + field("msdyn_name", name) + field("msdyn_priority", priority)
                + field("msdyn_liveworkstream", SID, lookupentity="msdyn_liveworkstream") + target + "</record>")

    data = records_xml(
        ("queue", queue_record()),
        ("msdyn_liveworkstream", stream_record(field("msdyn_streamsource", "192360000"),
                                               field("msdyn_defaultqueue", QID, lookupentity="queue"))),
        ("msdyn_ocruleitem", rule("a1111111-1111-4111-8111-111111111111", "Second", "2", QID)
         + rule("a2222222-2222-4222-8222-222222222222", "First", "1", QID)
         + rule("a3333333-3333-4333-8333-333333333333", "Lost", "3", "a9999999-9999-4999-8999-999999999999")),
    )
    imported = read_cmt_package(package(data))
    rules = imported.document["workstreams"][0]["routing_rules"]
    assert [r["name"] for r in rules] == ["First", "Second"]
    assert rules[0]["condition"] == {"all": []}
    assert imported.notes == ["rule 'Lost' of workstream 'Chat': its queue is not in the package (skipped)"]


@pytest.mark.parametrize("fields, reason", [
    pytest.param([field("msdyn_streamsource", "192360000"), field("msdyn_enableagentaffinity", "maybe")],
                 "'maybe' is not a yes/no value", id="bad-bool"),
    pytest.param([field("msdyn_streamsource", "192360000"), field("msdyn_capacityrequired", "1_000")],
                 "'1_000' is not a whole number", id="bad-number"),
    pytest.param([field("msdyn_streamsource", "192360000"), field("msdyn_notification", "7")],
                 "msdyn_notification: unknown choice value 7", id="bad-choice"),
    pytest.param([field("msdyn_streamsource", "192360000"), field("msdyn_allowedpresences", "[1,2]")],
                 "unknown presence value 1", id="bad-presence"),
    pytest.param([field("msdyn_streamsource", "192360000"), field("msdyn_screenpoptimeout", "45")],
                 "screen_pop_timeout_s: must be one of", id="timeout-not-an-option"),
    pytest.param([field("msdyn_streamsource", "192360000"), field("statecode", "5")],
                 "statecode 5 is not 0", id="bad-state"),
    pytest.param([], "msdyn_streamsource (channel) is missing", id="no-channel"),
    pytest.param([field("msdyn_streamsource", "192360000"), field("msdyn_defaultqueue", "nope")],
                 "'nope' is not a GUID", id="bad-lookup"),
])
def test_bad_values_reject_the_package(fields, reason):
    data = records_xml(("msdyn_liveworkstream", stream_record(*fields)))
    with pytest.raises(CmtRejected) as caught:
        read_cmt_package(package(data))
    assert reason in str(caught.value)


# --------------------------------------------------------------------------- hostile packages

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<entities>&lol3;</entities>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE entities [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<entities><entity name="queue"><records><record id="x">&xxe;</record></records></entity></entities>"""
PLAIN_DTD = """<?xml version="1.0"?><!DOCTYPE entities SYSTEM "http://example.com/x.dtd"><entities/>"""
DEEP = "<entities>" + "<a>" * 100 + "</a>" * 100 + "</entities>"


@pytest.mark.parametrize("build, reason", [
    pytest.param(lambda: package(BILLION_LAUGHS), "data.xml: DTDs are not allowed", id="billion-laughs"),
    pytest.param(lambda: package(EXTERNAL_ENTITY), "data.xml: DTDs are not allowed", id="external-entity"),
    pytest.param(lambda: package(PLAIN_DTD), "data.xml: DTDs are not allowed", id="external-dtd"),
    pytest.param(lambda: package(records_xml(), BILLION_LAUGHS), "data_schema.xml: DTDs are not allowed",
                 id="schema-billion-laughs"),
    pytest.param(lambda: package(DEEP), "data.xml: nesting deeper than 32", id="deep-nesting"),
    pytest.param(lambda: package("<entities><entity>"), "data.xml: not well-formed XML", id="not-well-formed"),
    pytest.param(lambda: package(""), "data.xml: not well-formed XML", id="empty-data"),
    pytest.param(lambda: package("<records/>"), "root element must be <entities>", id="wrong-root"),
    pytest.param(lambda: package(records_xml(), "<other/>"), "data_schema.xml: the root element", id="wrong-schema"),
    pytest.param(lambda: zip_of([("data.xml", b"<entities/>")]), "package: data_schema.xml is missing",
                 id="missing-schema"),
    pytest.param(lambda: zip_of([("data.xml", b"<entities/>"), ("data_schema.xml", b"<entities/>"),
                                 ("../evil.xml", b"x")]), "package: member name '../evil.xml' is not allowed",
                 id="path-traversal"),
    pytest.param(lambda: zip_of([("data.xml", b"<entities/>"), ("data_schema.xml", b"<entities/>"),
                                 ("readme.txt", b"x")]), "package: unexpected member 'readme.txt'", id="unlisted"),
    pytest.param(lambda: zip_of([("data.xml", b" " * (8 * safety.MiB)), ("data_schema.xml", b"<entities/>")]),
                 "data.xml: expands more than 200:1", id="zip-bomb"),
    pytest.param(lambda: b"PK not really", "package: not a zip file", id="not-a-zip"),
    pytest.param(lambda: package(records_xml(("msdyn_liveworkstream", '<record id="nope" />'))),
                 "'nope' is not a GUID", id="bad-record-id"),
    pytest.param(lambda: package(records_xml(("queue", f'<record id="{QID}" />'))), "has no name", id="nameless"),
    pytest.param(lambda: package(records_xml(("queue", queue_record() + queue_record("99999999-9999-4999-8999-"
                                                                                     "999999999999")))),
                 "duplicate queue name 'General'", id="duplicate-names"),
    pytest.param(lambda: package(records_xml(("queue", f'<record id="{QID}">{field("name", "A")}'
                                                       f'{field("name", "B")}</record>'))),
                 "has field name twice", id="duplicate-field"),
])
def test_hostile_packages_are_rejected(build, reason):
    with pytest.raises(CmtRejected) as caught:
        read_cmt_package(build())
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


def test_element_count_limit(monkeypatch):
    monkeypatch.setattr(cmt, "MAX_XML_ELEMENTS", 10)
    data = records_xml(("queue", "".join(queue_record(f"{i:08d}-1111-4111-8111-111111111111", f"Q{i}")
                                         for i in range(5))))
    with pytest.raises(CmtRejected, match="more than 10 elements"):
        read_cmt_package(package(data))


def test_hostile_condition_text_is_rejected():
    condition = "&lt;!DOCTYPE x [&lt;!ENTITY a 'b'&gt;]&gt;&lt;filter/&gt;"
    rule = (f'<record id="a1111111-1111-4111-8111-111111111111">' + field("msdyn_name", "R")
            + field("msdyn_liveworkstream", SID, lookupentity="msdyn_liveworkstream")
            + field("msdyn_cdsqueueassignid", QID, lookupentity="queue")
            + field("msdyn_condition", condition) + "</record>")
    data = records_xml(("queue", queue_record()),
                       ("msdyn_liveworkstream", stream_record(field("msdyn_streamsource", "192360000"),
                                                              field("msdyn_defaultqueue", QID))),
                       ("msdyn_ocruleitem", rule))
    with pytest.raises(CmtRejected, match="msdyn_condition: DTDs are not allowed"):
        read_cmt_package(package(data))


def test_reads_from_a_path_and_a_file_object(tmp_path):
    data = cmt_package_bytes(sample_doc())
    path = tmp_path / "package.zip"
    path.write_bytes(data)
    assert read_cmt_package(path).document == read_cmt_package(io.BytesIO(data)).document
    with pytest.raises(CmtRejected, match="cannot read"):
        read_cmt_package(tmp_path / "absent.zip")


# --------------------------------------------------------------------------- property

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SAMPLE_PACKAGE = cmt_package_bytes(sample_doc())
_SAMPLE_DATA = package_members(_SAMPLE_PACKAGE)["data.xml"]
_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_edits = st.lists(st.tuples(st.integers(min_value=0), st.sampled_from([b"", b"<", b">", b'"', b"&", b"0", b"x",
                                                                       b"/>", b"<a>", b"\xff", b"&#0;"]),
                            st.integers(min_value=0, max_value=12)), min_size=1, max_size=4)


def _read_or_reject(data: bytes) -> None:
    try:
        result = read_cmt_package(data)
    except CmtRejected as rejection:
        assert str(rejection) and "\n" not in str(rejection)
    else:
        validate_document(result.document)


@_FUZZ
@given(_edits)
def test_edited_data_xml_is_read_or_rejected_cleanly(edits):
    text = bytearray(_SAMPLE_DATA)
    for where, insert, remove in edits:
        at = where % len(text)
        text[at:at + remove] = insert
    _read_or_reject(package(bytes(text).decode("utf-8", "replace")))


@_FUZZ
@given(st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=1, max_value=255)), min_size=1, max_size=3))
def test_flipped_package_bytes_are_rejected_cleanly(flips):
    data = bytearray(_SAMPLE_PACKAGE)
    for where, mask in flips:
        data[where % len(data)] ^= mask
    _read_or_reject(bytes(data))
