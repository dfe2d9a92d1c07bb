-- Call-response (叫应) beyond 009: SMS replies that could not be applied to anybody's warning.
-- Writer: apps/server/src/warning/response/sms-reply.ts. An unmatched reply is kept (never dropped,
-- never a crash) so the duty officer can see who wrote what and call them back.
CREATE TABLE warning_sms_unmatched (
  id bigserial PRIMARY KEY,
  -- The gateway's message id: a reply delivered twice is recorded once.
  message_id text NOT NULL UNIQUE,
  -- As the gateway gave it (normalised to 11 digits when it was a mainland mobile number).
  phone text NOT NULL,
  text text NOT NULL,
  -- unknown_phone: no responsible person has this number; unparseable: the text follows no reply
  -- code; no_open_warning: the person has no issued, unexpired warning to answer.
  reason text NOT NULL CHECK (reason IN ('unknown_phone', 'unparseable', 'no_open_warning')),
  person_id bigint REFERENCES responsible_persons (id) ON DELETE SET NULL,
  -- The person's region when the phone is known; null otherwise (only a national scope reads those).
  region_code text,
  received_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX warning_sms_unmatched_region_idx ON warning_sms_unmatched (region_code text_pattern_ops, id);
