-- The same index of open calls, its condition written as two short lists: SQLite tests a list of
-- more than two constants through a temporary table that it builds on every statement that
-- writes a call (docs/decisions/0004-holding-load.md, "Temporary tables"). The queries that use
-- the index spell the condition the same way (kOpenCallCondition in storage/store_common.hpp).
DROP INDEX calls_one_open_per_caller;
CREATE UNIQUE INDEX calls_one_open_per_caller ON calls (org_id, caller_id)
  WHERE state IN ('queued', 'ringing') OR state IN ('accepted', 'active');
