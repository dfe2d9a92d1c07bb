-- The roster of the warning module (责任人名册, 包保): what 009 left to its writer
-- (apps/server/src/warning/roster/). Assignments get the bookkeeping persons have (an on/off
-- switch, who changed them, an optimistic version), the vulnerable-person categories are fixed,
-- and resolution gets the one helper it needs to place an assignment without coordinates.

ALTER TABLE guardian_assignments
  -- A household that moved away for the season, a child back with its parents: kept on the
  -- roster, not reached by warnings while off.
  ADD COLUMN active boolean NOT NULL DEFAULT true,
  ADD COLUMN created_by_name text NOT NULL DEFAULT 'system',
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN updated_by_name text NOT NULL DEFAULT 'system',
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD CONSTRAINT guardian_assignments_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  -- Only vulnerable persons have a category, and they always do.
  ADD CONSTRAINT guardian_assignments_category_check CHECK (
    (kind = 'vulnerable') = (category IS NOT NULL)
    AND (category IS NULL OR category IN ('elderly_alone', 'left_behind_child', 'disabled', 'ill', 'pregnant', 'other'))
  ),
  -- Coordinates come in pairs: half a position places nothing.
  ADD CONSTRAINT guardian_assignments_position_check CHECK ((lon IS NULL) = (lat IS NULL));

-- Resolution looks for the assignments without coordinates separately (they are placed by their
-- region, see warning_region_location); they are few where the roster is well kept.
CREATE INDEX guardian_assignments_unlocated_idx ON guardian_assignments (region_code) WHERE geom IS NULL;

-- Roles are few and short; persons serving in an area are found by region first, so no index on roles.

-- Where a region may be, for an assignment that has no coordinates of its own: the region's
-- boundary, else its centroid, else the same for the township, then the county, it lies in
-- (GB/T 2260 codes nest by prefix: 12 digits village, 9 township, 6 county). Villages and
-- townships usually have neither, so this is usually the county: an assignment whose position is
-- unknown is reached by every polygon that may cover it (see docs/warning.md).
CREATE FUNCTION warning_region_location(region text) RETURNS geometry
LANGUAGE sql STABLE AS $$
  SELECT loc FROM (
    SELECT 1 AS ord, b.geom::geometry AS loc FROM region_boundaries b WHERE b.code = region
    UNION ALL
    SELECT 2, ST_SetSRID(ST_MakePoint(r.centroid_lon, r.centroid_lat), 4326) FROM regions r
      WHERE r.code = region AND r.centroid_lon IS NOT NULL AND r.centroid_lat IS NOT NULL
    UNION ALL
    SELECT 3, b.geom::geometry FROM region_boundaries b WHERE length(region) > 9 AND b.code = left(region, 9)
    UNION ALL
    SELECT 4, ST_SetSRID(ST_MakePoint(r.centroid_lon, r.centroid_lat), 4326) FROM regions r
      WHERE length(region) > 9 AND r.code = left(region, 9) AND r.centroid_lon IS NOT NULL AND r.centroid_lat IS NOT NULL
    UNION ALL
    SELECT 5, b.geom::geometry FROM region_boundaries b WHERE length(region) > 6 AND b.code = left(region, 6)
    UNION ALL
    SELECT 6, ST_SetSRID(ST_MakePoint(r.centroid_lon, r.centroid_lat), 4326) FROM regions r
      WHERE length(region) > 6 AND r.code = left(region, 6) AND r.centroid_lon IS NOT NULL AND r.centroid_lat IS NOT NULL
  ) candidates
  ORDER BY ord
  LIMIT 1
$$;
