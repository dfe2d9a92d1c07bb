/**
 * The alarm lifecycle. The engine's transitions are applied strictly in order through one queue
 * (raised → a new alarm, level_changed → its level, cleared → cleared as recovered); people
 * acknowledge, handle and clear. Every step writes an event row and an audit entry in the same
 * transaction and, after the commit, publishes `alarm.<step>` on the bus with the alarm as the
 * API shows it.
 */
import { ConflictError, NotFoundError, ValidationError, type Clock } from '@anlan/core';
import type { Database, Queryable } from '@anlan/db';
import { LEVELS, type AlarmTransition, type Level } from '@anlan/rules';
import type { Logger } from 'pino';
import { appendAudit } from '../../audit/service.ts';
import { SYSTEM_ACTOR, type Actor } from '../../caller.ts';
import type { BusEvent, EventBus } from '../../events/bus.ts';
import { readSetting } from '../../system/settings.ts';
import type { ScopedActor } from '../../users/service.ts';
import * as store from './store.ts';

export type Alarm = store.Alarm;

export interface AlarmDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
  log: Logger;
}

/** What the engine host knows about a transition's subject when it hands the transition over. */
export interface TransitionMeta {
  ruleName: string | null;
  sensorId: number | null;
  sensorCode: string | null;
  pointId: number | null;
  regionCode: string;
}

export interface QueuedTransition {
  t: AlarmTransition;
  meta: TransitionMeta | null;
  /** When the batch of readings that caused it arrived (for the latency on `alarm.raised`). */
  receivedAtMs: number | null;
  /**
   * Set on the transitions that reconcile the engine with the database after a start: a raise
   * for a key whose newest alarm was cleared by hand at the same level is not raised again.
   */
  restored?: boolean;
}

export const REOPEN_SETTING = 'monitoring.alarm_reopen_sec';
export const DEFAULT_REOPEN_SEC = 60;
/** Transitions written per database transaction when many are waiting (a storm). */
const BATCH = 100;
const RETRIES = 3;

const rankOf = (l: Level | null) => (l === null ? 0 : LEVELS.indexOf(l) + 1);

export function keyOf(t: AlarmTransition): store.AlarmKey {
  const subject = t.scope === 'sensor' ? t.sensor : t.scope === 'point' ? t.point : t.area;
  return { ruleId: t.ruleId, scope: t.scope, subject: subject ?? '' };
}

type Outgoing = { type: string; alarm: Alarm; extra?: Record<string, unknown>; receivedAtMs?: number | null };

export class AlarmService {
  private readonly queue: QueuedTransition[] = [];
  private draining: Promise<void> | null = null;
  private reopen: { sec: number; readAt: number } | null = null;
  private closed = false;

  constructor(private readonly deps: AlarmDeps) {}

  /** Hands transitions over in the engine's order; they are written in that order. */
  enqueue(items: readonly QueuedTransition[]): void {
    if (this.closed) return;
    for (const i of items) this.queue.push(i);
    this.kick();
  }

  private kick(): void {
    if (this.draining || this.queue.length === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      this.kick();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Resolves when everything handed over so far is written and published. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Stops taking transitions once what is queued is written. */
  async close(): Promise<void> {
    await this.idle();
    this.closed = true;
  }

  async reopenWindowSec(): Promise<number> {
    const now = Date.now();
    if (!this.reopen || now - this.reopen.readAt > 60_000) {
      const v = await readSetting<number>(this.deps.db, REOPEN_SETTING).catch(() => null);
      this.reopen = { sec: typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : DEFAULT_REOPEN_SEC, readAt: now };
    }
    return this.reopen.sec;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, BATCH);
      try {
        await this.writeAndPublish(batch);
      } catch (err) {
        // One bad transition must not lose the others: write them one at a time, retrying each.
        this.deps.log.warn({ err }, 'alarm batch failed; writing its transitions one by one');
        for (const item of batch) {
          for (let attempt = 1; ; attempt++) {
            try {
              await this.writeAndPublish([item]);
              break;
            } catch (e) {
              if (attempt >= RETRIES) {
                this.deps.log.error({ err: e, transition: item.t }, 'alarm transition could not be written; dropped');
                break;
              }
              await new Promise((r) => setTimeout(r, 250 * attempt));
            }
          }
        }
      }
    }
  }

