-- Calls, who was rung for them, staff availability, presence and idempotency keys.
-- Times are milliseconds since the Unix epoch (UTC). PostgreSQL twin of ../0001_init.sql.
-- Ids compare and sort bytewise (COLLATE "C"), as in SQLite, whatever the database's locale.

CREATE TABLE calls (
  id                 TEXT COLLATE "C" PRIMARY KEY,
  org_id             TEXT COLLATE "C" NOT NULL,
  state              TEXT NOT NULL,
  version            BIGINT NOT NULL,
  caller_id          TEXT COLLATE "C" NOT NULL,
  caller_name        TEXT NOT NULL,
  staff_id           TEXT COLLATE "C",
  staff_name         TEXT,
  requested_staff_id TEXT COLLATE "C",
  media_audio        INTEGER NOT NULL,
  media_video        INTEGER NOT NULL,
  metadata           TEXT NOT NULL,
  created_at         BIGINT NOT NULL,
  ring_deadline      BIGINT NOT NULL,
  accepted_at        BIGINT,
  active_at          BIGINT,
  ended_at           BIGINT,
  end_reason         TEXT
);

-- The ring-timeout sweeper and start-up recovery.
CREATE INDEX calls_ringing_by_deadline ON calls (ring_deadline) WHERE state = 'ringing';
CREATE INDEX calls_accepted_by_time ON calls (accepted_at) WHERE state = 'accepted';
-- History, newest first, for the org and for one caller.
CREATE INDEX calls_by_org_time ON calls (org_id, created_at DESC, id DESC);
CREATE INDEX calls_by_caller_time ON calls (org_id, caller_id, created_at DESC, id DESC);
-- One open call per client and per staff member, enforced by the database itself.
CREATE UNIQUE INDEX calls_one_open_per_caller ON calls (org_id, caller_id)
  WHERE state IN ('ringing', 'accepted', 'active');
CREATE UNIQUE INDEX calls_one_open_per_staff ON calls (org_id, staff_id)
  WHERE state IN ('accepted', 'active');

CREATE TABLE call_participants (
  call_id    TEXT COLLATE "C" NOT NULL REFERENCES calls (id),
  org_id     TEXT COLLATE "C" NOT NULL,
  staff_id   TEXT COLLATE "C" NOT NULL,
  rung_at    BIGINT NOT NULL,
  ring_until BIGINT,
  outcome    TEXT NOT NULL,
  ended_at   BIGINT,
  PRIMARY KEY (call_id, staff_id)
);
-- "Is this staff member ringing for anything?" (their state) and ring-step timers.
CREATE INDEX participants_ringing_by_staff ON call_participants (org_id, staff_id)
  WHERE outcome = 'ringing';

CREATE TABLE staff (
  org_id          TEXT COLLATE "C" NOT NULL,
  staff_id        TEXT COLLATE "C" NOT NULL,
  name            TEXT NOT NULL,
  status          TEXT NOT NULL,
  since           BIGINT NOT NULL,
  available_since BIGINT NOT NULL,
  last_call_end   BIGINT NOT NULL,
  wrap_up_until   BIGINT NOT NULL,
  missed_in_row   INTEGER NOT NULL,
  PRIMARY KEY (org_id, staff_id)
);
CREATE INDEX staff_available_by_org ON staff (org_id) WHERE status = 'available';

CREATE TABLE presence (
  org_id          TEXT COLLATE "C" NOT NULL,
  user_id         TEXT COLLATE "C" NOT NULL,
  node_id         TEXT COLLATE "C" NOT NULL,
  connections     INTEGER NOT NULL,
  disconnected_at BIGINT,
  PRIMARY KEY (org_id, user_id, node_id)
);

CREATE TABLE idempotency_keys (
  org_id     TEXT COLLATE "C" NOT NULL,
  user_id    TEXT COLLATE "C" NOT NULL,
  key        TEXT COLLATE "C" NOT NULL,
  call_id    TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (org_id, user_id, key)
);
