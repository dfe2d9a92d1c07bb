/**
 * Resolving an issued warning to the people who must act (the roster's half of dispatch, see
 * ../contracts.ts). Everything happens in the database, set-based, in at most three statements:
 *
 * 1. direct — persons with an active assignment (包保) inside an area, reason 'assignment',
 *    planned = the people of those assignments (each assignment counted once, whatever the
 *    number of areas it lies in); and persons with a territorial role (防汛责任人, 村干部, 网格员,
 *    乡镇/县级责任人) serving in a region area, reason 'region'. Inside an area means:
 *    - region area: the assignment's region code lies under the area's (GB/T 2260 prefix rule);
 *    - polygon or circle: the assignment's coordinates lie inside; an assignment without
 *      coordinates counts as inside when the area touches the smallest known place of its
 *      region (its boundary or centroid, else its township's, else its county's —
 *      warning_region_location): a position nobody recorded must not leave anyone out.
 *    Direct hits are limited to the warning's own region (warnings.region_code).
 * 2. chain — the superiors of every directly reached person, up to `warning.chain_levels` levels
 *    (default 1), reason 'chain', via the recipient whose chain brought them in. An inactive
 *    superior is passed over, not counted: the chain goes on to the next one above.
 * 3. thread — for a later step of a thread (Update, Cancel, a promotion: previous_id set),
 *    everyone who received an earlier step, reason 'thread'.
 *
 * One row per person and warning (the first reason wins, in that order); ON CONFLICT makes a
 * second resolution add nobody. Names and phones are copied, so the record reads the same after
 * the roster changes.
 */
import { scopePrefix, type Clock } from '@anlan/core';
import type { Database, Queryable } from '@anlan/db';
import { appendAudit } from '../../audit/service.ts';
import { SYSTEM_ACTOR } from '../../caller.ts';
import type { IssuedWarning, RecipientResolver, ResolvedRecipients } from '../contracts.ts';
import { chainLevels } from './service.ts';
import { TERRITORIAL_ROLES } from './vocabulary.ts';

/** A chain longer than this is a data error (a loop slipped in): stop walking. */
const MAX_HOPS = 32;
const WORK_MEM = '64MB';

interface AreaRow {
  kind: 'region' | 'polygon' | 'circle';
  region_code: string | null;
}

function isDatabase(q: Queryable): q is Database {
  return typeof (q as Partial<Database>).transaction === 'function';
}

/** The geometry of the polygon and circle areas; built from their columns when core left geom empty. */
const SHAPES = `shapes AS (
  SELECT w.kind, w.center_lon, w.center_lat, w.radius_km,
    COALESCE(w.geom, CASE w.kind
      WHEN 'circle' THEN ST_Buffer(ST_SetSRID(ST_MakePoint(w.center_lon, w.center_lat), 4326)::geography, w.radius_km * 1000)::geometry
      ELSE ST_SetSRID(ST_GeomFromGeoJSON(json_build_object('type', 'Polygon', 'coordinates', json_build_array(w.polygon))::text), 4326)
    END) AS geom
  FROM warning_areas w WHERE w.warning_id = $1 AND w.kind IN ('polygon', 'circle')
)`;

// A circle's own test is the distance on the sphere; its polygon (the buffer) only pre-selects by box.
const INSIDE_SHAPE = `CASE WHEN s.kind = 'circle'
  THEN ST_DWithin(a.geom::geography, ST_SetSRID(ST_MakePoint(s.center_lon, s.center_lat), 4326)::geography, s.radius_km * 1000)
  ELSE ST_Intersects(s.geom, a.geom) END`;

/**
 * The statement of step 1, for the kinds of area this warning has. Each assignment of the
 * warning's region is looked at once (one scan, every kind of area an OR), so one inside two areas
 * counts once without a UNION, and the planner groups a base table whose statistics it knows.
 * It answers with what it inserted, counted per reason, and the distinct superiors of the direct
 * recipients with one person below each: step 2 starts there, a few rows instead of all of them.
 */
