/**
 * Makes neighbouring regions use the same vertices along their common border.
 *
 * The reference data was simplified one file at a time, so two counties in different prefectures
 * share only some border vertices: between two shared vertices u and w, each side has its own
 * in-between points. Left like that, the shared border cannot become one topology arc, and
 * simplifying the two sides separately opens gaps and overlaps. Where both in-between paths are
 * private to their ring and lie within MAX_DEVIATION of each other, both rings get the more
 * detailed path; the less detailed one moves by at most that much.
 */
import { gridKey, type MultiPolygonCoords, type Position } from './geometry.ts';

/** Paths further apart than this (deg, ≈300 m) are different borders that happen to meet. */
export const MAX_DEVIATION = 0.003;
/** Longest stretch (in vertices) considered; real stretches are a handful of points. */
const MAX_STRETCH = 400;

interface RingRef {
  feature: number;
  polygon: number;
  ring: number;
  open: Position[];
  keys: number[];
  /** vertex key → index, only for keys that occur once in this ring. */
  position: Map<number, number>;
}

function distanceToSegmentSq(p: Position, a: Position, b: Position): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len));
  const x = a[0] + t * dx - p[0];
  const y = a[1] + t * dy - p[1];
  return x * x + y * y;
}

function maxDeviation(points: Position[], line: Position[]): number {
  let worst = 0;
  for (const p of points) {
    let best = Infinity;
    for (let i = 0; i + 1 < line.length; i++) best = Math.min(best, distanceToSegmentSq(p, line[i], line[i + 1]));
    worst = Math.max(worst, best);
  }
  return Math.sqrt(worst);
}

interface Edit {
  /** Forward-order start and end vertex indices (kept); everything strictly between is replaced. */
  start: number;
  end: number;
  points: Position[];
}

function indexRings(features: MultiPolygonCoords[]): RingRef[] {
  const rings: RingRef[] = [];
  features.forEach((feature, f) =>
    feature.forEach((polygon, p) =>
      polygon.forEach((ring, r) => {
        const open = ring.slice(0, -1);
        const keys = open.map(gridKey);
        const position = new Map<number, number>();
        const repeated = new Set<number>();
        keys.forEach((k, i) => {
          if (position.has(k)) repeated.add(k);
          position.set(k, i);
        });
        for (const k of repeated) position.delete(k);
        rings.push({ feature: f, polygon: p, ring: r, open, keys, position });
      }),
    ),
  );
  return rings;
}

/** Walks ring from `from` towards `to` in direction `dir`; returns in-between points or null if too long. */
function between(ring: RingRef, from: number, to: number, dir: 1 | -1): Position[] | null {
  const n = ring.open.length;
  const steps = dir === 1 ? (to - from + n) % n : (from - to + n) % n;
  if (steps === 0 || steps > MAX_STRETCH) return null;
  const out: Position[] = [];
  for (let s = 1; s < steps; s++) out.push(ring.open[(from + dir * s + n) % n]);
  return out;
}

function applyEdits(open: Position[], edits: Edit[]): Position[] {
  if (edits.length === 0) return open;
  const n = open.length;
  const byStart = new Map(edits.map((e) => [e.start, e]));
  const origin = edits[0].end; // never inside an edit, since edits only meet at kept vertices
  const out: Position[] = [];
  let i = origin;
  do {
    out.push(open[i]);
    const edit = byStart.get(i);
    if (edit) {
      out.push(...edit.points);
      i = edit.end;
    } else {
      i = (i + 1) % n;
    }
  } while (i !== origin);
  return out;
}

/** One pass; returns the number of stretches rewritten. */
function harmonizeOnce(features: MultiPolygonCoords[]): number {
  const rings = indexRings(features);
  const occurrences = new Map<number, number>();
  const ringsByKey = new Map<number, number[]>();
  rings.forEach((ring, id) =>
    ring.keys.forEach((k) => {
      occurrences.set(k, (occurrences.get(k) ?? 0) + 1);
      const list = ringsByKey.get(k);
      if (!list) ringsByKey.set(k, [id]);
      else if (list[list.length - 1] !== id) list.push(id);
    }),
  );
  const isPrivate = (pts: Position[]): boolean => pts.every((p) => occurrences.get(gridKey(p)) === 1);
  const edits = new Map<number, Edit[]>();
  const claimed = new Set<string>(); // ring:start, so a stretch is rewritten once
  const addEdit = (ringId: number, from: number, to: number, dir: 1 | -1, path: Position[]): void => {
    const edit: Edit = dir === 1 ? { start: from, end: to, points: path } : { start: to, end: from, points: path.slice().reverse() };
    const tag = `${ringId}:${edit.start}`;
    if (claimed.has(tag)) return;
    claimed.add(tag);
    const list = edits.get(ringId) ?? [];
    list.push(edit);
    edits.set(ringId, list);
  };

  let count = 0;
  rings.forEach((a, aId) => {
    const n = a.open.length;
    for (let i = 0; i < n; i++) {
      for (const bId of ringsByKey.get(a.keys[i]) ?? []) {
        if (bId <= aId) continue; // each pair of rings is handled from its lower id
        const b = rings[bId];
        const pu = b.position.get(a.keys[i]);
        if (pu === undefined || !a.position.has(a.keys[i])) continue;
        // Next vertex of A that B also has.
        let j = -1;
        for (let s = 1; s <= Math.min(MAX_STRETCH, n - 1); s++) {
          const k = a.keys[(i + s) % n];
          if (b.position.has(k) && a.position.has(k)) {
            j = (i + s) % n;
            break;
          }
        }
        if (j < 0) continue;
        const pathA = between(a, i, j, 1);
        const pw = b.position.get(a.keys[j])!;
        if (!pathA) continue;
        // Try the shorter way round B first; the other way is B's remaining outline.
        const forward = (pw - pu + b.open.length) % b.open.length;
        const dirs: (1 | -1)[] = forward <= b.open.length / 2 ? [1, -1] : [-1, 1];
        for (const dir of dirs) {
          const pathB = between(b, pu, pw, dir);
          if (!pathB || (pathA.length === 0 && pathB.length === 0)) continue;
          if (!isPrivate(pathA) || !isPrivate(pathB)) continue;
          const u = a.open[i];
          const w = a.open[j];
          const lineA = [u, ...pathA, w];
          const lineB = [u, ...pathB, w];
          if (maxDeviation(pathA, lineB) > MAX_DEVIATION || maxDeviation(pathB, lineA) > MAX_DEVIATION) continue;
          // The more detailed side wins; on a tie the lower ring id, so the result is deterministic.
          if (pathA.length >= pathB.length) addEdit(bId, pu, pw, dir, pathA);
          else addEdit(aId, i, j, 1, pathB);
          count++;
          break;
        }
      }
    }
  });

  edits.forEach((list, ringId) => {
    const ring = rings[ringId];
    const open = applyEdits(ring.open, list);
    features[ring.feature][ring.polygon][ring.ring] = [...open, [open[0][0], open[0][1]]];
  });
  return count;
}

/**
 * Rewrites features in place so partially shared borders become fully shared. Returns how many
 * border stretches were rewritten.
 */
export function harmonizeSharedBorders(features: MultiPolygonCoords[], maxPasses = 3): number {
  let total = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    const changed = harmonizeOnce(features);
    total += changed;
    if (changed === 0) break;
  }
  return total;
}
