-- One calendar: the default prompts "announce-your-project" (week 1) and "find-your-partner" (week 2)
-- repeated week one's kickoff and the first pairing round's post, an hour apart or in the same
-- minute. They are no longer defaults; a server's copy that no admin changed goes too (one an
-- admin edited is theirs and stays).
DELETE FROM prompts
WHERE source = 'default' AND updated_by IS NULL AND key IN ('announce-your-project', 'find-your-partner');
