"""Which of Discord's shards this process holds (`SHARD_COUNT`, `SHARD_IDS`), and what follows from
it: the servers it schedules for, and its share of the bot's global rate limit.

Discord's rules: a server belongs to shard `(guild_id >> 22) % shard_count`; DMs, and the buttons
pressed in them, reach shard 0 only. Without the settings the bot runs as one process holding every
server, as it always has. Pure: no Discord, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_SHARDS = 10_000  # far past any bot's count (Discord recommends one shard per ~1,000 servers)


@dataclass(frozen=True)
class ShardPlan:
    count: int  # every shard of the bot, across all its processes
    ids: tuple[int, ...]  # the shards this process holds, ascending

    def owns(self, guild_id: int) -> bool:
        """Whether this process holds the server's shard (it schedules that server's posts)."""
        return shard_of(guild_id, self.count) in self.ids

    @property
    def receives_dms(self) -> bool:
        return 0 in self.ids

    @property
    def share(self) -> float:
        """This process's share of the bot's global rate limit: its shards' share of all shards."""
        return len(self.ids) / self.count

    def describe(self) -> str:
        return f"shards {ids_text(self.ids)} of {self.count}"


def shard_of(guild_id: int, count: int) -> int:
    return (guild_id >> 22) % count


def ids_text(ids: tuple[int, ...]) -> str:
    """`0-3, 6`: runs of consecutive ids as ranges."""
    parts: list[str] = []
    start = previous = ids[0]
    for shard in (*ids[1:], None):
        if shard is not None and shard == previous + 1:
            previous = shard
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if shard is not None:
            start = previous = shard
    return ", ".join(parts)


def parse_shard_plan(count_text: str | None, ids_text_: str | None) -> ShardPlan | None:
    """The plan from the two settings; None when neither is set. Raises ValueError with one line
    naming the setting at fault."""
    count_text = (count_text or "").strip()
    ids_given = (ids_text_ or "").strip()
    if not count_text:
        if ids_given:
            raise ValueError("SHARD_IDS needs SHARD_COUNT too: how many shards the bot has across all its "
                             "processes")
        return None
    if not count_text.isdigit() or not 1 <= int(count_text) <= MAX_SHARDS:
        raise ValueError(f"SHARD_COUNT must be a whole number from 1 to {MAX_SHARDS}, e.g. 4 "
                         f"(got {count_text[:20]!r})")
    count = int(count_text)
    if not ids_given:
        return ShardPlan(count, tuple(range(count)))  # one process holding every shard
    ids: set[int] = set()
    for part in ids_given.split(","):
        low, dash, high = part.strip().partition("-")
        if not low.strip().isdigit() or (dash and not high.strip().isdigit()):
            raise ValueError("SHARD_IDS must be shard numbers and ranges, e.g. 0-3 or 0,2,5 "
                             f"(got {part.strip()[:20]!r})")
        first, last = int(low), int(high) if dash else int(low)
        if first > last:
            raise ValueError(f"SHARD_IDS: the range {first}-{last} runs backwards; write {last}-{first}")
        if last >= count:
            raise ValueError(f"SHARD_IDS: shard {last} does not exist with SHARD_COUNT={count} (shards are 0 to "
                             f"{count - 1})")
        ids.update(range(first, last + 1))
    return ShardPlan(count, tuple(sorted(ids)))
