"""Sample documents and a small zip crafter for hostile-input tests."""
from __future__ import annotations

import copy
import hashlib
import io
import json
import struct
import zipfile
from typing import Any

QUEUE_GENERAL = "6f1c2a4e-7d0b-4c1e-9a53-3f2b8e1d9c01"
QUEUE_VIP = "6f1c2a4e-7d0b-4c1e-9a53-3f2b8e1d9c02"
QUEUE_BILLING = "6f1c2a4e-7d0b-4c1e-9a53-3f2b8e1d9c03"
AGENT_ANA = "a0000000-0000-4000-8000-000000000001"
AGENT_BEN = "a0000000-0000-4000-8000-000000000002"
PRESENCE_TRAINING = "b0000000-0000-4000-8000-000000000001"
STREAM_CHAT = "c0000000-0000-4000-8000-000000000001"
STREAM_SMS = "c0000000-0000-4000-8000-000000000002"
VAR_ORDER = "d0000000-0000-4000-8000-000000000001"
VAR_TIER = "d0000000-0000-4000-8000-000000000002"
RULE_VIP = "e0000000-0000-4000-8000-000000000001"
RULE_BILLING = "e0000000-0000-4000-8000-000000000002"
RULE_BIG = "e0000000-0000-4000-8000-000000000003"
CHANNEL_WIDGET = "f0000000-0000-4000-8000-000000000001"

_SAMPLE: dict[str, Any] = {
    "format": "workstream-console/config",
    "version": 1,
    "presences": [
        {"id": PRESENCE_TRAINING, "name": "Away - Training", "base": "away", "text": "Back soon\nreally"},
    ],
    "agents": [
        {"id": AGENT_ANA, "name": "Ana", "capacity": 100, "presence": "Available"},
        {"id": AGENT_BEN, "name": "Ben", "capacity": 60, "presence": "Away - Training"},
    ],
    "queues": [
        {"id": QUEUE_GENERAL, "name": "General", "kind": "messaging", "description": "Everything else",
         "agents": ["Ana", "Ben"]},
        {"id": QUEUE_VIP, "name": "VIP", "kind": "messaging", "description": "Line one\nline \"two\" & <three>",
         "agents": ["Ana"]},
        {"id": QUEUE_BILLING, "name": "Billing", "kind": "records", "description": "", "agents": []},
    ],
    "workstreams": [
        {
            "id": STREAM_CHAT,
            "name": "Chat - Support",
            "channel": "live_chat",
            "active": True,
            "capacity": 20,
            "auto_close_after_inactivity_s": 900,
            "distribution_mode": "push",
            "notification": "screen_pop_decline",
            "screen_pop_timeout_s": 120,
            "allowed_presences": ["available", "busy"],
            "assign_after_decline_s": 30,
            "keep_same_agent": True,
            "wrap_up_block_s": 60,
            "default_queue": "General",
            "context_variables": [
                {"id": VAR_ORDER, "display_name": "Order value", "name": "ordervalue", "type": "number"},
                {"id": VAR_TIER, "display_name": "Customer tier", "name": "tier", "type": "text"},
            ],
            "routing_rules": [
                {"id": RULE_VIP, "name": "VIP customers", "description": "Tier is VIP", "queue": "VIP",
                 "condition": {"all": [{"variable": "tier", "operator": "eq", "value": "VIP"}]}},
                {"id": RULE_BILLING, "name": "Billing words", "description": "", "queue": "Billing",
                 "condition": {"any": [{"variable": "tier", "operator": "contains", "value": "50% off"},
                                       {"variable": "tier", "operator": "in", "value": ["gold", "silver"]},
                                       {"all": [{"variable": "ordervalue", "operator": "is_empty"},
                                                {"variable": "tier", "operator": "begins_with", "value": "b"}]}]}},
                {"id": RULE_BIG, "name": "Big orders", "description": "Over 1000", "queue": "VIP",
                 "condition": {"all": [{"variable": "ordervalue", "operator": "gt", "value": 1000},
                                       {"variable": "ordervalue", "operator": "le", "value": 2500.5},
                                       {"variable": "ordervalue", "operator": "not_in", "value": [1, 2.5]}]}},
            ],
            "channels": [
                {"id": CHANNEL_WIDGET, "name": "Website widget", "kind": "chat_widget", "is_default": True},
            ],
        },
        {
            "id": STREAM_SMS,
            "name": "SMS - Alerts",
            "channel": "sms",
            "active": False,
            "capacity": 5,
            "auto_close_after_inactivity_s": 0,
            "distribution_mode": "pick",
            "notification": "direct_open",
            "screen_pop_timeout_s": 300,
            "allowed_presences": ["available", "busy", "busy_dnd", "away", "offline"],
            "assign_after_decline_s": 0,
            "keep_same_agent": False,
            "wrap_up_block_s": 0,
            "default_queue": None,
            "context_variables": [],
            "routing_rules": [],
            "channels": [],
        },
    ],
}


