// Startup: first start on an empty data directory (initdb, migrations, regions, boundaries,
// admin, demo data) and restart on the existing directory. Target: restart under 10 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnlan } from '@anlan/server';
import { mib } from './stats.ts';

const dir = mkdtempSync(join(tmpdir(), 'anlan-bench-startup-'));
const stages = new Map<string, number>();
let stageStart = Date.now();
let current = '';
const progress = (stage: string) => {
  const name = stage.startsWith('migrate') ? 'migrate' : stage;
  if (name === current) return;
  const now = Date.now();
  if (current) stages.set(current, (stages.get(current) ?? 0) + now - stageStart);
  current = name;
  stageStart = now;
};

async function timedStart(label: string): Promise<number> {
  stages.clear();
  current = '';
  const t0 = Date.now();
  const anlan = await startAnlan({ dataDir: dir, port: 0, host: '127.0.0.1', adminPassword: 'bench-admin-pass', logLevel: 'silent', progress });
  const elapsed = Date.now() - t0;
  if (current) stages.set(current, (stages.get(current) ?? 0) + Date.now() - stageStart);
  const res = await fetch(`${anlan.url}/api/v1/health`);
  if (res.status !== 200) throw new Error('not healthy');
  console.log(`${label}: ${(elapsed / 1000).toFixed(2)} s to listening; stages: ${[...stages].map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}; rss ${mib(process.memoryUsage().rss)}`);
  await anlan.close();
  return elapsed;
}

try {
  const first = await timedStart('first start (empty data dir)');
  const restarts: number[] = [];
  for (let i = 0; i < 3; i++) restarts.push(await timedStart(`restart ${i + 1}`));
  const worst = Math.max(...restarts);
  console.log(`\nfirst start ${(first / 1000).toFixed(1)} s; restart worst of 3: ${(worst / 1000).toFixed(2)} s (target < 10 s: ${worst < 10_000 ? 'met' : 'MISSED'})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${join(dir, 'pg')}.lock`, { force: true });
}
