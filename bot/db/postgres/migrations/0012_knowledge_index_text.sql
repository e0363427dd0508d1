-- The text SQLite's full-text index (knowledge_fts, FTS5) holds of each published topic, as a plain
-- table with the same name and columns (rowid = knowledge_topics.id). Each process builds its
-- search's FTS5 index in memory from these rows (bot/db/sqlite/topic_index.py), so search ranks
-- identically on both engines. knowledge_topics alone is not enough: a curated topic's symptoms
-- live only in the index (its file has them; its row does not), so 0001's "build it from the rows"
-- would rank differently. Kept in step by the repository in the same transaction as the topic rows.
CREATE TABLE knowledge_fts (
    rowid       BIGINT PRIMARY KEY REFERENCES knowledge_topics (id),
    title       TEXT COLLATE "C" NOT NULL,
    aliases     TEXT COLLATE "C" NOT NULL,
    challenges  TEXT COLLATE "C" NOT NULL,
    summary     TEXT COLLATE "C" NOT NULL,
    body        TEXT COLLATE "C" NOT NULL,
    scope       TEXT COLLATE "C" NOT NULL
);
-- Topics stored before this version (a `db copy` at version 11) have no index text yet. A curated
-- topic's text comes from its file: forgetting the files' hashes makes the next sync rewrite each,
-- with its text. A topic approved from a suggestion has no file and no symptoms, so its text is
-- made here from its row as TopicRows.of does (bot/knowledge/repository.py): lists joined by lines.
UPDATE knowledge_topics SET content_hash = NULL WHERE source = 'curated';
INSERT INTO knowledge_fts (rowid, title, aliases, challenges, summary, body, scope)
SELECT t.id, t.title,
       concat_ws(E'\n', t.slug, (SELECT string_agg(a.v, E'\n' ORDER BY a.n)
                                  FROM jsonb_array_elements_text(t.aliases::jsonb) WITH ORDINALITY AS a(v, n))),
       COALESCE((SELECT string_agg(c.v->>'challenge', E'\n' ORDER BY c.n)
                 FROM jsonb_array_elements(t.challenges::jsonb) WITH ORDINALITY AS c(v, n)), ''),
       t.summary,
       COALESCE((SELECT string_agg(b.v, E'\n' ORDER BY b.part, b.n) FROM (
                    SELECT 1, k.v, k.n FROM jsonb_array_elements_text(t.key_ideas::jsonb) WITH ORDINALITY AS k(v, n)
                    UNION ALL
                    SELECT 2, c.v->>'solution', c.n
                      FROM jsonb_array_elements(t.challenges::jsonb) WITH ORDINALITY AS c(v, n)
                    UNION ALL
                    SELECT 3, p.v, p.n FROM jsonb_array_elements_text(t.best_practices::jsonb) WITH ORDINALITY AS p(v, n)
                    UNION ALL
                    SELECT 4, l.v->>'title', l.n
                      FROM jsonb_array_elements(t.further_reading::jsonb) WITH ORDINALITY AS l(v, n)
                 ) AS b(part, v, n)), ''),
       'kbsuggested kbguild' || t.guild_id
  FROM knowledge_topics t
 WHERE t.source = 'suggested' AND t.published = 1;
