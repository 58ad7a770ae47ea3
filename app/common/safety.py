"""Reading untrusted archives and JSON: the checks every bundle, CMT package and document passes.

Everything here treats its input as hostile.  Nothing is extracted to disk:
members are read into memory, by exact allow-listed names only, and each is
decompressed here (zipfile is used only to list the central directory), so the
size we trust is the one we count while inflating, never the header's.

Archive rules (each a one-line rejection naming the cause):

* names: no empty names, absolute paths, ``..`` segments, backslashes, drive
  letters, control characters, directory entries; no duplicates, also by case;
* entries: no symbolic links (Unix mode S_IFLNK in the external attributes),
  no encryption (flag bit 0), compression only stored (0) or deflated (8),
  local header agreeing with the central directory, no overlapping members;
* at most ``MAX_MEMBERS`` entries, only allow-listed names, required ones present.

Limits (module constants, read at call time so tests can shrink them):

=========================  ===========  =====================================
``MAX_ARCHIVE_BYTES``      64 MiB       whole compressed file
``MAX_MEMBERS``            4            entries in the central directory
``MAX_CENTRAL_DIRECTORY``  64 KiB       central directory size (4 entries)
``MAX_EXPANSION_RATIO``    200          inflated / compressed, per member;
                                        real config.json compresses ~20:1
``RATIO_GRACE_BYTES``      1 MiB        below this a member is never a "bomb"
``MAX_JSON_DEPTH``         64           nested arrays/objects
``MAX_JSON_STRING_CHARS``  100 000      characters in one string (or key)
``MAX_JSON_ITEMS``         1 000 000    items in one array / members in one object
``MAX_JSON_INT``           2**53        magnitude of an integer (exact in JS)
``MAX_NUMBER_CHARS``       40           characters in one number literal
=========================  ===========  =====================================

Per-member uncompressed limits are given by the caller (``MemberRule``).
"""
from __future__ import annotations

import io
import json
import math
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

from app.common.errors import UserError

KiB = 1024
MiB = 1024 * KiB

MAX_ARCHIVE_BYTES = 64 * MiB
MAX_MEMBERS = 4
MAX_CENTRAL_DIRECTORY = 64 * KiB
MAX_EXPANSION_RATIO = 200
RATIO_GRACE_BYTES = 1 * MiB
READ_CHUNK = 64 * KiB

MAX_JSON_DEPTH = 64
MAX_JSON_STRING_CHARS = 100_000
MAX_JSON_ITEMS = 1_000_000
MAX_JSON_INT = 2**53
MAX_NUMBER_CHARS = 40

ALLOWED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}


class RejectedInput(UserError):
    """A file we were handed is refused; the message is one line naming the cause."""

    def __init__(self, message: str, issues: list | None = None):
        # Each issue is an app.routing.conditions.Issue; not imported: app.common imports no other app package.
        super().__init__(" ".join(message.split()))
        self.issues = issues or []


class BundleRejected(RejectedInput):
    """A .wsbundle file is refused."""


def human_size(n: int) -> str:
    if n >= MiB and n % MiB == 0:
        return f"{n // MiB} MiB"
    if n >= KiB and n % KiB == 0:
        return f"{n // KiB} KiB"
    return f"{n} bytes"


# --------------------------------------------------------------------------- archive

@dataclass(frozen=True)
class MemberRule:
    """An allow-listed member: its exact name and its uncompressed size limit."""

    name: str
    max_bytes: int
    required: bool = True


_END_RECORD = struct.Struct("<4s4H2LH")  # end of central directory, 22 bytes
_END_SIGNATURE = b"PK\x05\x06"
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # 30 bytes
_LOCAL_SIGNATURE = b"PK\x03\x04"
_DRIVE = re.compile(r"^[A-Za-z]:")


