"""Strict JSON reading for files a user hands us: one clear line on any problem."""
from __future__ import annotations

import json
from typing import Any

from app.errors import UserError


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise UserError(f"duplicate key '{key}'")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise UserError(f"{name} is not valid JSON")


def loads_strict(text: str, source: str = "input") -> Any:
    """json.loads that refuses duplicate keys, NaN/Infinity and a BOM."""
    if text.startswith("\ufeff"):
        raise UserError(f"{source}: starts with a byte-order mark; save it as UTF-8 without BOM")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise UserError(f"{source}: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}") from None
    except UserError as error:
        raise UserError(f"{source}: {error}") from None
    except RecursionError:
        raise UserError(f"{source}: nesting too deep") from None