  private async writeAndPublish(batch: QueuedTransition[]): Promise<void> {
    const window = await this.reopenWindowSec();
    const out: Outgoing[] = [];
    await this.deps.db.transaction(async (tx) => {
      if (this.deps.db.kind === 'postgres') await store.lockAuditFirst(tx);
      for (const item of batch) await this.apply(tx, item, window, out);
    });
    await this.publish(out);
  }

  private async publish(out: Outgoing[]): Promise<void> {
    const at = this.deps.clock.now().toISOString();
    for (const o of out) {
      // Measured after the commit: what a benchmark of "reading in, alarm out" wants.
      const latency = typeof o.receivedAtMs === 'number' ? { latencyMs: Math.max(0, Date.now() - o.receivedAtMs) } : {};
      const event: BusEvent = { type: o.type, regionCode: o.alarm.regionCode, at, data: { ...o.alarm, ...o.extra, ...latency } };
      try {
        await this.deps.bus.publish(event);
      } catch (err) {
        this.deps.log.error({ err, type: o.type }, 'alarm event could not be published');
      }
    }
  }

  /** One transition of the engine, against what the database holds for its key. */
  private async apply(tx: Queryable, item: QueuedTransition, reopenSec: number, out: Outgoing[]): Promise<void> {
    const { t } = item;
    const key = keyOf(t);
    const now = this.deps.clock.now();
    const observedAt = Number.isFinite(t.ts) ? new Date(t.ts) : null;
    const open = await store.openAlarmOf(tx, key);

    if (t.kind === 'cleared') {
      // Nothing open: someone cleared it by hand while the condition lasted.
      if (!open) return;
      const reason: store.ClearReason = t.reason ?? 'recovered';
      await store.clearAlarm(tx, open.id, { reason, by: null, value: t.value, message: t.message, observedAt, at: now });
      await this.record(tx, open, 'cleared', { level: null, previousLevel: open.level, value: t.value, message: t.message, by: null, note: reason }, SYSTEM_ACTOR, now, out);
      return;
    }

    const level = t.level!;
    if (open) {
      // A raise for an open alarm is the engine catching up with the database (after a start).
      if (open.level === level) return;
      await store.changeLevel(tx, open.id, { level, ruleVersion: t.ruleVersion, value: t.value, message: t.message, observedAt, at: now });
      await this.record(tx, open, 'level_changed', { level, previousLevel: open.level, value: t.value, message: t.message, by: null, note: null }, SYSTEM_ACTOR, now, out);
      return;
    }

    // A level change with nothing open: the alarm was cleared by hand while the condition lasted;
    // only a rise is news.
    if (t.kind === 'level_changed' && rankOf(level) <= rankOf(t.previousLevel)) return;

    const latest = await store.latestAlarmOf(tx, key);
    if (item.restored && latest?.clearReason === 'manual' && latest.level === level) return;
    if (latest && latest.state === 'cleared' && latest.clearReason === 'recovered' && latest.clearedAt && now.getTime() - Date.parse(latest.clearedAt) <= reopenSec * 1000) {
      await store.reopenAlarm(tx, latest.id, { level, ruleVersion: t.ruleVersion, value: t.value, message: t.message, observedAt, at: now });
      await this.record(tx, latest, 'raised', { level, previousLevel: null, value: t.value, message: t.message, by: null, note: 'reopened' }, SYSTEM_ACTOR, now, out, { reopened: true }, false, item.receivedAtMs);
      return;
    }

    const meta = item.meta;
    if (!meta) {
      this.deps.log.warn({ transition: t }, 'alarm raised for a subject the registry no longer knows; not stored');
      return;
    }
    const id = await store.insertAlarm(tx, {
      ruleId: t.ruleId, ruleVersion: t.ruleVersion, ruleKind: t.ruleKind, ruleName: meta.ruleName, scope: t.scope, subject: key.subject,
      sensorId: meta.sensorId, sensorCode: meta.sensorCode, pointId: meta.pointId, regionCode: meta.regionCode,
      level, value: t.value, message: t.message, observedAt, at: now,
    });
    if (id === null) {
      // Another process raised it between our look and our insert: the partial unique index
      // decided; continue that alarm instead.
      const other = await store.openAlarmOf(tx, key);
      if (other && other.level !== level) {
        await store.changeLevel(tx, other.id, { level, ruleVersion: t.ruleVersion, value: t.value, message: t.message, observedAt, at: now });
        await this.record(tx, other, 'level_changed', { level, previousLevel: other.level, value: t.value, message: t.message, by: null, note: null }, SYSTEM_ACTOR, now, out);
      }
      return;
    }
    const created = (await store.alarmById(tx, id))!;
    await this.record(tx, created, 'raised', { level, previousLevel: null, value: t.value, message: t.message, by: null, note: null }, SYSTEM_ACTOR, now, out, undefined, true, item.receivedAtMs);
  }

