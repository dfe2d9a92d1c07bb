import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStructureClass, readExposureCache, readInventory, writeExposureCache } from './inventory.ts';
import { loadNationalExposure, bboxAround } from './national.ts';

const dir = mkdtempSync(join(tmpdir(), 'anlan-inventory-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('structure classes: codes and Chinese names', () => {
  assert.equal(parseStructureClass('A1'), 0);
  assert.equal(parseStructureClass('d'), 4);
  assert.equal(parseStructureClass('土木'), 0);
  assert.equal(parseStructureClass('砖木结构'), 0);
  assert.equal(parseStructureClass('穿斗木构架'), 1);
  assert.equal(parseStructureClass('未设防砖混'), 2);
  assert.equal(parseStructureClass('砖混'), 3);
  assert.equal(parseStructureClass('钢筋混凝土框架'), 4);
  assert.equal(parseStructureClass('钢结构'), 5);
  assert.equal(parseStructureClass('茅草'), null);
});

test('CSV inventory: good rows kept, each bad row reported with row and field', () => {
  const path = join(dir, 'city.csv');
  writeFileSync(
    path,
    [
      'lon,lat,结构,floors,floor_area_m2,occupants_day,occupants_night,value_cny,region_code',
      '102.2317,29.9152,砖混,4,1200,30,60,2400000,513322', // row 2: good
      '102.2300,29.9100,框架,12,8000,200,300,,', // row 3: good, region by point-in-polygon, default value
      '102.2300,29.9100,茅草,1,80,2,4,,', // row 4: bad class
      '102.2300,95,D,5,500,10,20,,', // row 5: bad lat
      '102.2300,29.9100,C,2,-5,1,1,,', // row 6: bad floor area
      '102.2300,29.9100,C,two,100,1,1,,', // row 7: bad floors
      '102.2300,29.9100,C,2,100,,1,,', // row 8: day occupants missing
      '102.2300,29.9100,C,2,100,1,1,,999999', // row 9: unknown region code
      '"116.3975","39.9087","钢结构",3,"5,000",50,0,,', // row 10: quoted fields; "5,000" is not a number
      '116.3975,39.9087,E,3,5000,50,0,,', // row 11: good, 北京 东城区
      '150.0,10.0,C,1,100,1,1,,', // row 12: in no county
    ].join('\n') + '\n',
  );
  const { exposure, errors } = readInventory(path);
  assert.equal(exposure.count, 3);
  assert.deepEqual(
    errors.map((e) => `${e.row}:${e.field}`),
    ['4:class', '5:lat', '6:floor_area_m2', '7:floors', '8:occupants_day', '9:region_code', '10:floor_area_m2', '12:region_code'],
  );
  assert.match(errors[0].message, /茅草/);
  const codes = Array.from(exposure.regionIndex, (i) => exposure.regions[i].code);
  assert.deepEqual(codes, ['513322', '513322', '110101']);
  assert.deepEqual(Array.from(exposure.classIndex), [3, 4, 5]);
  assert.equal(exposure.valueCny[0], 2_400_000);
  assert.equal(exposure.valueCny[1], 8000 * 3000); // national replacement cost of class D
  assert.equal(exposure.buildings[0], 1);
});

test('GeoJSON inventory', () => {
  const path = join(dir, 'city.geojson');
  writeFileSync(
    path,
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: { type: 'Point', coordinates: [102.2317, 29.9152] }, properties: { structure: 'B', floor_area_m2: 300, occupants_day: 3, occupants_night: 6 } },
        { type: 'Feature', geometry: null, properties: { structure: 'B', floor_area_m2: 300, occupants_day: 3, occupants_night: 6 } },
      ],
    }),
  );
  const { exposure, errors } = readInventory(path);
  assert.equal(exposure.count, 1);
  assert.equal(exposure.regions[0].code, '513322');
  assert.deepEqual(errors.map((e) => `${e.row}:${e.field}`), ['2:lon', '2:lat']);
});

test('exposure cache round trip', () => {
  const exposure = loadNationalExposure({ bbox: bboxAround(102.08, 29.59, 300) });
  const path = join(dir, 'exposure.bin');
  writeExposureCache(path, exposure);
  const t0 = performance.now();
  const back = readExposureCache(path);
  const ms = performance.now() - t0;
  assert.equal(back.count, exposure.count);
  assert.deepEqual(back.regions, exposure.regions);
  for (const key of ['lon', 'lat', 'regionIndex', 'classIndex', 'buildings', 'floorAreaM2', 'occupantsDay', 'occupantsNight', 'valueCny', 'population'] as const) {
    assert.deepEqual(back[key], exposure[key], key);
  }
  assert.ok(ms < 200, `${ms} ms for ${exposure.count} rows`);
});
