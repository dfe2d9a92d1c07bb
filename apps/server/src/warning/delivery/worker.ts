/**
 * The delivery worker: per channel, claims due outbox rows within the channel's rate limit,
 * hands them to the channel, and records each result (sent, retry later with backoff, failed),
 * then moves the recipients' status along. It also writes the outbox rows that enqueueing left
 * in the backlog. At-least-once: a row is 'sending' under a lease while its batch is out, so a
 * process that dies mid-send leaves it to be claimed again when the lease runs out (at once on
 * the embedded database, where no other process can hold it), with the same idempotency key.
 *
 * Tests drive it with runOnce()/drain() and a manual clock; start() runs the same passes in
 * background loops, and close() stops them and waits for the batches in flight.
 */
import type { Clock } from '@anlan/core';
import type { Database } from '@anlan/db';
import type { Logger } from 'pino';
import type { EventBus } from '../../events/bus.ts';
import { SENDING_CHANNELS, type DeliveryChannel, type SendResult, type SendingChannel } from './channel.ts';
import type { RateLimit, RetryPolicyConfig } from './config.ts';
import type { OutboxEnqueuer } from './enqueue.ts';
import { RetryPolicy } from './retry.ts';
import * as store from './store.ts';
import { TokenBucket } from './token-bucket.ts';

/** How long a claimed row is left alone before it counts as abandoned; longer than any send takes. */
const LEASE_MS = 2 * 60_000;
/** How often an idle lane looks for due rows when nothing nudges it. */
const POLL_MS = 1000;
/** A provider that says "slow down" without saying how long is left alone this long. */
const DEFAULT_THROTTLE_MS = 30_000;
/** How long close() lets batches in flight finish before aborting their requests. */
const STOP_GRACE_MS = 3000;

interface Lane {
  channel: DeliveryChannel;
  bucket: TokenBucket;
  retry: RetryPolicy;
}

export interface WorkerDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  bus: EventBus;
  enqueuer: OutboxEnqueuer;
  channels: readonly DeliveryChannel[];
  rates: Record<SendingChannel, RateLimit>;
  retry: Record<SendingChannel, RetryPolicyConfig>;
  /** Jitter source (tests pin it). */
  random?: () => number;
  leaseMs?: number;
  pollMs?: number;
}

export class DeliveryWorker {
  private readonly lanes: Lane[];
  private readonly abort = new AbortController();
  private closed = false;
  private loops: Promise<void>[] = [];
  private wakers = new Set<() => void>();

  constructor(private readonly deps: WorkerDeps) {
    this.lanes = deps.channels.map((channel) => ({
      channel,
      bucket: new TokenBucket(deps.rates[channel.name], deps.clock),
      retry: new RetryPolicy(deps.retry[channel.name], deps.random),
    }));
  }

  /** The channels this worker sends through (the others' rows wait, e.g. SMS without a gateway). */
  get channelNames(): SendingChannel[] {
    return this.lanes.map((l) => l.channel.name);
  }

  /**
   * After a restart on the embedded database (one process holds it), rows a previous run left
   * 'sending' are due at once; on PostgreSQL another process may be sending them, so their lease
   * decides. Returns how many were released.
   */
  async recover(): Promise<number> {
    if (this.deps.db.kind !== 'embedded') return 0;
    const released = await store.releaseInterrupted(this.deps.db, this.deps.clock.now());
    if (released > 0) this.deps.log.info({ messages: released }, 'warning delivery: retrying messages a previous run left mid-send');
    return released;
  }

  /** Starts the background loops. */
  async start(): Promise<void> {
    await this.recover();
    const idle = SENDING_CHANNELS.filter((c) => !this.lanes.some((l) => l.channel.name === c));
    if (idle.length) this.deps.log.info({ channels: idle }, 'warning delivery: channels not configured; their messages wait in the outbox');
    this.loops.push(this.loop(() => this.backlogPass(), () => this.deps.pollMs ?? POLL_MS));
    for (const lane of this.lanes) {
      this.loops.push(this.loop(() => this.lanePass(lane), () => Math.max(lane.bucket.msUntilAvailable(), 10)));
    }
  }

  /** New messages are due: stop waiting for the next poll. */
  nudge(): void {
    for (const wake of this.wakers) wake();
  }

  /** One pass of everything: a backlog chunk, then one batch per channel. Returns the rows handled. */
  async runOnce(): Promise<number> {
    let n = await this.backlogPass();
    for (const lane of this.lanes) n += await this.lanePass(lane);
    return n;
  }

  /** Passes until nothing is due now (by the injected clock) or the rate limits stop it. */
  async drain(maxPasses = 10_000): Promise<void> {
    for (let i = 0; i < maxPasses; i++) if ((await this.runOnce()) === 0) return;
    throw new Error(`delivery did not settle within ${maxPasses} passes`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.nudge();
    const grace = setTimeout(() => this.abort.abort(), STOP_GRACE_MS);
    await Promise.all(this.loops);
    clearTimeout(grace);
    for (const lane of this.lanes) await lane.channel.close?.();
  }

  private async loop(pass: () => Promise<number>, idleMs: () => number): Promise<void> {
    while (!this.closed) {
      let handled = 0;
      try {
        handled = await pass();
      } catch (err) {
        this.deps.log.error({ err }, 'warning delivery pass failed');
      }
      if (handled === 0 && !this.closed) await this.sleep(Math.min(this.deps.pollMs ?? POLL_MS, idleMs()));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wakers.add(done);
    });
  }

  private async backlogPass(): Promise<number> {
    const [id] = await store.backlogWarnings(this.deps.db, 1);
    if (id === undefined) return 0;
    const warning = await store.loadIssuedWarning(this.deps.db, id);
    if (!warning) {
      await store.dropBacklog(this.deps.db, id);
      return 1;
    }
    const r = await this.deps.enqueuer.materialize(this.deps.db, warning);
    // Non-zero while work remains, so the loop comes straight back.
    return r.enqueued + (r.done ? 0 : 1);
  }

