import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/anlan.js', import.meta.url));

function anlan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const LUDING = ['--lon', '102.08', '--lat', '29.59', '--depth', '16', '--mag', '6.8', '--strike', '160', '--time', '2022-09-05T12:52:18+08:00'];

describe('anlan quake assess', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'anlan-quake-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('bad arguments exit 2 naming each argument', async () => {
    const r = await anlan(['quake', 'assess', '--lon', '102', '--lat', '95', '--mag', '15']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--lat: latitude .* got 95/);
    assert.match(r.stderr, /--mag: magnitude .* got 15/);
    assert.match(r.stderr, /--depth: depth .* required/);
    assert.equal(r.stdout, '');
  });

  test('--json prints one object with the promised fields; --out writes the files', async () => {
    const out = join(dir, 'luding');
    const r = await anlan(['quake', 'assess', ...LUDING, '--json', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'stdout is exactly one JSON line');
    const result = JSON.parse(lines[0]);
    assert.equal(typeof result.maxIntensity, 'number');
    for (const k of ['6', '7', '8', '9', '10', '11', '12']) assert.equal(typeof result.areaKm2ByIntensity[k], 'number');
    assert.ok(result.exposedPopulationByIntensity);
    for (const k of ['median', 'low', 'high']) assert.equal(typeof result.deaths[k], 'number');
    assert.ok(result.injuries.median >= 0);
    assert.ok(['green', 'yellow', 'orange', 'red'].includes(result.pagerAlert));
    const luding = result.regions.find((x: { code: string }) => x.code === '513322');
    assert.equal(luding.name, '泸定县');
    assert.ok(luding.maxIntensity >= 8, `泸定县 max intensity ${luding.maxIntensity}`);
    assert.equal(luding.buildingsByDamageState.length, 5);
    const sumDeaths = result.regions.reduce((s: number, x: { deaths: number }) => s + x.deaths, 0);
    assert.ok(Math.abs(sumDeaths - result.deaths.median) <= 1e-6 * Math.max(1, result.deaths.median) + 0.5, 'counties add up to the total');
    for (const f of ['result.json', 'contours.geojson', 'regions.csv']) assert.ok(existsSync(join(out, f)), f);
    const contours = JSON.parse(readFileSync(join(out, 'contours.geojson'), 'utf8'));
    assert.equal(contours.type, 'FeatureCollection');
    assert.ok(contours.features.length >= 3);
    assert.match(readFileSync(join(out, 'regions.csv'), 'utf8'), /513322,泸定县,/);
  });

  test('a malformed inventory exits 1 naming the row and field', async () => {
    const csv = join(dir, 'inventory.csv');
    writeFileSync(csv, 'lon,lat,class,floor_area_m2,occupants_day,occupants_night\n102.23,29.91,C,450,10,30\n102.24,abc,D,900,40,20\n102.25,29.92,城堡,300,5,8\n');
    const r = await anlan(['quake', 'assess', ...LUDING, '--exposure', csv, '--json']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /row 3, lat/);
    assert.match(r.stderr, /row 4, class/);
    assert.equal(r.stdout, '');
  });

  test('a valid inventory is assessed building by building', async () => {
    const csv = join(dir, 'good.csv');
    writeFileSync(csv, 'lon,lat,class,floor_area_m2,occupants_day,occupants_night\n102.23,29.91,B,450,10,30\n102.24,29.90,D,900,40,20\n');
    const r = await anlan(['quake', 'assess', ...LUDING, '--exposure', csv, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.buildingsByDamageState.reduce((a: number, b: number) => a + b, 0).toFixed(3), '2.000');
  });
});
