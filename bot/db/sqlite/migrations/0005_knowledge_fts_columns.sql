-- The full-text index's terms per column: which stemmed words the curated text holds (title,
-- challenges, summary, body) as opposed to aliases only. "Did you mean" proposes only words of
-- the curated text and the names, never an alias that is itself a misspelling ("celary").
CREATE VIRTUAL TABLE knowledge_fts_columns USING fts5vocab (knowledge_fts, 'col');
