"""Choice values shared by the models and the domain (no Qt, no SQLAlchemy).

Internal values are readable strings; the Dataverse numbers live in app/cmt.
"""
from __future__ import annotations

CHANNELS = ("live_chat", "sms", "facebook", "entity_records")
CHANNEL_LABELS = {
    "live_chat": "Live chat",
    "sms": "SMS",
    "facebook": "Facebook",
    "entity_records": "Entity records",
}
# A channel artefact's kind must match its work stream's channel.
CHANNEL_KIND_FOR = {
    "live_chat": "chat_widget",
    "sms": "sms_number",
    "facebook": "facebook_page",
    "entity_records": "entity_channel",
}
CHANNEL_KINDS = tuple(CHANNEL_KIND_FOR.values())
CHANNEL_KIND_LABELS = {
    "chat_widget": "Chat widget",
    "sms_number": "SMS number",
    "facebook_page": "Facebook page",
    "entity_channel": "Entity channel",
}

DISTRIBUTION_MODES = ("push", "pick")
DISTRIBUTION_MODE_LABELS = {"push": "Push", "pick": "Pick"}

NOTIFICATIONS = ("direct_open", "screen_pop_timeout", "screen_pop_decline")
NOTIFICATION_LABELS = {
    "direct_open": "Directly open session",
    "screen_pop_timeout": "Screen pop with timeout",
    "screen_pop_decline": "Screen pop with decline",
}

SCREEN_POP_TIMEOUTS = tuple(range(30, 301, 30))  # 30, 60, ... 300 seconds
DEFAULT_SCREEN_POP_TIMEOUT = 120
MAX_WRAP_UP_BLOCK_S = 43_200
MAX_INT32 = 2_147_483_647

# Base presences, in the product's order, with the name of the always-present
# presence record of that base.
BASE_PRESENCES = ("available", "busy", "busy_dnd", "away", "offline")
BASE_PRESENCE_NAMES = {
    "available": "Available",
    "busy": "Busy",
    "busy_dnd": "Busy - DND",
    "away": "Away",
    "offline": "Offline",
}

QUEUE_KINDS = ("messaging", "records")
QUEUE_KIND_LABELS = {"messaging": "Messaging", "records": "Records"}

VARIABLE_TYPES = ("text", "number")
VARIABLE_TYPE_LABELS = {"text": "Text", "number": "Number"}

NAME_MAX = 100
DESCRIPTION_MAX = 2000
PRESENCE_TEXT_MAX = 500
VARIABLE_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"


def sort_base_presences(values) -> list[str]:
    """Allowed presences in the product's order, duplicates dropped."""
    wanted = set(values)
    return [b for b in BASE_PRESENCES if b in wanted]


# --------------------------------------------------------------------------- work distribution (document v2)
# Values mirror Dynamics 365 unified routing; docs/notes/distdata.md explains each choice.

# A queue's msdyn_priority: 1 is the highest; Dynamics gives new queues 10,000 (the lowest).
DEFAULT_QUEUE_PRIORITY = 10_000
MAX_QUEUE_PRIORITY = 10_000
ASSIGNMENT_METHODS = ("highest_capacity", "round_robin", "least_active")
ASSIGNMENT_METHOD_LABELS = {
    "highest_capacity": "Highest capacity",
    "round_robin": "Round robin",
    "least_active": "Least active",
}
# A work stream's msdyn_capacityformat: unit based or profile based.
CAPACITY_FORMATS = ("units", "profile")
CAPACITY_FORMAT_LABELS = {"units": "Unit based", "profile": "Profile based"}
# Skill matching: exact (every required skill at or above the rating), closest
# (best available match), none (skills ignored).
SKILL_MATCHINGS = ("none", "exact", "closest")
SKILL_MATCHING_LABELS = {"none": "None", "exact": "Exact match", "closest": "Closest match"}
# A capacity profile's msdyn_defaultmaxunits ("default max number of work items").
DEFAULT_WORK_ITEM_LIMIT = 1
MAX_WORK_ITEM_LIMIT = 100
MAX_RATING_VALUES = 100
DECLINE_REASONS_MAX = 50
MAX_RECONNECT_WINDOW_S = 86_400
# A routing rule may split its conversations over up to five queues by percentage.
MAX_SPLIT_QUEUES = 5
OVERFLOW_WHENS = ("closed", "waiting_exceeds")
OVERFLOW_ACTIONS = ("transfer", "end", "assign_anyway")
OVERFLOW_LIMIT_MAX = 100
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
