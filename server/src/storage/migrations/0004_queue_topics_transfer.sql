-- v1.1 (docs/queue.md): the queue, topics and transfer.
-- A queued call keeps when it joined and when it leaves missed, so a restart finds the same
-- order and the same deadlines.
ALTER TABLE calls ADD COLUMN topic TEXT;
ALTER TABLE calls ADD COLUMN queued_at BIGINT;
ALTER TABLE calls ADD COLUMN queue_deadline BIGINT;
ALTER TABLE calls ADD COLUMN transferred_from TEXT;
ALTER TABLE calls ADD COLUMN transferred_to TEXT;
-- The topics a staff member serves, from the `skills` claim of their last token (JSON list).
ALTER TABLE staff ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';
-- A queued call is open too: still one open call per client.
DROP INDEX calls_one_open_per_caller;
CREATE UNIQUE INDEX calls_one_open_per_caller ON calls (org_id, caller_id)
  WHERE state IN ('queued', 'ringing', 'accepted', 'active');
-- Each org's queue, first in first out.
CREATE INDEX calls_queued_by_org ON calls (org_id, queued_at, id) WHERE state = 'queued';
