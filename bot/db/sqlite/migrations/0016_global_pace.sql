-- PostgreSQL's global pace (see its 0016): the turns sharded processes take from one timeline. One
-- process alone uses a SQLite file (its lock) and paces itself in memory, so the table stays empty;
-- it is made all the same so both engines' version 16 have the same tables (`db copy` relies on it).
CREATE TABLE global_pace (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    next_turn  REAL NOT NULL
);
