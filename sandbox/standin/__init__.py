"""The local Discord stand-in: enough of Discord's REST API v10 and JSON gateway for discord.py.

Its public API is `StandIn` (sandbox/standin/_standin.py). Point a client at it with
`bot.endpoints.use_discord_endpoints(standin.api_base_url, standin.gateway_url)` before `login()`.
It shards as Discord does (`StandIn(sharding=ShardingRules(...))`, see _shards.py): several bot
processes may connect at once, each holding some shards, and `standin.dispatches` tells which shard
got each event.
"""

from ._records import (
    DispatchRecord,
    IdentifyRecord,
    InteractionRecord,
    MessageRecord,
    ModalField,
    ModalRecord,
    RequestRecord,
    ThreadRecord,
)
from ._shards import ShardingRules
from ._standin import StandIn
from .demo import DemoChannel, DemoGuild, DemoMember, DemoOverwrite, DemoRole, build_demo_guild
from .generated import GeneratedGuild, build_generated_guilds

__all__ = [
    "DemoChannel",
    "DemoGuild",
    "DemoMember",
    "DemoOverwrite",
    "DemoRole",
    "DispatchRecord",
    "GeneratedGuild",
    "IdentifyRecord",
    "InteractionRecord",
    "MessageRecord",
    "ModalField",
    "ModalRecord",
    "RequestRecord",
    "ShardingRules",
    "StandIn",
    "ThreadRecord",
    "build_demo_guild",
    "build_generated_guilds",
]