  private async lanePass(lane: Lane): Promise<number> {
    const { db, clock } = this.deps;
    const name = lane.channel.name;
    const allowed = lane.bucket.take(lane.channel.batchSize);
    if (allowed === 0) return 0;
    const claimed = await store.claimDue(db, name, clock.now(), allowed, this.deps.leaseMs ?? LEASE_MS);
    if (claimed.length < allowed) lane.bucket.giveBack(allowed - claimed.length);
    if (claimed.length === 0) return 0;
    const toSend = claimed.filter((m) => !m.withdrawn);
    let results: SendResult[] = [];
    if (toSend.length) {
      try {
        results = await lane.channel.send(toSend, this.abort.signal);
      } catch (err) {
        results = toSend.map(() => ({ kind: 'retry', error: `${name} channel failed: ${(err as Error).message}` }));
      }
    }
    const now = clock.now();
    const outcomes: store.Outcome[] = claimed.filter((m) => m.withdrawn).map((m) => ({ id: m.id, state: 'failed', error: m.withdrawn! }));
    const gone: string[] = [];
    const pushed: string[] = [];
    toSend.forEach((m, i) => {
      const r: SendResult = results[i] ?? { kind: 'retry', error: `${name} channel gave no result` };
      switch (r.kind) {
        case 'sent':
          outcomes.push({ id: m.id, state: 'sent', providerId: r.providerId });
          if (name === 'webpush') pushed.push(m.address);
          break;
        case 'failed':
          outcomes.push({ id: m.id, state: 'failed', error: r.error });
          if (r.gone && name === 'webpush') gone.push(m.address);
          break;
        case 'retry':
          if (r.throttled) {
            const wait = r.retryAfterMs ?? DEFAULT_THROTTLE_MS;
            lane.bucket.pause(wait);
            outcomes.push({ id: m.id, state: 'queued', error: r.error, nextAttemptAt: new Date(now.getTime() + wait), refundAttempt: true });
          } else if (lane.retry.canRetry(m.attempts)) {
            const wait = Math.max(lane.retry.delayMs(m.attempts), r.retryAfterMs ?? 0);
            outcomes.push({ id: m.id, state: 'queued', error: r.error, nextAttemptAt: new Date(now.getTime() + wait), refundAttempt: false });
          } else {
            outcomes.push({ id: m.id, state: 'failed', error: `gave up after ${m.attempts} attempts: ${r.error}` });
          }
          break;
      }
    });
    await store.recordOutcomes(db, now, outcomes);
    await store.markSubscriptionsGone(db, gone, now);
    await store.touchSubscriptions(db, pushed, now);
    const changes = await store.advanceRecipients(db, store.recipientsOf(claimed));
    this.report(name, claimed, outcomes);
    await this.publish(name, claimed, outcomes, changes);
    return claimed.length;
  }

  /** Failures that will not be retried are logged, grouped per warning, with one example reason. */
  private report(channel: SendingChannel, claimed: readonly store.ClaimedMessage[], outcomes: readonly store.Outcome[]): void {
    const byId = new Map(claimed.map((m) => [m.id, m]));
    const failed = new Map<number, { count: number; example: string }>();
    for (const o of outcomes) {
      if (o.state !== 'failed') continue;
      const w = byId.get(o.id)!.warningId;
      const f = failed.get(w) ?? { count: 0, example: o.error };
      f.count += 1;
      failed.set(w, f);
    }
    for (const [warningId, f] of failed) this.deps.log.warn({ warningId, channel, messages: f.count, example: f.example }, 'warning messages failed for good');
  }

  /**
   * Live updates for the board: per warning, the batch's counts (region of the warning), and the
   * recipients whose status moved, per county so a county's board sees its own people.
   */
  private async publish(channel: SendingChannel, claimed: readonly store.ClaimedMessage[], outcomes: readonly store.Outcome[], changes: readonly store.RecipientChange[]): Promise<void> {
    const at = this.deps.clock.now().toISOString();
    const byId = new Map(claimed.map((m) => [m.id, m]));
    const perWarning = new Map<number, { region: string; sent: number; retrying: number; failed: number }>();
    for (const o of outcomes) {
      const m = byId.get(o.id)!;
      const c = perWarning.get(m.warningId) ?? { region: m.warningRegion, sent: 0, retrying: 0, failed: 0 };
      if (o.state === 'sent') c.sent += 1;
      else if (o.state === 'queued') c.retrying += 1;
      else c.failed += 1;
      perWarning.set(m.warningId, c);
    }
    for (const [warningId, c] of perWarning) {
      await this.deps.bus.publish({ type: 'warning.outbox', regionCode: c.region, at, data: { warningId, channel, sent: c.sent, retrying: c.retrying, failed: c.failed } });
    }
    await publishRecipientChanges(this.deps.bus, at, changes);
  }
}

/** `warning.recipients` events: status changes grouped per warning and county. */
export async function publishRecipientChanges(bus: EventBus, at: string, changes: readonly store.RecipientChange[]): Promise<void> {
  const groups = new Map<string, { warningId: number; county: string; recipients: { id: number; status: string }[] }>();
  for (const c of changes) {
    const county = c.regionCode.slice(0, 6);
    const key = `${c.warningId}:${county}`;
    const g = groups.get(key) ?? { warningId: c.warningId, county, recipients: [] };
    g.recipients.push({ id: c.recipientId, status: c.status });
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    await bus.publish({ type: 'warning.recipients', regionCode: g.county, at, data: { warningId: g.warningId, recipients: g.recipients } });
  }
}
