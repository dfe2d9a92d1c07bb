import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbedded } from '@anlan/db';
import { EMBEDDED_TEMPLATE_PATH } from '../../../tests/setup/paths.ts';

const BIN = fileURLToPath(new URL('../bin/anlan.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../../packages/reference-data/test-fixtures/mixed-features.geojson', import.meta.url));

function anlan(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ANLAN_DATABASE_URL: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('anlan command line', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anlan-cli-'));
    // Start from the migrated template rather than paying initdb in every run.
    const db = await openEmbedded({ dataDir: join(dir, 'pg'), loadDataDir: new Blob([readFileSync(EMBEDDED_TEMPLATE_PATH)]) });
    await db.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('help and usage errors', async () => {
    const help = await anlan(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /audit verify/);
    assert.equal((await anlan(['start', '--help'])).code, 0);
    const unknown = await anlan(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const missing = await anlan(['user', 'add', '--role', 'duty', '--data-dir', dir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing --username/);
    const badRole = await anlan(['user', 'add', '--username', 'x1', '--role', 'king', '--region', '513322', '--data-dir', dir]);
    assert.equal(badRole.code, 2);
    assert.match(badRole.stderr, /--role must be one of/);
    const badFlag = await anlan(['audit', 'verify', '--no-such-flag']);
    assert.equal(badFlag.code, 2);
  });

  test('user add prints a generated password once; user list shows the account; bad region exits 1', async () => {
    const first = await anlan(['user', 'add', '--username', 'cli-duty', '--role', 'duty', '--region', '513322', '--data-dir', dir], { ANLAN_ADMIN_PASSWORD: 'cli-admin-pass' });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /created user cli-duty .*513322 泸定县/);
    assert.match(first.stdout, /password: \S{12,}/);
    const list = await anlan(['user', 'list', '--data-dir', dir]);
    assert.match(list.stdout, /cli-duty/);
    const bad = await anlan(['user', 'add', '--username', 'cli-x', '--role', 'duty', '--region', '999999', '--data-dir', dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /regionCode: unknown region code 999999/);
  });

  test('token create prints the token once', async () => {
    const r = await anlan(['token', 'create', '--name', 'gateway', '--region', '513322', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /alt_[A-Za-z0-9_-]{40,}/);
  });

  test('seed --demo, then --reset recreates the demo accounts', async () => {
    const seeded = await anlan(['seed', '--demo', '--data-dir', dir], { ANLAN_DEMO_PASSWORD: 'demo-pass-123' });
    assert.equal(seeded.code, 0, seeded.stderr);
    assert.match(seeded.stdout, /demo data created: 9 accounts/);
    assert.match((await anlan(['seed', '--demo', '--data-dir', dir])).stdout, /already present/);
    const reset = await anlan(['seed', '--demo', '--reset', '--data-dir', dir], { ANLAN_DEMO_PASSWORD: 'demo-pass-123' });
    assert.equal(reset.code, 0);
    assert.equal((await anlan(['seed', '--data-dir', dir])).code, 2);
  });

  test('regions import-boundaries imports the good features and names each bad one', async () => {
    const r = await anlan(['regions', 'import-boundaries', FIXTURE, '--data-dir', dir]);
    assert.equal(r.code, 1, 'some features were rejected');
    assert.match(r.stderr, /feature 3\b/);
    assert.match(r.stderr, /feature 4\b.*(closed|ring)/i);
    assert.match(r.stdout, /imported [1-9]\d* official boundaries/);
    const db = await openEmbedded({ dataDir: join(dir, 'pg') });
    try {
      const row = await db.query<{ source: string }>("SELECT source FROM region_boundaries WHERE code = '513322'");
      assert.equal(row.rows[0].source, 'official');
      const luhuo = await db.query<{ source: string }>("SELECT source FROM region_boundaries WHERE code = '513327'");
      assert.equal(luhuo.rows[0].source, 'reference', 'regions absent from the file keep their reference boundary');
    } finally {
      await db.close();
    }
  });

  test('audit verify: intact, then exit 1 naming the edited row', async () => {
    const ok = await anlan(['audit', 'verify', '--data-dir', dir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /audit chain intact: \d+ rows/);
    const db = await openEmbedded({ dataDir: join(dir, 'pg') });
    let victim: number;
    try {
      victim = Number((await db.query<{ id: number }>("SELECT id FROM audit_log WHERE action = 'token.created'")).rows[0].id);
      await db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
      await db.query("UPDATE audit_log SET actor_name = 'someone-else' WHERE id = $1", [victim]);
      await db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    } finally {
      await db.close();
    }
    const broken = await anlan(['audit', 'verify', '--data-dir', dir]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, new RegExp(`BROKEN at row id ${victim}\\b`));
  });

  test('a second process cannot open a data directory in use', async () => {
    const db = await openEmbedded({ dataDir: join(dir, 'pg') });
    try {
      const r = await anlan(['user', 'list', '--data-dir', dir]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /in use by process/);
    } finally {
      await db.close();
    }
  });
});
