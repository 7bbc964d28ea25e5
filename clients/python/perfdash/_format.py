# SPDX-License-Identifier: GPL-3.0-or-later
"""Text helpers: formatted durations, ISO times (UTC and local), error truncation and names as the protocol wants
them; numbers as its fields take them (finite, counts within [0, 2^53])."""
from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
from typing import Optional

MAX_ERROR_CHARS = 5000  # code points, marker included
MAX_NAME_BYTES = 200
MAX_TEXT_BYTES = 4096
TRUNCATED_MARKER = "\u2026[truncated]"  # "…[truncated]"

_SURROGATE = re.compile("[\ud800-\udfff]")
_BAD_NAME = re.compile("[|,\x00-\x1f\x7f]")


def format_seconds(seconds: float) -> str:
    """'2.34 seconds', the execution_time_formatted of a performance record."""
    return f"{seconds:.2f} seconds"


def iso_utc(unix_seconds: float) -> str:
    """Unix seconds as ISO 8601 UTC with milliseconds: '2024-05-01T12:00:00.123Z'."""
    if not (unix_seconds >= 0) or unix_seconds > 253402300799.0:
        return ""
    whole = int(unix_seconds)
    millis = int((unix_seconds - whole) * 1000.0 + 0.5)
    if millis >= 1000:
        whole += 1
        millis -= 1000
    t = _dt.datetime.fromtimestamp(whole, _dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"


def iso_local(unix_seconds: float) -> str:
    """Unix seconds as ISO 8601 in local time, with its UTC offset and milliseconds: '2026-12-06T10:00:00.250+01:00';
    '' when out of range."""
    try:
        return _dt.datetime.fromtimestamp(unix_seconds).astimezone().isoformat(timespec="milliseconds")
    except (OverflowError, OSError, ValueError):
        return ""


def valid_text(text: str) -> str:
    """Lone surrogates (from surrogateescape'd bytes) would make invalid UTF-8: each becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def truncate_error(message: str, max_chars: int = MAX_ERROR_CHARS) -> str:
    """At most max_chars code points; a longer message keeps its start and ends with '…[truncated]'."""
    text = valid_text(str(message))
    if len(text) <= max_chars:
        return text
    return text[: max(0, max_chars - len(TRUNCATED_MARKER))] + TRUNCATED_MARKER


def _cut_utf8(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", "ignore")


def sanitize_name(name: str) -> str:
    """'|', ',' and control characters become '_'; at most 200 bytes; 'unnamed' when empty."""
    out = _cut_utf8(_BAD_NAME.sub("_", valid_text(str(name))), MAX_NAME_BYTES)
    return out or "unnamed"


def sanitize_text(text: str, max_bytes: int = MAX_TEXT_BYTES) -> str:
    return _cut_utf8(valid_text(str(text)), max_bytes)


def sanitize_tags(tags) -> dict:
    """Tags the collector accepts: keys without ':', no ',', '|' or control characters (each becomes '_'), at most
    64, each 'key:value' at most 200 bytes (longer ones are left out)."""
    out = {}
    for key, value in sorted((tags or {}).items()):
        k = sanitize_name(key).replace(":", "_")
        v = _BAD_NAME.sub("_", valid_text(str(value)))
        if len(k.encode()) + 1 + len(v.encode()) > MAX_NAME_BYTES or len(out) == 64:
            continue
        out[k] = v
    return out


MAX_INTEGER = 1 << 53  # the protocol's largest integer (docs/protocol.md, Numbers)


def finite(value) -> bool:
    """An int or float that JSON and a double can hold: not a bool, NaN, an infinity or an int beyond double range."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond double range
        return False


def as_float(value) -> Optional[float]:
    """value as a finite float (a number, or text that is one); None when it is not one. A bool is not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def as_count(value) -> Optional[int]:
    """value as a count for an integer field: a whole number in [0, 2^53] (a fraction is cut, the rest clamped);
    None when value is not a number."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        number = int(value)  # exact, however large
    else:
        f = as_float(value)
        if f is None:
            return None
        number = int(f)
    return min(max(number, 0), MAX_INTEGER)
