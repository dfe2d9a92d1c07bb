// `npm test`: builds the database templates once, then runs every *.test.ts with node's test
// runner (type-checked separately by `npm run typecheck`).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOTS = ['packages', 'apps', 'tests', 'bench'];
const SKIP = new Set(['node_modules', 'dist', '.tmp']);

function findTests(dir, out) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = ROOTS.flatMap((r) => findTests(r, []));
if (filter.length > 0) files = files.filter((f) => filter.some((p) => f.includes(p)));

// The whole suite also holds the quality gates: types and lint (skipped when running a subset).
if (filter.length === 0) {
  for (const [name, args] of [['typecheck', ['run', 'typecheck']], ['lint', ['run', 'lint']]]) {
    console.log(`# ${name}`);
    const gate = spawnSync('npm', args, { stdio: 'inherit' });
    if (gate.status !== 0) {
      console.error(`${name} failed`);
      process.exit(gate.status ?? 1);
    }
  }
}

const prepare = spawnSync(process.execPath, ['--import', 'tsx', 'tests/setup/prepare.ts'], { stdio: 'inherit' });
if (prepare.status !== 0) process.exit(prepare.status ?? 1);

const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
