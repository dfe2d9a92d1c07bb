import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbedded } from '@anlan/db';
import { usccCheckCharacter } from '@anlan/core';
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

function code(n: number): string {
  const body = `91513322CLQ${String(n).padStart(6, '0')}`;
  return body + usccCheckCharacter(body);
}

describe('anlan risk import', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anlan-risk-cli-'));
    const db = await openEmbedded({ dataDir: join(dir, 'pg'), loadDataDir: new Blob([readFileSync(EMBEDDED_TEMPLATE_PATH)]) });
    await db.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('usage errors exit 2', async () => {
    assert.equal((await anlan(['risk'])).code, 2);
    assert.match((await anlan(['risk', '--help'])).stdout, /anlan risk import enterprises\|places/);
    const noKind = await anlan(['risk', 'import', 'x.csv', '--data-dir', dir]);
    assert.equal(noKind.code, 2);
    assert.match(noKind.stderr, /enterprises\|places/);
    assert.equal((await anlan(['risk', 'import', 'enterprises', 'x.csv', '--mode', 'merge', '--data-dir', dir])).code, 2);
  });

  test('imports the good rows, reports the bad ones by row and column, and writes the report', async () => {
    const file = join(dir, 'enterprises.csv');
    const good = code(1);
    writeFileSync(
      file,
      [
        '企业名称,统一社会信用代码,行业,区划代码',
        `泸定县命令行甲公司,${good},商贸,513322`,
        `泸定县命令行乙公司,${good.slice(0, 17)}${good[17] === '1' ? '2' : '1'},商贸,513322`,
        `泸定县命令行丙公司,${good},商贸,513322`,
      ].join('\n'),
    );
    const report = join(dir, 'errors.csv');
    const run = await anlan(['risk', 'import', 'enterprises', file, '--region', '513322', '--report', report, '--data-dir', dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /3 rows — 1 new, 0 updated, 0 unchanged, 2 rejected/);
    assert.match(run.stdout, new RegExp(`row 3 \\[统一社会信用代码\\]: position 18: check character should be ${good[17]}`));
    assert.match(run.stdout, /row 4 \[统一社会信用代码\]: .* appears again \(first on row 2\)/);
    const csv = readFileSync(report, 'utf8');
    assert.match(csv, /^\uFEFF行 row,列 column,原因 reason\r\n3,统一社会信用代码,/);
    // Again: every row is now a duplicate of the register or of the file — nothing imported, exit 1.
    const again = await anlan(['risk', 'import', 'enterprises', file, '--data-dir', dir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No row could be imported/);
    assert.match(again.stderr, /already registered for 泸定县命令行甲公司/);
    // A region outside the rows refuses them.
    const foreign = await anlan(['risk', 'import', 'enterprises', file, '--region', '513301', '--mode', 'upsert', '--dry-run', '--data-dir', dir]);
    assert.equal(foreign.code, 1);
  });
});
