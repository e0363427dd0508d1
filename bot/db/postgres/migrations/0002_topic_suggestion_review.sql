-- Suggestions are reviewed through a moderator's form: a suggestion may propose a fix for an
-- existing topic, a decision may carry a note for the author, and a refused form keeps what the
-- moderator wrote. Existing rows keep their data: a plain suggestion has no target and no note.
-- (SQLite's 0002, translated as 0001 says.)

-- The topic a suggestion proposes a fix for (NULL: a new topic). A fix never becomes a topic of
-- its own: approving it marks it accepted for the maintainers who edit the topic files.
ALTER TABLE topic_suggestions ADD COLUMN target_topic_id BIGINT REFERENCES knowledge_topics (id) ON DELETE SET NULL;
-- The moderator's optional reason (rejection) or note (accepted fix), sent to the author.
ALTER TABLE topic_suggestions ADD COLUMN decision_note TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX topic_suggestions_fixes ON topic_suggestions (target_topic_id, status);

-- What a moderator last wrote in the approval form of a suggestion, kept when the bot refused it
-- so the form reopens with their text. Deleted with the approval that publishes it.
CREATE TABLE topic_drafts (
    suggestion_id  BIGINT NOT NULL REFERENCES topic_suggestions (id) ON DELETE CASCADE,
    moderator_id   BIGINT NOT NULL,
    title          TEXT COLLATE "C" NOT NULL,
    category       TEXT COLLATE "C" NOT NULL,
    summary        TEXT COLLATE "C" NOT NULL,
    key_points     TEXT COLLATE "C" NOT NULL,
    links          TEXT COLLATE "C" NOT NULL,
    saved_at       TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (suggestion_id, moderator_id)
);
