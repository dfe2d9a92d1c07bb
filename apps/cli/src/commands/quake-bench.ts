import { parseArgs } from 'node:util';
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createAssessPool, readExposureCacheShared, writeExposureCache, type AssessPool, type ExposureColumns, type QuakeEvent } from '@anlan/quake';
import { syntheticInventory } from '@anlan/quake/assess/synthetic';
import { UsageError } from '../options.ts';

export const QUAKE_BENCH_HELP = `anlan quake bench --buildings N [--threads T] [--runs R] [--seed S] [--cache FILE]

Benchmarks the assessment engine on a deterministic synthetic inventory of N buildings (one row
per building; towns and villages around the epicentre, a county-like class mix, 400 synthetic
counties) and the 2008 汶川 Ms 8.0 event. The inventory is written to the columnar cache, read
back into shared memory, and the full chain (intensity, damage, loss, casualties, per-county and
per-intensity sums, summary) runs on T worker threads (default: the number of cores; 1 runs in
this thread). Prints one JSON line on stdout:

  { buildings, threads, seconds, buildingsPerSecond, scanSeconds, ratioToScan, ... }

seconds is the median of R runs (default 3) after one warm-up run; scanSeconds the median of as
many passes that only read every column the chain reads, on the same threads (the memory
floor); ratioToScan = seconds / scanSeconds. Also: firstRunSeconds (the warm-up run),
poolStartSeconds (starting the workers, not part of a run), generateSeconds, writeSeconds,
readSeconds, cacheMiB, peakRssMiB (the whole process, workers included). Progress goes to
stderr. The cache goes to a temporary directory that is deleted afterwards, or to --cache FILE,
which is kept. N is at most 50,000,000 (about 53 bytes of memory per building).`;

const MAX_BUILDINGS = 50_000_000;

/** The 2008-05-12 汶川 (Wenchuan) earthquake, at the centre of the synthetic inventory. */
const BENCH_EVENT: QuakeEvent = { lon: 103.4, lat: 31.0, depthKm: 14, magnitude: 8.0, strikeDeg: 229, time: '2008-05-12T06:28:01Z' };

function integerOption(flag: string, raw: string | undefined, min: number, max: number, what: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw.replace(/[_,]/g, ''));
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be ${what} from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}, got "${raw}"`);
  }
  return n;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const secondsSince = (t: number): number => (performance.now() - t) / 1000;
const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export async function quakeBenchCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      buildings: { type: 'string' },
      threads: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      cache: { type: 'string' },
    },
  });
  if (values.help) return console.log(QUAKE_BENCH_HELP), 0;
  if (values.buildings === undefined) throw new UsageError(`--buildings is required: the number of synthetic buildings, 1 to ${MAX_BUILDINGS.toLocaleString('en')}\n\n${QUAKE_BENCH_HELP}`);
  const buildings = integerOption('--buildings', values.buildings, 1, MAX_BUILDINGS, 'an integer number of buildings')!;
  const threads = integerOption('--threads', values.threads, 1, 256, 'an integer number of threads') ?? availableParallelism();
  const runs = integerOption('--runs', values.runs, 1, 100, 'an integer number of runs') ?? 3;
  const seed = integerOption('--seed', values.seed, 0, 2 ** 32 - 1, 'an integer seed') ?? 1;

  const tempDir = values.cache ? null : mkdtempSync(join(tmpdir(), 'anlan-quake-bench-'));
  const cachePath = values.cache ?? join(tempDir!, 'inventory.bin');
  // An interrupted benchmark still deletes its temporary cache (hundreds of MiB at 10 M).
  const onSignal = (signal: NodeJS.Signals): void => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  let pool: AssessPool | null = null;
  try {
    const n = buildings.toLocaleString('en');
    say(`generating ${n} synthetic buildings (seed ${seed})…`);
    let t = performance.now();
    let generated: ExposureColumns | null = syntheticInventory({ count: buildings, lon: BENCH_EVENT.lon, lat: BENCH_EVENT.lat, seed });
    const generateSeconds = secondsSince(t);
    say(`  ${generateSeconds.toFixed(2)} s`);

    say(`writing the columnar cache ${cachePath}…`);
    t = performance.now();
    writeExposureCache(cachePath, generated);
    generated = null; // from here on the benchmark only has the cache
    const writeSeconds = secondsSince(t);
    const cacheMiB = statSync(cachePath).size / 2 ** 20;
    say(`  ${cacheMiB.toFixed(0)} MiB in ${writeSeconds.toFixed(2)} s`);

    say('reading it back into shared memory…');
    t = performance.now();
    const exposure = readExposureCacheShared(cachePath);
    const readSeconds = secondsSince(t);
    say(`  ${exposure.count.toLocaleString('en')} rows in ${readSeconds.toFixed(2)} s`);

    say(threads === 1 ? 'one thread: running in this thread, no workers' : `starting ${threads} worker threads…`);
    pool = await createAssessPool({ threads });
    const poolStartSeconds = pool.startSeconds;
    if (threads > 1) say(`  pool started in ${poolStartSeconds.toFixed(2)} s (not counted in the runs)`);

    say('warm-up run…');
    t = performance.now();
    await pool.scan(exposure, { time: BENCH_EVENT.time });
    const warmScanSeconds = secondsSince(t);
    t = performance.now();
    let result = await pool.assess(BENCH_EVENT, exposure);
    const firstRunSeconds = secondsSince(t);
    say(`  scan ${warmScanSeconds.toFixed(3)} s, full chain ${firstRunSeconds.toFixed(3)} s`);

    // Scan and full chain alternate, so a change of load on the machine hits both alike.
    const scanTimes: number[] = [];
    const runTimes: number[] = [];
    for (let r = 0; r < runs; r++) {
      t = performance.now();
      await pool.scan(exposure, { time: BENCH_EVENT.time });
      scanTimes.push(secondsSince(t));
      t = performance.now();
      result = await pool.assess(BENCH_EVENT, exposure);
      runTimes.push(secondsSince(t));
      say(`run ${r + 1}/${runs}: scan ${scanTimes[r].toFixed(3)} s, full chain ${runTimes[r].toFixed(3)} s`);
    }
    await pool.close();
    pool = null;

    const seconds = round(median(runTimes), 6);
    const scanSeconds = round(median(scanTimes), 6);
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    const line = {
      buildings,
      threads,
      seconds,
      buildingsPerSecond: Math.round(buildings / seconds),
      scanSeconds,
      ratioToScan: round(seconds / scanSeconds, 3),
      runs,
      runSeconds: runTimes.map((s) => round(s, 6)),
      scanRunSeconds: scanTimes.map((s) => round(s, 6)),
      firstRunSeconds: round(firstRunSeconds, 6),
      poolStartSeconds: round(poolStartSeconds, 6),
      generateSeconds: round(generateSeconds, 3),
      writeSeconds: round(writeSeconds, 3),
      readSeconds: round(readSeconds, 3),
      cacheMiB: round(cacheMiB, 1),
      peakRssMiB: round(peakRssMiB, 1),
      seed,
      deathsMedian: round(result.deaths.median, 1),
      maxIntensity: round(result.maxIntensity, 2),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await pool?.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}