def sample_doc() -> dict:
    """A valid document with ids everywhere (a fresh copy each call)."""
    return copy.deepcopy(_SAMPLE)


def sample_doc_without_ids() -> dict:
    from app.config.document import strip_ids

    return strip_ids(sample_doc())


def stream(doc: dict, name: str) -> dict:
    return next(w for w in doc["workstreams"] if w["name"] == name)


def find(items: list[dict], name: str) -> dict:
    return next(item for item in items if item["name"] == name)


# --------------------------------------------------------------------------- bundles, by hand

def canonical(value: Any) -> bytes:
    return (json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def manifest_for(config: bytes, **overrides: Any) -> dict:
    manifest = {
        "format": "workstream-console/bundle",
        "format_version": 1,
        "app_version": "0.1.0",
        "min_app_version": "0.1.0",
        "created_at": "2024-05-01T12:00:00Z",
        "source_database_id": "db-1",
        "label": "test",
        "kind": "full",
        "members": {"config.json": {"sha256": hashlib.sha256(config).hexdigest(), "size": len(config)}},
    }
    manifest.update(overrides)
    return manifest


def zip_of(members: list[tuple[str, bytes]], *, method: int = zipfile.ZIP_DEFLATED,
           external_attr: dict[str, int] | None = None) -> bytes:
    """A zip of the given (name, data) pairs, names kept exactly as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            info.external_attr = (external_attr or {}).get(name, 0o100644 << 16)
            archive.writestr(info, data)
    return buffer.getvalue()


def raw_bundle(config: bytes, manifest: dict | bytes | None = None, extra: list[tuple[str, bytes]] = ()) -> bytes:
    """A bundle with exactly these bytes as config.json (manifest computed unless given)."""
    if manifest is None:
        manifest = manifest_for(config)
    manifest_bytes = manifest if isinstance(manifest, bytes) else canonical(manifest)
    return zip_of([("manifest.json", manifest_bytes), ("config.json", config), *extra])


_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


def patch_entry(data: bytes, name: str, **fields: int) -> bytes:
    """Rewrite header fields of one member in both its local and central headers.

    fields: flags, method, compress_size, file_size, external_attr (central only),
    header_offset (central only).
    """
    out = bytearray(data)
    end = data.rfind(b"PK\x05\x06")
    _sig, _d, _cd, _n, total, _size, offset, _c = _END.unpack_from(data, end)
    position = offset
    for _ in range(total):
        entry = list(_CENTRAL.unpack_from(data, position))
        name_length, extra_length, comment_length = entry[12], entry[13], entry[14]
        entry_name = data[position + 46: position + 46 + name_length].decode("utf-8", "replace")
        if entry_name == name:
            local = entry[18]
            if "flags" in fields:
                entry[5] = fields["flags"]
                struct.pack_into("<H", out, local + 6, fields["flags"])
            if "method" in fields:
                entry[6] = fields["method"]
                struct.pack_into("<H", out, local + 8, fields["method"])
            if "compress_size" in fields:
                entry[10] = fields["compress_size"]
                struct.pack_into("<L", out, local + 18, fields["compress_size"])
            if "file_size" in fields:
                entry[11] = fields["file_size"]
                struct.pack_into("<L", out, local + 22, fields["file_size"])
            if "external_attr" in fields:
                entry[17] = fields["external_attr"]
            if "header_offset" in fields:
                entry[18] = fields["header_offset"]
            _CENTRAL.pack_into(out, position, *entry)
        position += 46 + name_length + extra_length + comment_length
    return bytes(out)


def local_offset(data: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.getinfo(name).header_offset
