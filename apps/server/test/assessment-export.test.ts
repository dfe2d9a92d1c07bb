import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';
import { LUDING_2022 } from '../../../tests/helpers/quake-events.ts';
import { buildXlsx, readXlsxRows, attachmentDisposition, XLSX_CONTENT_TYPE } from '../src/http/xlsx.ts';

const LUDING = { ...LUDING_2022, name: '泸定 6.8 级地震' };
const DAMAGE_HEADERS = ['基本完好（栋）', '轻微破坏（栋）', '中等破坏（栋）', '严重破坏（栋）', '毁坏（栋）'];

interface Region {
  code: string;
  name: string;
  maxIntensity: number;
  population: number;
  exposedPopulation: number;
  buildingsByDamageState: number[];
  deaths: number;
  injuries: number;
  lossCny: number;
}

/** The bytes of a response, with its headers. */
async function download(c: Client | null, url: string, path: string, headers: Record<string, string> = {}) {
  const h: Record<string, string> = { ...headers };
  if (c) h.cookie = (c as unknown as { cookie: string }).cookie;
  const res = await fetch(url + path, { headers: h });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

function filenameOf(disposition: string | null): string {
  const m = /filename\*=UTF-8''([^;]+)/i.exec(disposition ?? '');
  assert.ok(m, `content-disposition ${disposition}`);
  return decodeURIComponent(m[1]);
}

/** 分县结果 as objects keyed by the header row. */
async function countySheet(bytes: Uint8Array) {
  const sheet = await readXlsxRows(bytes, { sheet: '分县结果' });
  const [header, ...body] = sheet.rows;
  return { header: header.cells as string[], rows: body.map((r) => Object.fromEntries(header.cells.map((h, i) => [String(h), r.cells[i] ?? null]))) };
}

describe('readXlsxRows and buildXlsx', () => {
  test('a workbook written by buildXlsx reads back: numbers stay numbers, the header row is frozen', async () => {
    const buf = await buildXlsx({
      sheets: [
        {
          name: '测试',
          columns: [
            { header: '代码', key: 'code', width: 10 },
            { header: '数量', key: 'n', numFmt: '#,##0' },
            { header: '时间', key: 't' },
          ],
          rows: [
            { code: '513322', n: 1234.5, t: new Date(Date.UTC(2024, 4, 1, 8, 30, 0)) },
            { code: '  510000 ', n: null, t: null },
            { code: null, n: { value: 7, numFmt: '0.0', bold: true }, t: undefined },
          ],
          notes: ['说明：测试'],
        },
        { name: '第二页', columns: [{ header: 'a', key: 'a' }], rows: [{ a: 'x' }] },
      ],
    });
    const read = await readXlsxRows(buf);
    assert.equal(read.sheet, '测试');
    assert.deepEqual(read.sheets, ['测试', '第二页']);
    assert.deepEqual(
      read.rows.map((r) => [r.rowNumber, r.cells]),
      [
        [1, ['代码', '数量', '时间']],
        [2, ['513322', 1234.5, '2024-05-01 08:30:00']],
        [3, ['510000']],
        [4, [null, 7]],
        [6, ['说明：测试']],
      ],
    );
    assert.deepEqual((await readXlsxRows(buf, { sheet: 2 })).rows[1].cells, ['x']);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
    const ws = wb.getWorksheet('测试')!;
    assert.equal(ws.views[0]?.state, 'frozen');
    assert.equal((ws.views[0] as { ySplit?: number }).ySplit, 1);
    assert.equal(ws.getColumn(1).width, 10);
    assert.equal(ws.getCell('B2').numFmt, '#,##0');
    assert.equal(ws.getCell('B4').numFmt, '0.0');
  });

  test('a file that is not .xlsx is a 400-style ValidationError with a readable reason', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [new TextEncoder().encode('代码,名称\n513322,泸定县\n'), /not an Excel workbook \(\.xlsx\)/],
      [new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]), /old Excel 97–2003 workbook \(\.xls\)/],
      [new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5]), /not a readable Excel workbook/],
      [new Uint8Array(), /not an Excel workbook/],
    ];
    for (const [bytes, message] of cases) {
      await assert.rejects(readXlsxRows(bytes, { field: 'upload' }), (e: any) => {
        assert.equal(e.status, 400);
        assert.match(e.message, message);
        assert.equal(e.errors[0].field, 'upload');
        return true;
      });
    }
    const ok = await buildXlsx({ sheets: [{ name: 'a', columns: [{ header: 'h', key: 'h' }], rows: [] }] });
    await assert.rejects(readXlsxRows(ok, { sheet: '没有' }), /no sheet "没有"/);
    const many = await buildXlsx({ sheets: [{ name: 'a', columns: [{ header: 'h', key: 'h' }], rows: [{ h: 1 }, { h: 2 }, { h: 3 }] }] });
    await assert.rejects(readXlsxRows(many, { maxRows: 2 }), /more than 2 rows/);
  });

  test('attachmentDisposition keeps the Chinese name and an ASCII fallback', () => {
    const h = attachmentDisposition("地震快速评估-1-6.8级 (x)'.xlsx", 'earthquake-1.xlsx');
    assert.equal(h, `attachment; filename="earthquake-1.xlsx"; filename*=UTF-8''${encodeURIComponent('地震快速评估-1-6.8级 ')}%28x%29%27.xlsx`);
    assert.equal(filenameOf(h), "地震快速评估-1-6.8级 (x)'.xlsx");
  });
});