def read_archive(data: bytes, rules: Sequence[MemberRule], *, what: str = "bundle",
                 error: type[RejectedInput] = BundleRejected) -> dict[str, bytes]:
    """The allow-listed members of a zip held in ``data``, checked and inflated in memory."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise error(f"{what}: larger than {human_size(MAX_ARCHIVE_BYTES)}")
    _check_end_record(data, what, error)
    infos = _central_directory(data, what, error)
    by_name = {rule.name: rule for rule in rules}
    _check_entries(infos, by_name, what, error)
    present = {info.orig_filename: info for info in infos}
    for rule in rules:
        if rule.required and rule.name not in present:
            raise error(f"{what}: {rule.name} is missing")
    spans = {name: _data_span(data, info, what, error) for name, info in present.items()}
    _check_no_overlap(infos, spans, what, error)
    return {name: _inflate(data, info, spans[name], by_name[name], error) for name, info in present.items()}


def _check_end_record(data: bytes, what: str, error: type[RejectedInput]) -> None:
    """Cheap look at the end record before zipfile allocates per-entry objects."""
    where = data.rfind(_END_SIGNATURE, max(0, len(data) - 65_535 - _END_RECORD.size))
    if where < 0 or len(data) - where < _END_RECORD.size:
        raise error(f"{what}: not a zip file")
    _sig, _disk, _cd_disk, _here, total, cd_size, _cd_offset, _comment = _END_RECORD.unpack_from(data, where)
    if total == 0xFFFF or cd_size == 0xFFFFFFFF:
        raise error(f"{what}: zip64 archives are not accepted")
    if total > MAX_MEMBERS:
        raise error(f"{what}: too many members ({total} > {MAX_MEMBERS})")
    if cd_size > MAX_CENTRAL_DIRECTORY:
        raise error(f"{what}: central directory larger than {human_size(MAX_CENTRAL_DIRECTORY)}")


def _central_directory(data: bytes, what: str, error: type[RejectedInput]) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    # zipfile reports damage through many exception types; all mean "not a usable zip".
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError,
            OSError, EOFError, struct.error, IndexError, KeyError, UnicodeDecodeError) as problem:
        raise error(f"{what}: not a valid zip file ({_short(problem)})") from None
    if len(infos) > MAX_MEMBERS:
        raise error(f"{what}: too many members ({len(infos)} > {MAX_MEMBERS})")
    return infos


def _short(problem: BaseException) -> str:
    text = " ".join(str(problem).split()) or type(problem).__name__
    return text[:120]


def name_problem(name: str) -> str | None:
    """Why a member name is unsafe (None when it is fine)."""
    if not name:
        return "empty name"
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in name):
        return "control character"
    if "\\" in name:
        return "backslash"
    if name.startswith("/"):
        return "absolute path"
    if _DRIVE.match(name):
        return "drive letter"
    if ".." in name.split("/"):
        return "parent directory"
    return None


def _check_entries(infos: Iterable[zipfile.ZipInfo], allowed: dict[str, MemberRule], what: str,
                   error: type[RejectedInput]) -> None:
    seen: dict[str, str] = {}
    for info in infos:
        name = info.orig_filename  # as stored: zipfile's .filename drops text after a NUL
        problem = name_problem(name)
        if problem:
            raise error(f"{what}: member name {name!r} is not allowed ({problem})")
        folded = name.casefold()
        if folded in seen:
            if seen[folded] == name:
                raise error(f"{what}: duplicate member name {name!r}")
            raise error(f"{what}: member names {seen[folded]!r} and {name!r} differ only by case")
        seen[folded] = name
        mode = info.external_attr >> 16
        if name.endswith("/") or stat.S_ISDIR(mode):
            raise error(f"{what}: directory entry {name!r} is not allowed")
        if stat.S_ISLNK(mode):
            raise error(f"{what}: member {name!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise error(f"{what}: member {name!r} is encrypted")
        if info.compress_type not in ALLOWED_METHODS:
            raise error(f"{what}: member {name!r} uses unsupported compression method {info.compress_type}")
        if name not in allowed:
            raise error(f"{what}: unexpected member {name!r}")


def _check_no_overlap(infos: list[zipfile.ZipInfo], spans: dict[str, tuple[int, int]], what: str,
                      error: type[RejectedInput]) -> None:
    """Overlapping entries are the classic way to multiply one compressed stream."""
    extents = sorted((info.header_offset, spans[info.orig_filename][1]) for info in infos)
    for (_start, end), (next_start, _next_end) in zip(extents, extents[1:]):
        if next_start < end:
            raise error(f"{what}: members overlap")


def _data_span(data: bytes, info: zipfile.ZipInfo, what: str, error: type[RejectedInput]) -> tuple[int, int]:
    """Where a member's compressed bytes lie, after checking its local header."""
    offset = info.header_offset
    name = info.orig_filename
    if offset < 0 or offset + _LOCAL_HEADER.size > len(data):
        raise error(f"{what}: member {name!r} is truncated")
    (signature, _version, flags, method, _time, _date, _crc, _csize, _usize,
     name_length, extra_length) = _LOCAL_HEADER.unpack_from(data, offset)
    if signature != _LOCAL_SIGNATURE:
        raise error(f"{what}: member {name!r} has a damaged local header")
    raw_name = data[offset + _LOCAL_HEADER.size: offset + _LOCAL_HEADER.size + name_length]
    local_name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
    if local_name != name:
        raise error(f"{what}: member {name!r} has a different name in its local header")
    if flags & 0x1:
        raise error(f"{what}: member {name!r} is encrypted")
    if method != info.compress_type:
        raise error(f"{what}: member {name!r} has a different compression method in its local header")
    start = offset + _LOCAL_HEADER.size + name_length + extra_length
    end = start + info.compress_size
    if end > len(data):
        raise error(f"{what}: member {name!r} is truncated")
    return start, end


