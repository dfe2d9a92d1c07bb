/**
 * A persistent pool of worker threads that runs the assessment over row ranges of an exposure in
 * shared memory, merges the per-range accumulators and summarises: the same AssessmentResult as
 * assess(), up to the order of floating-point additions.
 *
 *   const pool = await createAssessPool({ threads: 2 });   // pool.startSeconds: worker start-up
 *   const result = await pool.assess(event, exposure);     // as many runs as you like
 *   await pool.close();
 *
 * The exposure is copied into a SharedArrayBuffer once (toSharedExposure; an exposure read with
 * readExposureCacheShared is already there) and the pool remembers the copy, so a run copies
 * nothing: each worker gets views on the same memory, once per exposure. (So do not change the
 * columns of an unshared exposure after a run: the pool would keep using its copy. A shared one is
 * used in place.) Runs are queued, one at a time. An error in a worker rejects the run (the
 * worker stays usable); a worker that dies rejects the run and every later call. Idle workers do
 * not keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createAccumulators, mergeAccumulators, resolveAttenuationRegion, summarize, type AssessAccumulators, type AssessmentResult, type AssessOptions } from '../assess/assess.ts';
import { attenuationRegion } from '../hazard/region.ts';
import type { ExposureColumns, IntensityRegion, QuakeEvent } from '../types.ts';
import type { WorkerReply, WorkerRequest } from './protocol.ts';
import { toSharedExposure } from './shared.ts';
import { assessPart, scanPart, type RowRange } from './tasks.ts';

export { isSharedExposure, readExposureCacheShared, toSharedExposure } from './shared.ts';

export interface AssessPoolOptions {
  /** Worker threads (default os.availableParallelism()). 1 runs in the calling thread, without workers. */
  threads?: number;
  /**
   * Row ranges per thread in a run (default 1). Ranges are handed out as threads become free,
   * so more ranges even out uneven rows, but each range prepares the intensity model again.
   */
  partsPerThread?: number;
  /**
   * Run a few small assessments in each worker before the pool is ready, so that the first real
   * run does not pay for V8's warm-up (default true; the time counts in startSeconds).
   */
  warmUp?: boolean;
}

export interface AssessPool {
  readonly threads: number;
  /** Seconds createAssessPool took: spawning the workers, loading and warming up the engine in each (0 for one thread). */
  readonly startSeconds: number;
  /** Same as assess(event, exposure, opts), on the pool's threads. */
  assess(event: QuakeEvent, exposure: ExposureColumns, opts?: AssessOptions): Promise<AssessmentResult>;
  /**
   * The memory floor of an assessment: one pass reading every column the assessment reads, on
   * the same threads and row ranges (see scanPart). Returns the sum of the columns.
   */
  scan(exposure: ExposureColumns, opts?: { time?: string }): Promise<number>;
  /** Stops the workers; a run in progress is rejected. */
  close(): Promise<void>;
}

const WORKER_URL = new URL('./worker.mjs', import.meta.url);

