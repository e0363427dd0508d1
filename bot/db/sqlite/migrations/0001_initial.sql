-- Nexus schema: every row that belongs to a server carries its guild id.
-- Times are ISO-8601 UTC text ("2026-11-22T04:00:00+00:00"); they sort as they compare.

CREATE TABLE guild_config (
    guild_id          INTEGER PRIMARY KEY,
    channel_id        INTEGER,
    backend_role_id   INTEGER,
    frontend_role_id  INTEGER,
    cohort_start      TEXT,                      -- ISO date, day 1 of week one
    timezone          TEXT NOT NULL DEFAULT 'UTC',
    updated_by        INTEGER,
    updated_at        TEXT NOT NULL
);

CREATE TABLE member_profiles (
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    discipline    TEXT CHECK (discipline IN ('backend', 'frontend')),
    timezone      TEXT,
    skills        TEXT NOT NULL DEFAULT '',
    availability  TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE projects (
    id                   INTEGER PRIMARY KEY,
    guild_id             INTEGER NOT NULL,
    owner_id             INTEGER NOT NULL,
    title                TEXT NOT NULL,
    track                TEXT NOT NULL,
    description          TEXT NOT NULL,
    stack                TEXT NOT NULL DEFAULT '',
    repo_url             TEXT,
    discipline           TEXT NOT NULL CHECK (discipline IN ('backend', 'frontend')),
    looking_for_partner  INTEGER NOT NULL DEFAULT 0 CHECK (looking_for_partner IN (0, 1)),
    status               TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    channel_id           INTEGER,
    message_id           INTEGER,
    thread_id            INTEGER,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
-- One active project per learner per server.
CREATE UNIQUE INDEX projects_one_active ON projects (guild_id, owner_id) WHERE status = 'active';
CREATE INDEX projects_by_track ON projects (guild_id, track, status);

CREATE TABLE pair_requests (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    requester_id  INTEGER NOT NULL,
    target_id     INTEGER NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled', 'expired', 'closed')),
    channel_id    INTEGER,
    message_id    INTEGER,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    decided_at    TEXT,
    CHECK (requester_id <> target_id)
);
CREATE INDEX pair_requests_pending ON pair_requests (guild_id, status, expires_at);
CREATE UNIQUE INDEX pair_requests_one_pending
    ON pair_requests (guild_id, requester_id, target_id) WHERE status = 'pending';

CREATE TABLE pairs (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    backend_id   INTEGER NOT NULL,
    frontend_id  INTEGER NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('request', 'round')),
    request_id   INTEGER REFERENCES pair_requests (id) ON DELETE SET NULL,
    thread_id    INTEGER,
    fit_reasons  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    ended_at     TEXT,
    ended_by     INTEGER,
    end_reason   TEXT
);
CREATE INDEX pairs_by_member ON pairs (guild_id, backend_id, frontend_id);

CREATE TABLE pair_queue (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    joined_at  TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- Knowledge base. Curated topics (from data/knowledge/*.md) have guild_id NULL and are shared by
-- every server; topics approved from a server's suggestions carry that server's id.
CREATE TABLE knowledge_topics (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER,
    slug             TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    category         TEXT NOT NULL,
    aliases          TEXT NOT NULL DEFAULT '[]',   -- JSON list
    related          TEXT NOT NULL DEFAULT '[]',   -- JSON list of slugs
    tracks           TEXT NOT NULL DEFAULT '[]',   -- JSON list of track keys
    summary          TEXT NOT NULL,
    key_ideas        TEXT NOT NULL DEFAULT '[]',   -- JSON list of markdown bullets
    challenges       TEXT NOT NULL DEFAULT '[]',   -- JSON list of {"challenge", "solution"}
    best_practices   TEXT NOT NULL DEFAULT '[]',   -- JSON list of markdown bullets
    further_reading  TEXT NOT NULL DEFAULT '[]',   -- JSON list of {"title", "url"}
    source           TEXT NOT NULL CHECK (source IN ('curated', 'suggested')),
    source_path      TEXT,                          -- file name under data/knowledge/ (curated only)
    content_hash     TEXT,                          -- of that file, so an unchanged file is not rewritten
    published        INTEGER NOT NULL DEFAULT 1 CHECK (published IN (0, 1)),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX knowledge_topics_category ON knowledge_topics (category, published);
CREATE INDEX knowledge_topics_scope ON knowledge_topics (guild_id, published);

-- Full-text index over the published topics only (rowid = knowledge_topics.id), kept in step by
-- the repository (bot/db/knowledge.py). `scope` is empty for curated topics and holds
-- "kbsuggested kbguild<id>" for a server's approved suggestion, so the index itself can leave out
-- other servers' topics at the cost of their (short) lists only.
-- Ranked search: stemmed, so "caching" finds "cache"; challenges are the symptom headings.
CREATE VIRTUAL TABLE knowledge_fts USING fts5 (
    title, aliases, challenges, summary, body, scope,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
-- How many topics hold each stemmed term: search skips words too common to tell topics apart.
CREATE VIRTUAL TABLE knowledge_fts_terms USING fts5vocab (knowledge_fts, 'row');

CREATE TABLE topic_suggestions (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    author_id     INTEGER NOT NULL,
    title         TEXT NOT NULL,
    explanation   TEXT NOT NULL,
    links         TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reviewer_id   INTEGER,
    reviewed_at   TEXT,
    topic_id      INTEGER REFERENCES knowledge_topics (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX topic_suggestions_pending ON topic_suggestions (guild_id, status, created_at);

-- What was looked up, and whether anything was found: no member id, nothing else of the message.
CREATE TABLE topic_lookups (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    query        TEXT NOT NULL,
    topic_id     INTEGER REFERENCES knowledge_topics (id) ON DELETE SET NULL,
    looked_up_at TEXT NOT NULL
);
CREATE INDEX topic_lookups_by_time ON topic_lookups (guild_id, looked_up_at);

CREATE TABLE prompts (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    key           TEXT NOT NULL,                  -- stable name, e.g. "monday-goals"
    text          TEXT NOT NULL,
    weekday       INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),   -- 0 = Monday
    time_of_day   TEXT NOT NULL,                  -- "HH:MM" wall clock in the server's time zone
    program_week  INTEGER,                        -- only in this week of the cohort, or every week
    paused        INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    source        TEXT NOT NULL DEFAULT 'custom' CHECK (source IN ('default', 'custom')),
    created_at    TEXT NOT NULL,
    UNIQUE (guild_id, key)
);

-- Every scheduled post made (prompts and the week-one posts), keyed by what and when it was due,
-- so a restart neither loses nor repeats one.
CREATE TABLE scheduled_posts (
    guild_id    INTEGER NOT NULL,
    kind        TEXT NOT NULL,                    -- "prompt", "kickoff", "reminder", "roundup"
    ref         TEXT NOT NULL,                    -- prompt key, or the cohort start date
    due_at      TEXT NOT NULL,
    posted_at   TEXT,
    channel_id  INTEGER,
    message_id  INTEGER,
    PRIMARY KEY (guild_id, kind, ref, due_at)
);
