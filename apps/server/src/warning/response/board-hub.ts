/**
 * Live board updates (SSE), coalesced: whatever the answer rate, each board receives at most one
 * update per interval. Boards of the same warning and region scope share one channel, so ten duty
 * officers watching one warning cost one count query per interval, not ten.
 *
 * An update carries the counts (recomputed from the database, so they are right even when an
 * event was missed), and the recipients that changed since the last update as the events said —
 * or `reload` when there were too many to list or rows were added (escalation), so the page
 * fetches its rows again.
 */
import type { Clock, RegionScope } from '@anlan/core';
import type { Database } from '@anlan/db';
import type { BusEvent, EventBus } from '../../events/bus.ts';
import type { AckReceivedData } from './ack-events.ts';
import type { AckEscalatedData } from './escalation.ts';
import { regionNames, statusCounts, type RecipientStatus } from './board-store.ts';
import { codesToName, rollUpCounts, type CountGroup, type StatusCounts } from './rollup.ts';

export interface RecipientChange {
  id: number;
  status?: RecipientStatus;
  answeredAt?: string;
  escalatedAt?: string;
  lastAnswer?: { kind: string; at: string };
}

export interface BoardSnapshot {
  warningId: number;
  at: string;
  counts: StatusCounts;
  groups: CountGroup[];
}

export interface BoardUpdate extends BoardSnapshot {
  changed: RecipientChange[];
  /** The page should fetch its rows again (rows were added, or more changed than listed). */
  reload: boolean;
}

type Send = (event: 'update', data: BoardUpdate) => void;

const MAX_CHANGES = 500;

interface Channel {
  warningId: number;
  scope: RegionScope;
  listeners: Set<Send>;
  dirty: boolean;
  reload: boolean;
  changed: Map<number, RecipientChange>;
  lastSent: number;
  busy: boolean;
}

export interface BoardHubOptions {
  db: Database;
  clock: Clock;
  bus: EventBus;
  /** At most one update per channel this often (default 1 s). */
  intervalMs?: number;
  /** Counts are refreshed this often even without events (delivery receipts may come without one). */
  refreshMs?: number;
  onError?: (err: unknown) => void;
}

export class BoardHub {
  private readonly channels = new Map<string, Channel>();
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: BoardHubOptions) {}

  /** The counts of a warning as the scope sees them. */
  async snapshot(warningId: number, scope: RegionScope): Promise<BoardSnapshot> {
    const rows = await statusCounts(this.o.db, scope, warningId);
    const names = await regionNames(this.o.db, codesToName(rows.map((r) => r.regionCode)));
    return { warningId, at: this.o.clock.now().toISOString(), ...rollUpCounts(rows, names) };
  }

  /** Starts sending updates of one warning to `send`; returns the function that stops them. */
  subscribe(warningId: number, scope: RegionScope, send: Send): () => void {
    const key = `${warningId}|${scope.prefix}`;
    let ch = this.channels.get(key);
    if (!ch) {
      ch = { warningId, scope, listeners: new Set(), dirty: false, reload: false, changed: new Map(), lastSent: Date.now(), busy: false };
      this.channels.set(key, ch);
    }
    ch.listeners.add(send);
    this.ensureRunning();
    return () => {
      ch.listeners.delete(send);
      if (ch.listeners.size === 0) this.channels.delete(key);
      if (this.channels.size === 0) this.stopRunning();
    };
  }

  close(): void {
    this.channels.clear();
    this.stopRunning();
  }

  private ensureRunning(): void {
    this.unsubscribe ??= this.o.bus.subscribe((e) => this.onEvent(e));
    if (!this.timer) {
      this.timer = setInterval(() => void this.flushAll(), this.o.intervalMs ?? 1000);
      this.timer.unref();
    }
  }

  private stopRunning(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private onEvent(e: BusEvent): void {
    const warningId = Number((e.data as { warningId?: unknown }).warningId);
    if (!Number.isInteger(warningId)) return;
    for (const ch of this.channels.values()) {
      if (ch.warningId !== warningId) continue;
      if (!e.regionCode.startsWith(ch.scope.prefix)) {
        // An event about a wider region (delivery reports per county) may concern this scope's
        // rows too: count again and reload, but list nothing from it (it names others' rows).
        if (ch.scope.prefix.startsWith(e.regionCode)) {
          ch.dirty = true;
          ch.reload = true;
        }
        continue;
      }
      ch.dirty = true;
      if (e.type === 'ack.received') this.onAnswered(ch, e.data as AckReceivedData);
      else if (e.type === 'ack.escalated') this.onEscalated(ch, e.data as AckEscalatedData, e.at);
      else if (e.type === 'warning.recipients') this.onDelivery(ch, e.data as { recipients?: { id: number; status: RecipientStatus }[] });
      // Anything else about the warning (an Update, a Cancel): the rows may have changed.
      else ch.reload = true;
    }
  }

  private change(ch: Channel, id: number): RecipientChange | null {
    let c = ch.changed.get(id);
    if (!c) {
      if (ch.changed.size >= MAX_CHANGES) {
        ch.reload = true;
        return null;
      }
      c = { id };
      ch.changed.set(id, c);
    }
    return c;
  }

  private onAnswered(ch: Channel, data: AckReceivedData): void {
    if (data.count > data.recipients.length) ch.reload = true;
    for (const r of data.recipients) {
      const c = this.change(ch, r.id);
      if (!c) return;
      if (r.first) {
        c.status = 'answered';
        c.answeredAt = r.answeredAt;
      }
      c.lastAnswer = { kind: r.kind, at: r.answeredAt };
    }
  }

  /** Delivery progress (sent, delivered, failed) as the delivery worker reports it. */
  private onDelivery(ch: Channel, data: { recipients?: { id: number; status: RecipientStatus }[] }): void {
    if (!Array.isArray(data.recipients)) {
      ch.reload = true;
      return;
    }
    for (const r of data.recipients) {
      const c = this.change(ch, r.id);
      if (!c) return;
      // An answer or an escalation outranks a late delivery receipt.
      if (c.status !== 'answered' && c.status !== 'escalated' && c.status !== 'silent') c.status = r.status;
    }
  }

  private onEscalated(ch: Channel, data: AckEscalatedData, at: string): void {
    if (data.added.length > 0) ch.reload = true;
    for (const e of data.escalated) {
      const c = this.change(ch, e.id);
      if (!c) return;
      c.status = 'escalated';
      c.escalatedAt = at;
    }
    for (const id of data.silent) {
      const c = this.change(ch, id);
      if (!c) return;
      c.status = 'silent';
      c.escalatedAt = at;
    }
  }

  private async flushAll(): Promise<void> {
    const refreshMs = this.o.refreshMs ?? 15_000;
    const now = Date.now();
    for (const ch of [...this.channels.values()]) {
      if (ch.busy) continue;
      if (!ch.dirty && now - ch.lastSent < refreshMs) continue;
      ch.busy = true;
      const changed = [...ch.changed.values()];
      const reload = ch.reload;
      ch.changed = new Map();
      ch.reload = false;
      ch.dirty = false;
      try {
        const snap = await this.snapshot(ch.warningId, ch.scope);
        ch.lastSent = Date.now();
        const update: BoardUpdate = { ...snap, changed, reload };
        for (const send of ch.listeners) send('update', update);
      } catch (err) {
        ch.dirty = true;
        this.o.onError?.(err);
      } finally {
        ch.busy = false;
      }
    }
  }
}