for (const target of testTargets()) {
  describe(`earthquake assessment export (${target.name})`, () => {
    let s: TestServer;
    let duty: Client;
    let national: Client;
    let created: any;
    let full: any;
    before(async () => {
      s = await startTestServer({ target });
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      national = await Client.login(s.url, 'admin', s.adminPassword);
      const res = await duty.post('/api/v1/assessments/earthquake', LUDING);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      created = res.body;
      full = (await national.get(`/api/v1/assessments/earthquake/${created.id}`)).body;
      assert.ok(full.regions.length >= 5, 'the national view has several counties');
    });
    after(() => s.close());

    test('the national administrator downloads the Excel report: every county of the JSON API, numbers as numbers', async () => {
      const res = await download(national, s.url, `/api/v1/assessments/earthquake/${created.id}/export.xlsx`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), XLSX_CONTENT_TYPE);
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="earthquake-assessment-\d+-M6\.8\.xlsx"; filename\*=UTF-8''/);
      assert.equal(filenameOf(res.headers.get('content-disposition')), `地震快速评估-${created.id}-6.8级.xlsx`);
      assert.equal(res.headers.get('cache-control'), 'private, no-store');

      const { sheets } = await readXlsxRows(res.bytes);
      assert.deepEqual(sheets, ['概要', '分县结果', '烈度分布']);

      const { header, rows } = await countySheet(res.bytes);
      assert.deepEqual(header.slice(0, 6), ['区县代码', '区县名称', '最高烈度', '烈度值', '人口', '暴露人口（VI 度及以上）']);
      assert.deepEqual(header.slice(6, 11), DAMAGE_HEADERS);
      assert.deepEqual(header.slice(11), ['死亡（人）', '受伤（人）', '直接经济损失（万元）']);
      const api = new Map<string, Region>(full.regions.map((r: Region) => [r.code, r]));
      assert.deepEqual(rows.map((r) => r['区县代码']).sort(), [...api.keys()].sort());
      for (const row of rows) {
        const r = api.get(String(row['区县代码']))!;
        assert.equal(row['区县名称'], r.name);
        assert.equal(row['烈度值'], Math.round(r.maxIntensity * 10) / 10);
        assert.equal(row['人口'], Math.round(r.population));
        assert.equal(row['暴露人口（VI 度及以上）'], Math.round(r.exposedPopulation));
        DAMAGE_HEADERS.forEach((h, i) => assert.equal(row[h], Math.round(r.buildingsByDamageState[i]), `${r.code} ${h}`));
        assert.equal(row['死亡（人）'], Math.round(r.deaths));
        assert.equal(row['受伤（人）'], Math.round(r.injuries));
        assert.equal(row['直接经济损失（万元）'], Math.round(r.lossCny / 1e3) / 10);
      }
      // Most deaths first, as on the page.
      const deaths = rows.map((r) => r['死亡（人）'] as number);
      assert.deepEqual(deaths, [...deaths].sort((a, b) => b - a));
      assert.ok(rows.some((r) => r['区县名称'] === '泸定县' && ['VIII', 'IX'].includes(String(r['最高烈度']))));

      // The cells are typed: numbers, formatted, the header frozen and filterable.
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(res.bytes) as unknown as ExcelJS.Buffer);
      const ws = wb.getWorksheet('分县结果')!;
      assert.equal(ws.views[0]?.state, 'frozen');
      assert.equal(typeof ws.getCell('L2').value, 'number');
      assert.equal(ws.getCell('L2').numFmt, '#,##0');
      assert.equal(ws.getCell('N2').numFmt, '#,##0.0');
      assert.equal(typeof ws.getCell('A2').value, 'string', 'codes stay text');
      assert.ok((ws.getColumn('B').width ?? 0) >= 10);
      assert.ok(ws.autoFilter);
    });

    test('the summary sheet has the event, the totals of the whole earthquake and the notes', async () => {
      const res = await download(duty, s.url, `/api/v1/assessments/earthquake/${created.id}/export.xlsx`);
      assert.equal(res.status, 200);
      const summary = await readXlsxRows(res.bytes, { sheet: '概要' });
      const byItem = new Map(summary.rows.map((r) => [String(r.cells[0]), r.cells.slice(1)]));
      assert.deepEqual(byItem.get('震级')?.slice(0, 2), [6.8, 'Ms']);
      assert.deepEqual(byItem.get('震中经度')?.slice(0, 1), [102.08]);
      assert.deepEqual(byItem.get('震中纬度')?.slice(0, 1), [29.59]);
      assert.deepEqual(byItem.get('震源深度')?.slice(0, 2), [16, 'km']);
      assert.deepEqual(byItem.get('走向')?.slice(0, 2), [160, '°']);
      assert.deepEqual(byItem.get('发震时刻')?.slice(0, 2), ['2022-09-05 12:52:18', '北京时间']);
      assert.equal(byItem.get('震中所在县')?.[0], '泸定县（513322）');
      assert.equal(byItem.get('评估名称')?.[0], '泸定 6.8 级地震');
      assert.equal(byItem.get('死亡（中位值）')?.[0], Math.round(created.deaths.median));
      assert.equal(byItem.get('死亡（低值）')?.[0], Math.round(created.deaths.low));
      assert.equal(byItem.get('死亡（高值）')?.[0], Math.round(created.deaths.high));
      assert.equal(byItem.get('受伤（中位值）')?.[0], Math.round(created.injuries.median));
      assert.equal(byItem.get('直接经济损失（中位值）')?.[0], Math.round(created.economicLossCny.median / 1e3) / 10);
      assert.deepEqual(byItem.get('VI 度及以上面积')?.slice(0, 2), [Math.round(created.areaKm2ByIntensity['6']), 'km²']);
      assert.equal(byItem.get('PAGER 警报')?.[0], { green: '绿色', yellow: '黄色', orange: '橙色', red: '红色' }[created.pagerAlert as string]);
      assert.match(String(byItem.get('最高烈度')?.[0]), /^(VIII|IX)$/);
      for (const s of ['基本完好', '轻微破坏', '中等破坏', '严重破坏', '毁坏']) assert.equal(typeof byItem.get(`房屋${s}`)?.[0], 'number');
      const text = summary.rows.map((r) => r.cells.join(' ')).join('\n');
      assert.match(text, /模型的估算结果/);
      assert.match(text, /数据来源/);

      const bands = await readXlsxRows(res.bytes, { sheet: '烈度分布' });
      assert.deepEqual(bands.rows[0].cells.slice(0, 3), ['烈度', '烈度值', '面积（该烈度及以上，km²）']);
      assert.deepEqual(bands.rows[1].cells.slice(0, 3), ['VI', 6, Math.round(created.areaKm2ByIntensity['6'])]);
      const areas = bands.rows.slice(1).map((r) => r.cells[2] as number);
      assert.deepEqual(areas, [...areas].sort((a, b) => b - a), 'areas shrink with intensity');
    });

    test('the scope is the server\'s: a county user gets its county only, the prefecture all of its counties, a far county 404', async () => {
      const own = await countySheet((await download(duty, s.url, `/api/v1/assessments/earthquake/${created.id}/export.xlsx`)).bytes);
      assert.deepEqual(own.rows.map((r) => r['区县代码']), ['513322']);
      const summary = await readXlsxRows((await download(duty, s.url, `/api/v1/assessments/earthquake/${created.id}/export.xlsx`)).bytes);
      assert.equal(summary.rows.find((r) => r.cells[0] === '死亡（中位值）')?.cells[1], Math.round(full.deaths.median), 'totals are the whole earthquake');

      const gz = await Client.login(s.url, 'gz-duty', s.demoPassword);
      const gzJson = (await gz.get(`/api/v1/assessments/earthquake/${created.id}`)).body;
      const gzSheet = await countySheet((await download(gz, s.url, `/api/v1/assessments/earthquake/${created.id}/export.xlsx`)).bytes);
      assert.deepEqual(gzSheet.rows.map((r) => r['区县代码']).sort(), gzJson.regions.map((r: Region) => r.code).sort());
      assert.ok(gzSheet.rows.every((r) => String(r['区县代码']).startsWith('5133')));
      assert.ok(gzSheet.rows.length < full.regions.length, 'counties outside 甘孜州 are left out');

      await national.post('/api/v1/users', { username: 'bj-duty', password: 'beijing-123', displayName: '北京值班员', role: 'duty', regionCode: '110101' });
      const bj = await Client.login(s.url, 'bj-duty', 'beijing-123');
      for (const ext of ['xlsx', 'geojson']) {
        const res = await download(bj, s.url, `/api/v1/assessments/earthquake/${created.id}/export.${ext}`);
        assert.equal(res.status, 404, ext);
        assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      }
      assert.equal((await download(duty, s.url, `/api/v1/assessments/earthquake/999999/export.xlsx`)).status, 404);
      assert.equal((await download(duty, s.url, `/api/v1/assessments/earthquake/abc/export.xlsx`)).status, 400);
    });

    test('unauthenticated callers get 401; an API token in scope downloads', async () => {
      for (const ext of ['xlsx', 'geojson']) {
        assert.equal((await download(null, s.url, `/api/v1/assessments/earthquake/${created.id}/export.${ext}`)).status, 401, ext);
      }
      const token = await national.post('/api/v1/tokens', { name: '甘孜州 数据对接', regionCode: '513300' });
      assert.equal(token.status, 201, JSON.stringify(token.body));
      const res = await download(null, s.url, `/api/v1/assessments/earthquake/${created.id}/export.xlsx`, { authorization: `Bearer ${token.body.token}` });
      assert.equal(res.status, 200);
      const sheet = await countySheet(res.bytes);
      assert.ok(sheet.rows.length >= 1 && sheet.rows.every((r) => String(r['区县代码']).startsWith('5133')));
    });

    test('GeoJSON: contour polygons VI and up, then the county points of the caller\'s scope', async () => {
      const res = await download(national, s.url, `/api/v1/assessments/earthquake/${created.id}/export.geojson`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/geo+json');
      assert.equal(filenameOf(res.headers.get('content-disposition')), `地震快速评估-${created.id}-6.8级.geojson`);
      const fc = JSON.parse(new TextDecoder().decode(res.bytes));
      assert.equal(fc.type, 'FeatureCollection');
      const polygons = fc.features.filter((f: any) => f.geometry?.type === 'Polygon');
      assert.equal(polygons.length, created.contours.features.length);
      assert.ok(polygons.length >= 3);
      assert.deepEqual(polygons.map((f: any) => f.properties.intensity), created.contours.features.map((f: any) => f.properties.intensity));
      assert.equal(polygons[0].properties.intensity, 6);
      assert.equal(polygons[0].properties.label, 'VI 度');
      assert.equal(polygons[0].properties.kind, 'intensity');
      assert.deepEqual(polygons[0].geometry.coordinates, created.contours.features[0].geometry.coordinates);
      const ring = polygons[0].geometry.coordinates[0];
      assert.deepEqual(ring[0], ring[ring.length - 1], 'closed ring');

      const points = fc.features.filter((f: any) => f.properties.kind === 'county');
      assert.deepEqual(points.map((f: any) => f.properties.code).sort(), full.regions.map((r: Region) => r.code).sort());
      const luding = points.find((f: any) => f.properties.code === '513322');
      assert.equal(luding.geometry.type, 'Point');
      const [lon, lat] = luding.geometry.coordinates;
      assert.ok(Math.abs(lon - 102.23) < 0.1 && Math.abs(lat - 29.92) < 0.1, `泸定县 seat ${lon}, ${lat}`);
      const api = full.regions.find((r: Region) => r.code === '513322');
      assert.equal(luding.properties.deaths, api.deaths);
      assert.equal(luding.properties.buildings_complete, api.buildingsByDamageState[4]);
      assert.equal(fc.assessment.id, created.id);

      const own = JSON.parse(new TextDecoder().decode((await download(duty, s.url, `/api/v1/assessments/earthquake/${created.id}/export.geojson`)).bytes));
      assert.deepEqual(own.features.filter((f: any) => f.properties.kind === 'county').map((f: any) => f.properties.code), ['513322']);
      assert.equal(own.features.filter((f: any) => f.properties.kind === 'intensity').length, polygons.length, 'contours are the whole earthquake');
    });

    test('the OpenAPI document describes both downloads', async () => {
      const doc = (await national.get('/api/docs/json')).body;
      const xlsx = doc.paths['/api/v1/assessments/earthquake/{id}/export.xlsx'].get;
      assert.deepEqual(xlsx.tags, ['assessment']);
      assert.ok(xlsx.responses['200'].content[XLSX_CONTENT_TYPE]);
      assert.match(xlsx.responses['200'].description, /分县结果/);
      assert.ok(xlsx.responses['200'].headers['content-disposition']);
      const geo = doc.paths['/api/v1/assessments/earthquake/{id}/export.geojson'].get;
      assert.ok(geo.responses['200'].content['application/geo+json']);
      assert.ok(geo.responses['404'] || geo.responses['4XX']);
    });
  });
}
