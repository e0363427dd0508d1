-- Projects (bot/projects/): `/project list` pages through a server's active projects newest first,
-- so it reads them by this index instead of sorting the whole server's projects on every page.
CREATE INDEX projects_newest ON projects (guild_id, status, created_at DESC, id DESC);

-- What a learner last wrote in the project form, kept when the bot refused it so the form reopens
-- with their text (Discord cannot answer a form with a form). One per learner and server; deleted
-- when a form of theirs is saved.
CREATE TABLE project_drafts (
    guild_id             INTEGER NOT NULL,
    owner_id             INTEGER NOT NULL,
    track                TEXT NOT NULL,
    discipline           TEXT NOT NULL,
    looking_for_partner  INTEGER NOT NULL,
    title                TEXT NOT NULL,
    description          TEXT NOT NULL,
    stack                TEXT NOT NULL,
    repo_url             TEXT NOT NULL,
    saved_at             TEXT NOT NULL,
    PRIMARY KEY (guild_id, owner_id)
);
