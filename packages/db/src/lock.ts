import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/**
 * PGlite is one process's database: a second process opening the same directory would corrupt
 * it. A pid lock file makes the second one fail with a clear message instead.
 */
export function acquireDirLock(dir: string): () => void {
  // Beside the directory, not inside it: PGlite expects to own its directory's contents.
  const path = `${dir.replace(/\/+$/, '')}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(`the data directory ${dir} is in use by process ${pid} (stop that Anlan first, or use another --data-dir)`, { cause: err });
      }
      unlinkSync(path); // stale lock of a process that died
    }
  }
  throw new Error(`could not lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