function directStatement(regionPatterns: number, shapes: boolean, again: boolean): string {
  // $1 warning, $2 thread, $3 the warning's own region (LIKE), $4 territorial roles, $5… area regions (LIKE).
  const underAreas = (column: string) => Array.from({ length: regionPatterns }, (_, i) => `${column} LIKE $${i + 5}`).join(' OR ');
  const inside: string[] = [];
  if (regionPatterns > 0) inside.push(`(${underAreas('a.region_code')})`);
  if (shapes) {
    inside.push(`(a.geom IS NOT NULL AND EXISTS (SELECT 1 FROM shapes s WHERE a.geom && ST_Expand(s.geom, 0.001) AND ${INSIDE_SHAPE}))`);
    inside.push(`(a.geom IS NULL AND a.region_code IN (SELECT p.code FROM placed p))`);
  }
  const ctes: string[] = [];
  if (shapes) {
    ctes.push(SHAPES);
    // Regions of the unplaced assignments (a few hundred codes at most), placed once each.
    ctes.push(`placed AS (
      SELECT u.code FROM (SELECT DISTINCT region_code AS code FROM guardian_assignments WHERE geom IS NULL AND active AND region_code LIKE $3) u
      WHERE EXISTS (SELECT 1 FROM shapes s WHERE ST_Intersects(s.geom, warning_region_location(u.code))))`);
  }
  ctes.push(`hits AS (
    SELECT a.person_id, sum(a.people) AS planned FROM guardian_assignments a
    WHERE a.active AND a.region_code LIKE $3 AND (${inside.join(' OR ')})
    GROUP BY a.person_id)`);
  // Persons serving in a region area who answer for nothing inside: added without a second row.
  const serving = regionPatterns > 0
    ? `UNION ALL
       SELECT p.id, p.name, p.phone, p.region_code, p.superior_id, 0, 'region' FROM responsible_persons p
       WHERE p.active AND p.roles && $4::text[] AND p.region_code LIKE $3 AND (${underAreas('p.region_code')})
         AND NOT EXISTS (SELECT 1 FROM hits h WHERE h.person_id = p.id)`
    : '';
  ctes.push(`direct AS (
    SELECT p.id, p.name, p.phone, p.region_code, p.superior_id, h.planned, 'assignment' AS reason
    FROM hits h JOIN responsible_persons p ON p.id = h.person_id WHERE p.active
    ${serving})`);
  // Resolving again (a restart between commit and dispatch): those already recorded are skipped in
  // one anti-join rather than one conflict each; ON CONFLICT stays for a concurrent resolution.
  ctes.push(`ins AS (
    INSERT INTO warning_recipients (warning_id, thread_id, person_id, name, phone, region_code, reason, planned)
    SELECT $1, $2, d.id, d.name, d.phone, d.region_code, d.reason, d.planned FROM direct d
    ${again ? 'WHERE NOT EXISTS (SELECT 1 FROM warning_recipients e WHERE e.warning_id = $1 AND e.person_id = d.id)' : ''}
    ON CONFLICT (warning_id, person_id) DO NOTHING
    RETURNING reason, planned)`);
  return `WITH ${ctes.join(',\n')}
    SELECT 'reason' AS k, i.reason AS reason, count(*) AS n, sum(i.planned) AS planned, NULL::bigint AS superior, NULL::bigint AS below FROM ins i GROUP BY i.reason
    UNION ALL
    SELECT 'superior', NULL, count(*), NULL, d.superior_id, min(d.id) FROM direct d WHERE d.superior_id IS NOT NULL GROUP BY d.superior_id`;
}

interface DirectRow {
  k: 'reason' | 'superior';
  reason: string | null;
  n: string | number;
  planned: string | number | null;
  superior: string | number | null;
  below: string | number | null;
}

// $1 warning, $2 thread, $3 levels, $4 the direct recipients' superiors, $5 a direct recipient's person below each.
// level counts the active persons from the start (exclusive) to pid (inclusive): inactive ones are passed over.
const CHAIN = `WITH RECURSIVE up(via, pid, level, hops) AS (
    SELECT (SELECT r.id FROM warning_recipients r WHERE r.warning_id = $1 AND r.person_id = t.below), s.id, CASE WHEN s.active THEN 1 ELSE 0 END, 1
    FROM unnest($4::bigint[], $5::bigint[]) AS t(sid, below) JOIN responsible_persons s ON s.id = t.sid
    UNION ALL
    SELECT u.via, s.id, u.level + CASE WHEN s.active THEN 1 ELSE 0 END, u.hops + 1
    FROM up u JOIN responsible_persons c ON c.id = u.pid JOIN responsible_persons s ON s.id = c.superior_id
    WHERE u.level < $3 AND u.hops < ${MAX_HOPS}
  ),
  reached AS (SELECT u.pid, min(u.via) AS via FROM up u WHERE u.level <= $3 GROUP BY u.pid),
  ins AS (
    INSERT INTO warning_recipients (warning_id, thread_id, person_id, name, phone, region_code, reason, via_recipient_id, planned)
    SELECT $1, $2, p.id, p.name, p.phone, p.region_code, 'chain', x.via, 0
    FROM reached x JOIN responsible_persons p ON p.id = x.pid
    WHERE p.active
    ON CONFLICT (warning_id, person_id) DO NOTHING
    RETURNING 1)
  SELECT count(*) AS n FROM ins`;

