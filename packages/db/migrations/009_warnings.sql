-- Warning release and call-response (预警发布与一键叫应). The shared spine of the `warning` module:
-- warnings (CAP 1.2 alerts, drafted then approved by a second person), their areas, the rosters
-- of responsible persons (责任人) with what each is responsible for (包保), the recipients a warning
-- resolved to, the outbox that delivers to them, their answers (叫应) and evacuation feedback (转移).
-- Writers: apps/server/src/warning/ (core: warnings, areas; roster: persons, assignments,
-- recipients; delivery: outbox, answers, evacuation). Later migrations of the module add columns,
-- never rename these.

-- One row per CAP message we issue or import. A thread (the 6h → 3h → 1h ladder, Updates and the
-- Cancel) shares thread_id = the first warning's id; each step references the one before it.
CREATE TABLE warnings (
  id bigserial PRIMARY KEY,
  thread_id bigint NOT NULL,
  previous_id bigint REFERENCES warnings (id),
  -- CAP <identifier>: unique per sender, fixed at creation.
  identifier text NOT NULL UNIQUE,
  sender text NOT NULL,
  msg_type text NOT NULL CHECK (msg_type IN ('Alert', 'Update', 'Cancel')),
  -- CAP status; imported exercises and tests stay distinguishable from real warnings.
  status text NOT NULL DEFAULT 'Actual' CHECK (status IN ('Actual', 'Exercise', 'System', 'Test', 'Draft')),
  -- The ladder: 'forecast' (6 h 预报), 'short' (3 h 短临预警), 'callresponse' (1 h 叫应).
  stage text NOT NULL CHECK (stage IN ('forecast', 'short', 'callresponse')),
  -- A key of the national warning vocabulary (packages/cap/src/vocabulary.ts), e.g. 'rainstorm'.
  event text NOT NULL,
  level text NOT NULL CHECK (level IN ('blue', 'yellow', 'orange', 'red')),
  headline text NOT NULL,
  description text NOT NULL,
  instruction text NOT NULL DEFAULT '',
  -- Languages beyond zh-CN: [{ language, headline, description, instruction }].
  translations jsonb NOT NULL DEFAULT '[]',
  -- The smallest region containing every area: decides who may see and approve it.
  region_code text NOT NULL,
  -- draft → pending (submitted for approval) → issued; pending → rejected (back to draft allowed);
  -- issued → superseded (a later step of its thread was issued) | cancelled | expired.
  state text NOT NULL CHECK (state IN ('draft', 'pending', 'rejected', 'issued', 'superseded', 'cancelled', 'expired')),
  origin text NOT NULL DEFAULT 'local' CHECK (origin IN ('local', 'imported')),
  -- A monitoring alarm it was created from, when it was.
  source_alarm_id bigint,
  -- For imported warnings: the feed or file it came from.
  source text,
  onset_at timestamptz,
  expires_at timestamptz NOT NULL,
  -- The CAP XML as issued (or as imported), kept verbatim for the record.
  cap_xml text,
  drafted_by bigint REFERENCES users (id) ON DELETE SET NULL,
  drafted_by_name text NOT NULL,
  submitted_at timestamptz,
  approved_by bigint REFERENCES users (id) ON DELETE SET NULL,
  approved_by_name text,
  issued_at timestamptz,
  reject_note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  -- The two-person rule (签发): nobody approves their own draft.
  CHECK (approved_by IS NULL OR drafted_by IS NULL OR approved_by <> drafted_by)
);
CREATE INDEX warnings_region_idx ON warnings (region_code text_pattern_ops, id);
CREATE INDEX warnings_thread_idx ON warnings (thread_id, id);
CREATE INDEX warnings_state_idx ON warnings (state) WHERE state IN ('pending', 'issued');

