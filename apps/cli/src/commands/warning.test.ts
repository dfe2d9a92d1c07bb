import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testTargets } from '../../../../tests/helpers/targets.ts';
import { Client } from '../../../../tests/helpers/http.ts';
import { SettableClock, startWarningServer, type WarningTestServer } from '../../../server/src/warning/core/test-server.ts';
import { main } from '../main.ts';

const DATA = fileURLToPath(new URL('../../../../packages/cap/test-data/', import.meta.url));

/** The command in this process, its output captured. */
async function anlan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const saved = { log: console.log, error: console.error };
  console.log = (...a: unknown[]) => void (stdout += `${a.join(' ')}\n`);
  console.error = (...a: unknown[]) => void (stderr += `${a.join(' ')}\n`);
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
  }
}

describe('anlan warning import', () => {
  let s: WarningTestServer;
  let token: string;
  let dir: string;

  before(async () => {
    s = await startWarningServer(testTargets()[0], { clock: new SettableClock(Date.parse('2026-07-15T16:30:00+08:00')) });
    const admin = await Client.login(s.url, 'ld-admin', s.demoPassword);
    const made = await admin.post('/api/v1/tokens', { name: '气象局 CAP 推送', regionCode: '513322' });
    assert.equal(made.status, 201, made.text);
    token = made.body.token;
    dir = mkdtempSync(join(tmpdir(), 'anlan-cap-'));
  });
  after(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('imports good files, names the element of a bad one, and says what was already held', async () => {
    const bad = join(DATA, 'invalid/missing-certainty.xml');
    const first = await anlan(['warning', 'import', join(DATA, '01-rainstorm-orange-alert.xml'), bad, '--url', s.url, '--token', token]);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stdout, /01-rainstorm-orange-alert\.xml: imported: Alert CN\.513322\.YJ\.20260715\.0001 → warning \d+ \(thread \d+\), 暴雨 orange, 泸定县 513322, issued/);
    assert.match(first.stderr, /missing-certainty\.xml: refused \(HTTP 400\)/);
    assert.match(first.stderr, /alert\/info\[1\]\/certainty: is required/);
    const again = await anlan(['warning', 'import', join(DATA, '01-rainstorm-orange-alert.xml'), '--url', s.url, '--token', token]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already held/);
    const rows = await s.anlan.ctx.db.query<{ source: string; drafted_by_name: string }>('SELECT source, drafted_by_name FROM warnings');
    assert.deepEqual(rows.rows, [{ source: 'file:01-rainstorm-orange-alert.xml', drafted_by_name: 'token:气象局 CAP 推送' }]);
  });

  test('bad usage and a missing file', async () => {
    assert.equal((await anlan(['warning', 'import', '--url', s.url, '--token', token])).code, 2);
    assert.equal((await anlan(['warning', 'import', join(DATA, '01-rainstorm-orange-alert.xml'), '--url', s.url, '--token', ''])).code, 2);
    const missing = join(dir, 'nope.xml');
    const r = await anlan(['warning', 'import', missing, '--url', s.url, '--token', token]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nope\.xml: cannot be read/);
    writeFileSync(join(dir, 'empty.xml'), '');
    const empty = await anlan(['warning', 'import', join(dir, 'empty.xml'), '--url', s.url, '--token', token]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /alert: the message is empty/);
  });
});
