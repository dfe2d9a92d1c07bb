import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanRing } from './clean.ts';
import { dissolve } from './dissolve.ts';
import { isClosed, polygonArea, type MultiPolygonCoords, type Position, type Ring } from './geometry.ts';
import { harmonizeSharedBorders } from './harmonize.ts';
import { DETAIL_LEVELS, simplifyToLevels } from './levels.ts';
import { makeValid } from './make-valid.ts';
import { findInvalidRings } from './ring-validity.ts';
import { simplifyLine } from './simplify.ts';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const r5 = (v: number) => Math.round(v * 1e5) / 1e5;

/** A noisy star-shaped ring: many small wiggles, the shape simplification must not break. */
function noisyRing(random: () => number, cx: number, cy: number, radius: number, n: number): Ring {
  const ring: Position[] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const r = radius * (0.6 + 0.4 * random());
    ring.push([r5(cx + r * Math.cos(a)), r5(cy + r * Math.sin(a))]);
  }
  return cleanRing(ring)!;
}

void test('simplifyLine keeps both endpoints and removes points within tolerance', () => {
  const line: Position[] = [
    [0, 0],
    [1, 0.001],
    [2, -0.001],
    [3, 0],
  ];
  assert.deepEqual(simplifyLine(line, 0.01), [
    [0, 0],
    [3, 0],
  ]);
  assert.equal(simplifyLine(line, 0.0001).length, 4);
});

void test('a closed line never drops below four points, however coarse the tolerance', () => {
  const ring: Ring = [
    [0, 0],
    [0.001, 0],
    [0.002, 0.0005],
    [0.001, 0.001],
    [0, 0.001],
    [0, 0],
  ];
  const out = simplifyLine(ring, 10, true);
  assert.equal(out.length, 4);
  assert.ok(isClosed(out));
});

void test('ring validity catches bow-ties, spikes and crossing rings, and accepts a touching hole', () => {
  const square: Ring = [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
    [0, 0],
  ];
  const bowTie: Ring = [
    [0, 0],
    [1, 1],
    [1, 0],
    [0, 1],
    [0, 0],
  ];
  const spike: Ring = [
    [0, 0],
    [1, 0],
    [1, 1],
    [1, 0.5],
    [0, 1],
    [0, 0],
  ];
  const crossing: Ring = [
    [0.5, 0.5],
    [1.5, 0.5],
    [1.5, 1.5],
    [0.5, 1.5],
    [0.5, 0.5],
  ];
  const touchingHole: Ring = [
    [0, 0],
    [0.5, 0.2],
    [0.5, 0.5],
    [0, 0],
  ];
  assert.equal(findInvalidRings([square]).size, 0);
  assert.deepEqual([...findInvalidRings([bowTie])], [0]);
  assert.deepEqual([...findInvalidRings([spike])], [0]);
  assert.equal(findInvalidRings([square, crossing]).size, 2);
  assert.equal(findInvalidRings([square, touchingHole]).size, 0);
  assert.deepEqual([...findInvalidRings([square.slice(0, 4)])], [0], 'an unclosed ring is invalid');
});

void test('every level of many noisy regions is closed and valid (seed 513322)', () => {
  const random = mulberry32(513322);
  const features: MultiPolygonCoords[] = [];
  for (let i = 0; i < 40; i++) {
    const cx = 100 + (i % 8) * 0.3;
    const cy = 30 + Math.floor(i / 8) * 0.3;
    // Big enough to survive coarse levels, with a hole and a tiny island to drop.
    const shell = noisyRing(random, cx, cy, 0.1 + random() * 0.05, 400);
    const hole = noisyRing(random, cx, cy, 0.02, 40).reverse();
    const island = noisyRing(random, cx + 0.14, cy + 0.14, 0.004, 12);
    features.push([[shell, hole], [island]]);
  }
  const { geometries, report } = simplifyToLevels(features);
  assert.deepEqual(report.invalidSources, []);
  geometries.forEach((g, f) => {
    for (const level of DETAIL_LEVELS) {
      const rings = g[level.key].flat();
      assert.ok(rings.length > 0, `feature ${f} level ${level.key} is empty`);
      for (const ring of rings) {
        assert.ok(ring.length >= 4, `feature ${f} level ${level.key}: ring of ${ring.length}`);
        assert.ok(isClosed(ring));
      }
      assert.equal(findInvalidRings(rings).size, 0, `feature ${f} level ${level.key} invalid`);
    }
    assert.equal(g['0'].length, 1, 'the 0.004° island is dropped at level 0');
    assert.equal(g['2'].length, 2, 'and kept at level 2');
    assert.ok(g['0'][0][0].length < g['2'][0][0].length, 'coarser levels have fewer points');
  });
});

