"""What `/pair` shows: the partners found, a member's status, profile and history, a round's plan."""

from __future__ import annotations

from datetime import datetime, tzinfo

import discord

from bot.cohort import date_in_words
from bot.discord_limits import DESCRIPTION_LIMIT, FIELD_VALUE_LIMIT
from bot.pairing.availability_text import availability_hours, parse_availability
from bot.pairing.fit import MAX_SCORE, Fit
from bot.pairing.records import Pair, Profile, RoundSchedule
from bot.pairing.rounds import RoundPlan
from bot.pairing.service import FindResult, PairStatus
from bot.scheduling.weekly import WEEKDAYS
from cogs._style import NEXUS_COLOUR, packed, timestamp


def reasons_text(fit: Fit) -> str:
    return "; ".join(fit.reasons)


def find_embed(found: FindResult) -> discord.Embed:
    side = "frontend" if found.discipline == "backend" else "backend"
    if not found.candidates:
        embed = discord.Embed(title="No partner to propose yet", colour=NEXUS_COLOUR, description=(
            f"No {side} learner is free yet: nobody on that side has a profile, a project or a place in the "
            "queue and no pair (or the only ones were your partners before). "
            "`/pair queue join` puts you in the next pairing round."))
    else:
        embed = discord.Embed(title=f"Your best {side} partners", colour=NEXUS_COLOUR,
                              description="Ranked by fit. **Request** sends them a pairing request.")
        for number, candidate in enumerate(found.candidates, start=1):
            embed.add_field(name=f"{number}. fit {candidate.fit.score:g} of {MAX_SCORE:g}",
                            value=f"<@{candidate.learner.member_id}>: {reasons_text(candidate.fit)}", inline=False)
    hints = []
    if not found.has_project:
        hints.append("`/project announce` your project (track and stack make better matches)")
    if not found.has_availability:
        hints.append("add your weekly availability with `/pair profile availability:`")
    if hints:
        embed.set_footer(text="Tip: " + "; ".join(hint.replace("`", "") for hint in hints) + ".")
    return embed


def profile_embed(profile: Profile | None, discipline: str | None, server_zone: str) -> discord.Embed:
    embed = discord.Embed(title="Your pairing profile", colour=NEXUS_COLOUR)
    embed.add_field(name="Discipline", value=discipline.title() if discipline
                    else "not chosen: `/pair profile discipline:`")
    embed.add_field(name="Time zone", value=(profile.timezone if profile and profile.timezone
                                             else f"{server_zone} (the server's; set yours with `timezone:`)"))
    embed.add_field(name="Skills", value=profile.skills if profile and profile.skills else "none given", inline=False)
    if profile and profile.availability:
        hours = availability_hours(parse_availability(profile.availability))
        embed.add_field(name="Weekly availability", value=f"{profile.availability} ({hours:g} h a week)", inline=False)
    else:
        embed.add_field(name="Weekly availability", inline=False,
                        value="none given: e.g. `availability:Mon 18:00-21:00, Sat 10-14` (your own time zone)")
    return embed


