/**
 * Writes what the log holds into the database, behind the answer to the device:
 *
 * - flushes: readings (COPY where the database has it) and quarantined readings, in statements of
 *   up to FLUSH_ROWS so that other work (an alarm being stored) never waits long for the database;
 * - checkpoints: the minute and hour rollups accumulated since the last one and the log position,
 *   in one transaction, then the latest values to `latest.bin`; the log before that is deleted.
 *   Rollups are merged in memory between checkpoints (under load a sensor reports several times a
 *   minute), so a checkpoint comes after CHECKPOINT_MS of load, or once the queue has been empty
 *   and IDLE_CHECKPOINT_MS have passed since the last one, or at once when a reader waits for the
 *   rollups. Under load the queue empties after nearly every flush; checkpointing each time made
 *   the rollup upserts cost more than the readings' COPY.
 */
import type { Database, Queryable } from '@anlan/db';
import { RollupAccumulator } from './rollups.ts';
import * as store from './store.ts';
import type { DurableBatch } from './batch.ts';

const FLUSH_ROWS = 10_000;
const CHECKPOINT_MS = 60_000;
const IDLE_CHECKPOINT_MS = 5_000;

export interface FlusherOptions {
  db: Database;
  logId: string;
  partitions: store.Partitions;
  /** Called after a checkpoint committed, with its position (save the latest values, trim the log). */
  afterCheckpoint: (position: number) => Promise<void> | void;
  /** Code and region of a sensor, for the rare duplicate found only by the database. */
  describe: (sensorId: number) => { code: string; regionCode: string } | undefined;
  /** A batch is in the database (the ingest forgets it). */
  flushed: (batch: DurableBatch) => void;
  onError: (err: unknown) => void;
}

