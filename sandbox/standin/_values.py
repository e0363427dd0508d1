"""Typing option values the way Discord's client does before it sends them."""

from __future__ import annotations

import math
from typing import Any

TRUE = {"true", "yes", "y", "on", "1"}
FALSE = {"false", "no", "n", "off", "0"}
# Discord takes at most 6000 characters in a string option (the most a command's `max_length` may
# say); its client will not send more, whether or not the command set a limit.
STRING_OPTION_MAX = 6000


def as_int(raw: Any, label: str) -> int:
    if isinstance(raw, bool):
        raise ValueError(f"{label}: expected a whole number, got {raw!r}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            pass
    raise ValueError(f"{label}: expected a whole number, got {raw!r}")


def as_float(raw: Any, label: str) -> float:
    if not isinstance(raw, bool):
        try:
            value = float(raw)
        except (TypeError, ValueError):
            pass
        else:
            if math.isfinite(value):
                return value
    raise ValueError(f"{label}: expected a number, got {raw!r}")


def as_bool(raw: Any, label: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in TRUE | FALSE:
        return raw.strip().lower() in TRUE
    raise ValueError(f"{label}: expected true or false, got {raw!r}")


def string_max_length(opt: dict[str, Any]) -> int:
    high = opt.get("max_length")
    return STRING_OPTION_MAX if high is None else min(int(high), STRING_OPTION_MAX)


def check_limits(label: str, opt: dict[str, Any], value: Any) -> None:
    if isinstance(value, str):
        shortest, longest = opt.get("min_length"), string_max_length(opt)
        if shortest is not None and len(value) < shortest:
            raise ValueError(f"{label}: needs at least {shortest} characters")
        if len(value) > longest:
            raise ValueError(f"{label}: takes at most {longest} characters")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        low, high = opt.get("min_value"), opt.get("max_value")
        if low is not None and value < low:
            raise ValueError(f"{label}: must be at least {low}")
        if high is not None and value > high:
            raise ValueError(f"{label}: must be at most {high}")