export async function createAssessPool(opts: AssessPoolOptions = {}): Promise<AssessPool> {
  const threads = opts.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const partsPerThread = opts.partsPerThread ?? 1;
  if (!Number.isInteger(partsPerThread) || partsPerThread < 1) throw new RangeError(`partsPerThread must be a positive integer, got ${partsPerThread}`);
  if (threads === 1) return new InThreadPool();
  const started = performance.now();
  const spawned = await Promise.allSettled(Array.from({ length: threads }, (_, i) => spawnWorker(i, opts.warmUp ?? true)));
  const failed = spawned.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(spawned.map((s) => (s.status === 'fulfilled' ? s.value.terminate() : undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  const workers = spawned.map((s) => (s as PromiseFulfilledResult<Worker>).value);
  return new WorkerPool(workers, partsPerThread, (performance.now() - started) / 1000);
}

function spawnWorker(index: number, warmUp: boolean): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { name: `anlan-quake-${index}`, workerData: { warmUp } });
    const onError = (err: Error): void => {
      detach();
      reject(new Error(`assessment worker ${index} failed to start: ${err.message}`, { cause: err }));
    };
    const onExit = (code: number): void => onError(new Error(`exited with code ${code}`));
    const onReady = (): void => {
      detach();
      worker.unref();
      resolve(worker);
    };
    const detach = (): void => {
      worker.off('message', onReady);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onReady);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/** `parts` contiguous ranges of nearly equal size covering [0, count); none empty. */
export function partition(count: number, parts: number): RowRange[] {
  const n = Math.max(1, Math.min(parts, count));
  const out: RowRange[] = [];
  for (let p = 0; p < n && count > 0; p++) out.push({ start: Math.floor((count * p) / n), end: Math.floor((count * (p + 1)) / n) });
  return out;
}

/**
 * The attenuation region when it does not depend on which row is nearest the epicentre: every
 * county's province and the longitude rule give the same answer (an inventory of one province,
 * say). Then resolveAttenuationRegion's pass over the rows can be skipped; undefined otherwise.
 */
export function regionWithoutSearch(event: QuakeEvent, exposure: ExposureColumns, opts: AssessOptions = {}): IntensityRegion | undefined {
  if (opts.region) return opts.region;
  const fallback = attenuationRegion(event.lon);
  for (const r of exposure.regions) if (attenuationRegion(event.lon, r.code) !== fallback) return undefined;
  return fallback;
}

/** threads = 1: the same calls in the calling thread. */
class InThreadPool implements AssessPool {
  readonly threads = 1;
  readonly startSeconds = 0;
  private closed = false;

  assess(event: QuakeEvent, exposure: ExposureColumns, opts: AssessOptions = {}): Promise<AssessmentResult> {
    return this.call(() => {
      const region = regionWithoutSearch(event, exposure, opts) ?? resolveAttenuationRegion(event, exposure, opts);
      return summarize(event, exposure, assessPart(event, exposure, 0, exposure.count, region), region);
    });
  }

  scan(exposure: ExposureColumns, opts: { time?: string } = {}): Promise<number> {
    return this.call(() => scanPart(exposure, 0, exposure.count, opts.time));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private async call<T>(fn: () => T): Promise<T> {
    if (this.closed) throw new Error('the assessment pool is closed');
    return fn();
  }
}

interface Slot { worker: Worker; index: number; busy: boolean; exposureId: number; dead: boolean }
interface SharedEntry { id: number; exposure: ExposureColumns }
type TaskKind = 'nearest' | 'assess' | 'scan';
interface Run {
  id: number;
  kind: TaskKind;
  entry: SharedEntry;
  ranges: RowRange[];
  extra: Record<string, unknown>;
  next: number;
  done: number;
  results: unknown[];
  resolve: (results: unknown[]) => void;
  reject: (err: Error) => void;
}

class WorkerPool implements AssessPool {
  readonly threads: number;
  private readonly slots: Slot[];
  private readonly shared = new WeakMap<ExposureColumns, SharedEntry>();
  private nextExposureId = 1;
  private nextRunId = 1;
  private current: Run | null = null;
  private failure: Error | null = null;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    workers: Worker[],
    private readonly partsPerThread: number,
    readonly startSeconds: number,
  ) {
    this.threads = workers.length;
    this.slots = workers.map((worker, index) => ({ worker, index, busy: false, exposureId: 0, dead: false }));
    for (const slot of this.slots) {
      slot.worker.on('message', (reply: WorkerReply) => this.onReply(slot, reply));
      slot.worker.on('error', (err: Error) => this.onDeath(slot, new Error(`assessment worker ${slot.index} crashed: ${err.message}`, { cause: err })));
      slot.worker.on('messageerror', (err: Error) => this.onDeath(slot, new Error(`assessment worker ${slot.index}: unreadable message: ${err.message}`, { cause: err })));
      slot.worker.on('exit', (code) => this.onDeath(slot, new Error(`assessment worker ${slot.index} exited with code ${code}`)));
    }
  }

  assess(event: QuakeEvent, exposure: ExposureColumns, opts: AssessOptions = {}): Promise<AssessmentResult> {
    return this.serial(async () => {
      const entry = this.share(exposure);
      const ranges = partition(entry.exposure.count, this.threads * this.partsPerThread);
      let region = regionWithoutSearch(event, entry.exposure, opts);
      if (!region) {
        // resolveAttenuationRegion, its pass split over the threads: the first strict minimum wins.
        const nearest = (await this.run('nearest', entry, ranges, { event })) as { index: number; d2: number }[];
        let best = -1, bestD2 = Infinity;
        for (const r of nearest) if (r.index >= 0 && r.d2 < bestD2) { best = r.index; bestD2 = r.d2; }
        const x = entry.exposure;
        region = attenuationRegion(event.lon, best >= 0 ? x.regions[x.regionIndex[best]]?.code : undefined);
      }
      const parts = (await this.run('assess', entry, ranges, { event, region })) as AssessAccumulators[];
      const acc = createAccumulators(entry.exposure.regions.length);
      for (const part of parts) mergeAccumulators(acc, part);
      return summarize(event, exposure, acc, region);
    });
  }

  scan(exposure: ExposureColumns, opts: { time?: string } = {}): Promise<number> {
    return this.serial(async () => {
      const entry = this.share(exposure);
      const ranges = partition(entry.exposure.count, this.threads * this.partsPerThread);
      const sums = (await this.run('scan', entry, ranges, { time: opts.time })) as number[];
      return sums.reduce((a, b) => a + b, 0);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.current) this.finish(this.current, new Error('the assessment pool was closed during the run'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  /** Runs calls one after the other; a failed call does not block the next. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(() => {
      if (this.closed) throw new Error('the assessment pool is closed');
      if (this.failure) throw this.failure;
      return fn();
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private share(exposure: ExposureColumns): SharedEntry {
    let entry = this.shared.get(exposure);
    if (!entry) {
      entry = { id: this.nextExposureId++, exposure: toSharedExposure(exposure) };
      this.shared.set(exposure, entry);
      this.shared.set(entry.exposure, entry);
    }
    return entry;
  }

  private run(kind: TaskKind, entry: SharedEntry, ranges: RowRange[], extra: Record<string, unknown>): Promise<unknown[]> {
    if (ranges.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const run: Run = { id: this.nextRunId++, kind, entry, ranges, extra, next: 0, done: 0, results: new Array(ranges.length), resolve, reject };
      this.current = run;
      for (const slot of this.slots) slot.worker.ref();
      for (const slot of this.slots) if (!slot.busy) this.dispatch(slot);
    });
  }

  private dispatch(slot: Slot): void {
    const run = this.current;
    if (!run || slot.dead || slot.busy || run.next >= run.ranges.length) return;
    const part = run.next++;
    const { start, end } = run.ranges[part];
    if (slot.exposureId !== run.entry.id) {
      const msg: WorkerRequest = { type: 'exposure', id: run.entry.id, exposure: run.entry.exposure };
      slot.worker.postMessage(msg); // typed arrays on a SharedArrayBuffer: shared, not copied
      slot.exposureId = run.entry.id;
    }
    slot.busy = true;
    slot.worker.postMessage({ type: run.kind, run: run.id, part, exposure: run.entry.id, start, end, ...run.extra } as WorkerRequest);
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    slot.busy = false;
    const run = this.current;
    if (run && reply.run === run.id) {
      if (!reply.ok) {
        const err = new Error(`assessment worker ${slot.index}: ${reply.message}`);
        if (reply.stack) err.stack = `${err.stack}\n  in the worker: ${reply.stack}`;
        this.finish(run, err);
      } else {
        run.results[reply.part] = reply.value;
        if (++run.done === run.ranges.length) this.finish(run);
      }
    }
    this.dispatch(slot);
  }

  private onDeath(slot: Slot, err: Error): void {
    if (slot.dead) return;
    slot.dead = true;
    slot.busy = false;
    if (this.closed) return;
    this.failure ??= err;
    if (this.current) this.finish(this.current, err);
  }

  private finish(run: Run, err?: Error): void {
    if (this.current !== run) return;
    this.current = null;
    for (const slot of this.slots) if (!slot.dead) slot.worker.unref();
    if (err) run.reject(err);
    else run.resolve(run.results);
  }
}

/** Tests only: makes worker `index` exit with `code` as soon as it reads this message. */
export function exitWorkerForTests(pool: AssessPool, index: number, code = 3): void {
  if (!(pool instanceof WorkerPool)) throw new Error('exitWorkerForTests needs a pool with worker threads');
  (pool as unknown as { slots: Slot[] }).slots[index].worker.postMessage({ type: 'exit', code } satisfies WorkerRequest);
}
