"""SQLite's `?` placeholders as PostgreSQL's `$1, $2, …`, for the statements both engines run
alike (written once, with `?`, in bot/db/shared/)."""

from __future__ import annotations

from functools import cache


@cache
def numbered(sql: str) -> str:
    """`sql` with each `?` placeholder numbered in order: `$1`, `$2`, …. A `?` inside a quoted string
    or identifier ('…', "…"; a doubled quote inside one is read as two) is left as it is. Not for
    PostgreSQL's own `?` operators (jsonb), which a shared statement never uses. Cached: meant for the
    fixed statements of bot/db/shared (and their few variants), not for SQL built per call."""
    out: list[str] = []
    count = 0
    quote: str | None = None
    for char in sql:
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "?":
            count += 1
            out.append(f"${count}")
            continue
        out.append(char)
    if quote is not None:
        raise ValueError(f"unclosed quote {quote} in {sql!r}")
    return "".join(out)
