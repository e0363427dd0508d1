"""How pairing reaches members: a message to one learner (by DM, else in the channel mentioning only
them), a pair's private thread, a round finished (threads, notices, announcement), a request's
expiry. Everything a round or an expiry sends goes through the post ledger with its own key, so a
re-run after a crash or a restart sends nothing twice; sends carry nonces derived from the claim."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.app import NexusBot
from bot.discord_limits import DESCRIPTION_LIMIT, FIELD_VALUE_LIMIT, THREAD_NAME_LIMIT
from bot.pairing.fit import REASON_SEPARATOR, Fit
from bot.pairing.records import Pair, PairRequest, Round, StoredRound
from bot.pairing.round_steps import CLOSED_REQUEST_EDIT, round_steps, thread_key
from bot.pairing.rounds_service import PARTNER_JUST_PAIRED, RoundDue, auto_round_key
from bot.posting import PostFailed, PostOutcome, RetryLater
from bot.scheduling import Delivery
from bot.scheduling.ledger import PostKey
from cogs._outbox import derived_nonce, discord_errors, tell
from cogs._style import NEXUS_COLOUR, NO_MENTIONS, mention_only, packed, timestamp
from cogs.topic._views import OpenTopicButton

log = logging.getLogger(__name__)

MAX_TOPIC_BUTTONS = 5


async def tell_once(bot: NexusBot, key: PostKey, member_id: int, content: str) -> bool:
    """`tell`, at most once for this ledger key (a round's or an expiry's notice). True when it is
    settled: told now or before, or impossible (DMs and channel closed: logged). False while another
    claim holds it (a restart within the lease) or Discord failed for a reason that can pass: the
    caller tries again later."""
    async def send(nonce: str) -> int:
        return (await tell(bot, key.guild_id, member_id, content, nonce=nonce)).message.id
    try:
        result = await bot.services.posting.post(key, 0, send)
    except PostFailed as exc:
        log.warning("could not tell member %s in server %s: %s", member_id, key.guild_id, exc)
        return True
    except (RetryLater, discord.HTTPException) as exc:
        log.info("will tell member %s in server %s later: %s", member_id, key.guild_id, exc)
        return False
    return result.outcome is not PostOutcome.IN_PROGRESS


async def edit_quietly(bot: NexusBot, request: PairRequest, content: str) -> None:
    """Take the buttons off a request's message (best effort: a DM may be gone)."""
    if request.channel_id is None or request.message_id is None:
        return
    try:
        channel = bot.get_partial_messageable(request.channel_id)
        await channel.get_partial_message(request.message_id).edit(content=content, view=None, embed=None)
    except discord.HTTPException as exc:
        log.info("could not edit the message of pairing request %s: %s", request.id, exc)


# --- a pair's thread -------------------------------------------------------------------------

def thread_message(pair: Pair, pair_fit: Fit, slugs: dict[int, str]) -> tuple[str, discord.Embed, discord.ui.View]:
    content = (f"👋 <@{pair.backend_id}> (backend) and <@{pair.frontend_id}> (frontend): this is your private "
               "thread. Say hello, share your repositories and agree when you first meet.")
    # The reasons as they were when the two were paired (waiting in the queue counts then, not after).
    reasons = pair.fit_reasons.split(REASON_SEPARATOR) if pair.fit_reasons else list(pair_fit.reasons)
    lines = [f"• {reason[0].upper()}{reason[1:]}" for reason in reasons]
    embed = discord.Embed(title="Why you fit", description="\n".join(lines), colour=NEXUS_COLOUR)
    view = discord.ui.View(timeout=None)
    shared = [(slugs[topic_id], title) for topic_id, title in pair_fit.shared_topics if topic_id in slugs]
    if shared:
        embed.add_field(name="Topics your projects share",
                        value="\n".join(f"• {title} (`/topic query query:{slug}`)"
                                        for slug, title in shared[:MAX_TOPIC_BUTTONS]), inline=False)
        for slug, title in shared[:MAX_TOPIC_BUTTONS]:
            view.add_item(OpenTopicButton(slug, title))
    embed.set_footer(text="Either of you can end the pair with /pair leave.")
    return content, embed, view


