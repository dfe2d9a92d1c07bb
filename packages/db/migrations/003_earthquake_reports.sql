-- Earthquake reports (CAP, JSON, GeoJSON feeds, CENC quick-report text) that start assessments
-- automatically. The body is kept as received: what the bureau acted on must be provable later.
CREATE TABLE earthquake_reports (
  id bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  received_by bigint REFERENCES users (id) ON DELETE SET NULL,
  received_by_name text NOT NULL,
  format text NOT NULL CHECK (format IN ('cap', 'json', 'geojson', 'cenc-text')),
  source text NOT NULL,
  external_id text NOT NULL,
  msg_type text NOT NULL CHECK (msg_type IN ('Alert', 'Update', 'Cancel')),
  status text NOT NULL,
  reference_ids text[] NOT NULL DEFAULT '{}',
  event jsonb,
  place text,
  notes text[] NOT NULL DEFAULT '{}',
  -- What Anlan did with it: assessed, duplicate-free by construction (a repeat is answered, not stored).
  outcome text NOT NULL CHECK (outcome IN ('assessed', 'below_threshold', 'not_actual', 'no_exposure', 'cancelled')),
  outcome_message text,
  -- All reports of one earthquake (revisions, updates, other sources) share the first one's id.
  thread_id bigint NOT NULL,
  assessment_id bigint REFERENCES earthquake_assessments (id),
  -- The epicentre county (the reference region for scope); for a Cancel, that of what it cancels.
  region_code text NOT NULL,
  cancelled_at timestamptz,
  body text NOT NULL
);
CREATE INDEX earthquake_reports_source_idx ON earthquake_reports (source, external_id);
CREATE INDEX earthquake_reports_thread_idx ON earthquake_reports (thread_id);
CREATE INDEX earthquake_reports_region_idx ON earthquake_reports (region_code text_pattern_ops);

ALTER TABLE earthquake_assessments
  ADD COLUMN report_id bigint REFERENCES earthquake_reports (id),
  ADD COLUMN superseded_by bigint REFERENCES earthquake_assessments (id),
  ADD COLUMN cancelled_at timestamptz;
