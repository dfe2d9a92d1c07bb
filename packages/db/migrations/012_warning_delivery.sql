-- Delivery of warnings (apps/server/src/warning/delivery/): the Web Push subscriptions of
-- responders, and webhook messages, which belong to a warning rather than to a recipient.

-- A browser's push subscription (RFC 8030 endpoint + RFC 8291 keys) for the responsible person
-- whose account registered it on the mobile page (一键通). One person may have several devices.
CREATE TABLE warning_push_subscriptions (
  id bigserial PRIMARY KEY,
  person_id bigint NOT NULL REFERENCES responsible_persons (id) ON DELETE CASCADE,
  user_id bigint REFERENCES users (id) ON DELETE SET NULL,
  endpoint text NOT NULL UNIQUE CHECK (length(endpoint) BETWEEN 10 AND 2000),
  -- The browser's P-256 public key and auth secret, base64url, as PushSubscription.toJSON() gives them.
  p256dh text NOT NULL CHECK (p256dh ~ '^[A-Za-z0-9_-]{80,100}$'),
  auth text NOT NULL CHECK (auth ~ '^[A-Za-z0-9_-]{16,32}$'),
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_sent_at timestamptz,
  -- The push service answered 404 or 410: the browser dropped the subscription. Kept for the
  -- record; enqueueing skips it, and registering the same endpoint again revives it.
  gone_at timestamptz
);
CREATE INDEX warning_push_subscriptions_person_idx ON warning_push_subscriptions (person_id) WHERE gone_at IS NULL;

-- Webhook messages go to each configured endpoint once per warning, not once per recipient
-- (100,000 identical POSTs would say nothing more), so they have no recipient.
ALTER TABLE warning_outbox ALTER COLUMN recipient_id DROP NOT NULL;
ALTER TABLE warning_outbox ADD CONSTRAINT warning_outbox_recipient_unless_webhook CHECK (recipient_id IS NOT NULL OR channel = 'webhook');
-- The outbox per warning, for its per-channel counts on the board.
CREATE INDEX warning_outbox_warning_idx ON warning_outbox (warning_id, channel, state);

-- Warnings whose recipients still need their outbox rows written. Enqueueing writes the first
-- few thousand at once and leaves the rest here for the delivery worker, chunk by chunk: on the
-- embedded database a single 200,000-row INSERT would hold its one connection for seconds, and
-- no channel sends that fast anyway. A row is removed when a pass finds nobody left; enqueueing
-- again (recipients added by escalation, a restart) bumps generation so a pass that raced with
-- it does not remove the request.
CREATE TABLE warning_delivery_backlog (
  warning_id bigint PRIMARY KEY REFERENCES warnings (id) ON DELETE CASCADE,
  -- Recipients with an id up to this one have been looked at by the current pass.
  after_recipient_id bigint NOT NULL DEFAULT 0,
  generation integer NOT NULL DEFAULT 1,
  requested_at timestamptz NOT NULL
);
