-- Call quality summaries, post-call feedback and the webhook outbox.
-- PostgreSQL twin of ../0002_quality_feedback_webhooks.sql.

-- One running summary per call and side ('caller' or 'staff'), updated by each sample.
CREATE TABLE call_quality (
  call_id          TEXT COLLATE "C" NOT NULL REFERENCES calls (id),
  side             TEXT NOT NULL,
  samples          INTEGER NOT NULL,
  rtt_sum          DOUBLE PRECISION NOT NULL,
  rtt_max          DOUBLE PRECISION NOT NULL,
  jitter_sum       DOUBLE PRECISION NOT NULL,
  jitter_max       DOUBLE PRECISION NOT NULL,
  loss_sum         DOUBLE PRECISION NOT NULL,
  loss_max         DOUBLE PRECISION NOT NULL,
  audio_in_sum     DOUBLE PRECISION NOT NULL,
  audio_out_sum    DOUBLE PRECISION NOT NULL,
  video_in_sum     DOUBLE PRECISION NOT NULL,
  video_out_sum    DOUBLE PRECISION NOT NULL,
  candidate_type   TEXT,
  ice_state        TEXT,
  reconnects       INTEGER NOT NULL,
  PRIMARY KEY (call_id, side)
);

CREATE TABLE call_feedback (
  call_id    TEXT COLLATE "C" NOT NULL REFERENCES calls (id),
  user_id    TEXT COLLATE "C" NOT NULL,
  score      INTEGER NOT NULL,
  issues     TEXT NOT NULL,
  comment    TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (call_id, user_id)
);

-- Written in the same transaction as the transition it announces (at-least-once delivery).
CREATE TABLE webhook_outbox (
  id              BIGSERIAL PRIMARY KEY,
  call_id         TEXT COLLATE "C" NOT NULL,
  version         BIGINT NOT NULL,
  payload         TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  delivered_at    BIGINT,
  last_error      TEXT
);
CREATE INDEX webhook_outbox_pending ON webhook_outbox (call_id, id) WHERE delivered_at IS NULL;
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL;
-- The ops dashboard's last hour.
CREATE INDEX calls_by_created ON calls (created_at);
