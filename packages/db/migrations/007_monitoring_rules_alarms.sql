-- Monitoring rules and alarms (监测预警 规则与报警): the rules the engine of packages/rules
-- evaluates, stored as data with every saved version, and the alarms it raises with their
-- lifecycle (raised → acknowledged → handled → cleared) and every step of it.
-- Writers: apps/server/src/monitoring/rules/ and apps/server/src/monitoring/alarms/.

-- A rule as saved: `definition` is the @anlan/rules Rule JSON with the defaults filled in and
-- `version` equal to the column. Rules implied by a sensor's own thresholds are not stored here
-- (they are derived from monitoring_sensors); the catalogue's type rules are, so they can be edited.
CREATE TABLE monitoring_rules (
  -- Chosen by the user or the system; "sensor:" is reserved for the rules implied by sensors.
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$'),
  kind text NOT NULL CHECK (kind IN ('threshold', 'accumulation', 'rate', 'offline', 'composite')),
  definition jsonb NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  enabled boolean NOT NULL,
  -- Who may see and edit it: the region of the sensor or point it is about; '000000' (national)
  -- for rules on a sensor type and composites over every point or area, which apply everywhere.
  region_code text NOT NULL,
  -- 'catalogue': seeded from the type catalogue on first start; 'user': saved by a person.
  origin text NOT NULL DEFAULT 'user' CHECK (origin IN ('catalogue', 'user')),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  created_by_name text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by bigint REFERENCES users (id) ON DELETE SET NULL,
  updated_by_name text NOT NULL
);
CREATE INDEX monitoring_rules_region_idx ON monitoring_rules (region_code text_pattern_ops);

-- Every saved version, deletions included; a rule deleted and created again continues the
-- numbering, so (rule_id, version) names one definition for ever (alarms carry both).
CREATE TABLE monitoring_rule_versions (
  rule_id text NOT NULL,
  version integer NOT NULL,
  change text NOT NULL CHECK (change IN ('created', 'updated', 'deleted')),
  kind text NOT NULL,
  definition jsonb NOT NULL,
  enabled boolean NOT NULL,
  region_code text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  changed_by bigint REFERENCES users (id) ON DELETE SET NULL,
  changed_by_name text NOT NULL,
  PRIMARY KEY (rule_id, version)
);

CREATE TABLE monitoring_alarms (
  id bigserial PRIMARY KEY,
  -- No foreign key: rules implied by sensors are not stored, and a deleted rule's alarms stay.
  rule_id text NOT NULL,
  rule_version integer NOT NULL,
  rule_kind text NOT NULL CHECK (rule_kind IN ('threshold', 'accumulation', 'rate', 'offline', 'composite')),
  rule_name text,
  -- What the alarm is about: a sensor (its code), a monitoring point (its id) or an area (a county code).
  scope text NOT NULL CHECK (scope IN ('sensor', 'point', 'area')),
  subject text NOT NULL,
  -- Copied when raised, so the alarm reads the same after the sensor or point is gone.
  sensor_id bigint,
  sensor_code text,
  point_id bigint,
  region_code text NOT NULL,
  level text NOT NULL CHECK (level IN ('blue', 'yellow', 'orange', 'red')),
  max_level text NOT NULL CHECK (max_level IN ('blue', 'yellow', 'orange', 'red')),
  state text NOT NULL CHECK (state IN ('raised', 'acknowledged', 'handled', 'cleared')),
  -- The evaluated quantity of the latest transition (reading, window sum, rate, seconds silent, members met).
  value double precision,
  message text NOT NULL,
  -- Reading (device) time of the latest transition from the engine.
  observed_at timestamptz,
  raised_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  acknowledged_at timestamptz,
  acknowledged_by text,
  handled_at timestamptz,
  handled_by text,
  handle_note text,
  cleared_at timestamptz,
  -- NULL when the engine cleared it.
  cleared_by text,
  clear_reason text CHECK (clear_reason IN ('recovered', 'manual', 'rule_changed', 'rule_removed', 'sensor_unbound')),
  CHECK ((state = 'cleared') = (cleared_at IS NOT NULL))
);
-- The last guard of "one open alarm per rule and subject", whatever the processes and the races.
CREATE UNIQUE INDEX monitoring_alarms_open_key ON monitoring_alarms (rule_id, scope, subject) WHERE state <> 'cleared';
-- The newest alarm of a key (a re-raise soon after a clear reopens it).
CREATE INDEX monitoring_alarms_key_idx ON monitoring_alarms (rule_id, scope, subject, id);
CREATE INDEX monitoring_alarms_region_idx ON monitoring_alarms (region_code text_pattern_ops, id);
CREATE INDEX monitoring_alarms_open_point_idx ON monitoring_alarms (point_id) WHERE state <> 'cleared';

-- Every step of every alarm, by the engine or a person.
CREATE TABLE monitoring_alarm_events (
  id bigserial PRIMARY KEY,
  alarm_id bigint NOT NULL REFERENCES monitoring_alarms (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('raised', 'level_changed', 'acknowledged', 'handled', 'cleared')),
  level text,
  previous_level text,
  value double precision,
  message text,
  -- The person; NULL for the engine.
  by_name text,
  note text
);
CREATE INDEX monitoring_alarm_events_alarm_idx ON monitoring_alarm_events (alarm_id, id);
