-- Building inventories a city uploads for its own assessments. The rows live in a columnar file
-- under the data directory (tens of millions of rows do not belong in a table); this is the index.
CREATE TABLE exposure_inventories (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  created_by_name text NOT NULL,
  -- The uploader's scope: who may see and use it. Every row's county lies inside it.
  region_code text NOT NULL,
  rows integer NOT NULL,
  rejected_rows integer NOT NULL,
  -- The first rejected rows with their reasons, for the upload report.
  errors jsonb NOT NULL DEFAULT '[]',
  counties text[] NOT NULL DEFAULT '{}',
  bbox double precision[] NOT NULL,
  file_name text NOT NULL,
  bytes bigint NOT NULL
);
CREATE INDEX exposure_inventories_region_idx ON exposure_inventories (region_code text_pattern_ops);

-- Assessments too large to run inside a request. A job survives a restart: queued and running
-- jobs are queued again when the server starts.
CREATE TABLE earthquake_assessment_jobs (
  id bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  created_by_name text NOT NULL,
  region_code text NOT NULL,
  scope_code text NOT NULL,
  inventory_id bigint NOT NULL REFERENCES exposure_inventories (id),
  name text,
  event jsonb NOT NULL,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  stage text,
  started_at timestamptz,
  finished_at timestamptz,
  error text,
  assessment_id bigint REFERENCES earthquake_assessments (id)
);
CREATE INDEX earthquake_assessment_jobs_state_idx ON earthquake_assessment_jobs (state);

ALTER TABLE earthquake_assessments ADD COLUMN inventory_id bigint REFERENCES exposure_inventories (id);
