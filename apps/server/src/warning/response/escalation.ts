/**
 * Escalation (逐级叫应): when a recipient's deadline passes with no answer, their superior (village →
 * township → county) becomes a recipient of the same warning with a deadline of their own, and the
 * board marks the silent one red; with nobody above, the recipient is marked 'silent'.
 *
 * The timers are rows (warning_recipients.deadline_at), so a restart loses none: the worker only
 * looks for rows whose time has come, by the injected clock, every few seconds and once at start.
 * Each pass is one transaction that locks what it escalates, so a pass interrupted by a crash is
 * rolled back whole and done again, and nothing is escalated twice.
 */
import type { Clock } from '@anlan/core';
import type { Database } from '@anlan/db';
import type { Logger } from 'pino';
import { appendAudit } from '../../audit/service.ts';
import { SYSTEM_ACTOR } from '../../caller.ts';
import type { EventBus } from '../../events/bus.ts';
import type { DeadlinePolicy, DeliveryEnqueuer } from '../contracts.ts';
import { currentDeadlines } from './deadlines.ts';
import * as store from './escalation-store.ts';

export interface EscalationOptions {
  db: Database;
  clock: Clock;
  bus: EventBus;
  log?: Pick<Logger, 'error' | 'warn'>;
  /** Default: the installation's 叫应 deadlines (delivery/deadline.ts), read at each pass. */
  deadlines?: DeadlinePolicy;
  /** Sends the superiors their messages; without one they are recorded and shown, not messaged. */
  enqueuer?: DeliveryEnqueuer;
  /** How often to look for passed deadlines (default 5 s). */
  intervalMs?: number;
  /** Recipients per transaction (default 500). */
  batchSize?: number;
}

export interface EscalationReport {
  escalated: number;
  silent: number;
  /** Timers dropped because their warning no longer asks for answers. */
  dropped: number;
  added: number;
}

/** Data of an `ack.escalated` event (one per warning and region). */
export interface AckEscalatedData {
  warningId: number;
  escalated: { id: number; superiorRecipientId: number | null }[];
  silent: number[];
  added: { id: number; viaRecipientId: number }[];
  [key: string]: unknown;
}

