-- SQLite's 0005 adds knowledge_fts_columns, a view (fts5vocab) of the full-text index's terms per
-- column. PostgreSQL has no full-text index of the topics (see 0001): the search each process
-- builds in memory from knowledge_topics has it. This version changes nothing here; it exists so
-- that version 5 means the same schema on both engines.
SELECT 1;
