-- Pairing (bot/pairing/): requests, pairs, the queue, rounds and their schedule.

-- A member is in at most one active pair per server: the primary key makes two accepts at once (a
-- double click, two devices, two bot processes, a round racing an accept) give exactly one pair.
-- A row lives exactly as long as its pair is active; it is written and deleted in the pair's own
-- transaction.
CREATE TABLE pair_members (
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    pair_id    INTEGER NOT NULL REFERENCES pairs (id) ON DELETE CASCADE,
    PRIMARY KEY (guild_id, member_id)
);

-- One row per round, keyed like a scheduled post ('auto:<due time>' or 'admin:<interaction id>'), so
-- a round killed halfway is finished, never formed twice: its pairs are written with it in one
-- transaction; threads, notices and the announcement go through the post ledger afterwards.
CREATE TABLE pair_rounds (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    round_key     TEXT NOT NULL,
    started_by    INTEGER,            -- the admin, or NULL for the automatic round
    started_at    TEXT NOT NULL,
    completed_at  TEXT,               -- every thread opened, every notice sent, announced
    message_id    INTEGER,            -- the channel announcement
    UNIQUE (guild_id, round_key)
);

-- The round a pair was made in, when it was.
ALTER TABLE pairs ADD COLUMN round_id INTEGER REFERENCES pair_rounds (id);
-- Where the pair's private thread's first message is (to link it), once the thread is open.
ALTER TABLE pairs ADD COLUMN message_id INTEGER;
CREATE INDEX pairs_by_frontend ON pairs (guild_id, frontend_id);

-- How a member came into the queue: '/pair queue join', or a project looking for a partner (which
-- withdrawing the project undoes).
ALTER TABLE pair_queue ADD COLUMN via TEXT NOT NULL DEFAULT 'command' CHECK (via IN ('command', 'project'));

-- Where the request was delivered ('dm' or 'channel' when the target's DMs are closed), so it can be
-- edited once it is decided.
ALTER TABLE pair_requests ADD COLUMN delivered_in TEXT CHECK (delivered_in IN ('dm', 'channel'));
-- The round that closed a pending request by pairing its sender or its target, so finishing the
-- round (also after a restart) takes the request's buttons off and tells its sender.
ALTER TABLE pair_requests ADD COLUMN closed_by_round INTEGER REFERENCES pair_rounds (id);
CREATE INDEX pair_requests_by_target ON pair_requests (guild_id, target_id, status);

-- Who a round left without a partner, and why ('no-one-left' or 'only-previous-partners').
CREATE TABLE pair_round_unmatched (
    round_id   INTEGER NOT NULL REFERENCES pair_rounds (id) ON DELETE CASCADE,
    member_id  INTEGER NOT NULL,
    side       TEXT NOT NULL CHECK (side IN ('backend', 'frontend')),
    reason     TEXT NOT NULL,
    PRIMARY KEY (round_id, member_id)
);

-- When the automatic round runs after the first one (day 8, 10:00): weekday 0 = Monday, local time
-- of the server's time zone. No row: the defaults.
CREATE TABLE pair_schedule (
    guild_id    INTEGER PRIMARY KEY,
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    at_time     TEXT NOT NULL,       -- 'HH:MM'
    paused      INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    updated_by  INTEGER,
    updated_at  TEXT NOT NULL
);

-- Members who left the server: never proposed or paired until they come back (their profile and
-- project stay, as the member wrote them).
CREATE TABLE pair_departed (
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    left_at    TEXT NOT NULL,
    PRIMARY KEY (guild_id, member_id)
);