def _inflate(data: bytes, info: zipfile.ZipInfo, span: tuple[int, int], rule: MemberRule,
             error: type[RejectedInput]) -> bytes:
    name = info.orig_filename
    too_big = f"{name}: larger than {human_size(rule.max_bytes)}"
    ratio_budget = max(MAX_EXPANSION_RATIO * info.compress_size, RATIO_GRACE_BYTES)
    bomb = f"{name}: expands more than {MAX_EXPANSION_RATIO}:1 (zip bomb?)"
    # The header's claims give an early exit; the counted bytes below are what we trust.
    if info.file_size > rule.max_bytes:
        raise error(too_big)
    if info.file_size > ratio_budget:
        raise error(bomb)
    start, end = span
    if info.compress_type == zipfile.ZIP_STORED:
        out = data[start:end]
        if len(out) > rule.max_bytes:
            raise error(too_big)
    else:
        out = _inflate_counted(data, start, end, rule.max_bytes, ratio_budget, too_big, bomb, name, error)
    if len(out) != info.file_size:
        raise error(f"{name}: size differs from the zip directory (damaged)")
    if zlib.crc32(out) != info.CRC:
        raise error(f"{name}: CRC check failed (damaged)")
    return bytes(out)


def _inflate_counted(data: bytes, start: int, end: int, max_bytes: int, ratio_budget: int,
                     too_big: str, bomb: str, name: str, error: type[RejectedInput]) -> bytearray:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    out = bytearray()
    position = start
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                chunk = inflater.unconsumed_tail
            elif position < end:
                chunk = data[position:min(position + READ_CHUNK, end)]
                position += len(chunk)
            else:
                break
            out += inflater.decompress(chunk, READ_CHUNK)
            if len(out) > max_bytes:
                raise error(too_big)
            if len(out) > ratio_budget:
                raise error(bomb)
    except zlib.error as problem:
        raise error(f"{name}: damaged compressed data ({_short(problem)})") from None
    if not inflater.eof:
        raise error(f"{name}: compressed data ends early (damaged)")
    if inflater.unused_data or position < end:
        raise error(f"{name}: extra bytes after the compressed data (damaged)")
    return out


# --------------------------------------------------------------------------- JSON

class _JsonLimit(Exception):
    """Raised inside json.loads hooks; becomes a RejectedInput with the member's name."""


