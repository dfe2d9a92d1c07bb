import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assess, type AssessmentResult } from '../assess/assess.ts';
import { SYNTHETIC_CLASS_MIX, syntheticExposure, syntheticInventory } from '../assess/synthetic.ts';
import { writeExposureCache } from '../exposure/inventory.ts';
import { STRUCTURE_CLASSES, type ExposureColumns, type QuakeEvent } from '../types.ts';
import { createAssessPool, exitWorkerForTests, isSharedExposure, partition, readExposureCacheShared, regionWithoutSearch, toSharedExposure, type AssessPool } from './pool.ts';

const wenchuan: QuakeEvent = { lon: 103.4, lat: 31.0, depthKm: 14, magnitude: 8.0, strikeDeg: 229, time: '2008-05-12T06:28:01Z' };
const luding: QuakeEvent = { lon: 102.08, lat: 29.59, depthKm: 16, magnitude: 6.8, time: '2022-09-04T16:00:00Z' }; // no strike, night

/** Deep equality, numbers within a relative tolerance (sums in another order), regions matched by code. */
function assertClose(actual: unknown, expected: unknown, path = 'result', rel = 1e-9): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', path);
    const a = actual as number;
    assert.ok(Math.abs(a - expected) <= rel * Math.max(1, Math.abs(a), Math.abs(expected)), `${path}: ${a} vs ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), path);
    assert.equal((actual as unknown[]).length, expected.length, `${path}.length`);
    expected.forEach((e, i) => assertClose((actual as unknown[])[i], e, `${path}[${i}]`, rel));
  } else if (expected && typeof expected === 'object') {
    assert.ok(actual && typeof actual === 'object', path);
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${path} keys`);
    for (const [k, e] of Object.entries(expected)) assertClose((actual as Record<string, unknown>)[k], e, `${path}.${k}`, rel);
  } else {
    assert.equal(actual, expected, path);
  }
}

function assertSameResult(actual: AssessmentResult, expected: AssessmentResult): void {
  // Counties come sorted by deaths; sums in another order may swap two near-equal ones, so match by code.
  const byCode = (r: AssessmentResult) => Object.fromEntries(r.regions.map((g) => [g.code, g]));
  assertClose({ ...actual, regions: byCode(actual) }, { ...expected, regions: byCode(expected) });
}

describe('assessment pool', () => {
  let exposure: ExposureColumns;
  const pools = new Map<number, AssessPool>();
  before(async () => {
    exposure = syntheticInventory({ count: 30_001, lon: wenchuan.lon, lat: wenchuan.lat, seed: 5, grid: 8 });
    for (const threads of [1, 2, 3]) pools.set(threads, await createAssessPool({ threads }));
  });
  after(async () => {
    for (const pool of pools.values()) await pool.close();
  });

  test('the same result as assess() for 1, 2 and 3 threads, over several runs and events', async () => {
    for (const event of [wenchuan, luding]) {
      const expected = assess(event, exposure);
      assert.ok(expected.deaths.median > 0);
      for (const [threads, pool] of pools) {
        assert.equal(pool.threads, threads);
        for (let run = 0; run < 2; run++) assertSameResult(await pool.assess(event, exposure), expected);
      }
    }
  });

  test('more ranges per thread than threads: still the same result', async () => {
    const pool = await createAssessPool({ threads: 2, partsPerThread: 5 });
    try {
      assertSameResult(await pool.assess(wenchuan, exposure), assess(wenchuan, exposure));
    } finally {
      await pool.close();
    }
  });

  test('east/west is chosen from the nearest row as assess() does; a caller region wins', async () => {
    // Longitude 110 says east; the nearest row's province decides: 62 甘肃 → west, 61 陕西 → east.
    const x = syntheticExposure({ lon: 110, lat: 35, count: 5_000, halfSizeDeg: 0.3, grid: 2, seed: 9 });
    const event: QuakeEvent = { lon: 110, lat: 35, depthKm: 10, magnitude: 6.5 };
    for (const codes of [['620101', '610101', '610102', '610103'], ['610101', '620101', '620102', '620103']]) {
      codes.forEach((code, r) => (x.regions[r].code = code));
      const expected = assess(event, x);
      for (const pool of pools.values()) {
        const got = await pool.assess(event, x);
        assert.equal(got.attenuationRegion, expected.attenuationRegion);
        assertSameResult(got, expected);
      }
    }
    for (const pool of pools.values()) assert.equal((await pool.assess(event, x, { region: 'west' })).attenuationRegion, 'west');
    // One province that agrees with the longitude rule: no search needed, same answer.
    x.regions.forEach((r, i) => (r.code = `61010${i}`));
    assert.equal(regionWithoutSearch(event, x), 'east');
    assert.equal(regionWithoutSearch({ ...event, lon: 95 }, x), undefined); // 陕西 says east, longitude 95 says west
    x.regions[0].code = '620101';
    assert.equal(regionWithoutSearch(event, x), undefined);
    assert.equal(regionWithoutSearch(event, x, { region: 'west' }), 'west');
    for (const pool of pools.values()) assert.equal((await pool.assess(event, x)).attenuationRegion, assess(event, x).attenuationRegion);
  });

  test('scan sums the same columns on any number of threads', async () => {
    const sums = await Promise.all([...pools.values()].map((p) => p.scan(exposure, { time: wenchuan.time })));
    for (const s of sums) assert.ok(Math.abs(s - sums[0]) <= 1e-9 * Math.abs(sums[0]));
  });

  test('an error in a worker rejects the run; the pool stays usable', async () => {
    const broken = { ...exposure, count: exposure.count + 10 }; // claims more rows than its columns hold
    for (const pool of pools.values()) {
      await assert.rejects(pool.assess(wenchuan, broken), /exposure column \w+ has 30001 rows, fewer than the 30011/);
      await assert.rejects(pool.scan(broken), /fewer than the 30011/);
      assert.ok((await pool.assess(wenchuan, exposure)).deaths.median > 0);
    }
  });

  test('a worker that dies rejects the run instead of hanging, and every later call', async () => {
    const pool = await createAssessPool({ threads: 2, warmUp: false });
    assert.ok(pool.startSeconds > 0);
    exitWorkerForTests(pool, 1, 7);
    await assert.rejects(pool.assess(wenchuan, exposure), /worker 1 exited with code 7/);
    await assert.rejects(pool.assess(wenchuan, exposure), /worker 1 exited with code 7/);
    await pool.close();
  });

  test('close: later calls reject, closing twice is fine, no worker is left behind', async () => {
    const pool = await createAssessPool({ threads: 2, warmUp: false });
    await pool.assess(wenchuan, exposure);
    await pool.close();
    await pool.close();
    await assert.rejects(pool.assess(wenchuan, exposure), /closed/);
    const one = await createAssessPool({ threads: 1 });
    assert.equal(one.startSeconds, 0);
    await one.close();
    await assert.rejects(one.scan(exposure), /closed/);
    await assert.rejects(createAssessPool({ threads: 0 }), /threads must be a positive integer/);
  });
});

