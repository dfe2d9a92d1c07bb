-- Monitoring registry (监测预警): monitoring points and the sensors on them. Readings, rules and
-- alarms come in later migrations. A sensor has no region of its own: its scope is its point's.

CREATE TABLE monitoring_points (
  id bigserial PRIMARY KEY,
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  -- A point type key of the catalogue (apps/server/src/monitoring/catalogue.ts); checked there,
  -- so that adding a type needs no migration.
  type text NOT NULL,
  -- County, township or village (GB/T 2260) the point lies in.
  region_code text NOT NULL REFERENCES regions (code),
  lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
  lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  -- Derived, so it can never disagree with lon/lat; serves bbox and spatial queries.
  geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
  owner_unit text,
  -- What the point watches, when it watches one thing: an enterprise, a dam, a slope…;
  -- watches_ref is that record's id or code (another module's, or the owner's own).
  watches_kind text CHECK (watches_kind IN ('enterprise', 'dam', 'tailings', 'slope', 'bridge', 'reservoir', 'river', 'pipeline', 'tank', 'other')),
  watches_ref text,
  watches_name text,
  notes text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  created_by_name text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by bigint REFERENCES users (id) ON DELETE SET NULL,
  updated_by_name text NOT NULL,
  -- Optimistic concurrency: every change increments it; a PUT names the version it read.
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX monitoring_points_region_idx ON monitoring_points (region_code text_pattern_ops);
CREATE INDEX monitoring_points_geom_idx ON monitoring_points USING gist (geom);
CREATE INDEX monitoring_points_type_idx ON monitoring_points (type);

CREATE TABLE monitoring_sensors (
  id bigserial PRIMARY KEY,
  -- Chosen by the bureau (LD-RAIN-001); devices report readings under it.
  code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  -- No cascade: removing a point that still has sensors must be asked for explicitly.
  point_id bigint NOT NULL REFERENCES monitoring_points (id),
  type text NOT NULL,
  quantity text NOT NULL,
  unit text NOT NULL,
  -- The unit or quantity differs from the type's on purpose (a gauge reporting cm).
  unit_override boolean NOT NULL DEFAULT false,
  sampling_interval_sec integer NOT NULL CHECK (sampling_interval_sec BETWEEN 1 AND 86400),
  range_min double precision,
  range_max double precision,
  -- {direction: above|below, blue?, yellow?, orange?, red?}
  thresholds jsonb NOT NULL,
  -- [{windowSec, blue?, yellow?, orange?, red?}] for sensors whose readings are increments (rain).
  accumulation jsonb,
  enabled boolean NOT NULL DEFAULT true,
  notes text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  created_by_name text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by bigint REFERENCES users (id) ON DELETE SET NULL,
  updated_by_name text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  CHECK ((range_min IS NULL) = (range_max IS NULL) AND (range_min IS NULL OR range_min < range_max))
);
-- LD-RAIN-001 and ld-rain-001 would be two sensors to the database but one to a person.
CREATE UNIQUE INDEX monitoring_sensors_code_ci_idx ON monitoring_sensors (lower(code));
CREATE INDEX monitoring_sensors_point_idx ON monitoring_sensors (point_id);
CREATE INDEX monitoring_sensors_type_idx ON monitoring_sensors (type);
