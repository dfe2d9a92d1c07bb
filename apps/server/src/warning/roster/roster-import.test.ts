import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../../../tests/helpers/server.ts';
import { Client } from '../../../../../tests/helpers/http.ts';
import { buildXlsx, readXlsxRows, XLSX_CONTENT_TYPE, type XlsxCell } from '../../http/xlsx.ts';
import { PERSON_COLUMNS, ASSIGNMENT_COLUMNS } from './columns.ts';

const BASE = '/api/v1/warning';

/** Sends raw bytes (an .xlsx, a CSV) with the client's session; the shared helper sends text only. */
async function upload(c: Client, path: string, data: Uint8Array | string, contentType: string) {
  const res = await fetch(c.baseUrl + path, {
    method: 'POST',
    headers: { cookie: (c as unknown as { cookie: string }).cookie, 'x-csrf-token': c.csrfToken, 'content-type': contentType },
    body: typeof data === 'string' ? data : Buffer.from(data),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, text };
}

async function download(c: Client, path: string) {
  const res = await fetch(c.baseUrl + path, { headers: { cookie: (c as unknown as { cookie: string }).cookie } });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

type Row = Record<string, XlsxCell>;
const personHeaders = ['姓名', '手机号', '角色', '区划代码', '上级手机号', '备注'];
const assignmentHeaders = ['责任人手机号', '类别', '人员类别', '名称', '区划代码', '经度', '纬度', '人数', '编号'];

function workbook(persons: unknown[][] | null, assignments: unknown[][] | null): Promise<Buffer> {
  const sheet = (name: string, headers: string[], rows: unknown[][]) => ({
    name,
    columns: headers.map((h, i) => ({ header: h, key: `c${i}` })),
    rows: rows.map((r) => Object.fromEntries(r.map((v, i) => [`c${i}`, v as XlsxCell])) as Row),
  });
  const sheets = [];
  if (persons) sheets.push(sheet('责任人', personHeaders, persons));
  if (assignments) sheets.push(sheet('包保对象', assignmentHeaders, assignments));
  return buildXlsx({ sheets });
}

type RowErr = { sheet: string; row: number; field: string; column?: string; message: string };
const errorsOf = (report: { errors: RowErr[] }, sheet: string, row: number) => report.errors.filter((e) => e.sheet === sheet && e.row === row);

// The rows of the main test file: a county's chain in reverse order, and every kind of bad row.
const PERSONS: unknown[][] = [
  ['王村干部', '13900000203', '村干部', '513322100001', '13900000202', null], // 2: its superior is on row 3
  ['李镇长', '13900000202', '乡镇责任人、防汛责任人', '513322100', '13900000201', null], // 3
  ['罗县长', '13900000201', '县级责任人', '513322', null, '县级防汛'], // 4
  ['张三', '1234', '网格员', '513322100', null, null], // 5: bad phone
  ['赵四', '13900000205', '村长助理', '513322100', null, null], // 6: unknown role
  ['钱五', '13900000206', '网格员', '513301', null, null], // 7: outside the region
  ['孙六', '13900000207', '网格员', '513322100', '13900009999', null], // 8: unknown superior
  ['王村干部2', '13900000203', '村干部', '513322100001', null, null], // 9: phone again
  ['周七', '13900000208', '网格员', '513322100', '13900000205', null], // 10: superior on a rejected row
  ['吴甲', '13900000209', '网格员', '513322100', '13900000210', null], // 11: a loop…
  ['郑乙', '13900000210', '网格员', '513322100', '13900000209', null], // 12: …with row 11
  ['冯丙', 13900000211, '网格员', '513322103', '13900000202', null], // 13: a number cell, another township
  ['陈丁', '+86 139 0000 0212', 'grid,informant', '513322100002', '13900000202', null], // 14
];
const ASSIGNMENTS: unknown[][] = [
  ['13900000203', '住户', null, '王家', '513322100001', 102.236, 29.919, 4, null], // 2: a person of this file
  ['13900000202', '特殊人群', '独居老人', '李奶奶', '513322100', null, null, 1, null], // 3
  ['13900009999', '住户', null, '无主户', '513322100', null, null, 3, null], // 4: nobody has this phone
  ['13900000205', '住户', null, '赵家', '513322100', null, null, 3, null], // 5: that person's row was rejected
  ['13900000203', '特殊人群', null, '留守的孩子', '513322100001', null, null, 1, null], // 6: no category
  ['13900000203', '住户', null, '半个位置', '513322100001', 102.236, null, 2, null], // 7: lon without lat
  ['13900000203', '宿舍', null, '集体宿舍', '513322100001', null, null, 20, null], // 8: unknown kind
  ['13900000301', '场所', null, '泸桥镇某小学', '513322100', 102.235, 29.918, 640, null], // 9: a person already on the roster
  ['13900000203', '住户', null, '刘家', '513322100001', null, null, 3, 5], // 10: an id in insert mode
];

for (const target of testTargets()) {
  describe(`warning roster import and export (${target.name})`, () => {
    let s: TestServer;
    let duty: Client;
    let kd: Client;

    before(async () => {
      s = await startTestServer({ target });
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      const admin = await Client.login(s.url, 'admin', s.adminPassword);
      const made = await admin.post('/api/v1/users', { username: 'kd-duty', password: 'kangding-123', displayName: '康定市值班员', role: 'duty', regionCode: '513301' });
      assert.equal(made.status, 201, made.text);
      kd = await Client.login(s.url, 'kd-duty', 'kangding-123');
      const existing = await duty.post(`${BASE}/persons`, { name: '校长', phone: '13900000301', roles: ['guardian'], regionCode: '513322100' });
      assert.equal(existing.status, 201, existing.text);
    });
    after(() => s.close());

    test('a dry run checks everything and stores nothing', async () => {
      const res = await upload(duty, `${BASE}/roster/import?dryRun=true`, await workbook(PERSONS, ASSIGNMENTS), XLSX_CONTENT_TYPE);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.dryRun, true);
      assert.deepEqual(res.body.sheets.map((x: { inserted: number; rejected: number }) => [x.inserted, x.rejected]), [[5, 8], [3, 6]]);
      assert.equal((await duty.get(`${BASE}/persons`)).body.total, 1);
    });

    test('a workbook: good rows kept in any order, bad ones reported by sheet, row, column and reason', async () => {
      const res = await upload(duty, `${BASE}/roster/import`, await workbook(PERSONS, ASSIGNMENTS), XLSX_CONTENT_TYPE);
      assert.equal(res.status, 200, res.text);
      const report = res.body;
      assert.equal(report.format, 'xlsx');
      const [persons, assignments] = report.sheets;
      assert.deepEqual({ ...persons, ignoredColumns: undefined }, { kind: 'persons', sheet: '责任人', rows: 13, inserted: 5, updated: 0, unchanged: 0, rejected: 8, ignoredColumns: undefined });
      assert.deepEqual({ ...assignments, ignoredColumns: undefined }, { kind: 'assignments', sheet: '包保对象', rows: 9, inserted: 3, updated: 0, unchanged: 0, rejected: 6, ignoredColumns: undefined });

      const one = (sheet: string, row: number) => {
        const list = errorsOf(report, sheet, row);
        assert.equal(list.length, 1, `${sheet} row ${row}: ${JSON.stringify(list)}`);
        return list[0];
      };
      assert.deepEqual({ ...one('责任人', 5), message: undefined }, { sheet: '责任人', row: 5, field: 'phone', column: '手机号', message: undefined });
      assert.match(one('责任人', 5).message, /mainland mobile number of 11 digits \(got 4\)/);
      assert.equal(one('责任人', 6).column, '角色');
      assert.match(one('责任人', 6).message, /unknown role "村长助理"/);
      assert.equal(one('责任人', 7).column, '区划代码');
      assert.match(one('责任人', 7).message, /outside your region 513322/);
      assert.equal(one('责任人', 8).column, '上级手机号');
      assert.match(one('责任人', 8).message, /no responsible person with phone 13900009999/);
      assert.match(one('责任人', 9).message, /appears again \(first on row 2\)/);
      assert.match(one('责任人', 10).message, /superior's row \(row 6\) could not be imported/);
      assert.match(one('责任人', 11).message, /loop in the chain of superiors \(吴甲 → 郑乙 → 吴甲\)/);
      assert.match(one('责任人', 12).message, /loop in the chain of superiors/);
      assert.match(one('包保对象', 4).message, /no responsible person with phone 13900009999 is on the roster of your region or in this file/);
      assert.match(one('包保对象', 5).message, /phone 13900000205 \(sheet 责任人, row 6\) could not be imported/);
      assert.deepEqual([one('包保对象', 6).field, one('包保对象', 6).column], ['category', '人员类别']);
      assert.deepEqual([one('包保对象', 7).field, one('包保对象', 7).column], ['lat', '纬度']);
      assert.deepEqual([one('包保对象', 8).field, one('包保对象', 8).column], ['kind', '类别']);
      assert.match(one('包保对象', 10).message, /is 5: leave it empty/);
      assert.equal(report.errorCount, 14);

      // The chain as the file gave it, and the assignments on the right persons.
      const list = (await duty.get(`${BASE}/persons?limit=100`)).body.items as { name: string; phone: string; superiorName: string | null; roles: string[]; id: number; people: number }[];
      const by = Object.fromEntries(list.map((p) => [p.name, p]));
      assert.deepEqual(Object.keys(by).sort(), ['冯丙', '李镇长', '校长', '王村干部', '罗县长', '陈丁'].sort());
      assert.equal(by['王村干部'].superiorName, '李镇长');
      assert.equal(by['李镇长'].superiorName, '罗县长');
      assert.deepEqual(by['李镇长'].roles, ['flood', 'township']);
      assert.equal(by['罗县长'].superiorName, null);
      assert.equal(by['陈丁'].phone, '13900000212');
      assert.deepEqual(by['陈丁'].roles, ['grid', 'informant']);
      assert.equal(by['冯丙'].phone, '13900000211');
      assert.equal(by['王村干部'].people, 4);
      assert.equal(by['李镇长'].people, 1);
      assert.equal(by['校长'].people, 640);
      const chain = (await duty.get(`${BASE}/persons/${by['王村干部'].id}/chain`)).body.items.map((c: { name: string }) => c.name);
      assert.deepEqual(chain, ['王村干部', '李镇长', '罗县长']);
      const elder = (await duty.get(`${BASE}/assignments?kind=vulnerable`)).body.items;
      assert.deepEqual(elder.map((a: { name: string; category: string }) => [a.name, a.category]), [['李奶奶', 'elderly_alone']]);

      const audit = (await (await Client.login(s.url, 'ld-admin', s.demoPassword)).get('/api/v1/audit?limit=50')).body.items as { action: string; after: any }[];
      const entry = audit.find((a) => a.action === 'warning.roster_imported')!;
      assert.equal(entry.after.persons.insertedIds.length, 5);
      assert.equal(entry.after.assignments.insertedIds.length, 3);
    });

    test('export, then import again: insert mode refuses every known row, upsert changes only what changed', async () => {
      const file = await download(duty, `${BASE}/roster/export.xlsx`);
      assert.equal(file.status, 200);
      assert.match(file.headers.get('content-disposition') ?? '', /filename\*=UTF-8''%E8%B4%A3%E4%BB%BB%E4%BA%BA%E5%90%8D%E5%86%8C-513322-\d{8}\.xlsx/);
      const sheet = await readXlsxRows(file.bytes, { sheet: '责任人' });
      assert.deepEqual(sheet.sheets, ['责任人', '包保对象', '说明']);
      assert.deepEqual(sheet.rows[0].cells, PERSON_COLUMNS.map((c) => c.header));
      const headers = sheet.rows[0].cells as string[];
      const cell = (row: (string | number | null)[], header: string) => row[headers.indexOf(header)];
      const wang = sheet.rows.find((r) => cell(r.cells, '姓名') === '王村干部')!;
      assert.equal(cell(wang.cells, '上级手机号'), '13900000202');
      assert.equal(cell(wang.cells, '角色'), '村干部');
      assert.equal(cell(wang.cells, '区划名称'), '南段社区');
      const assignmentSheet = await readXlsxRows(file.bytes, { sheet: '包保对象' });
      assert.deepEqual(assignmentSheet.rows[0].cells, ASSIGNMENT_COLUMNS.map((c) => c.header));
      assert.equal(assignmentSheet.rows.length, 4);

      const refused = await upload(duty, `${BASE}/roster/import`, file.bytes, XLSX_CONTENT_TYPE);
      assert.equal(refused.status, 400);
      assert.match(refused.body.detail, /No row could be imported \(9 rejected\)/);
      assert.ok(refused.body.errors.some((e: { field: string; message: string }) => /^责任人 row \d+: phone$/.test(e.field) && /already on the roster/.test(e.message)));

      const same = await upload(duty, `${BASE}/roster/import?mode=upsert`, file.bytes, XLSX_CONTENT_TYPE);
      assert.equal(same.status, 200, same.text);
      assert.deepEqual(same.body.sheets.map((x: { updated: number; unchanged: number; rejected: number }) => [x.updated, x.unchanged, x.rejected]), [[0, 6, 0], [0, 3, 0]]);

      // Change one note and one head count in the exported sheets, and import them as a new workbook.
      const rows = (s: typeof sheet) => s.rows.slice(1).map((r) => r.cells);
      const personRows = rows(sheet).map((r) => (cell(r, '姓名') === '罗县长' ? r.map((v, i) => (headers[i] === '备注' ? '县级防汛责任人，分管应急' : v)) : r));
      const aHeaders = assignmentSheet.rows[0].cells as string[];
      const assignmentRows = rows(assignmentSheet).map((r) => (r[aHeaders.indexOf('名称')] === '王家' ? r.map((v, i) => (aHeaders[i] === '人数' ? 5 : v)) : r));
      const edited = await buildXlsx({
        sheets: [
          { name: '责任人', columns: headers.map((h, i) => ({ header: h, key: `c${i}` })), rows: personRows.map((r) => Object.fromEntries(r.map((v, i) => [`c${i}`, v]))) },
          { name: '包保对象', columns: aHeaders.map((h, i) => ({ header: h, key: `c${i}` })), rows: assignmentRows.map((r) => Object.fromEntries(r.map((v, i) => [`c${i}`, v]))) },
        ],
      });
      const changed = await upload(duty, `${BASE}/roster/import?mode=upsert`, edited, XLSX_CONTENT_TYPE);
      assert.equal(changed.status, 200, changed.text);
      assert.deepEqual(changed.body.sheets.map((x: { updated: number; unchanged: number }) => [x.updated, x.unchanged]), [[1, 5], [1, 2]]);
      const luo = (await duty.get(`${BASE}/persons?q=${encodeURIComponent('罗县长')}`)).body.items[0];
      assert.equal(luo.notes, '县级防汛责任人，分管应急');
      assert.equal(luo.version, 2);
    });

    test('CSV: a table of either kind, told by its headers or by ?kind; upsert refuses a loop through the roster', async () => {
      const persons = '\uFEFFname,phone,roles,regionCode,superiorPhone\r\n褚戊,13900000401,grid,513322100003,13900000202\r\n卫己,13900000402,防汛,513322101,\r\n';
      const res = await upload(duty, `${BASE}/roster/import`, persons, 'text/csv');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.format, 'csv');
      assert.deepEqual(res.body.sheets.map((x: { kind: string; inserted: number }) => [x.kind, x.inserted]), [['persons', 2]]);
      const assignments = '人员手机,对象类别,对象名称,区划代码,人数\r\n13900000401,住户,褚家,513322100003,4\r\n';
      const unknown = await upload(duty, `${BASE}/roster/import`, assignments, 'text/csv');
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.errors[0].message, /neither the persons' columns/);
      const told = await upload(duty, `${BASE}/roster/import?kind=assignments`, assignments.replace('人员手机', '责任人手机号'), 'text/csv');
      assert.equal(told.status, 200, told.text);
      assert.equal(told.body.sheets[0].inserted, 1);
      // 罗县长 below 王村干部, whose chain goes up to 罗县长 through 李镇长.
      const loop = await upload(duty, `${BASE}/roster/import?mode=upsert`, '姓名,手机号,角色,区划代码,上级手机号\n罗县长,13900000201,县级责任人,513322,13900000203\n', 'text/csv');
      assert.equal(loop.status, 400);
      assert.match(loop.body.errors[0].message, /loop in the chain of superiors \(罗县长 → 王村干部 → 李镇长 → 罗县长\)/);
      const csv = await download(duty, `${BASE}/roster/export.csv?kind=assignments&regionCode=513322100`);
      assert.deepEqual([...csv.bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'a byte-order mark, for Excel on Chinese Windows');
      const text = new TextDecoder().decode(csv.bytes);
      assert.ok(text.startsWith('编号,责任人手机号,责任人,类别'), text.slice(0, 60));
      assert.match(text, /褚家/);
      assert.doesNotMatch(text, /冯丙/);
    });

    test('scope and roles: another county imports nothing of 泸定 and exports nothing of it; only writers import', async () => {
      const res = await upload(kd, `${BASE}/roster/import`, await workbook([['某人', '13900000501', '网格员', '513322100', '13900000202', null]], null), XLSX_CONTENT_TYPE);
      assert.equal(res.status, 400);
      assert.match(JSON.stringify(res.body.errors), /outside your region 513301/);
      assert.match(JSON.stringify(res.body.errors), /13900000202 is the phone of a responsible person outside your region/);
      const exported = await readXlsxRows((await download(kd, `${BASE}/roster/export.xlsx`)).bytes);
      assert.equal(exported.rows.length, 1, 'the header only');
      const inspector = await Client.login(s.url, 'ld-inspector', s.demoPassword);
      assert.equal((await upload(inspector, `${BASE}/roster/import`, 'a,b\n1,2\n', 'text/csv')).status, 403);
      assert.equal((await upload(duty, `${BASE}/roster/import`, 'not a roster at all', 'text/csv')).status, 400);
      const xls = await upload(duty, `${BASE}/roster/import`, new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 1, 2, 3]), 'application/vnd.ms-excel');
      assert.match(xls.body.detail, /old Excel 97–2003 workbook/);
    });
  });
}
