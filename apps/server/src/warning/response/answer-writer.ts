/**
 * Answers are written in batches: thousands of responsible persons tap 收到 within the same minute
 * of a call-response, and one transaction per tap would cap the rate at what the database commits
 * one by one. Answers that arrive while a batch is being written queue up and go together in the
 * next statement; each caller's promise settles only after its batch committed, so an HTTP answer
 * ("recorded") always means stored.
 */
import type { Clock } from '@anlan/core';
import type { Database } from '@anlan/db';
import { existingRecipients, insertAnswers, type AnswerRow, type StoredAnswer } from './store.ts';

export type AnswerOutcome =
  | { state: 'recorded'; answer: StoredAnswer }
  /** The same recipient and client key was stored before: nothing new (a retry, a double tap). */
  | { state: 'duplicate' }
  /** The recipient does not exist (its warning was deleted). */
  | { state: 'no_recipient' };

interface Pending {
  row: AnswerRow;
  resolve: (o: AnswerOutcome) => void;
  reject: (e: unknown) => void;
}

export interface AnswerWriterOptions {
  db: Database;
  clock: Clock;
  /** After a batch committed, with what it stored (for the bus and the board). */
  onStored: (answers: StoredAnswer[]) => void;
  /** Rows per statement; a larger backlog is written in several. */
  maxBatch?: number;
  onError?: (err: unknown) => void;
}

const keyOf = (recipientId: number, clientKey: string) => `${recipientId}\u0000${clientKey}`;

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint): the rows, not the database. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

export class AnswerWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly maxBatch: number;

  constructor(private readonly o: AnswerWriterOptions) {
    this.maxBatch = o.maxBatch ?? 2000;
  }

  /** Answers waiting for the next batch. */
  get backlog(): number {
    return this.queue.length;
  }

  submit(row: AnswerRow): Promise<AnswerOutcome> {
    if (this.closed) return Promise.reject(new Error('the answer writer is closed'));
    return new Promise<AnswerOutcome>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.kick();
    });
  }

  /** Writes what is queued and refuses new answers (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running;
  }

  private kick(): void {
    this.running ??= this.run().finally(() => {
      this.running = null;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async run(): Promise<void> {
    // One turn of the event loop lets the requests already read from the sockets join this batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      await this.write(batch);
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    let stored: StoredAnswer[];
    try {
      stored = await this.o.db.transaction((tx) => insertAnswers(tx, batch.map((p) => p.row), this.o.clock.now()));
    } catch (err) {
      if (batch.length === 1 || !isDataError(err)) {
        // A database that is down or closing fails every answer alike: each caller hears it (500), none is acknowledged.
        for (const p of batch) p.reject(err);
        return;
      }
      // One answer the database refuses must not fail the others that came with it: halve and retry.
      this.o.onError?.(err);
      const half = Math.ceil(batch.length / 2);
      await this.write(batch.slice(0, half));
      await this.write(batch.slice(half));
      return;
    }
    try {
      await this.settle(batch, stored);
    } catch (err) {
      // Stored, but telling duplicates from missing recipients failed: say so rather than guess.
      for (const p of batch) p.reject(err);
    }
    if (stored.length > 0) {
      try {
        this.o.onStored(stored);
      } catch (err) {
        this.o.onError?.(err);
      }
    }
  }

  private async settle(batch: Pending[], stored: StoredAnswer[]): Promise<void> {
    const byKey = new Map(stored.map((s) => [keyOf(s.recipientId, s.clientKey), s]));
    const claimed = new Set<string>();
    const unmatched: Pending[] = [];
    const outcomes = new Map<Pending, AnswerOutcome>();
    for (const p of batch) {
      const key = keyOf(p.row.recipientId, p.row.clientKey);
      const s = byKey.get(key);
      if (s && !claimed.has(key)) {
        claimed.add(key);
        outcomes.set(p, { state: 'recorded', answer: s });
      } else if (s) outcomes.set(p, { state: 'duplicate' });
      else unmatched.push(p);
    }
    if (unmatched.length > 0) {
      const exist = await existingRecipients(this.o.db, [...new Set(unmatched.map((p) => p.row.recipientId))]);
      for (const p of unmatched) outcomes.set(p, exist.has(p.row.recipientId) ? { state: 'duplicate' } : { state: 'no_recipient' });
    }
    for (const p of batch) p.resolve(outcomes.get(p)!);
  }
}
