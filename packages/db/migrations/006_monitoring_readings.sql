-- Monitoring readings (监测数据): what the sensors of 005 report, the hot latest value per sensor,
-- minute and hour rollups for charts, and the quarantine of rejected readings.
-- Writers: apps/server/src/monitoring/ingest/.

-- Range-partitioned by month on ts. There is no default partition: the ingest code creates the
-- month's partition (monitoring_readings_pYYYYMM, FOR VALUES FROM the 1st 00:00 UTC TO the next
-- 1st) before it inserts into it, so retention drops whole months with DROP TABLE instead of a
-- large DELETE. No foreign key to monitoring_sensors: a partitioned table of this size must not
-- pay for the check on every row, and the ingest checks the sensor anyway.
CREATE TABLE monitoring_readings (
  sensor_id bigint NOT NULL,
  ts timestamptz NOT NULL,
  value double precision NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- One reading per sensor and instant: a second one is a duplicate and goes to the quarantine.
  PRIMARY KEY (sensor_id, ts)
) PARTITION BY RANGE (ts);

-- The newest reading of each sensor; a late reading never replaces a newer one.
CREATE TABLE monitoring_latest (
  sensor_id bigint PRIMARY KEY,
  ts timestamptz NOT NULL,
  value double precision NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

-- Rollups, upserted by every batch (a late reading lands in its own bucket). Buckets are UTC.
CREATE TABLE monitoring_rollup_minute (
  sensor_id bigint NOT NULL,
  bucket timestamptz NOT NULL,
  count integer NOT NULL,
  sum double precision NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  PRIMARY KEY (sensor_id, bucket)
);

CREATE TABLE monitoring_rollup_hour (
  sensor_id bigint NOT NULL,
  bucket timestamptz NOT NULL,
  count integer NOT NULL,
  sum double precision NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  PRIMARY KEY (sensor_id, bucket)
);

-- Every rejected reading, as received (text: it may not even parse), with the reason.
CREATE TABLE monitoring_quarantine (
  id bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- "token:<name>" or the user name.
  received_by text NOT NULL,
  -- The position in the batch (array index, or NDJSON line number counted from 0).
  batch_index integer NOT NULL,
  sensor_code text,
  ts text,
  value text,
  reason text NOT NULL,
  message text,
  -- The sensor's region when the sensor is known, else the writer's when it is out of the
  -- writer's region; NULL for unknown sensors (seen by national users only).
  region_code text
);
CREATE INDEX monitoring_quarantine_region_idx ON monitoring_quarantine (region_code text_pattern_ops, id);
CREATE INDEX monitoring_quarantine_received_idx ON monitoring_quarantine (received_at);
