import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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

describe('anlan quake bench', () => {
  test('prints one JSON line with consistent figures', async () => {
    const r = await anlan(['quake', 'bench', '--buildings', '20000', '--threads', '2', '--runs', '2']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'stdout is exactly one JSON line');
    const b = JSON.parse(lines[0]);
    for (const k of ['buildings', 'threads', 'seconds', 'buildingsPerSecond', 'scanSeconds', 'ratioToScan', 'poolStartSeconds', 'peakRssMiB']) {
      assert.equal(typeof b[k], 'number', k);
      assert.ok(Number.isFinite(b[k]) && b[k] >= 0, `${k} = ${b[k]}`);
    }
    assert.equal(b.buildings, 20000);
    assert.equal(b.threads, 2);
    assert.ok(b.seconds > 0 && b.scanSeconds > 0);
    assert.ok(Math.abs(b.buildingsPerSecond - b.buildings / b.seconds) <= 1, 'buildingsPerSecond = buildings / seconds');
    assert.ok(Math.abs(b.ratioToScan - b.seconds / b.scanSeconds) <= 0.001 + 1e-6 * b.ratioToScan, 'ratioToScan = seconds / scanSeconds');
    assert.ok(b.deathsMedian > 0, 'the synthetic event does damage');
    assert.match(r.stderr, /generating 20,000 synthetic buildings/);
    assert.match(r.stderr, /pool started in/);
    assert.match(r.stderr, /run 2\/2/);
  });

  test('one thread runs without workers', async () => {
    const r = await anlan(['quake', 'bench', '--buildings', '5000', '--threads', '1', '--runs', '1']);
    assert.equal(r.code, 0, r.stderr);
    const b = JSON.parse(r.stdout);
    assert.equal(b.threads, 1);
    assert.equal(b.poolStartSeconds, 0);
  });

  test('bad or missing --buildings exits 2 naming it', async () => {
    for (const args of [['--buildings', 'abc'], ['--buildings', '0'], ['--buildings', '50000001'], ['--buildings', '2.5'], []]) {
      const r = await anlan(['quake', 'bench', ...args, '--threads', '2']);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /--buildings/);
      assert.equal(r.stdout, '');
    }
    const t = await anlan(['quake', 'bench', '--buildings', '100', '--threads', 'x']);
    assert.equal(t.code, 2);
    assert.match(t.stderr, /--threads/);
  });
});
