-- A learner a pairing round leaves without a partner is told why once per change of reason, not
-- every week: the reason they were last told, per server. Deleted when they are paired (a request or
-- a round), so once unmatched again they are told again.
CREATE TABLE pair_unmatched_told (
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    round_id   INTEGER NOT NULL REFERENCES pair_rounds (id) ON DELETE CASCADE,  -- the round that told them
    PRIMARY KEY (guild_id, member_id)
);

-- Whether the round tells this learner (decided when the round is stored, with the row above, so a
-- round finished after a restart tells exactly whom it meant to).
ALTER TABLE pair_round_unmatched ADD COLUMN told INTEGER NOT NULL DEFAULT 1 CHECK (told IN (0, 1));
