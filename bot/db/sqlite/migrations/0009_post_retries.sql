-- A post that failed for a reason that can pass (Discord's 429 or 5xx, a timeout) is tried again
-- at `retry_at`; a failed post without one stopped for a reason that cannot pass (403, gone).
ALTER TABLE scheduled_posts ADD COLUMN retry_at TEXT;
CREATE INDEX scheduled_posts_to_retry ON scheduled_posts (retry_at) WHERE retry_at IS NOT NULL;
