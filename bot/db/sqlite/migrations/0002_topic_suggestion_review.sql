-- Suggestions are reviewed through a moderator's form: a suggestion may propose a fix for an
-- existing topic, a decision may carry a note for the author, and a refused form keeps what the
-- moderator wrote. Existing rows keep their data: a plain suggestion has no target and no note.

-- The topic a suggestion proposes a fix for (NULL: a new topic). A fix never becomes a topic of
-- its own: approving it marks it accepted for the maintainers who edit the topic files.
ALTER TABLE topic_suggestions ADD COLUMN target_topic_id INTEGER REFERENCES knowledge_topics (id) ON DELETE SET NULL;
-- The moderator's optional reason (rejection) or note (accepted fix), sent to the author.
ALTER TABLE topic_suggestions ADD COLUMN decision_note TEXT NOT NULL DEFAULT '';
CREATE INDEX topic_suggestions_fixes ON topic_suggestions (target_topic_id, status);

-- What a moderator last wrote in the approval form of a suggestion, kept when the bot refused it
-- so the form reopens with their text. Deleted with the approval that publishes it.
CREATE TABLE topic_drafts (
    suggestion_id  INTEGER NOT NULL REFERENCES topic_suggestions (id) ON DELETE CASCADE,
    moderator_id   INTEGER NOT NULL,
    title          TEXT NOT NULL,
    category       TEXT NOT NULL,
    summary        TEXT NOT NULL,
    key_points     TEXT NOT NULL,
    links          TEXT NOT NULL,
    saved_at       TEXT NOT NULL,
    PRIMARY KEY (suggestion_id, moderator_id)
);