// $1 warning, $2 thread. Persons since deactivated are included: they were told to act and must hear the news.
const THREAD = `INSERT INTO warning_recipients (warning_id, thread_id, person_id, name, phone, region_code, reason, planned)
  SELECT $1, $2, p.id, p.name, p.phone, p.region_code, 'thread', 0
  FROM responsible_persons p
  WHERE p.id IN (SELECT r.person_id FROM warning_recipients r WHERE r.warning_id IN (SELECT w.id FROM warnings w WHERE w.thread_id = $2 AND w.id <> $1))
  ON CONFLICT (warning_id, person_id) DO NOTHING`;

export interface ResolveOptions {
  clock: Clock;
}

async function resolveIn(q: Queryable, warning: IssuedWarning, opts: ResolveOptions): Promise<ResolvedRecipients> {
  const areas = (await q.query<AreaRow>('SELECT kind, region_code FROM warning_areas WHERE warning_id = $1 ORDER BY ord', [warning.id])).rows;
  const before = Number((await q.query<{ n: string | number }>('SELECT count(*) AS n FROM warning_recipients WHERE warning_id = $1', [warning.id])).rows[0].n);
  const own = `${scopePrefix(warning.regionCode)}%`;
  const patterns = [...new Set(areas.filter((a) => a.kind === 'region' && a.region_code).map((a) => `${scopePrefix(a.region_code!)}%`))];
  const shapes = areas.some((a) => a.kind !== 'region');
  // A county's recipients are a few hundred thousand rows through hashes and CTEs: with the
  // default 4 MB they spill to disk. For this transaction only.
  await q.query(`SET LOCAL work_mem = '${WORK_MEM}'`);
  const byReason: Record<string, number> = {};
  let planned = 0;
  const superiors: number[] = [];
  const below: number[] = [];
  if (patterns.length > 0 || shapes) {
    // The roles and patterns only when the statement has region areas: an unused parameter has no type.
    const params = patterns.length > 0 ? [warning.id, warning.threadId, own, [...TERRITORIAL_ROLES], ...patterns] : [warning.id, warning.threadId, own];
    for (const row of (await q.query<DirectRow>(directStatement(patterns.length, shapes, before > 0), params)).rows) {
      if (row.k === 'reason') {
        byReason[row.reason!] = Number(row.n);
        planned += Number(row.planned ?? 0);
      } else {
        superiors.push(Number(row.superior));
        below.push(Number(row.below));
      }
    }
  }
  // Above every direct recipient; a second resolution finds the chain recorded already.
  const levels = await chainLevels(q);
  if (levels > 0 && superiors.length > 0) {
    const n = Number((await q.query<{ n: string | number }>(CHAIN, [warning.id, warning.threadId, levels, superiors, below])).rows[0].n);
    if (n > 0) byReason.chain = n;
  }
  if (warning.previousId !== null) {
    const n = (await q.query(THREAD, [warning.id, warning.threadId])).affectedRows;
    if (n > 0) byReason.thread = n;
  }
  const added = Object.values(byReason).reduce((a, b) => a + b, 0);
  if (added > 0) {
    await appendAudit(q, opts.clock, SYSTEM_ACTOR, {
      action: 'warning.recipients_resolved',
      targetType: 'warning',
      targetId: warning.id,
      regionCode: warning.regionCode,
      after: { added, count: before + added, chainLevels: levels, byReason, planned },
    });
  }
  return { warningId: warning.id, count: before + added, added };
}

/** Resolves and records the recipients of an issued warning; in one transaction when given a database. */
export async function resolveRecipients(db: Queryable, warning: IssuedWarning, opts: ResolveOptions): Promise<ResolvedRecipients> {
  if (isDatabase(db)) return db.transaction((tx) => resolveIn(tx, warning, opts));
  return resolveIn(db, warning, opts);
}

/** The roster's RecipientResolver, for the dispatch wired in startAnlan. */
export function createRecipientResolver(opts: ResolveOptions): RecipientResolver {
  return { resolve: (db, warning) => resolveRecipients(db, warning, opts) };
}