async def open_pair_thread(bot: NexusBot, pair: Pair, pair_fit: Fit) -> int | None:
    """The pair's private thread in the server's channel, both added, its first message saying why they
    fit; once per pair (ledger). A thread an earlier attempt opened before failing (its first message
    refused, a crash) is reused, never opened twice. Returns the thread id (None when it could not be
    opened: logged)."""
    services = bot.services
    config = await services.guild_setup.get(pair.guild_id)
    if config is None or config.channel_id is None:
        return None
    slugs = await services.knowledge.slugs_of([topic_id for topic_id, _ in pair_fit.shared_topics])
    opened: dict[str, int] = {}

    channel_id = config.channel_id

    async def send(nonce: str) -> int:
        channel = bot.get_channel(channel_id) or await bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise PostFailed(f"<#{channel_id}> is not a text channel: threads can't be opened there")
        thread = await _thread_opened_before(bot, pair)
        if thread is None:
            name = f"Pair · {await _name(bot, pair.backend_id)} & {await _name(bot, pair.frontend_id)}"
            thread = await channel.create_thread(name=name[:THREAD_NAME_LIMIT],
                                                 type=discord.ChannelType.private_thread, invitable=False,
                                                 auto_archive_duration=10080)
            # Recorded before anything else can fail: Discord has no nonce for threads, so a retry
            # knows this thread only from here.
            await services.pairing.opened_thread(pair, thread.id, None)
        for member_id in (pair.backend_id, pair.frontend_id):
            await thread.add_user(discord.Object(member_id))
        content, embed, view = thread_message(pair, pair_fit, slugs)
        message = await thread.send(content, embed=embed, view=view, nonce=nonce,
                                    allowed_mentions=mention_only(discord.Object(pair.backend_id),
                                                                  discord.Object(pair.frontend_id)))
        opened["thread"] = thread.id
        await services.pairing.opened_thread(pair, thread.id, message.id)
        return message.id

    try:
        result = await services.posting.post(thread_key(pair), config.channel_id, send)
    except (PostFailed, RetryLater, discord.HTTPException) as exc:
        log.warning("could not open the thread of pair %s in server %s: %s", pair.id, pair.guild_id, exc)
        return None
    if result.outcome is PostOutcome.IN_PROGRESS:  # a claim of a process that died: after its lease
        return None
    return opened.get("thread") or pair.thread_id


async def _thread_opened_before(bot: NexusBot, pair: Pair) -> discord.Thread | None:
    """The pair's thread, when an earlier attempt opened it and it still exists."""
    if pair.thread_id is None:
        return None
    try:
        thread = bot.get_channel(pair.thread_id) or await bot.fetch_channel(pair.thread_id)
    except (discord.NotFound, discord.Forbidden):  # deleted since (or no longer ours): open a new one
        return None
    return thread if isinstance(thread, discord.Thread) else None


async def _name(bot: NexusBot, member_id: int) -> str:
    user = bot.get_user(member_id)
    if user is None:
        try:
            user = await bot.fetch_user(member_id)
        except discord.HTTPException:
            return "a learner"
    return user.display_name


# --- rounds ----------------------------------------------------------------------------------

WAITS_BECAUSE = {
    "no-one-left": "nobody was left on the other side",
    "only-previous-partners": "only previous partners were left",
    PARTNER_JUST_PAIRED: "their match paired with someone else a moment before",
}