-- A warning's areas: GB/T 2260 regions, polygons or circles. geom is what resolution uses
-- (a region's boundary when one is known; its code prefix otherwise).
CREATE TABLE warning_areas (
  id bigserial PRIMARY KEY,
  warning_id bigint NOT NULL REFERENCES warnings (id) ON DELETE CASCADE,
  ord integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('region', 'polygon', 'circle')),
  label text NOT NULL,
  region_code text,
  -- [[lon, lat], …] closed ring for polygons; null otherwise.
  polygon jsonb,
  center_lon double precision,
  center_lat double precision,
  radius_km double precision CHECK (radius_km IS NULL OR radius_km > 0),
  geom geometry(Geometry, 4326),
  CHECK ((kind = 'region') = (region_code IS NOT NULL)),
  CHECK ((kind = 'polygon') = (polygon IS NOT NULL)),
  CHECK ((kind = 'circle') = (radius_km IS NOT NULL AND center_lon IS NOT NULL AND center_lat IS NOT NULL)),
  UNIQUE (warning_id, ord)
);
CREATE INDEX warning_areas_geom_idx ON warning_areas USING gist (geom);

-- Responsible persons (责任人): who must act when a warning covers what they answer for.
-- superior_id is the escalation chain (village → township → county).
CREATE TABLE responsible_persons (
  id bigserial PRIMARY KEY,
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
  -- Mainland mobile, digits only (11); the SMS address and the SMS-reply identity.
  phone text NOT NULL UNIQUE CHECK (phone ~ '^1[3-9][0-9]{9}$'),
  email text,
  -- Keys: flood (防汛责任人), guardian (包保责任人), grid (网格员), informant (灾害信息员),
  -- cadre (村干部), township (乡镇责任人), county (县级责任人), other.
  roles text[] NOT NULL CHECK (cardinality(roles) >= 1),
  -- Where the person serves: village, township or county code.
  region_code text NOT NULL REFERENCES regions (code),
  superior_id bigint REFERENCES responsible_persons (id) ON DELETE SET NULL,
  -- An account that logs in to the mobile page (一键通) as this person, when there is one.
  user_id bigint UNIQUE REFERENCES users (id) ON DELETE SET NULL,
  active boolean NOT NULL DEFAULT true,
  notes text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by_name text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by_name text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  CHECK (superior_id IS NULL OR superior_id <> id)
);
CREATE INDEX responsible_persons_region_idx ON responsible_persons (region_code text_pattern_ops);
CREATE INDEX responsible_persons_superior_idx ON responsible_persons (superior_id);

-- What a person answers for (包保): a place, a household, a vulnerable person (独居老人, 留守儿童…),
-- a monitoring point, or a whole region. people is the number to move when it must be evacuated.
CREATE TABLE guardian_assignments (
  id bigserial PRIMARY KEY,
  person_id bigint NOT NULL REFERENCES responsible_persons (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('place', 'household', 'vulnerable', 'point', 'region')),
  -- For vulnerable persons: elderly_alone (独居老人), left_behind_child (留守儿童), disabled, ill, pregnant, other.
  category text,
  name text NOT NULL,
  region_code text NOT NULL REFERENCES regions (code),
  lon double precision CHECK (lon IS NULL OR lon BETWEEN -180 AND 180),
  lat double precision CHECK (lat IS NULL OR lat BETWEEN -90 AND 90),
  geom geometry(Point, 4326) GENERATED ALWAYS AS (
    CASE WHEN lon IS NULL OR lat IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END
  ) STORED,
  people integer NOT NULL DEFAULT 0 CHECK (people >= 0),
  -- A monitoring point id (kind 'point') or another module's record.
  ref text,
  notes text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX guardian_assignments_person_idx ON guardian_assignments (person_id);
CREATE INDEX guardian_assignments_region_idx ON guardian_assignments (region_code text_pattern_ops);
CREATE INDEX guardian_assignments_geom_idx ON guardian_assignments USING gist (geom);

-- Whom an issued warning reached, deduplicated per person, and where each stands.
CREATE TABLE warning_recipients (
  id bigserial PRIMARY KEY,
  warning_id bigint NOT NULL REFERENCES warnings (id) ON DELETE CASCADE,
  thread_id bigint NOT NULL,
  -- No foreign keys on person_id and via_recipient_id: a county-wide warning writes 100,000 rows
  -- here in one statement, and their per-row checks cost as much as the rows themselves. The roster
  -- refuses to delete a person a warning reached; via_recipient_id always names a row of this table.
  person_id bigint NOT NULL,
  -- Copied at resolution so the record reads the same after the roster changes.
  name text NOT NULL,
  phone text NOT NULL,
  region_code text NOT NULL,
  -- Why: 'assignment' (answers for something inside the area), 'region' (serves in an area region),
  -- 'chain' (superior of someone above, as configured), 'escalation' (added when someone below was silent),
  -- 'thread' (reached by an earlier step of the same thread: Update and Cancel reach them again).
  reason text NOT NULL CHECK (reason IN ('assignment', 'region', 'chain', 'escalation', 'thread')),
  -- The recipient whose silence or whose chain brought this one in.
  via_recipient_id bigint,
  -- People this person must move under this warning (sum of their assignments inside the area).
  planned integer NOT NULL DEFAULT 0,
  -- queued → sent → delivered → answered; escalated = deadline passed and the superior was called;
  -- silent = deadline passed with nobody above to call.
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'delivered', 'answered', 'escalated', 'silent', 'failed')),
  -- The 叫应 deadline; a pending escalation timer is deadline_at IS NOT NULL AND answered_at IS NULL
  -- AND escalated_at IS NULL: timers are rows, so they survive a restart.
  deadline_at timestamptz,
  sent_at timestamptz,
  delivered_at timestamptz,
  answered_at timestamptz,
  escalated_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (warning_id, person_id)
);
CREATE INDEX warning_recipients_warning_idx ON warning_recipients (warning_id, region_code);
CREATE INDEX warning_recipients_person_idx ON warning_recipients (person_id, warning_id);
CREATE INDEX warning_recipients_due_idx ON warning_recipients (deadline_at)
  WHERE answered_at IS NULL AND escalated_at IS NULL AND deadline_at IS NOT NULL;

