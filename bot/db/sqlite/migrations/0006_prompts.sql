-- Weekly prompts (bot/prompts/): a prompt may run in several program weeks, may open a thread for
-- replies, and remembers who changed it last. A row made before keeps its one program week.
ALTER TABLE prompts ADD COLUMN weeks TEXT NOT NULL DEFAULT '';      -- "2,4": only in these program weeks; '' every week
ALTER TABLE prompts ADD COLUMN open_thread INTEGER NOT NULL DEFAULT 0 CHECK (open_thread IN (0, 1));
ALTER TABLE prompts ADD COLUMN updated_by INTEGER;
ALTER TABLE prompts ADD COLUMN updated_at TEXT;
UPDATE prompts SET weeks = CAST(program_week AS TEXT), updated_at = created_at WHERE program_week IS NOT NULL;
UPDATE prompts SET updated_at = created_at WHERE updated_at IS NULL;
ALTER TABLE prompts DROP COLUMN program_week;

-- A server is given the default prompts once, the first time it is set up; a later setup finds
-- its row here and leaves the prompts as the admins edited them (removed ones stay removed).
CREATE TABLE prompt_defaults_given (
    guild_id  INTEGER PRIMARY KEY,
    given_at  TEXT NOT NULL
);

-- What an admin last wrote in a prompt's form, kept when the bot refused it so the form reopens
-- with their text. One per admin and server; deleted when a form of theirs is saved.
CREATE TABLE prompt_drafts (
    guild_id      INTEGER NOT NULL,
    admin_id      INTEGER NOT NULL,
    original_key  TEXT,                           -- the prompt being edited; NULL for a new prompt
    key           TEXT NOT NULL,
    weekday       INTEGER NOT NULL,
    time_of_day   TEXT NOT NULL,
    weeks         TEXT NOT NULL,
    open_thread   INTEGER NOT NULL,
    text          TEXT NOT NULL,
    saved_at      TEXT NOT NULL,
    PRIMARY KEY (guild_id, admin_id)
);
