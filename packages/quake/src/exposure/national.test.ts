import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { STRUCTURE_CLASSES } from '../types.ts';
import { bboxAround, EXPOSURE_DATA_DIR, loadNationalCounties, loadNationalExposure } from './national.ts';

const sum = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

test('national totals match the 2020 census (1,409,778,724 residents of the 31 provinces)', () => {
  const all = loadNationalExposure();
  const population = sum(all.population);
  assert.ok(Math.abs(population / 1_409_778_724 - 1) < 0.01, `population ${population}`);
  const counties = loadNationalCounties();
  assert.ok(counties.regions.length > 2900, `${counties.regions.length} regions`);
  // Night: 95 % at home + 2 % in non-residential buildings; day is lower (people outdoors).
  const night = sum(all.occupantsNight);
  const day = sum(all.occupantsDay);
  assert.ok(night / population > 0.9 && night / population < 1, `night ${night}`);
  assert.ok(day < night, `day ${day} night ${night}`);
  for (let i = 0; i < all.count; i++) {
    if (!(all.floorAreaM2[i] > 0) || all.classIndex[i] >= STRUCTURE_CLASSES.length || all.regionIndex[i] >= all.regions.length) {
      assert.fail(`bad row ${i}`);
    }
  }
});

test('泸定县 513322: census population spread over ≥ 20 cells inside its outline', () => {
  const all = loadNationalExposure();
  const index = all.regions.findIndex((r) => r.code === '513322');
  assert.ok(index >= 0);
  // bbox of 泸定县 in the reference boundaries (level "2").
  const [minLon, minLat, maxLon, maxLat] = [101.83431, 29.45956, 102.35158, 30.08773];
  let population = 0;
  const cells = new Set<string>();
  const byClass = new Array<number>(STRUCTURE_CLASSES.length).fill(0);
  for (let i = 0; i < all.count; i++) {
    if (all.regionIndex[i] !== index) continue;
    population += all.population[i];
    byClass[all.classIndex[i]] += all.floorAreaM2[i];
    cells.add(`${all.lon[i]},${all.lat[i]}`);
    assert.ok(all.lon[i] >= minLon && all.lon[i] <= maxLon && all.lat[i] >= minLat && all.lat[i] <= maxLat, `cell ${all.lon[i]},${all.lat[i]} outside`);
  }
  assert.ok(Math.abs(population - 84_204) < 10, `population ${population}`);
  assert.ok(cells.size >= 20, `${cells.size} cells`);
  // Mostly self-built (66 %): rural classes present (A1 holds 砖木 and 土木 per GB/T 17742-2020;
  // no census table separates A2 穿斗木构架), and some lift housing (D).
  assert.ok(byClass[0] > 0 && byClass[2] > 0 && byClass[4] > 0, byClass.join());
  // Urban people concentrate near the seat (泸桥镇 102.23, 29.92): the cells within 5 km hold
  // more people per cell than the county average.
  const perCell = new Map<string, number>();
  for (let i = 0; i < all.count; i++) {
    if (all.regionIndex[i] !== index) continue;
    const key = `${all.lon[i]},${all.lat[i]}`;
    perCell.set(key, (perCell.get(key) ?? 0) + all.population[i]);
  }
  const near = [...perCell].filter(([key]) => {
    const [x, y] = key.split(',').map(Number);
    return Math.hypot((x - 102.2317) * 96.5, (y - 29.9152) * 111.2) < 5;
  });
  assert.ok(near.length > 0 && Math.min(...near.map(([, p]) => p)) > population / cells.size, 'seat cells denser than average');
  const county = loadNationalCounties().counties.find((c) => c.code === '513322')!;
  assert.equal(county.population, 84_204);
  assert.equal(county.urban, 39_777);
  assert.equal(county.floorAreaPerPerson, 51.18);
});

test('bbox filter keeps only cells inside, and the rows of the whole country inside it', () => {
  const bbox = bboxAround(102.08, 29.59, 100);
  const part = loadNationalExposure({ bbox });
  const all = loadNationalExposure();
  assert.ok(part.count > 0 && part.count < all.count / 20, `${part.count} of ${all.count}`);
  let inside = 0;
  for (let i = 0; i < all.count; i++) {
    if (all.lon[i] >= bbox[0] && all.lon[i] <= bbox[2] && all.lat[i] >= bbox[1] && all.lat[i] <= bbox[3]) inside++;
  }
  assert.equal(part.count, inside);
  for (let i = 0; i < part.count; i++) {
    assert.ok(part.lon[i] >= bbox[0] && part.lon[i] <= bbox[2] && part.lat[i] >= bbox[1] && part.lat[i] <= bbox[3]);
  }
  assert.equal(part.regions, all.regions);
});

test('loading is fast and cached', () => {
  const t0 = performance.now();
  loadNationalExposure();
  const cachedMs = performance.now() - t0;
  assert.ok(cachedMs < 5, `cached load ${cachedMs} ms`);
  const t1 = performance.now();
  loadNationalExposure({ bbox: bboxAround(103.4, 31.0, 500) });
  assert.ok(performance.now() - t1 < 300, 'bbox load');
});

test('counties.json and national-cells.bin agree; every census row is accounted for', () => {
  const counties = loadNationalCounties();
  const report = JSON.parse(readFileSync(EXPOSURE_DATA_DIR + 'census-join.json', 'utf8')) as { skipped: string[]; treeUnitsWithoutCensus: string[] };
  assert.equal(report.skipped.length, 5);
  const codes = new Set(counties.counties.map((c) => c.code));
  for (const code of ['441900', '442000', '460400', '620201', '513402', '460321', '230717']) assert.ok(codes.has(code), code);
});
