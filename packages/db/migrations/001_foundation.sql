-- Foundation: regions and their boundaries, accounts, sessions, API tokens, the audit log.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE system_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- GB/T 2260 divisions. Codes are text: 6 digits to county, 9 to township, 12 to village;
-- '000000' is the country. Scope filters are LIKE 'prefix%', hence text_pattern_ops.
CREATE TABLE regions (
  code text PRIMARY KEY CHECK (code ~ '^([0-9]{6}|[0-9]{9}|[0-9]{12})$'),
  name text NOT NULL,
  level text NOT NULL CHECK (level IN ('country', 'province', 'prefecture', 'county', 'township', 'village')),
  parent_code text,
  centroid_lon double precision,
  centroid_lat double precision,
  child_count integer NOT NULL DEFAULT 0
);
CREATE INDEX regions_parent_idx ON regions (parent_code);
CREATE INDEX regions_code_prefix_idx ON regions (code text_pattern_ops);

-- Display geometry is pre-simplified at three detail levels and kept as GeoJSON text, so the map
-- never waits for simplification; geom (the finest level) serves spatial queries.
CREATE TABLE region_boundaries (
  code text PRIMARY KEY,
  source text NOT NULL CHECK (source IN ('reference', 'official')),
  geom geometry(MultiPolygon, 4326) NOT NULL,
  bbox double precision[] NOT NULL,
  geojson_0 text NOT NULL,
  geojson_1 text NOT NULL,
  geojson_2 text NOT NULL
);
CREATE INDEX region_boundaries_geom_idx ON region_boundaries USING gist (geom);

CREATE TABLE users (
  id bigserial PRIMARY KEY,
  username text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'commander', 'duty', 'inspector', 'enterprise', 'responder')),
  region_code text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  -- Demo accounts are labelled so that `anlan seed --demo --reset` touches nothing else.
  is_demo boolean NOT NULL DEFAULT false
);
CREATE INDEX users_region_idx ON users (region_code text_pattern_ops);

-- Only a hash of the session cookie is stored: a leaked table does not log anyone in.
CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  ip text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  region_code text NOT NULL,
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_tokens_region_idx ON api_tokens (region_code text_pattern_ops);

-- Append-only, hash-chained: hash = sha256(prev_hash || canonical row). The trigger stops
-- ordinary edits; the chain exposes anyone who bypasses it.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id bigint,
  actor_name text,
  action text NOT NULL,
  target_type text,
  target_id text,
  region_code text,
  ip text,
  before jsonb,
  after jsonb,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_region_idx ON audit_log (region_code text_pattern_ops);

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