  /** The event row, the audit entry and the bus event of one step; `fresh` when `alarm` is already current. */
  private async record(
    tx: Queryable,
    alarm: Alarm,
    kind: store.EventKind,
    e: { level: Level | null; previousLevel: Level | null; value: number | null; message: string | null; by: string | null; note: string | null },
    actor: Actor,
    at: Date,
    out: Outgoing[],
    extra?: Record<string, unknown>,
    fresh = false,
    receivedAtMs: number | null = null,
  ): Promise<Alarm> {
    await store.insertEvent(tx, { alarmId: alarm.id, at, kind, ...e });
    const after = fresh ? alarm : (await store.alarmById(tx, alarm.id))!;
    await appendAudit(tx, this.deps.clock, actor, {
      action: `alarm.${kind}`,
      targetType: 'monitoring_alarm',
      targetId: alarm.id,
      regionCode: after.regionCode,
      before: fresh ? undefined : { state: alarm.state, level: alarm.level },
      after: { ...after, ...(e.note ? { note: e.note } : {}) },
    });
    out.push({ type: `alarm.${kind}`, alarm: after, extra, receivedAtMs });
    return after;
  }

  // ---- people ----

  async acknowledge(who: ScopedActor, id: number, note: string | null): Promise<Alarm> {
    return this.human(who, id, (a) => {
      if (a.acknowledgedAt !== null) return `was already acknowledged by ${a.acknowledgedBy} at ${a.acknowledgedAt}`;
      return null;
    }, 'acknowledged', note, (tx, at) => store.acknowledge(tx, id, who.actor.name, at));
  }

  async handle(who: ScopedActor, id: number, note: string): Promise<Alarm> {
    if (note.trim() === '') throw new ValidationError([{ field: 'note', message: 'is required: what was done about the alarm (处置情况)' }]);
    return this.human(who, id, (a) => {
      if (a.state === 'cleared') return 'is cleared; a cleared alarm cannot be handled';
      if (a.state === 'handled') return `was already handled by ${a.handledBy} at ${a.handledAt}`;
      return null;
    }, 'handled', note, (tx, at) => store.handle(tx, id, who.actor.name, note, at));
  }

  async clear(who: ScopedActor, id: number, note: string | null): Promise<Alarm> {
    return this.human(who, id, (a) => (a.state === 'cleared' ? `is already cleared (${a.clearReason})` : null), 'cleared', note, (tx, at) =>
      store.clearAlarm(tx, id, { reason: 'manual', by: who.actor.name, at }),
    );
  }

  private async human(
    who: ScopedActor,
    id: number,
    refuse: (a: Alarm) => string | null,
    kind: store.EventKind,
    note: string | null,
    change: (tx: Queryable, at: Date) => Promise<void>,
  ): Promise<Alarm> {
    const out: Outgoing[] = [];
    const after = await this.deps.db.transaction(async (tx) => {
      if (this.deps.db.kind === 'postgres') await store.lockAuditFirst(tx);
      const a = await store.findAlarm(tx, who.scope, id, true);
      if (!a) throw new NotFoundError(`Alarm ${id}`);
      const why = refuse(a);
      if (why) throw new ConflictError(`Alarm ${id} ${why}`);
      const at = this.deps.clock.now();
      await change(tx, at);
      return this.record(tx, a, kind, { level: a.level, previousLevel: null, value: null, message: null, by: who.actor.name, note: note?.trim() || null }, who.actor, at, out);
    });
    await this.publish(out);
    return after;
  }

  // ---- reading ----

  list(scope: ScopedActor['scope'], filter: store.AlarmFilter): Promise<Alarm[]> {
    return store.listAlarms(this.deps.db, scope, filter);
  }

  async get(scope: ScopedActor['scope'], id: number): Promise<Alarm & { events: store.AlarmEvent[] }> {
    const a = await store.findAlarm(this.deps.db, scope, id);
    if (!a) throw new NotFoundError(`Alarm ${id}`);
    return { ...a, events: await store.listEvents(this.deps.db, id) };
  }
}
