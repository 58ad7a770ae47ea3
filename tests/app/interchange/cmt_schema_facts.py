"""Facts from Microsoft's CMT schema files, for exactly what app.interchange.cmt writes.

Extracted once from ../shared/reference/dynamics-cmt/ (see SOURCE.md there:
microsoft/Dynamics365-Apps-Samples at 656a881a):

* ``queue`` — sample-schema-for-unified-routing-record-queues-step-1.xml
* ``msdyn_liveworkstream``, ``msdyn_ocliveworkstreamcontextvariable`` —
  live-chat-workstreams.xml and sms-workstream-sample-schema.xml (identical there);
  every other file that lists these entities agrees, except for the columns
  ``ABSENT_IN_FILE`` names (a file may export fewer columns)
* ``ratingmodel``, ``ratingvalue``, ``characteristic`` — sample-schema-for-skill-based-routing.xml
* ``msdyn_capacityprofile`` — sample-schema-for-capacity-profiles.xml
* ``msdyn_liveworkstreamcapacityprofile`` — every work stream schema (live chat, SMS, ...)

Kept in the repository so the writer is checked without ../shared; a test that
runs only when ../shared exists re-reads Microsoft's files and checks every fact.

``msdyn_ocruleitem`` is EXEMPT: routing rule items are not in those published
schema files (they export unified-routing decision rule sets instead).  Its
column names come from Microsoft's msdyn_ocruleitem table reference
(msdyn_name, description, msdyn_liveworkstream, msdyn_cdsqueueassignid,
msdyn_priority, msdyn_condition); the CMT types are the console's choice.
"""
from __future__ import annotations

# entity -> field -> (CMT type, lookupType or None)
CMT_FIELDS: dict[str, dict[str, tuple[str, str | None]]] = {
    "ratingmodel": {
        "ratingmodelid": ("guid", None),
        "name": ("string", None),
        "minratingvalue": ("number", None),
        "maxratingvalue": ("number", None),
    },
    "ratingvalue": {
        "ratingvalueid": ("guid", None),
        "name": ("string", None),
        "ratingmodel": ("entityreference", "ratingmodel"),
        "value": ("number", None),
    },
    "characteristic": {
        "characteristicid": ("guid", None),
        "name": ("string", None),
    },
    "msdyn_capacityprofile": {
        "msdyn_capacityprofileid": ("guid", None),
        "msdyn_name": ("string", None),
        "msdyn_defaultmaxunits": ("number", None),
    },
    "queue": {
        "queueid": ("guid", None),
        "name": ("string", None),
        "description": ("string", None),
        "msdyn_queuetype": ("optionsetvalue", None),
        "msdyn_isomnichannelqueue": ("bool", None),
        "msdyn_priority": ("number", None),
        "msdyn_assignmentstrategy": ("optionsetvalue", None),
    },
    "msdyn_liveworkstream": {
        "msdyn_liveworkstreamid": ("guid", None),
        "msdyn_name": ("string", None),
        "msdyn_streamsource": ("optionsetvalue", None),
        "msdyn_mode": ("optionsetvalue", None),
        "msdyn_direction": ("optionsetvalue", None),
        "msdyn_capacityformat": ("optionsetvalue", None),
        "msdyn_conversationmode": ("optionsetvalue", None),
        "msdyn_capacityrequired": ("number", None),
        "msdyn_autocloseafterinactivity": ("number", None),
        "msdyn_workdistributionmode": ("optionsetvalue", None),
        "msdyn_enableselectingfrompushbasedworkstreams": ("bool", None),
        "msdyn_notification": ("optionsetvalue", None),
        "msdyn_screenpoptimeout_optionSet": ("optionsetvalue", None),
        "msdyn_allowedpresences": ("optionsetvaluecollection", None),
        "msdyn_defaultqueue": ("entityreference", "queue"),
        "msdyn_assignworkitemafterdecline": ("number", None),
        "msdyn_enableagentaffinity": ("bool", None),
        "msdyn_blockcapacityforwrapup": ("number", None),
        "msdyn_isdefault": ("bool", None),
        "msdyn_matchinglogic": ("optionsetvalue", None),
        "statecode": ("state", None),
        "statuscode": ("status", None),
    },
    "msdyn_liveworkstreamcapacityprofile": {
        "msdyn_liveworkstreamcapacityprofileid": ("guid", None),
        "msdyn_name": ("string", None),
        "msdyn_capacityprofile_id": ("entityreference", "msdyn_capacityprofile"),
        "msdyn_workstream_id": ("entityreference", "msdyn_liveworkstream"),
    },
    "msdyn_ocliveworkstreamcontextvariable": {
        "msdyn_ocliveworkstreamcontextvariableid": ("guid", None),
        "msdyn_name": ("string", None),
        "msdyn_displayname": ("string", None),
        "msdyn_datatype": ("optionsetvalue", None),
        "msdyn_liveworkstreamid": ("entityreference", "msdyn_liveworkstream"),
        "msdyn_issystemdefined": ("bool", None),
        "statecode": ("state", None),
        "statuscode": ("status", None),
    },
    "msdyn_ocruleitem": {
        "msdyn_ocruleitemid": ("guid", None),
        "msdyn_name": ("string", None),
        "description": ("string", None),
        "msdyn_liveworkstream": ("entityreference", "msdyn_liveworkstream"),
        "msdyn_cdsqueueassignid": ("entityreference", "queue"),
        "msdyn_priority": ("number", None),
        "msdyn_condition": ("string", None),
    },
}

