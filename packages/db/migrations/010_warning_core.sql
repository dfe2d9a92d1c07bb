-- The core of the warning module (apps/server/src/warning/core/): drafting, the two-person
-- approval (签发), the thread history, CAP in and out, and polled CAP feeds. Adds to 009, renames
-- nothing.

-- The <sent> of the CAP message exactly as issued or imported: a later Update or Cancel must
-- repeat it verbatim in its `references` (sender,identifier,sent), whatever offset it was written in.
ALTER TABLE warnings ADD COLUMN cap_sent text;
-- Who issued it, as the public reads it (CAP senderName): 泸定县应急管理局, or an imported alert's
-- issuer (泸定县气象台). The SMS text starts with it.
ALTER TABLE warnings ADD COLUMN sender_name text;

-- For polygons and circles: the smallest region holding the shape (a county, from the boundaries).
-- The warning's region_code is built from these, and CAP carries it as the area's GB/T 2260 geocode.
ALTER TABLE warning_areas ADD COLUMN within_code text;

-- What happened to each warning, in order: who drafted, edited, submitted, approved or rejected it
-- (with the note), when it was issued or imported, superseded, cancelled or expired. The thread
-- history shown with a warning, and what the two-person rule checks (an editor may not approve).
CREATE TABLE warning_events (
  id bigserial PRIMARY KEY,
  warning_id bigint NOT NULL REFERENCES warnings (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('drafted', 'edited', 'submitted', 'approved', 'rejected', 'issued', 'imported', 'superseded', 'cancelled', 'expired')),
  by_id bigint REFERENCES users (id) ON DELETE SET NULL,
  by_name text NOT NULL,
  note text
);
CREATE INDEX warning_events_warning_idx ON warning_events (warning_id, id);

-- Items already taken from a polled CAP feed, so that each is imported (or refused) once: the
-- alert's identifier, or for an Atom/RSS index the link of the entry.
CREATE TABLE warning_feed_items (
  feed text NOT NULL,
  item text NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now(),
  outcome text NOT NULL CHECK (outcome IN ('imported', 'duplicate', 'rejected')),
  warning_id bigint REFERENCES warnings (id) ON DELETE SET NULL,
  message text,
  PRIMARY KEY (feed, item)
);
