-- The once-only posting ledger (bot/posting.py): a post is claimed here before it is sent and
-- completed with its message id after. Only one caller can win a claim (an insert on the primary
-- key); a claim left behind by a crash is taken over after a lease, and a failed send is retried
-- by the next caller. Rows made before this migration were posted.
ALTER TABLE scheduled_posts ADD COLUMN status TEXT NOT NULL DEFAULT 'posted'
    CHECK (status IN ('claimed', 'posted', 'failed', 'skipped'));
ALTER TABLE scheduled_posts ADD COLUMN claimed_at TEXT;
ALTER TABLE scheduled_posts ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE scheduled_posts ADD COLUMN last_error TEXT;