void test('neighbours keep an identical simplified border, so coarse levels have no gaps', () => {
  const random = mulberry32(7);
  const border: Position[] = [[0, 0]];
  for (let i = 1; i < 200; i++) border.push([r5((random() - 0.5) * 0.01), r5(i * 0.005)]);
  border.push([0, 1]);
  const west: Ring = [[-0.5, 0], ...border, [-0.5, 1], [-0.5, 0]];
  const east: Ring = [[0.5, 0], [0.5, 1], ...border.slice().reverse(), [0.5, 0]];
  const { geometries } = simplifyToLevels([[[west]], [[east]]]);
  for (const level of DETAIL_LEVELS) {
    const key = (p: Position) => p.join(',');
    const inner = (ring: Ring) => new Set(ring.filter((p) => Math.abs(p[0]) < 0.1).map(key));
    const a = inner(geometries[0][level.key][0][0]);
    const b = inner(geometries[1][level.key][0][0]);
    assert.deepEqual([...a].sort(), [...b].sort(), `level ${level.key}`);
  }
});

void test('dissolve merges pieces sharing an edge; makeValid unions overlapping pieces', () => {
  const left: Ring = [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
    [0, 0],
  ];
  const right: Ring = [
    [1, 0],
    [2, 0],
    [2, 1],
    [1, 1],
    [1, 0],
  ];
  const merged = dissolve([[left], [right]]);
  assert.equal(merged.length, 1);
  assert.equal(polygonArea(merged[0]), 2);

  const overlapping: Ring = [
    [0.5, 0.5],
    [1.5, 0.5],
    [1.5, 1.5],
    [0.5, 1.5],
    [0.5, 0.5],
  ];
  const union = makeValid([[left], [overlapping]]);
  assert.equal(union.length, 1);
  assert.equal(findInvalidRings(union.flat()).size, 0);
  assert.ok(Math.abs(polygonArea(union[0]) - 1.75) < 1e-9);
});

void test('borders simplified separately on each side are given the same vertices', () => {
  // West has two in-between points on the border from (0,0) to (0,1); east has another one,
  // as when two files were simplified independently. Far-apart paths must stay untouched.
  const west: Ring = [
    [-1, 0],
    [0, 0],
    [0.001, 0.3],
    [-0.001, 0.6],
    [0, 1],
    [-1, 1],
    [-1, 0],
  ];
  const east: Ring = [
    [1, 0],
    [1, 1],
    [0, 1],
    [0.0005, 0.5],
    [0, 0],
    [1, 0],
  ];
  const features: MultiPolygonCoords[] = [[[west]], [[east]]];
  assert.equal(harmonizeSharedBorders(features), 1);
  const border = (ring: Ring) =>
    [...new Set(ring.filter((p) => Math.abs(p[0]) < 0.01).map((p) => p.join(',')))].sort();
  assert.deepEqual(border(features[1][0][0]), border(west));
  assert.deepEqual(features[0][0][0], west, 'the more detailed side is kept as it was');

  const farApart: MultiPolygonCoords[] = [
    [[west]],
    [
      [
        [
          [1, 0],
          [1, 1],
          [0, 1],
          [0.2, 0.5],
          [0, 0],
          [1, 0],
        ],
      ],
    ],
  ];
  assert.equal(harmonizeSharedBorders(farApart), 0);
});
