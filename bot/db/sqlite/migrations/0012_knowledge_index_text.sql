-- PostgreSQL's 0012 adds a table holding the text of the topics' full-text index, from which each
-- process builds its search in memory. SQLite has that text in knowledge_fts (0001) already. This
-- version changes nothing here; it exists so that version 12 means the same schema on both engines.
SELECT 1;