export class EscalationWorker {
  enqueuer: DeliveryEnqueuer | undefined;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: EscalationOptions) {
    this.enqueuer = o.enqueuer;
  }

  start(): void {
    if (this.timer) return;
    void this.tick().catch((err) => this.o.log?.error({ err }, 'escalation pass failed'));
    this.timer = setInterval(() => void this.tick().catch((err) => this.o.log?.error({ err }, 'escalation pass failed')), this.o.intervalMs ?? 5000);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.chain.catch(() => undefined);
  }

  /**
   * Escalates every recipient whose deadline has passed by now. Calls are serialised: a call made
   * while a pass runs waits for it and then makes its own, with the clock as it is then.
   */
  tick(): Promise<EscalationReport> {
    const next = this.chain.catch(() => undefined).then(() => this.runAll());
    this.chain = next;
    return next;
  }

  private async runAll(): Promise<EscalationReport> {
    const total: EscalationReport = { escalated: 0, silent: 0, dropped: 0, added: 0 };
    const size = this.o.batchSize ?? 500;
    for (;;) {
      const pass = await this.runBatch(size);
      total.escalated += pass.report.escalated;
      total.silent += pass.report.silent;
      total.dropped += pass.report.dropped;
      total.added += pass.report.added;
      if (pass.locked < size) return total;
    }
  }

  private async runBatch(size: number): Promise<{ locked: number; report: EscalationReport }> {
    const now = this.o.clock.now();
    const outcome = await this.o.db.transaction(async (tx) => {
      const due = await store.lockDue(tx, now, size);
      if (due.length === 0) return null;
      const deadlines = this.o.deadlines ?? (await currentDeadlines(tx));
      const closed = due.filter((d) => !d.open);
      const open = due.filter((d) => d.open);
      await store.dropTimers(tx, closed.map((d) => d.id));

      const superiors = await store.superiorsOf(tx, [...new Set(open.map((d) => d.personId))]);
      const warnings = await store.issuedWarnings(tx, [...new Set(open.map((d) => d.warningId))]);
      const withSuperior = open.filter((d) => superiors.has(d.personId));
      const silent = open.filter((d) => !superiors.has(d.personId));
      const added = await store.addEscalationRecipients(
        tx,
        withSuperior.map((d) => {
          const w = warnings.get(d.warningId)!;
          return { warningId: d.warningId, personId: superiors.get(d.personId)!.id, viaRecipientId: d.id, deadlineAt: new Date(now.getTime() + deadlines.deadlineSec(w.stage, w.level) * 1000) };
        }),
      );
      // A superior already on the list is not added again; the board links to their existing row.
      const superiorRows = await store.recipientsOfPersons(tx, withSuperior.map((d) => ({ warningId: d.warningId, personId: superiors.get(d.personId)!.id })));
      await store.closeTimers(tx, withSuperior.map((d) => d.id), 'escalated', now);
      await store.closeTimers(tx, silent.map((d) => d.id), 'silent', now);

      const enqueuer = this.enqueuer;
      if (enqueuer) {
        for (const warningId of new Set(added.map((a) => a.warningId))) await enqueuer.enqueue(tx, warnings.get(warningId)!);
      }
      const superiorRecipientOf = (d: store.DueRecipient) => superiorRows.get(`${d.warningId}|${superiors.get(d.personId)!.id}`) ?? null;
      for (const warningId of new Set(due.map((d) => d.warningId))) {
        const mine = (list: store.DueRecipient[]) => list.filter((d) => d.warningId === warningId);
        const w = warnings.get(warningId);
        await appendAudit(tx, this.o.clock, SYSTEM_ACTOR, {
          action: 'warning.recipients_escalated',
          targetType: 'warning',
          targetId: warningId,
          regionCode: w?.regionCode ?? due.find((d) => d.warningId === warningId)!.regionCode,
          after: {
            escalated: mine(withSuperior).map((d) => ({ recipientId: d.id, name: d.name, superior: superiors.get(d.personId)!.name, superiorRecipientId: superiorRecipientOf(d) })),
            silent: mine(silent).map((d) => ({ recipientId: d.id, name: d.name })),
            timersDropped: mine(closed).map((d) => d.id),
            enqueued: Boolean(enqueuer),
          },
        });
      }
      return { due, withSuperior, silent, closed, added, superiorRecipientOf };
    });
    if (!outcome) return { locked: 0, report: { escalated: 0, silent: 0, dropped: 0, added: 0 } };
    await this.publish(now, outcome.withSuperior, outcome.silent, outcome.added, outcome.superiorRecipientOf);
    return {
      locked: outcome.due.length,
      report: { escalated: outcome.withSuperior.length, silent: outcome.silent.length, dropped: outcome.closed.length, added: outcome.added.length },
    };
  }

  private async publish(
    now: Date,
    escalated: store.DueRecipient[],
    silent: store.DueRecipient[],
    added: store.AddedRecipient[],
    superiorRecipientOf: (d: store.DueRecipient) => number | null,
  ): Promise<void> {
    const groups = new Map<string, { regionCode: string; data: AckEscalatedData }>();
    const group = (warningId: number, regionCode: string) => {
      const key = `${warningId}|${regionCode}`;
      let g = groups.get(key);
      if (!g) {
        g = { regionCode, data: { warningId, escalated: [], silent: [], added: [] } };
        groups.set(key, g);
      }
      return g.data;
    };
    for (const d of escalated) group(d.warningId, d.regionCode).escalated.push({ id: d.id, superiorRecipientId: superiorRecipientOf(d) });
    for (const d of silent) group(d.warningId, d.regionCode).silent.push(d.id);
    for (const a of added) group(a.warningId, a.regionCode).added.push({ id: a.id, viaRecipientId: a.viaRecipientId });
    for (const g of groups.values()) {
      await this.o.bus.publish({ type: 'ack.escalated', regionCode: g.regionCode, at: now.toISOString(), data: g.data }).catch((err) => this.o.log?.warn({ err }, 'ack.escalated not published'));
    }
  }
}
