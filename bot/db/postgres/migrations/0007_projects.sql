-- Projects (bot/projects/): `/project list` pages through a server's active projects newest first,
-- so it reads them by this index instead of sorting the whole server's projects on every page.
-- (SQLite's 0007.)
CREATE INDEX projects_newest ON projects (guild_id, status, created_at DESC, id DESC);

-- What a learner last wrote in the project form, kept when the bot refused it so the form reopens
-- with their text (Discord cannot answer a form with a form). One per learner and server; deleted
-- when a form of theirs is saved.
CREATE TABLE project_drafts (
    guild_id             BIGINT NOT NULL,
    owner_id             BIGINT NOT NULL,
    track                TEXT COLLATE "C" NOT NULL,
    discipline           TEXT COLLATE "C" NOT NULL,
    looking_for_partner  INTEGER NOT NULL,
    title                TEXT COLLATE "C" NOT NULL,
    description          TEXT COLLATE "C" NOT NULL,
    stack                TEXT COLLATE "C" NOT NULL,
    repo_url             TEXT COLLATE "C" NOT NULL,
    saved_at             TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (guild_id, owner_id)
);
