-- Earthquake rapid assessments: the event, who ran it, and the aggregated results (totals,
-- per-county rows, contours). Per-building results are never stored as rows.
CREATE TABLE earthquake_assessments (
  id bigserial PRIMARY KEY,
  name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  created_by_name text NOT NULL,
  -- The county containing (or nearest to) the epicentre: the assessment's home region.
  region_code text NOT NULL,
  region_name text NOT NULL,
  -- Counties shaken to VI or more: callers whose scope holds any of them may read the assessment.
  affected_codes text[] NOT NULL DEFAULT '{}',
  event jsonb NOT NULL,
  summary jsonb NOT NULL,
  regions jsonb NOT NULL,
  contours jsonb NOT NULL,
  seconds double precision NOT NULL
);
CREATE INDEX earthquake_assessments_region_idx ON earthquake_assessments (region_code text_pattern_ops);
CREATE INDEX earthquake_assessments_affected_idx ON earthquake_assessments USING gin (affected_codes);
