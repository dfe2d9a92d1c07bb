import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gcj02ToWgs84 } from './gcj02.ts';
import type { MultiPolygonCoords } from './geometry.ts';
import { readBoundaryFile } from './import-boundaries.ts';
import { findInvalidRings } from './ring-validity.ts';
import { writeShapefile, type DbfField } from './testing/shapefile-writer.ts';

const MIXED = fileURLToPath(new URL('../test-fixtures/mixed-features.geojson', import.meta.url));

void test('GeoJSON: good features become records, each bad one is reported by position and reason', async () => {
  const { records, errors } = await readBoundaryFile(MIXED);
  assert.deepEqual(
    records.map((r) => [r.code, r.name, r.level, r.parentCode]),
    [
      ['513322', '泸定县', 'county', '513300'],
      ['513301', '康定市', 'county', '513300'],
      ['513323', '丹巴县', 'county', '513300'], // 12-digit XZQDM 513323000000
      ['513322100', '泸桥镇', 'township', '513322'], // 12-digit 513322100000
    ],
  );
  const summary = errors.map((e) => `${e.feature}:${e.field ?? '-'}`);
  assert.deepEqual(summary, ['3:adcode', '4:geometry', '5:geometry', '6:geometry', '7:-', '9:XZQDM']);
  const message = (n: number) => errors.find((e) => e.feature === n)!.message;
  assert.match(message(3), /not 6, 9 or 12 digits/);
  assert.match(message(4), /not closed/);
  assert.match(message(5), /outside lon 73\.\.136.*projected/);
  assert.match(message(6), /Point is not Polygon or MultiPolygon/);
  assert.match(message(7), /no region code/);
  assert.match(message(9), /village/);
});

void test('imported records have valid geometry at all levels and a shared border stays shared', async () => {
  const { records } = await readBoundaryFile(MIXED);
  const [luding, kangding] = records;
  for (const r of records) {
    for (const level of ['0', '1', '2'] as const) assert.equal(findInvalidRings(r.geometry[level].flat()).size, 0);
  }
  const onBorder = (g: MultiPolygonCoords) => [
    ...new Set(
      g[0][0]
        .filter(([lon]) => lon > 102.19 && lon < 102.21)
        .map((p) => p.join(','))
        .sort(),
    ),
  ];
  assert.deepEqual(onBorder(luding.geometry['2']), onBorder(kangding.geometry['2']));
  assert.equal(onBorder(luding.geometry['2']).length, 6);
  assert.deepEqual(luding.bbox, [102.1, 29.7, 102.204, 29.8]);
});

void test('crs gcj02 converts every vertex to WGS84; codeField picks the attribute', async () => {
  const wgs = await readBoundaryFile(MIXED, { crs: 'gcj02', codeField: 'adcode' });
  // Only features with "adcode" count now; 513301 (in "code") is reported as missing its code.
  assert.deepEqual(
    wgs.records.map((r) => r.code),
    ['513322'],
  );
  assert.ok(wgs.errors.some((e) => e.feature === 2 && e.field === 'adcode' && /no region code/.test(e.message)));
  const [lon, lat] = gcj02ToWgs84(102.1, 29.7);
  const corner = wgs.records[0].geometry['2'][0][0].find(([x, y]) => Math.abs(x - lon) < 1e-4 && Math.abs(y - lat) < 1e-4);
  assert.ok(corner, 'south-west corner moved by the GCJ-02 offset');
});

void test('Shapefile: polygons with GBK attributes and no .cpg; null shapes are reported', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'anlan-shp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const square = (x: number, y: number, d: number): MultiPolygonCoords => [
    [
      [
        [x, y],
        [x + d, y],
        [x + d, y + d],
        [x, y + d],
        [x, y],
      ],
    ],
  ];
  // "泸定县" and "康定市" in GBK, as older ArcGIS exports write them.
  const luding = Uint8Array.from([0xe3, 0xf2, 0xb6, 0xa8, 0xcf, 0xd8]);
  const kangding = Uint8Array.from([0xbf, 0xb5, 0xb6, 0xa8, 0xca, 0xd0]);
  const fields: DbfField[] = [
    { name: 'PAC', type: 'N', length: 12 },
    { name: 'NAME', type: 'C', length: 20 },
  ];
  const base = join(dir, 'counties');
  writeShapefile(
    base,
    [
      { geometry: square(102.1, 29.7, 0.1), attributes: { PAC: 513322, NAME: luding } },
      { geometry: null, attributes: { PAC: 513323, NAME: 'x' } },
      { geometry: square(102.2, 29.7, 0.1), attributes: { PAC: 513301, NAME: kangding } },
    ],
    fields,
  );
  const { records, errors } = await readBoundaryFile(`${base}.shp`);
  assert.deepEqual(
    records.map((r) => [r.code, r.name]),
    [
      ['513322', '泸定县'],
      ['513301', '康定市'],
    ],
  );
  assert.deepEqual(errors, [{ feature: 2, field: 'geometry', message: 'feature has no geometry' }]);
  assert.deepEqual(records[0].bbox, [102.1, 29.7, 102.2, 29.8]);

  // With a .cpg the declared encoding is used as is.
  const utf8 = join(dir, 'utf8');
  writeShapefile(utf8, [{ geometry: square(102.1, 29.7, 0.1), attributes: { PAC: 513322, NAME: '泸定县' } }], fields);
  writeFileSync(`${utf8}.cpg`, 'UTF-8');
  const second = await readBoundaryFile(`${utf8}.shp`);
  assert.equal(second.records[0].name, '泸定县');
});

void test('an unsupported file type is refused outright', async () => {
  await assert.rejects(readBoundaryFile('/tmp/boundaries.kml'), /unsupported file type/);
});