def round_announcement(stored: StoredRound, track_names: dict[int, str]) -> discord.Embed:
    lines = [f"• <@{p.backend_id}> + <@{p.frontend_id}>" + (f" · {track_names[p.id]}" if p.id in track_names else "")
             for p in stored.pairs]
    footnote = "Each pair has a private thread with the reasons they fit."
    description = packed(lines, DESCRIPTION_LIMIT - len(footnote) - 2, "… and {count} more pairs")
    description = f"{description}\n\n{footnote}" if description else footnote
    embed = discord.Embed(title=f"🤝 Pairing round: {len(stored.pairs)} new pair" + ("" if len(stored.pairs) == 1
                                                                                     else "s"),
                          description=description, colour=NEXUS_COLOUR)
    if stored.unmatched:  # who still waits and why, in public: names, never pings (sent with mentions off)
        stay = " stays" if len(stored.unmatched) == 1 else "s stay"
        footer = f"{len(stored.unmatched)} learner{stay} in the queue for the next round."
        waiting = [f"• <@{u.member_id}> ({u.side}): {WAITS_BECAUSE.get(u.reason, 'no match this time')}"
                   for u in stored.unmatched]
        value = packed(waiting, FIELD_VALUE_LIMIT - len(footer) - 2, "… and {count} more")
        embed.add_field(name="Still waiting", value=f"{value}\n{footer}", inline=False)
    return embed


@dataclass(frozen=True)
class Finished:
    message_id: int | None  # the announcement
    complete: bool  # False: a thread or the announcement failed; the next start or round retries it


async def finish_round(bot: NexusBot, stored: StoredRound) -> Finished:
    """Do what the round still needs (`bot.pairing.round_steps`), each step once through the ledger:
    the pairs' threads, the closed requests (their senders told), everyone left over told why and
    what next, the announcement. The round is marked complete only when every step is done: one cut
    short by a crash, by a claim a dead process still holds, or by Discord refusing a thread, is
    finished by the next call (the next start, tick or round)."""
    services = bot.services
    round_ = stored.round
    steps = round_steps(stored, await services.pair_rounds.next_round(round_.guild_id))
    threads_open = True
    for pair in steps.threads:
        opened = await open_pair_thread(bot, pair, await services.pairing.pair_fit(pair))
        threads_open = threads_open and opened is not None
    for request in steps.closed_requests:
        await edit_quietly(bot, request, CLOSED_REQUEST_EDIT)
    told = True
    for notice in steps.notices:
        told &= await tell_once(bot, notice.key, notice.member_id, notice.text)
    message_id = await _announce(bot, stored, steps.announce) if steps.announce else None
    if not threads_open or not told or (steps.announce and message_id is None):
        log.warning("round %s in server %s is not finished yet: the next start, tick or round finishes it",
                    round_.id, round_.guild_id)
        return Finished(message_id, False)
    await services.pair_rounds.complete(round_, message_id)
    return Finished(message_id, True)


async def _announce(bot: NexusBot, stored: StoredRound, key: PostKey) -> int | None:
    services = bot.services
    config = await services.guild_setup.get(stored.round.guild_id)
    if config is None or config.channel_id is None:
        return None
    tracks = {}
    for pair in stored.pairs:
        fit = await services.pairing.pair_fit(pair)
        if fit.same_track:
            projects = await services.projects.active(pair.guild_id, pair.backend_id)
            if projects is not None:
                tracks[pair.id] = services.projects.track_name(projects.track)
    embed = round_announcement(stored, tracks)
    channel = bot.get_partial_messageable(config.channel_id, guild_id=stored.round.guild_id)

    async def send(nonce: str) -> int:
        return (await channel.send(embed=embed, nonce=nonce, allowed_mentions=NO_MENTIONS)).id
    try:
        result = await services.posting.post(key, config.channel_id, send)
    except (PostFailed, RetryLater, discord.HTTPException) as exc:
        log.warning("could not announce round %s in server %s: %s", stored.round.id, stored.round.guild_id, exc)
        return None
    return result.message_id  # None while an earlier claim holds it: the round stays unfinished