export class ReadingFlusher {
  private readonly queue: DurableBatch[] = [];
  private readonly rollups = new RollupAccumulator();
  private running: Promise<void> | null = null;
  private flushedTo = 0;
  private checkpointedTo = 0;
  private lastCheckpoint = Date.now();
  private waiters: { position: number; checkpoint: boolean; resolve: () => void }[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Set by drain(): checkpoint whatever the timing. */
  private forceCheckpoint = false;
  private copyWorks: boolean;

  constructor(private readonly o: FlusherOptions) {
    this.copyWorks = typeof o.db.copyCsv === 'function' && process.env.ANLAN_NO_COPY !== '1';
  }

  /** Rows waiting to reach the database. */
  get backlog(): number {
    let n = 0;
    for (const b of this.queue) n += b.ids.length + b.quarantine.length;
    return n;
  }

  /** Log position up to which every batch is in the database. */
  get flushedPosition(): number {
    return this.flushedTo;
  }

  /** Log position after the oldest batch still waiting (0 when none). */
  headEnd(): number {
    return this.queue.length > 0 ? this.queue[0].end : 0;
  }

  start(checkpointedTo: number): void {
    this.flushedTo = checkpointedTo;
    this.checkpointedTo = checkpointedTo;
  }

  push(batch: DurableBatch): void {
    this.queue.push(batch);
    this.kick();
  }

  /** Resolves when everything logged up to `position` is in the database (and in the rollups, with `checkpoint`). */
  waitFor(position: number, checkpoint = false): Promise<void> {
    if ((checkpoint ? this.checkpointedTo : this.flushedTo) >= position) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ position, checkpoint, resolve });
      this.kick();
    });
  }

  private kick(): void {
    this.running ??= this.run().then((ok) => {
      this.running = null;
      // A batch pushed by a continuation of the last flush arrives after run() saw an empty queue.
      if (!ok) this.retryLater();
      else if (this.queue.length > 0 || (this.checkpointedTo < this.flushedTo && this.checkpointDue(true))) this.kick();
      else if (this.checkpointedTo < this.flushedTo) this.checkpointWhenIdle();
    });
  }

  private checkpointDue(queueEmpty: boolean): boolean {
    if (this.forceCheckpoint || this.waiters.some((w) => w.checkpoint)) return true;
    const since = Date.now() - this.lastCheckpoint;
    return since >= CHECKPOINT_MS || (queueEmpty && since >= IDLE_CHECKPOINT_MS);
  }

  /** Checkpoints once the idle spacing has passed, unless a flush does it first. */
  private checkpointWhenIdle(): void {
    if (this.idleTimer) return;
    const wait = Math.max(0, IDLE_CHECKPOINT_MS - (Date.now() - this.lastCheckpoint));
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      this.kick();
    }, wait);
    this.idleTimer.unref();
  }

  private retryLater(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kick();
    }, 1000);
    this.retryTimer.unref();
  }

  private async run(): Promise<boolean> {
    try {
      while (this.queue.length > 0) {
        let rows = 0;
        let n = 0;
        while (n < this.queue.length && (n === 0 || rows + this.queue[n].ids.length <= FLUSH_ROWS)) rows += this.queue[n++].ids.length;
        const group = this.queue.slice(0, n);
        await this.flush(group);
        this.queue.splice(0, n);
        this.flushedTo = group[group.length - 1].end;
        for (const b of group) this.o.flushed(b);
        this.release();
        if (this.checkpointDue(this.queue.length === 0)) await this.checkpoint();
      }
      if (this.checkpointedTo < this.flushedTo && this.checkpointDue(true)) await this.checkpoint();
      return true;
    } catch (err) {
      // The batches stay queued and logged; the next push or the retry timer tries again.
      this.o.onError(err);
      return false;
    }
  }

  private release(): void {
    this.waiters = this.waiters.filter((w) => {
      const done = (w.checkpoint ? this.checkpointedTo : this.flushedTo) >= w.position;
      if (done) w.resolve();
      return !done;
    });
  }

  private async flush(group: DurableBatch[]): Promise<void> {
    const months = new Set<number>();
    for (const b of group) for (const t of b.ts) months.add(store.monthKey(t));
    await this.o.partitions.ensure(this.o.db, months);
    const inserted = await this.o.db.transaction(async (tx) => {
      const fresh = group.filter((b) => !b.replayed);
      const replayed = group.filter((b) => b.replayed);
      let result: InsertOutcome[] = [];
      if (fresh.length > 0) result = result.concat(await this.insertFresh(tx, fresh));
      // A replayed batch may be in the database already (the crash came after its flush, before the
      // checkpoint): only INSERT … ON CONFLICT is safe, and its rollups were lost with the process,
      // so they are counted again from every replayed reading.
      if (replayed.length > 0) {
        await store.insertReadingsIgnoringDuplicates(tx, replayed);
        result = result.concat(replayed.map((b) => ({ batch: b, duplicates: new Set<number>() })));
      }
      await store.insertQuarantineBatches(tx, group);
      const late: store.QuarantineRow[] = [];
      for (const { batch, duplicates } of result) {
        for (const i of duplicates) {
          const who = this.o.describe(batch.ids[i]);
          late.push({ index: -1, sensorCode: who?.code ?? null, ts: new Date(batch.ts[i]).toISOString(), value: String(batch.values[i]), reason: 'duplicate', message: 'found stored when written (another writer stored the same sensor and instant); the stored reading was kept', regionCode: who?.regionCode ?? null });
        }
      }
      if (late.length > 0) await store.insertQuarantine(tx, 'ingest', late);
      return result;
    });
    for (const { batch, duplicates } of inserted) {
      for (let i = 0; i < batch.ids.length; i++) if (!duplicates.has(i)) this.rollups.add(batch.ids[i], batch.ts[i], batch.values[i]);
    }
  }

  /**
   * The ingest has already refused duplicates, so COPY (twice as fast as INSERT) normally loads
   * every row. Should a duplicate slip through (another process writing to the same PostgreSQL),
   * COPY fails and the batch goes through INSERT … ON CONFLICT, which reports the duplicates.
   */
  private async insertFresh(tx: Queryable, group: DurableBatch[]): Promise<InsertOutcome[]> {
    if (this.copyWorks && tx.copyCsv) {
      try {
        await tx.query('SAVEPOINT copy_readings');
        await store.copyReadings(tx, group);
        await tx.query('RELEASE SAVEPOINT copy_readings');
        return group.map((batch) => ({ batch, duplicates: new Set<number>() }));
      } catch {
        await tx.query('ROLLBACK TO SAVEPOINT copy_readings');
      }
    }
    const stored = await store.insertReadingsIgnoringDuplicates(tx, group);
    return group.map((batch, g) => ({ batch, duplicates: stored[g] }));
  }

  private async checkpoint(): Promise<void> {
    const position = this.flushedTo;
    const rollups = this.rollups.take();
    try {
      await this.o.db.transaction(async (tx) => {
        await store.upsertRollups(tx, 'monitoring_rollup_minute', rollups.minute);
        await store.upsertRollups(tx, 'monitoring_rollup_hour', rollups.hour);
        await tx.query(
          `INSERT INTO monitoring_ingest_checkpoints (log_id, position, at) VALUES ($1, $2, now())
           ON CONFLICT (log_id) DO UPDATE SET position = EXCLUDED.position, at = EXCLUDED.at`,
          [this.o.logId, position],
        );
      });
    } catch (err) {
      this.rollups.restore(rollups);
      throw err;
    }
    this.checkpointedTo = position;
    this.lastCheckpoint = Date.now();
    this.release();
    await this.o.afterCheckpoint(position);
  }

  /** Flushes and checkpoints everything queued (on shutdown). */
  async drain(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.retryTimer = null;
    this.idleTimer = null;
    this.forceCheckpoint = true;
    await this.running;
    if (this.queue.length > 0 || this.checkpointedTo < this.flushedTo) {
      this.kick();
      await this.running;
    }
  }
}

interface InsertOutcome {
  batch: DurableBatch;
  /** Indexes of the batch's readings found already stored. */
  duplicates: Set<number>;
}
