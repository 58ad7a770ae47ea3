"""`wsc cmt export|import|inspect` against a real database, CMT packages and solution folders."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from app.cli import CliContext, main
from app.config.io import export_document, import_document
from app.interchange.cmt import cmt_package_bytes
from app.interchange.cmt_service import export_cmt, import_cmt
from app.interchange.solution_folder import read_solution_folder
from app.config.opening import open_database
from tests.app.interchange.bundles.helpers import zip_of
from tests.app.interchange.test_cmt import field, package, queue_record, records_xml, stream_record

REPO = Path(__file__).resolve().parents[3]
SOLUTION = REPO / ".." / "shared" / "reference" / "dynamics-alm" / "solution"
REAL_QUEUE = "bbc3a88b-901f-f011-9989-00224803a19b"  # the queue the real route-to-queue rulesets name


def wsc(db_path, *argv):
    out, err = io.StringIO(), io.StringIO()
    ctx = CliContext(db_url=f"sqlite:///{db_path}", stdout=out, stderr=err, stdin=io.StringIO(""))
    try:
        return main(["--db", str(db_path), *argv], ctx=ctx), out.getvalue(), err.getvalue()
    finally:
        ctx.close()


def exported(db_path) -> str:
    code, out, err = wsc(db_path, "export", "-", "--with-ids")
    assert code == 0, err
    return out


@pytest.fixture
def db_path(tmp_path, template_databases):
    path = tmp_path / "console.db"
    template_databases.copy_to(path)  # the demo bank
    return path


def stream_of(doc, name):
    return next(w for w in doc["workstreams"] if w["name"] == name)


# --------------------------------------------------------------------------- nothing else changes

def test_export_then_import_into_the_same_database_changes_nothing(db_path, tmp_path):
    before = exported(db_path)
    assert any(q["agents"] for q in json.loads(before)["queues"])  # the demo has members and channels to lose
    assert any(w["channels"] for w in json.loads(before)["workstreams"])
    code, _out, err = wsc(db_path, "cmt", "export", str(tmp_path / "p.zip"))
    assert code == 0, err
    code, out, err = wsc(db_path, "cmt", "import", str(tmp_path / "p.zip"))
    assert code == 0, err
    assert "imported: 0 created, 0 updated, 0 deleted" in out and "placeholder" not in out
    assert exported(db_path) == before


def test_a_package_queue_named_like_an_existing_one_keeps_its_members(db_path, tmp_path):
    before = json.loads(exported(db_path))
    general = next(q for q in before["queues"] if q["name"] == "General")
    assert general["agents"]
    other_id = "12345678-1234-4234-8234-123456789abc"
    (tmp_path / "p.zip").write_bytes(package(records_xml(
        ("queue", queue_record(other_id, "General", description="From Dynamics")))))
    code, _out, err = wsc(db_path, "cmt", "import", str(tmp_path / "p.zip"))
    assert code == 0, err
    after = json.loads(exported(db_path))
    changed = next(q for q in after["queues"] if q["name"] == "General")
    assert changed["agents"] == general["agents"] and changed["id"] == general["id"]
    assert changed["description"] == "From Dynamics"
    for doc in (before, after):  # the description is the only difference
        next(q for q in doc["queues"] if q["name"] == "General")["description"] = ""
    assert after == before


def test_an_existing_stream_changes_only_in_what_its_record_sets(db_path, tmp_path):
    before = json.loads(exported(db_path))
    retail = stream_of(before, "Chat - Retail banking")
    data = records_xml(("msdyn_liveworkstream", stream_record(
        field("msdyn_streamsource", "192360000"), field("msdyn_capacityrequired", "42"),
        field("msdyn_autocloseafterinactivity", "2880"), sid=retail["id"], name=retail["name"])))
    (tmp_path / "p.zip").write_bytes(package(data))
    code, _out, err = wsc(db_path, "cmt", "import", str(tmp_path / "p.zip"))
    assert code == 0, err
    after = json.loads(exported(db_path))
    retail.update(capacity=42, auto_close_after_inactivity_s=172800)
    assert after == before


def test_skills_profiles_and_queue_settings_are_upserted_and_nothing_else_moves(db_path, tmp_path):
    before = json.loads(exported(db_path))
    vip = next(q for q in before["queues"] if q["name"] == "VIP")
    model, value_a, value_b = ("31000000-0000-4000-8000-00000000000" + n for n in "123")
    skill, profile = "32000000-0000-4000-8000-000000000001", "33000000-0000-4000-8000-000000000001"
    data = records_xml(
        ("ratingmodel", f'<record id="{model}">{field("name", "Levels")}</record>'),
        ("ratingvalue", f'<record id="{value_b}">{field("name", "High")}{field("value", "2")}'
                        f'{field("ratingmodel", model, lookupentity="ratingmodel")}</record>'
                        f'<record id="{value_a}">{field("name", "Low")}{field("value", "1")}'
                        f'{field("ratingmodel", model, lookupentity="ratingmodel")}</record>'),
        ("characteristic", f'<record id="{skill}">{field("name", "Mortgages")}</record>'),  # the demo's, by name
        ("msdyn_capacityprofile", f'<record id="{profile}">{field("msdyn_name", "Email")}'
                                  f'{field("msdyn_defaultmaxunits", "5")}</record>'),
        ("queue", queue_record(vip["id"], "VIP", msdyn_priority="7")))
    (tmp_path / "p.zip").write_bytes(package(data))
    code, _out, err = wsc(db_path, "cmt", "import", str(tmp_path / "p.zip"))
    assert code == 0, err
    after = json.loads(exported(db_path))
    assert next(m for m in after["rating_models"] if m["name"] == "Levels")["values"] == ["Low", "High"]
    assert next(p for p in after["capacity_profiles"] if p["name"] == "Email")["work_item_limit"] == 5
    mortgages = next(k for k in after["skills"] if k["name"] == "Mortgages")
    assert mortgages["rating_model"] == "Proficiency"  # an existing skill keeps its rating model
    changed = next(q for q in after["queues"] if q["name"] == "VIP")
    assert (changed["priority"], changed["assignment_method"], changed["agents"]) == (7, "round_robin", vip["agents"])
    # nothing else moved
    after["rating_models"] = [m for m in after["rating_models"] if m["name"] != "Levels"]
    after["capacity_profiles"] = [p for p in after["capacity_profiles"] if p["name"] != "Email"]
    changed["priority"], changed["description"] = vip["priority"], vip["description"]  # the record's, blank
    assert after == before


def test_a_new_default_stream_does_not_take_the_default_from_an_existing_channel(db_path, tmp_path):
    before = json.loads(exported(db_path))
    data = records_xml(("queue", queue_record()), ("msdyn_liveworkstream", stream_record(
        field("msdyn_streamsource", "192360000"), field("msdyn_isdefault", "True"),
        field("msdyn_defaultqueue", "11111111-1111-4111-8111-111111111111", lookupentity="queue"),
        name="Chat - From Dynamics")))
    (tmp_path / "p.zip").write_bytes(package(data))
    code, out, err = wsc(db_path, "cmt", "import", str(tmp_path / "p.zip"))
    assert code == 0, err
    assert "holds the default chat widget here; left as it is" in out
    after = json.loads(exported(db_path))
    assert stream_of(after, "Chat - From Dynamics")["channels"] == []
    for name in (w["name"] for w in before["workstreams"]):
        assert stream_of(after, name) == stream_of(before, name)


# --------------------------------------------------------------------------- export report

def test_export_lists_durations_rounded_up_to_whole_minutes(db_path, tmp_path):
    doc = export_document_of(db_path)
    stream_of(doc, "Chat - Retail banking")["assign_after_decline_s"] = 90
    replace_configuration(db_path, doc)
    code, out, err = wsc(db_path, "cmt", "export", str(tmp_path / "p.zip"))
    assert code == 0, err
    assert ("rounded: workstream 'Chat - Retail banking': assign_after_decline_s 90 s is not whole minutes; "
            "msdyn_assignworkitemafterdecline written as 2 min (rounded up)") in out.splitlines()


def export_document_of(db_path) -> dict:
    database = open_database(f"sqlite:///{db_path}")
    try:
        return export_document(database, with_ids=True)
    finally:
        database.dispose()


def replace_configuration(db_path, doc) -> None:
    database = open_database(f"sqlite:///{db_path}")
    try:
        import_document(database, doc, replace=True)
    finally:
        database.dispose()


# --------------------------------------------------------------------------- refusals

DUPLICATE = records_xml(("queue", queue_record() + queue_record(name="Other")))


@pytest.mark.parametrize("make, message", [
    pytest.param(lambda tmp: package(DUPLICATE),
                 "queue 11111111-1111-4111-8111-111111111111 appears twice: data.xml (queue record 1) and "
                 "data.xml (queue record 2)", id="duplicate-guid"),
    pytest.param(lambda tmp: b"PK not a zip", "package: not a zip file", id="not-a-zip"),
    pytest.param(lambda tmp: zip_of([("data.xml", b"<entities/>")]), "package: data_schema.xml is missing",
                 id="no-schema"),
    pytest.param(lambda tmp: package(records_xml(("msdyn_liveworkstream", stream_record(
        field("msdyn_streamsource", "192360000"), field("msdyn_autocloseafterinactivity", "99999999999"))))),
                 "99999999999", id="duration-out-of-range"),
    pytest.param(lambda tmp: package(records_xml(("msdyn_liveworkstream", stream_record(
        field("msdyn_streamsource", "192340000"), name="Chat - Retail banking",
        sid="99999999-9999-4999-8999-999999999999")))),
                 "workstream 'Chat - Retail banking'.channels[0].kind: a sms work stream serves sms_number channels",
                 id="refused-after-merging"),  # an SMS stream cannot keep chat widgets
])
def test_a_refused_import_is_one_line_and_leaves_the_database_byte_identical(db_path, tmp_path, make, message):
    (tmp_path / "bad.zip").write_bytes(make(tmp_path))
    before = db_path.read_bytes()
    code, out, err = wsc(db_path, "cmt", "import", str(tmp_path / "bad.zip"))
    assert code != 0 and out == ""
    assert err.startswith("wsc: ") and err.count("\n") == 1 and "Traceback" not in err
    assert message in err
    assert db_path.read_bytes() == before


# --------------------------------------------------------------------------- unpacked solution folders

def solution_stream(sid: str, name: str, *columns: tuple[str, str]) -> str:
    body = "".join(f"  <{column}>{value}</{column}>\n" for column, value in columns)
    return f'<msdyn_liveworkstream msdyn_liveworkstreamid="{sid}">\n  <msdyn_name>{name}</msdyn_name>\n{body}' \
           "</msdyn_liveworkstream>"


SYN_STREAM = "0a000000-0000-4000-8000-000000000001"
SYN_QUEUE = "0b000000-0000-4000-8000-000000000001"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def synthetic_folder(root: Path, *, queue: str = SYN_QUEUE, condition: str | None = None) -> Path:
    """A small unpacked solution in the layout SolutionPackager writes (see the real one in ../shared)."""
    write(root / "msdyn_liveworkstreams" / SYN_STREAM / "msdyn_liveworkstream.xml", solution_stream(
        SYN_STREAM, "Synthetic chat",
        ("msdyn_streamsource", "192360000"), ("msdyn_allowedpresences", "[-1,192360000,192360003,-1]"),
        ("msdyn_autocloseafterinactivity", "2880"), ("msdyn_assignworkitemafterdecline", "10"),
        ("msdyn_screenpoptimeout_optionSet", "60"), ("msdyn_enableagentaffinity", "1"),
        ("msdyn_capacityformat", "192360000"), ("msdyn_mode", "717210001"), ("msdyn_isicdenabled", "0"),
        ("statecode", "0"), ("statuscode", "1")))
    write(root / "msdyn_ocliveworkstreamcontextvariables" / "0c000000-0000-4000-8000-000000000001" /
          "msdyn_ocliveworkstreamcontextvariable.xml",
          '<msdyn_ocliveworkstreamcontextvariable msdyn_ocliveworkstreamcontextvariableid='
          '"0c000000-0000-4000-8000-000000000001">\n  <msdyn_name>tier</msdyn_name>\n'
          "  <msdyn_datatype>192350000</msdyn_datatype>\n"
          f"  <msdyn_liveworkstreamid>\n    <msdyn_liveworkstreamid>{SYN_STREAM}</msdyn_liveworkstreamid>\n"
          "  </msdyn_liveworkstreamid>\n</msdyn_ocliveworkstreamcontextvariable>")
    write(root / "msdyn_routingconfigurations" / "new_cfg" / "msdyn_routingconfiguration.xml",
          '<msdyn_routingconfiguration msdyn_uniquename="new_cfg">\n'
          "  <msdyn_isactiveconfiguration>1</msdyn_isactiveconfiguration>\n"
          f"  <msdyn_liveworkstreamid>\n    <msdyn_liveworkstreamid>{SYN_STREAM}</msdyn_liveworkstreamid>\n"
          "  </msdyn_liveworkstreamid>\n</msdyn_routingconfiguration>")
    for order, (step, ruleset) in enumerate([("new_step_wc", "new_rs_wc"), ("new_step_rtq", "new_rs_rtq")], 1):
        write(root / "msdyn_routingconfigurationsteps" / step / "msdyn_routingconfigurationstep.xml",
              f'<msdyn_routingconfigurationstep msdyn_uniquename="{step}">\n'
              "  <msdyn_routingconfigurationid>\n    <msdyn_uniquename>new_cfg</msdyn_uniquename>\n"
              "  </msdyn_routingconfigurationid>\n"
              f"  <msdyn_rulesetid>\n    <msdyn_uniquename>{ruleset}</msdyn_uniquename>\n  </msdyn_rulesetid>\n"
              f"  <msdyn_steporder>{order}</msdyn_steporder>\n</msdyn_routingconfigurationstep>")
        write(root / "msdyn_decisionrulesets" / ruleset / "msdyn_decisionruleset.xml",
              f'<msdyn_decisionruleset msdyn_uniquename="{ruleset}">\n'
              f'  <msdyn_name default="{ruleset}"><label description="{ruleset}" languagecode="1033" /></msdyn_name>\n'
              "</msdyn_decisionruleset>")
    write(root / "msdyn_decisionrulesets" / "new_rs_wc" / "msdyn_rulesetdefinition.xml",
          '<decision hit-policy="first" version="1"><rules><rule id="0d000000-0000-4000-8000-000000000009" '
          'name="Classify"><logical operator="AND"><condition operator="not-null"><lhs type="attribute">'
          "msdyn_ocliveworkitem.msdyn_createdon</lhs></condition></logical><action><upsertrecords>"
          "<target>msdyn_ocliveworkitemcharacteristic</target></upsertrecords></action></rule></rules></decision>")
    vip = condition or ('<logical operator="OR"><condition operator="eq"><lhs type="attribute">'
                        'msdyn_ocliveworkitem.tier</lhs><rhs type="staticvalue">VIP</rhs></condition>'
                        '<condition operator="like"><lhs type="attribute">msdyn_ocliveworkitem.tier</lhs>'
                        '<rhs type="staticvalue">gold</rhs></condition></logical>')
    write(root / "msdyn_decisionrulesets" / "new_rs_rtq" / "msdyn_rulesetdefinition.xml",
          '<decision hit-policy="first" version="1"><rules>'
          f'<rule id="0d000000-0000-4000-8000-000000000001" name="VIP">{vip}<action><setattribute>'
          f'<lhs type="attribute">assign_to.queue</lhs><rhs type="staticvalue">{queue}</rhs></setattribute></action></rule>'
          '<rule id="0d000000-0000-4000-8000-000000000002" name="Web pages"><logical operator="AND">'
          '<condition operator="eq"><lhs type="attribute">msdyn_ocliveworkitem.msdyn_channel</lhs>'
          '<rhs type="staticvalue">web</rhs></condition></logical><action><setattribute>'
          f'<lhs type="attribute">assign_to.queue</lhs><rhs type="staticvalue">{queue}</rhs></setattribute></action></rule>'
          "</rules></decision>")
    write(root / "msdyn_capacityprofiles" / "new_profile" / "msdyn_capacityprofile.xml",
          '<msdyn_capacityprofile msdyn_uniquename="new_profile"><msdyn_defaultmaxunits>6</msdyn_defaultmaxunits>'
          "</msdyn_capacityprofile>")
    write(root / "msdyn_liveworkstreamcapacityprofiles" / "0e000000-0000-4000-8000-000000000001" /
          "msdyn_liveworkstreamcapacityprofile.xml",
          '<msdyn_liveworkstreamcapacityprofile msdyn_liveworkstreamcapacityprofileid='
          '"0e000000-0000-4000-8000-000000000001"><msdyn_capacityprofile_id><msdyn_uniquename>new_profile'
          "</msdyn_uniquename></msdyn_capacityprofile_id><msdyn_workstream_id><msdyn_liveworkstreamid>"
          f"{SYN_STREAM}</msdyn_liveworkstreamid></msdyn_workstream_id></msdyn_liveworkstreamcapacityprofile>")
    write(root / "msdyn_operatinghours" / "0f000000-0000-4000-8000-000000000001" / "msdyn_operatinghour.xml",
          '<msdyn_operatinghour msdyn_operatinghourid="0f000000-0000-4000-8000-000000000001">'
          "<msdyn_name>Hours</msdyn_name></msdyn_operatinghour>")
    return root


def test_synthetic_solution_folder_is_read_and_what_is_not_carried_is_named(tmp_path):
    imported = read_solution_folder(synthetic_folder(tmp_path / "solution"))
    chat = imported.document["workstreams"][0]
    assert chat["name"] == "Synthetic chat" and chat["channel"] == "live_chat"
    assert chat["auto_close_after_inactivity_s"] == 172800 and chat["assign_after_decline_s"] == 600
    assert chat["screen_pop_timeout_s"] == 60 and chat["keep_same_agent"] is True
    assert chat["allowed_presences"] == ["available", "away"]
    assert chat["context_variables"] == [{"id": "0c000000-0000-4000-8000-000000000001", "display_name": "tier",
                                          "name": "tier", "type": "text"}]
    [vip] = imported.pending_rules
    assert vip.queue_id == SYN_QUEUE and vip.rule["name"] == "VIP"
    assert vip.rule["condition"] == {"any": [{"variable": "tier", "operator": "eq", "value": "VIP"},
                                             {"variable": "tier", "operator": "contains", "value": "gold"}]}
    assert imported.ignored == [
        "workstream 'Synthetic chat': rule 'Web pages' not carried: condition on msdyn_ocliveworkitem.msdyn_channel, "
        "which is not a context variable of the work stream",
        "entity msdyn_operatinghour (1 record): not carried",
        "msdyn_liveworkstream 'Synthetic chat': not carried: msdyn_isicdenabled; "
        "related records not carried: 1 msdyn_decisionruleset, 1 msdyn_routingconfigurationstep",
    ]
    # the capacity profile (keyed by unique name, unnamed: named by it) and the stream's link to it are carried
    [profile] = imported.document["capacity_profiles"]
    assert (profile["name"], profile["work_item_limit"]) == ("new_profile", 6)
    assert (chat["capacity_format"], chat["capacity_profile"]) == ("profile", "new_profile")


def test_inspect_prints_a_synthetic_solution_folder(tmp_path):
    folder = synthetic_folder(tmp_path / "solution")
    code, out, err = wsc(tmp_path / "x.db", "cmt", "inspect", str(folder), "--document", str(tmp_path / "doc.json"))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{folder}: ok — 1 work streams, 0 queues, 1 context variables, 0 routing rules"
    assert lines[1] == "and 1 routing rules whose queue is matched by id on import"
    assert ("ignored: msdyn_liveworkstream 'Synthetic chat': not carried: msdyn_isicdenabled; "
            "related records not carried: 1 msdyn_decisionruleset, 1 msdyn_routingconfigurationstep") in lines
    assert json.loads((tmp_path / "doc.json").read_text())["workstreams"][0]["name"] == "Synthetic chat"
    assert not (tmp_path / "x.db").exists()  # inspecting never opens a database


def test_synthetic_solution_folder_imports_and_resolves_its_queue_by_id(db_path, tmp_path):
    doc = export_document_of(db_path)
    vip_id = next(q["id"] for q in doc["queues"] if q["name"] == "VIP")
    folder = synthetic_folder(tmp_path / "solution", queue=vip_id)
    before = json.loads(exported(db_path))
    code, out, err = wsc(db_path, "cmt", "import", str(folder))
    assert code == 0, err
    after = json.loads(exported(db_path))
    chat = stream_of(after, "Synthetic chat")
    assert [(r["name"], r["queue"]) for r in chat["routing_rules"]] == [("VIP", "VIP")]
    assert chat["active"] is False and "no default queue" in out
    assert "note: rule 'VIP' of workstream 'Synthetic chat': routes to queue 'VIP' (matched by id)" in out
    assert "matched by id on import" not in out
    after["workstreams"].remove(chat)
    assert [p["name"] for p in after["capacity_profiles"]] == ["Chat", "new_profile"]  # the stream's profile came too
    after["capacity_profiles"] = [p for p in after["capacity_profiles"] if p["name"] != "new_profile"]
    assert after == before  # nothing else changed


def test_a_rule_whose_queue_is_nowhere_is_skipped_and_said(db_path, tmp_path):
    code, out, err = wsc(db_path, "cmt", "import", str(synthetic_folder(tmp_path / "solution")))
    assert code == 0, err
    assert f"rule 'VIP' of workstream 'Synthetic chat': queue {SYN_QUEUE} is neither in the package nor in " \
           "the database (skipped)" in out


def test_two_solution_records_under_one_guid_are_refused_naming_both_files(db_path, tmp_path):
    folder = synthetic_folder(tmp_path / "solution")
    copy = folder / "msdyn_liveworkstreams" / "copy" / "msdyn_liveworkstream.xml"
    write(copy, (folder / "msdyn_liveworkstreams" / SYN_STREAM / "msdyn_liveworkstream.xml").read_text())
    before = db_path.read_bytes()
    code, _out, err = wsc(db_path, "cmt", "import", str(folder))
    assert code == 1
    assert err == (f"wsc: msdyn_liveworkstream {SYN_STREAM} appears twice: msdyn_liveworkstreams/{SYN_STREAM}/"
                   "msdyn_liveworkstream.xml and msdyn_liveworkstreams/copy/msdyn_liveworkstream.xml\n")
    assert db_path.read_bytes() == before


def test_two_rulesets_under_one_unique_name_are_refused(tmp_path):
    folder = synthetic_folder(tmp_path / "solution")
    original = folder / "msdyn_decisionrulesets" / "new_rs_rtq" / "msdyn_decisionruleset.xml"
    write(folder / "msdyn_decisionrulesets" / "other" / "msdyn_decisionruleset.xml", original.read_text())
    code, _out, err = wsc(tmp_path / "x.db", "cmt", "inspect", str(folder))
    assert code == 1
    assert err == ("wsc: msdyn_decisionruleset new_rs_rtq appears twice: msdyn_decisionrulesets/new_rs_rtq/"
                   "msdyn_decisionruleset.xml and msdyn_decisionrulesets/other/msdyn_decisionruleset.xml\n")


@pytest.mark.parametrize("text, message", [
    pytest.param('<!DOCTYPE x [<!ENTITY a "b">]><msdyn_liveworkstream/>', "DTDs are not allowed", id="dtd"),
    pytest.param("<msdyn_liveworkstream", "not well-formed XML", id="broken"),
    pytest.param("<msdyn_liveworkstream><msdyn_name>x</msdyn_name></msdyn_liveworkstream>",
                 "has no msdyn_liveworkstreamid", id="no-id"),
])
def test_hostile_solution_files_are_refused(tmp_path, text, message):
    folder = synthetic_folder(tmp_path / "solution")
    write(folder / "msdyn_liveworkstreams" / SYN_STREAM / "msdyn_liveworkstream.xml", text)
    code, _out, err = wsc(tmp_path / "x.db", "cmt", "inspect", str(folder))
    assert code == 1 and message in err and err.count("\n") == 1


def test_an_unreadable_solution_file_is_refused_in_one_line(tmp_path, monkeypatch):
    folder = synthetic_folder(tmp_path / "solution")

    def unreadable(self):
        raise PermissionError(13, "Permission denied", str(self))
    monkeypatch.setattr(Path, "read_bytes", unreadable)
    code, _out, err = wsc(tmp_path / "x.db", "cmt", "inspect", str(folder))
    assert code == 1 and "Permission denied" in err and err.count("\n") == 1


def test_a_folder_that_is_not_a_solution_is_refused(tmp_path):
    code, _out, err = wsc(tmp_path / "x.db", "cmt", "inspect", str(tmp_path))
    assert code == 1 and "not an unpacked solution folder" in err


@pytest.mark.skipif(not SOLUTION.is_dir(), reason="../shared/reference/dynamics-alm is for developers and CI")
def test_microsofts_real_solution_folder_inspects_and_imports(db_path, tmp_path):
    code, out, err = wsc(db_path, "cmt", "inspect", str(SOLUTION), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["contents"]["workstreams"] == 2 and report["contents"]["rules_to_queues_by_id"] == 2
    chat_line = next(line for line in report["ignored"] if line.startswith("msdyn_liveworkstream 'ALM Test Chat"))
    assert chat_line.startswith("msdyn_liveworkstream 'ALM Test Chat Workstream': not carried: iscustomizable, "
                                "msdyn_alwaysassigntolastagent")
    # version 2: skill matching, the capacity format and the capacity profile are carried now
    assert "msdyn_matchinglogic" not in chat_line and "msdyn_capacityformat" not in chat_line
    assert "msdyn_capacityprofile" not in chat_line and "msdyn_liveworkstreamcapacityprofile" not in chat_line
    assert "related records not carried: 1 msdyn_decisioncontract" in chat_line
    assert ("msdyn_capacityprofile 'ALM Test Chat Capacity Profile': not carried: iscustomizable, "
            "msdyn_blockassignment, msdyn_resetduration, statecode, statuscode") in report["ignored"]

    # A database that has the queue the real rulesets route to (by id) gets the rules.
    doc = export_document_of(db_path)
    doc["queues"].append({"id": REAL_QUEUE, "name": "ALM queue", "kind": "messaging", "description": "", "agents": []})
    replace_configuration(db_path, doc)
    before = json.loads(exported(db_path))
    copy = shutil.copytree(SOLUTION, tmp_path / "solution")
    code, out, err = wsc(db_path, "cmt", "import", str(copy))
    assert code == 0, err
    after = json.loads(exported(db_path))
    chat = stream_of(after, "ALM Test Chat Workstream")
    assert chat["auto_close_after_inactivity_s"] == 172800  # 2880 minutes: two days
    assert chat["allowed_presences"] == ["available", "busy"] and chat["screen_pop_timeout_s"] == 120
    assert [(r["name"], r["queue"], r["condition"]) for r in chat["routing_rules"]] == [
        ("ALM Test Chat Route-to-queues Rule", "ALM queue", {"all": []})]
    # Microsoft's records: both streams profile based on the one 6-unit profile; closest skill matching on one
    assert [(p["name"], p["work_item_limit"]) for p in after["capacity_profiles"]
            if p["name"].startswith("ALM ")] == [("ALM Test Chat Capacity Profile", 6)]
    alm = sorted((w["name"], w["capacity_format"], w["capacity_profile"], w["skill_matching"])
                 for w in after["workstreams"] if w["name"].startswith("ALM "))
    assert [row[1:3] for row in alm] == [("profile", "ALM Test Chat Capacity Profile")] * 2
    assert sorted(row[3] for row in alm) == ["closest", "none"]
    after["workstreams"] = [w for w in after["workstreams"] if not w["name"].startswith("ALM ")]
    after["capacity_profiles"] = [p for p in after["capacity_profiles"] if not p["name"].startswith("ALM ")]
    assert after == before
