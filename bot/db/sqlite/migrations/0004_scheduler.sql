-- The scheduler (bot/scheduling/): how far it has looked for due posts, so a restart catches up
-- from there (posting what is still within the grace window, recording the rest as skipped).
CREATE TABLE scheduler_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    checked_until  TEXT NOT NULL
);
-- /nexus status lists a server's failed and skipped posts of the last days.
CREATE INDEX scheduled_posts_by_status ON scheduled_posts (guild_id, status, due_at);