def status_embed(status: PairStatus, next_round: datetime | None, server_zone: tzinfo) -> discord.Embed:
    embed = discord.Embed(title="Your pairing", colour=NEXUS_COLOUR)
    embed.add_field(name="Discipline", value=status.discipline.title() if status.discipline
                    else "not known: `/pair profile discipline:`")
    if status.pair is not None:
        who = status.pair.frontend_id if status.discipline == "backend" else status.pair.backend_id
        # the date the cohort saw the pair formed: in the server's zone, not UTC's
        value = f"with <@{who}> since {date_in_words(status.pair.created_at.astimezone(server_zone).date())}"
        if status.pair.thread_id:
            value += f" · thread <#{status.pair.thread_id}>"
        embed.add_field(name="Pair", value=value, inline=False)
    else:
        embed.add_field(name="Pair", value="not paired", inline=False)
    if status.outgoing:
        embed.add_field(name="Your requests", inline=False, value="\n".join(
            f"• to <@{r.target_id}>, expires {timestamp(r.expires_at, 'R')}" for r in status.outgoing))
    if status.incoming:
        embed.add_field(name="Requests to you", inline=False, value="\n".join(
            f"• from <@{r.requester_id}>, expires {timestamp(r.expires_at, 'R')}" for r in status.incoming))
    if status.pair is not None:
        looking = "no: you're paired (after `/pair leave` you look again unless you say otherwise)"
    elif status.looking:
        looking = "yes: your project shows 🤝 and the next pairing round includes you"
    else:
        looking = "no: `/pair queue join`, or `/project edit looking_for_partner:True`"
    embed.add_field(name="Looking for a partner", value=looking, inline=False)
    queue = "in the queue" if status.queued else "not in the queue (`/pair queue join`)"
    if status.pair is not None:
        queue = "paired: rounds leave you out while you are"
    elif status.queued and next_round is not None:
        queue += f"; next round {timestamp(next_round, 'F')}"
    embed.add_field(name="Queue", value=queue, inline=False)
    return embed


def history_embed(member_id: int, pairs: list[Pair]) -> discord.Embed:
    embed = discord.Embed(title="Your pairs", colour=NEXUS_COLOUR)
    if not pairs:
        embed.description = "No pairs yet. `/pair find` shows who fits you."
        return embed
    lines = []
    for pair in pairs:
        how = "by request" if pair.source == "request" else "in a round"
        line = f"• <@{pair.partner_of(member_id)}>, {how}, from {date_in_words(pair.created_at.date())}"
        if pair.ended_at is None:
            line += " (current)"
        else:
            line += f" to {date_in_words(pair.ended_at.date())}"
            if pair.end_reason:
                line += f": {pair.end_reason}"
        lines.append(line)
    embed.description = packed(lines, DESCRIPTION_LIMIT, "… and {count} earlier")
    return embed


def plan_embed(plan: RoundPlan) -> discord.Embed:
    embed = discord.Embed(title=f"Dry run: {len(plan.pairs)} pair" + ("" if len(plan.pairs) == 1 else "s")
                          + f", total fit {plan.total_fit:g}", colour=NEXUS_COLOUR,
                          description="Nothing was changed: this is the round as it would be formed now.")
    lines = [f"• <@{p.backend.member_id}> + <@{p.frontend.member_id}>: fit {p.fit.score:g} ({reasons_text(p.fit)})"
             for p in plan.pairs]
    if lines:
        embed.description = packed([embed.description or "", "", *lines], DESCRIPTION_LIMIT // 2,
                                   "… and {count} more pairs")
    if plan.unmatched:
        left = [f"• <@{u.learner.member_id}> ({u.side}): {u.reason.value}" for u in plan.unmatched]
        embed.add_field(name="Left unmatched", value=packed(left, FIELD_VALUE_LIMIT), inline=False)
    if not plan.pairs and not plan.unmatched:
        embed.add_field(name="The queue is empty", value="Nobody waits: `/pair queue join` or a project looking "
                        "for a partner puts a learner in it.", inline=False)
    return embed


def schedule_text(schedule: RoundSchedule, next_round: datetime | None, timezone: str | None) -> str:
    if timezone is None:
        return ("The automatic round needs a channel and a cohort start: set them with `/nexus setup`. "
                f"It will run {WEEKDAYS[schedule.weekday].title()}s at {schedule.at:%H:%M}.")
    weekly = f"{WEEKDAYS[schedule.weekday].title()}s at {schedule.at:%H:%M} ({timezone})"
    state = "paused" if schedule.paused else weekly
    text = f"Automatic pairing round: {state}, after the first one on day 8 at 10:00."
    if next_round is not None:
        text += f" Next: {timestamp(next_round, 'F')} (it runs only if someone waits in the queue)."
    return text
