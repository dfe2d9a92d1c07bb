// After `npm install`: build the web app so that `npm start` serves it. Skipped when the
// build is newer than every source file (a repeated install costs nothing).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const WEB = 'apps/web';
const DIST_INDEX = join(WEB, 'dist', 'index.html');

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(path) : st.mtimeMs);
  }
  return newest;
}

if (!existsSync(join(WEB, 'src'))) process.exit(0);
const sources = Math.max(newestMtime(join(WEB, 'src')), statSync(join(WEB, 'index.html')).mtimeMs, statSync(join(WEB, 'vite.config.ts')).mtimeMs);
if (existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= sources) {
  console.log('anlan: web app already built');
  process.exit(0);
}
console.log('anlan: building the web app (vite)…');
const r = spawnSync('npm', ['run', 'build', '--workspace', '@anlan/web'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
