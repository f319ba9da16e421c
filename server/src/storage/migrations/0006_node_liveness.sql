-- Issue 10 (docs/decisions/0011-dead-node-presence.md): each node says it is alive about once a
-- second; the others take over the presence of a node not heard from for --node-timeout.
CREATE TABLE nodes (
  node_id   TEXT PRIMARY KEY,
  last_seen BIGINT NOT NULL
);
-- Wrap-ups that ended and whose end no node has handled yet (set to 0 once handled), so any node
-- can announce the end of a wrap-up whose timer died with its node.
CREATE INDEX staff_wrap_up_pending ON staff (wrap_up_until) WHERE wrap_up_until > 0;