# One token per match: a whole string (group 1 is None when it is not closed), or a
# structural character.  Possessive quantifiers keep the regex engine from backtracking.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+(")?|[\[\]{},]', re.DOTALL)
_STRUCTURE_CHARS = re.compile(r"[\[\]{},]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Decoding UTF-8 never gives a surrogate: only a \uD800-\uDFFF escape can.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b"[]{},")
_NOT_STRUCTURE_OR_QUOTE = bytes(c for c in range(256) if c not in b'[]{},"')


def load_json(data: bytes, where: str, *, error: type[RejectedInput] = BundleRejected) -> Any:
    """Strict JSON from untrusted bytes.

    UTF-8 without BOM; no duplicate keys, NaN/Infinity, unpaired surrogates;
    depth, string, array and number limits checked before anything large is
    built (a pre-scan without recursion, so deep nesting cannot exhaust the stack).

    The pre-scan runs at C speed (``_quick_prescan``); only when that cannot vouch
    for the text does the per-token scan run, which names the first problem.  The
    walk for unpaired surrogates runs only when the text has an escape that can
    make one.
    """
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        raise error(f"{where}: starts with a byte order mark (BOM)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise error(f"{where}: not valid UTF-8 (byte {problem.start})") from None
    try:
        if not _quick_prescan(data, text):
            _prescan(text)
        value = json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=_finite_float,
        )
        if _SURROGATE_ESCAPE.search(text):
            _check_strings(value)
    except _JsonLimit as problem:
        raise error(f"{where}: {problem}") from None
    except json.JSONDecodeError as problem:
        raise error(f"{where}: not valid JSON (line {problem.lineno} column {problem.colno}: {problem.msg})") from None
    except RecursionError:  # cannot happen after the pre-scan; kept as a last guard
        raise error(f"{where}: nesting deeper than {MAX_JSON_DEPTH}") from None
    return value


def _quick_prescan(data: bytes, text: str) -> bool:
    """True when ``_prescan`` would find nothing wrong; False when it cannot tell.

    The brackets and commas outside the strings (``_structure``) are collapsed
    innermost first: each pass removes every container that holds no other and
    at most MAX_JSON_ITEMS items, so they are gone within MAX_JSON_DEPTH passes
    exactly when nothing is too deep, too big or unbalanced (any closer pairs
    with any opener, as in ``_prescan``).
    """
    structure = _structure(data, text)
    if structure is None:
        return False
    innermost = re.compile(rb"[\[{],{0,%d}[\]}]" % max(MAX_JSON_ITEMS - 1, 0))
    passes = 0
    while structure.count(b",") != len(structure):  # brackets remain
        if passes == MAX_JSON_DEPTH:
            return False
        reduced = innermost.sub(b"", structure)
        if len(reduced) == len(structure):
            return False
        structure, passes = reduced, passes + 1
    return True


def _structure(data: bytes, text: str) -> bytes | None:
    """The brackets and commas outside the strings, if no string is longer than
    MAX_JSON_STRING_CHARS raw characters (those ``_prescan`` passes without
    decoding); None when a string is longer, not closed, or this cannot tell."""
    limit = MAX_JSON_STRING_CHARS
    if b"\\" not in data and not re.search(rb'"[^"]{%d}' % (limit + 1), data):
        # No escapes: every quote opens or closes a string.  Keep quotes and structure;
        # strings with no structure inside are then "" pairs.  A quote left over means
        # a string held some (or was not closed): the regex below sorts that out.
        kept = data.translate(None, _NOT_STRUCTURE_OR_QUOTE).replace(b'""', b"")
        if b'"' not in kept:
            return kept
    # Strings without escapes, or of at most limit/2 characters-or-escapes (so at most
    # limit raw), are removed; a longer or unclosed one leaves its quote behind.  No match
    # starts at a quote right after a backslash (an escaped one, in a string), so the
    # search never rescans such a string from the quotes inside it.
    strings = re.compile(r'"(?<!\\")(?:[^"\\]{0,%d}+"|(?:[^"\\]|\\.){0,%d}+")' % (limit, limit // 2), re.DOTALL)
    outside = strings.sub("", text)
    if '"' in outside:
        return None
    return outside.encode("ascii", "ignore").translate(None, _NOT_STRUCTURE)  # the rest is json.loads's to refuse


def _prescan(text: str) -> None:
    """Depth, container sizes and string lengths, one token at a time, without recursion.

    The exact scan behind ``_quick_prescan``: it names the first problem in text order.
    Malformed text may confuse the count; then json.loads reports the syntax error.
    """
    stack: list[list] = []  # per open container: [is_array, separators seen]
    for token in _tokens(text):
        if token[0] == '"':
            _check_string_token(token)
        elif token in "[{":
            stack.append([token == "[", 0])
            if len(stack) > MAX_JSON_DEPTH:
                raise _JsonLimit(f"nesting deeper than {MAX_JSON_DEPTH}")
        elif token == ",":
            if stack:
                stack[-1][1] += 1
                _check_items(stack[-1][0], stack[-1][1] + 1)
        elif stack:
            stack.pop()
        else:
            return  # unbalanced closer: let json.loads name the syntax error


def _tokens(text: str) -> Iterator[str]:
    """The strings and structural characters of ``text``, in order.

    A string that is not closed leaves every later quote escaped from its point of
    view, so only structural characters follow; they are read in one pass, since
    trying each of those quotes as a string start would take quadratic time.
    """
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token[0] == '"' and match.group(1) is None:
            yield from (found.group() for found in _STRUCTURE_CHARS.finditer(text, match.start() + 1))
            return
        yield token


def _check_items(is_array: bool, count: int) -> None:
    if count > MAX_JSON_ITEMS:
        what = "an array has" if is_array else "an object has"
        raise _JsonLimit(f"{what} more than {MAX_JSON_ITEMS} items")


def _check_string_token(token: str) -> None:
    # The raw length bounds the decoded one from above; decode only when it matters.
    if len(token) - 2 > MAX_JSON_STRING_CHARS and len(json.loads(token)) > MAX_JSON_STRING_CHARS:
        raise _JsonLimit(f"a string is longer than {MAX_JSON_STRING_CHARS} characters")


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):  # look for the first repeat only when there is one
        seen: set = set()
        for key, _value in pairs:
            if key in seen:
                raise _JsonLimit(f"duplicate key {key!r}")
            seen.add(key)
    return result


def _refuse_constant(name: str) -> Any:
    raise _JsonLimit(f"{name} is not allowed (JSON has no NaN or Infinity)")


def _bounded_int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _JsonLimit(f"number {literal[:20]}... is too long")
    value = int(literal)
    if abs(value) > MAX_JSON_INT:
        raise _JsonLimit(f"integer {literal} is larger than 2^53")
    return value


def _finite_float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _JsonLimit(f"number {literal[:20]}... is too long")
    value = float(literal)
    if not math.isfinite(value):
        raise _JsonLimit(f"number {literal} is out of range")
    return value


def _check_strings(value: Any) -> None:
    """Unpaired surrogates (from \\ud800 escapes) cannot be stored or re-encoded."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise _JsonLimit("a string holds an unpaired surrogate (\\ud800-\\udfff)")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