-- The outbox: one message per recipient and channel; idempotency_key makes a send happen once.
CREATE TABLE warning_outbox (
  id bigserial PRIMARY KEY,
  warning_id bigint NOT NULL REFERENCES warnings (id) ON DELETE CASCADE,
  -- No foreign key, for the same reason as warning_recipients.person_id; recipients are never deleted
  -- on their own (only with their warning, which cascades here too).
  recipient_id bigint NOT NULL,
  channel text NOT NULL CHECK (channel IN ('inapp', 'webpush', 'sms', 'email', 'webhook')),
  address text NOT NULL,
  subject text,
  body text NOT NULL,
  idempotency_key text NOT NULL UNIQUE,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  -- The channel's own message id, for its delivery receipts.
  provider_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  delivered_at timestamptz
);
CREATE INDEX warning_outbox_due_idx ON warning_outbox (channel, next_attempt_at) WHERE state IN ('queued', 'sending');
CREATE INDEX warning_outbox_recipient_idx ON warning_outbox (recipient_id);
CREATE INDEX warning_outbox_provider_idx ON warning_outbox (channel, provider_id) WHERE provider_id IS NOT NULL;

-- Answers: 收到 and feedback (转移人数, people still at risk, a note, a photo). A duplicate answer
-- (same recipient, same client key) is stored once.
CREATE TABLE warning_answers (
  id bigserial PRIMARY KEY,
  warning_id bigint NOT NULL REFERENCES warnings (id) ON DELETE CASCADE,
  recipient_id bigint NOT NULL REFERENCES warning_recipients (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('received', 'feedback')),
  channel text NOT NULL CHECK (channel IN ('link', 'mobile', 'sms', 'web')),
  -- Set by the client (the mobile page's queued answers) or derived (SMS message id); dedupes retries.
  client_key text NOT NULL,
  moved integer CHECK (moved IS NULL OR moved >= 0),
  sheltered integer CHECK (sheltered IS NULL OR sheltered >= 0),
  at_risk integer CHECK (at_risk IS NULL OR at_risk >= 0),
  note text,
  photo_path text,
  answered_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (recipient_id, client_key)
);
CREATE INDEX warning_answers_warning_idx ON warning_answers (warning_id, id);
