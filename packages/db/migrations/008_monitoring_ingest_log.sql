-- The readings' write-ahead log (apps/server/src/monitoring/ingest/wal.ts): each process keeps its
-- own log beside its data; this row says up to where the log is in the database, readings and
-- rollups both, so a restart replays only what follows.
CREATE TABLE monitoring_ingest_checkpoints (
  -- Random id written in the log directory when it is created.
  log_id text PRIMARY KEY,
  position double precision NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);

-- The log position of the batch a quarantined reading came in, so a replay after a crash does not
-- quarantine it twice (readings are protected by their primary key).
ALTER TABLE monitoring_quarantine ADD COLUMN log_position double precision;
CREATE INDEX monitoring_quarantine_log_idx ON monitoring_quarantine (log_position) WHERE log_position IS NOT NULL;
