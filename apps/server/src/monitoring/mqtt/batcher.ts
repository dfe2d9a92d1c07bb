/**
 * Micro-batching of MQTT messages into ingest calls.
 *
 * Devices mostly publish one reading a message; one transaction per message would cap MQTT at a
 * few hundred readings a second. Messages that arrive within a few milliseconds of each other are
 * therefore ingested together — per region scope, since one ingest call has one scope — and each
 * message learns its own outcome only when its whole batch is durable, so that its PUBACK still
 * means "stored".
 */
import type { RegionScope } from '@anlan/core';
import type { Actor } from '../../caller.ts';
import type { RawReading } from '../ingest/parse.ts';
import type { IngestResult, Rejected } from '../ingest/service.ts';

export interface Writer {
  actor: Actor;
  scope: RegionScope;
}

export type IngestFn = (who: Writer, items: RawReading[]) => Promise<IngestResult>;

export interface BatcherOptions {
  /** A batch is sent once it holds this many readings… */
  maxReadings?: number;
  /** …or this long after its first message arrived. 0: on the next turn of the event loop. */
  maxDelayMs?: number;
  /** Ingest calls under way at once; the others' messages wait and make larger batches. */
  maxInFlight?: number;
}

/** The outcome of one message: `rejected[].index` counts within the message. */
export interface MessageResult {
  accepted: number;
  rejected: Rejected[];
}

interface Ticket {
  who: Writer;
  items: RawReading[];
  resolve(r: MessageResult): void;
  reject(err: unknown): void;
}

interface Group {
  scope: RegionScope;
  tickets: Ticket[];
  readings: number;
  ready: boolean;
}

/** Writer recorded for a batch of several tokens' messages (the quarantine's `received_by`). */
export const SHARED_ACTOR_NAME = 'mqtt';

export class ReadingBatcher {
  private readonly maxReadings: number;
  private readonly maxDelayMs: number;
  private readonly maxInFlight: number;
  private readonly groups = new Map<string, Group>();
  private readonly ready: Group[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly ingest: IngestFn,
    opts: BatcherOptions = {},
  ) {
    this.maxReadings = opts.maxReadings ?? 2000;
    this.maxDelayMs = opts.maxDelayMs ?? 5;
    this.maxInFlight = opts.maxInFlight ?? 2;
  }

  /** Resolves once the message's readings are durable (or quarantined); rejects when the ingest failed. */
  submit(who: Writer, items: RawReading[]): Promise<MessageResult> {
    if (items.length === 0) return Promise.resolve({ accepted: 0, rejected: [] });
    return new Promise<MessageResult>((resolve, reject) => {
      let group = this.groups.get(who.scope.code);
      if (!group) {
        group = { scope: who.scope, tickets: [], readings: 0, ready: false };
        this.groups.set(who.scope.code, group);
      }
      group.tickets.push({ who, items, resolve, reject });
      group.readings += items.length;
      if (group.readings >= this.maxReadings) this.markReady(group);
      else this.arm();
      this.pump();
    });
  }

  /** Sends what is waiting and resolves when no ingest call is under way. */
  async drain(): Promise<void> {
    this.disarm();
    for (const g of this.groups.values()) this.markReady(g);
    this.pump();
    while (this.inFlight > 0 || this.ready.length > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private arm(): void {
    if (this.timer) return;
    const fire = () => {
      this.timer = null;
      for (const g of this.groups.values()) this.markReady(g);
      this.pump();
    };
    this.timer = this.maxDelayMs > 0 ? setTimeout(fire, this.maxDelayMs) : setImmediate(fire);
  }

  private disarm(): void {
    if (!this.timer) return;
    if (this.maxDelayMs > 0) clearTimeout(this.timer as NodeJS.Timeout);
    else clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = null;
  }

  private markReady(group: Group): void {
    if (group.ready) return;
    group.ready = true;
    this.ready.push(group);
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.ready.length > 0) {
      const group = this.ready[0];
      // Whole messages only; a message larger than a batch goes alone.
      const take: Ticket[] = [];
      let n = 0;
      while (group.tickets.length > 0 && (take.length === 0 || n + group.tickets[0].items.length <= this.maxReadings)) {
        const t = group.tickets.shift()!;
        take.push(t);
        n += t.items.length;
      }
      group.readings -= n;
      if (group.tickets.length === 0) {
        this.ready.shift();
        this.groups.delete(group.scope.code);
      }
      this.inFlight += 1;
      void this.run(group.scope, take).finally(() => {
        this.inFlight -= 1;
        this.pump();
        if (this.inFlight === 0 && this.ready.length === 0) for (const wake of this.idle.splice(0)) wake();
      });
    }
  }

  private async run(scope: RegionScope, tickets: Ticket[]): Promise<void> {
    const items: RawReading[] = [];
    const starts: number[] = [];
    for (const t of tickets) {
      starts.push(items.length);
      for (const r of t.items) items.push({ ...r, index: items.length });
    }
    const first = tickets[0].who.actor;
    const oneWriter = tickets.every((t) => t.who.actor.name === first.name);
    const actor: Actor = oneWriter ? first : { id: null, name: SHARED_ACTOR_NAME, ip: null };
    let result: IngestResult;
    try {
      result = await this.ingest({ actor, scope }, items);
    } catch (err) {
      for (const t of tickets) t.reject(err);
      return;
    }
    const perTicket: Rejected[][] = tickets.map(() => []);
    for (const r of result.rejected) {
      const k = lastAtOrBelow(starts, r.index);
      perTicket[k].push({ ...r, index: tickets[k].items[r.index - starts[k]].index });
    }
    tickets.forEach((t, i) => t.resolve({ accepted: t.items.length - perTicket[i].length, rejected: perTicket[i] }));
  }
}

/** Position of the last entry of an ascending list that is ≤ value. */
function lastAtOrBelow(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid] <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