describe('shared exposure', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'anlan-quake-shared-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('toSharedExposure copies every column into shared memory once', () => {
    const x = syntheticInventory({ count: 1_001, lon: 100, lat: 30, seed: 2 });
    assert.equal(isSharedExposure(x), false);
    const s = toSharedExposure(x);
    assert.equal(isSharedExposure(s), true);
    assert.equal(toSharedExposure(s), s);
    assert.equal(s.count, x.count);
    assert.equal(s.regions, x.regions);
    for (const name of ['lon', 'lat', 'regionIndex', 'classIndex', 'buildings', 'floorAreaM2', 'occupantsDay', 'occupantsNight', 'valueCny', 'population'] as const) {
      assert.equal(s[name].constructor, x[name].constructor, name);
      assert.deepEqual(Array.from(s[name]), Array.from(x[name]), name);
    }
  });

  test('readExposureCacheShared reads a cache straight into shared memory', () => {
    const x = syntheticInventory({ count: 2_000, lon: 100, lat: 30, seed: 3 });
    const path = join(dir, 'x.bin');
    writeExposureCache(path, x);
    const back = readExposureCacheShared(path);
    assert.equal(isSharedExposure(back), true);
    assert.equal(back.count, 2_000);
    assert.deepEqual(back.regions, x.regions);
    assert.deepEqual(Array.from(back.lon), Array.from(x.lon));
    assert.deepEqual(Array.from(back.valueCny), Array.from(x.valueCny));
    assertSameResult(assess(wenchuan, back), assess(wenchuan, x));
  });

  test('partition covers the rows with contiguous, nearly equal ranges', () => {
    assert.deepEqual(partition(10, 3), [{ start: 0, end: 3 }, { start: 3, end: 6 }, { start: 6, end: 10 }]);
    assert.deepEqual(partition(2, 5), [{ start: 0, end: 1 }, { start: 1, end: 2 }]);
    assert.deepEqual(partition(0, 4), []);
  });
});

describe('syntheticInventory', () => {
  test('deterministic from the seed', () => {
    const a = syntheticInventory({ count: 5_000, lon: 103, lat: 31, seed: 42 });
    const b = syntheticInventory({ count: 5_000, lon: 103, lat: 31, seed: 42 });
    const c = syntheticInventory({ count: 5_000, lon: 103, lat: 31, seed: 43 });
    assert.deepEqual(Array.from(a.lon), Array.from(b.lon));
    assert.deepEqual(Array.from(a.valueCny), Array.from(b.valueCny));
    assert.notDeepEqual(Array.from(a.lon), Array.from(c.lon));
  });

  test('one building per row, a county class mix, plausible attributes, 400 counties', () => {
    const n = 200_000;
    const x = syntheticInventory({ count: n, lon: 103, lat: 31 });
    assert.equal(x.regions.length, 400);
    assert.match(x.regions[0].code, /^51\d{4}$/);
    const classes = new Float64Array(STRUCTURE_CLASSES.length);
    const regions = new Set<number>();
    let near = 0;
    for (let i = 0; i < n; i++) {
      assert.equal(x.buildings[i], 1);
      classes[x.classIndex[i]]++;
      regions.add(x.regionIndex[i]);
      assert.ok(x.floorAreaM2[i] > 20 && x.floorAreaM2[i] < 200_000, `row ${i} floor area ${x.floorAreaM2[i]}`);
      assert.ok(x.occupantsNight[i] >= 0 && x.occupantsDay[i] >= 0 && x.valueCny[i] > 0);
      assert.equal(x.population[i], x.occupantsNight[i]);
      if (Math.abs(x.lon[i] - 103) < 1 && Math.abs(x.lat[i] - 31) < 1) near++;
    }
    SYNTHETIC_CLASS_MIX.forEach((pct, c) => assert.ok(Math.abs((100 * classes[c]) / n - pct) < 1, `${STRUCTURE_CLASSES[c]} ${(100 * classes[c]) / n} % vs ${pct} %`));
    assert.deepEqual(SYNTHETIC_CLASS_MIX.map((p) => Math.round(p)), [8, 4, 20, 38, 25, 5]);
    assert.ok(regions.size > 300, `${regions.size} counties have buildings`);
    assert.ok(near > n * 0.15, 'a large town stands near the centre');
  });
});
