import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbedded } from '@anlan/db';
import { buildXlsx } from '@anlan/server/http/xlsx';
import { EMBEDDED_TEMPLATE_PATH } from '../../../../tests/setup/paths.ts';

const BIN = fileURLToPath(new URL('../../bin/anlan.js', import.meta.url));

function anlan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ANLAN_DATABASE_URL: '', ANLAN_ADMIN_PASSWORD: 'cli-admin-pass' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const sheet = (name: string, headers: string[], rows: unknown[][]) => ({
  name,
  columns: headers.map((h, i) => ({ header: h, key: `c${i}` })),
  rows: rows.map((r) => Object.fromEntries(r.map((v, i) => [`c${i}`, v as string | number | null]))),
});

describe('anlan warning roster import', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anlan-roster-cli-'));
    const db = await openEmbedded({ dataDir: join(dir, 'pg'), loadDataDir: new Blob([readFileSync(EMBEDDED_TEMPLATE_PATH)]) });
    await db.close();
    file = join(dir, 'roster.xlsx');
    writeFileSync(
      file,
      await buildXlsx({
        sheets: [
          sheet('责任人', ['姓名', '手机号', '角色', '区划代码', '上级手机号'], [
            ['网格员甲', '13900000603', '网格员', '513322100001', '13900000602'],
            ['镇长乙', '13900000602', '乡镇责任人', '513322100', '13900000601'],
            ['县长丙', '13900000601', '县级责任人', '513322', null],
            ['坏号码', '1390000', '网格员', '513322100', null],
          ]),
          sheet('包保对象', ['责任人手机号', '类别', '人员类别', '名称', '区划代码', '人数'], [
            ['13900000603', '特殊人群', '留守儿童', '小明', '513322100001', 1],
            ['13900000603', '特殊人群', null, '小红', '513322100001', 1],
          ]),
        ],
      }),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('usage errors exit 2 and say what is missing', async () => {
    assert.equal((await anlan(['warning', 'roster'])).code, 2);
    const noFile = await anlan(['warning', 'roster', 'import', '--data-dir', dir]);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /give the file/);
    assert.equal((await anlan(['warning', 'roster', 'import', file, '--mode', 'merge', '--data-dir', dir])).code, 2);
  });

  test('good rows stored, bad rows reported by sheet, row and column; a file with nothing new exits 1', async () => {
    const report = join(dir, 'errors.csv');
    const res = await anlan(['warning', 'roster', 'import', file, '--region', '513322', '--report', report, '--data-dir', dir]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /导入 \(imported\) 责任人: 4 rows — 3 new, 0 updated, 0 unchanged, 1 rejected/);
    assert.match(res.stdout, /导入 \(imported\) 包保对象: 2 rows — 1 new, 0 updated, 0 unchanged, 1 rejected/);
    assert.match(res.stdout, /责任人 row 5 \[手机号\]: must be a mainland mobile number of 11 digits \(got 7\)/);
    assert.match(res.stdout, /包保对象 row 3 \[人员类别\]: is required for a vulnerable person/);
    const csv = readFileSync(report, 'utf8');
    assert.match(csv, /责任人,5,手机号,/);
    // The same file again in insert mode: nothing new can be stored.
    const again = await anlan(['warning', 'roster', 'import', file, '--region', '513322', '--data-dir', dir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No row could be imported/);
  });
});