async def finish_unfinished(bot: NexusBot, guild_id: int | None = None) -> int:
    """Finish rounds a crash or a restart cut short (threads, notices, announcement not yet made),
    each step once; returns how many are still unfinished (a step held by a dead process's claim
    until its lease runs out, or refused by Discord)."""
    services = bot.services
    rounds: Sequence[Round] = await services.pair_rounds.unfinished(guild_id)
    left = 0
    for round_ in rounds:
        finished = await finish_round(bot, await services.pair_rounds.stored(round_))
        left += not finished.complete
    return left


class RoundDelivery:
    """The scheduler's handler for automatic rounds."""

    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    async def __call__(self, delivery: Delivery) -> int:
        payload = delivery.post.payload
        if not isinstance(payload, RoundDue):
            raise TypeError(f"a round delivery needs a RoundDue, got {type(payload).__name__}")
        await finish_unfinished(self.bot, payload.guild_id)
        stored = await self.bot.services.pair_rounds.run(payload.guild_id, auto_round_key(payload.due_at), None)
        return (await finish_round(self.bot, stored)).message_id or 0


class ExpiryDelivery:
    """The scheduler's handler for a request whose time is up: expire it, change the message that
    carried it to the target (its buttons gone, saying it expired) and tell the sender, once. The
    target gets a message of their own only when the request's message can't be changed (deleted,
    or never recorded)."""

    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    async def __call__(self, delivery: Delivery) -> int:
        payload = delivery.post.payload
        if not isinstance(payload, PairRequest):
            raise TypeError(f"an expiry delivery needs a PairRequest, got {type(payload).__name__}")
        pairing = self.bot.services.pairing
        # Expired now, or by an earlier attempt of this same claim that a crash cut short (tell them now).
        expired = await pairing.expire(payload.id) or await pairing.get_request(payload.id)
        if expired is None or expired.status != "expired":  # answered or cancelled in time: nothing to tell
            return 0
        notices = [(expired.requester_id, delivery.nonce,
                    f"⌛ Your pairing request to <@{expired.target_id}> expired without an answer. "
                    "`/pair find` shows who else fits you.")]
        sent: list[int] = []
        problems: list[str] = []
        try:
            sent.append(await self._mark_expired(expired))
        except PostFailed as exc:  # the message is gone: the target is told in a message of their own
            log.info("could not change the message of expired request %s: %s", expired.id, exc)
            notices.append((expired.target_id, derived_nonce(delivery.nonce, "target"),
                            f"⌛ The pairing request from <@{expired.requester_id}> expired before you answered it."))
        for member_id, nonce, text in notices:  # each on its own: one closed door never silences the other
            try:
                sent.append((await tell(self.bot, expired.guild_id, member_id, text, nonce=nonce)).message.id)
            except PostFailed as exc:
                problems.append(str(exc))
        if not sent:
            raise PostFailed("; ".join(problems))
        for problem in problems:
            log.warning("expired request %s: %s", expired.id, problem)
        return sent[0]

    async def _mark_expired(self, request: PairRequest) -> int:
        """Change the request's message to say it expired, without its buttons; returns its id.
        `PostFailed` when it can't be (not recorded, deleted, no access), `RetryLater` when Discord
        failed for a reason that can pass (the scheduler tries the whole expiry again)."""
        if request.channel_id is None or request.message_id is None:
            raise PostFailed("where the request was delivered was not recorded")
        text = (f"⌛ The pairing request from <@{request.requester_id}> expired before you answered it "
                f"(it was open until {timestamp(request.expires_at, 'F')}).")
        mentions = NO_MENTIONS
        if request.delivered_in == "channel":  # as it was delivered: addressed to the target only
            text, mentions = f"<@{request.target_id}> {text}", mention_only(discord.Object(request.target_id))
        channel = self.bot.get_partial_messageable(request.channel_id)
        with discord_errors(gone=lambda: "the request's message is gone",
                            forbidden=lambda: "I can no longer change the request's message"):
            await channel.get_partial_message(request.message_id).edit(content=text, embed=None, view=None,
                                                                       allowed_mentions=mentions)
        return request.message_id