# entity -> attributes of its <entity> element in Microsoft's files.
CMT_ENTITIES: dict[str, dict[str, str]] = {
    "ratingmodel": {"displayname": "Rating Model", "etc": "1144", "primaryidfield": "ratingmodelid",
                    "primarynamefield": "name"},
    "ratingvalue": {"displayname": "Rating Value", "etc": "1142", "primaryidfield": "ratingvalueid",
                    "primarynamefield": "name"},
    "characteristic": {"displayname": "Characteristic", "etc": "1141", "primaryidfield": "characteristicid",
                       "primarynamefield": "name"},
    "msdyn_capacityprofile": {"displayname": "Capacity Profile", "etc": "10465",
                              "primaryidfield": "msdyn_capacityprofileid", "primarynamefield": "msdyn_name"},
    "msdyn_liveworkstreamcapacityprofile": {"displayname": "Work stream capacity profile", "etc": "10537",
                                            "primaryidfield": "msdyn_liveworkstreamcapacityprofileid",
                                            "primarynamefield": "msdyn_name"},
    "queue": {"displayname": "Queue", "etc": "2020", "primaryidfield": "queueid", "primarynamefield": "name"},
    "msdyn_liveworkstream": {"displayname": "Work Stream", "etc": "10481",
                             "primaryidfield": "msdyn_liveworkstreamid", "primarynamefield": "msdyn_name"},
    "msdyn_ocliveworkstreamcontextvariable": {"displayname": "Context variable", "etc": "10494",
                                              "primaryidfield": "msdyn_ocliveworkstreamcontextvariableid",
                                              "primarynamefield": "msdyn_name"},
}

# Columns a Microsoft file really leaves out of an entity it lists: file -> entity -> columns.
# Everywhere else each column of CMT_FIELDS must be present with the type above; a column listed
# here must really be absent from that file (the test checks both ways).
ABSENT_IN_FILE: dict[str, dict[str, frozenset[str]]] = {
    # The record work-stream schema (unified routing, entity records) exports no state columns and
    # no conversation mode (records are not conversations).
    "sample-schema-for-unified-routing-record-workstreams.xml": {
        "msdyn_liveworkstream": frozenset({"statecode", "statuscode", "msdyn_conversationmode"}),
    },
}

# Not in Microsoft's sample schema files: checked against the table above only.
EXEMPT_ENTITIES: dict[str, str] = {
    "msdyn_ocruleitem": "routing rule items are not in Microsoft's published CMT sample schemas",
}

# Dataverse choice values the writer uses (dataverse-facts.md; queue types from the queue table).
CHOICES = {
    "msdyn_streamsource": {"live_chat": 192360000, "sms": 192340000, "facebook": 192330000, "entity_records": 192350000},
    "msdyn_notification": {"direct_open": 100000000, "screen_pop_timeout": 100000001, "screen_pop_decline": 100000002},
    "msdyn_workdistributionmode": {"push": 192350000, "pick": 192350001},
    "msdyn_allowedpresences": {"available": 192360000, "busy": 192360001, "busy_dnd": 192360002,
                               "away": 192360003, "offline": 192360004},
    "msdyn_datatype": {"text": 192350000, "number": 192350001},
    "msdyn_queuetype": {"messaging": 192350000, "records": 192350001},
    "msdyn_capacityformat": {"units": 192350000, "profile": 192360000},
    "msdyn_matchinglogic": {"exact": 192350000, "closest": 192350001},
    # the queue table reference's msdyn_queueassignmentstrategy (192350002 is a custom assignment configuration)
    "msdyn_assignmentstrategy": {"highest_capacity": 192350000, "round_robin": 192350001, "least_active": 192350003},
}
