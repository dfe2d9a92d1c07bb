/**
 * The seams of the `warning` module (预警发布与一键叫应). Three parts own their own folders and
 * meet only here and in the tables of packages/db/migrations/009_warnings.sql:
 *
 * - core     (warning/core/):     warnings, areas, drafting, the two-person approval (签发), the
 *                                 6h → 3h → 1h ladder, Update and Cancel, CAP in and out, feeds.
 * - roster   (warning/roster/):   responsible persons, what each answers for (包保), the chain of
 *                                 superiors, and resolving an issued warning to its recipients.
 * - delivery (warning/delivery/): the outbox and its channels, one-tap answers (叫应), escalation
 *                                 timers, the evacuation (转移) ledger and the live board.
 *
 * When a warning is issued (approved, or imported as Actual), core calls
 * `WarningDispatch.dispatch(issued)` once, after the issuing transaction committed. The dispatch
 * (wired in startAnlan) resolves recipients through roster, then enqueues through delivery, then
 * publishes `warning.issued` on the bus. Dispatch is idempotent per warning id: calling it again
 * (a restart between commit and dispatch) resolves and enqueues nothing twice.
 */
import type { Queryable } from '@anlan/db';
import type { WarningLevel } from '@anlan/cap';

export type WarningStage = 'forecast' | 'short' | 'callresponse';
export type WarningMsgType = 'Alert' | 'Update' | 'Cancel';

/** A warning's area as given in the API: a GB/T 2260 region, a polygon or a circle. */
export type WarningAreaInput =
  | { regionCode: string; label?: string }
  | { polygon: [number, number][]; label?: string }
  | { circle: { lon: number; lat: number; radiusKm: number }; label?: string };

/** What dispatch needs to know of an issued warning. */
export interface IssuedWarning {
  id: number;
  threadId: number;
  /** The step of the thread this one follows (Update, Cancel, a promotion); null for the first. */
  previousId: number | null;
  identifier: string;
  msgType: WarningMsgType;
  stage: WarningStage;
  event: string;
  level: WarningLevel;
  headline: string;
  description: string;
  instruction: string;
  regionCode: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** Recipients of one issued warning, as roster recorded them in warning_recipients. */
export interface ResolvedRecipients {
  warningId: number;
  /** Rows in warning_recipients for this warning after resolution. */
  count: number;
  /** How many were newly added by this call (0 when dispatch runs again). */
  added: number;
}

/** roster: resolves an issued warning's areas to the people who must act, writing warning_recipients. */
export interface RecipientResolver {
  resolve(db: Queryable, warning: IssuedWarning): Promise<ResolvedRecipients>;
}

/** delivery: enqueues the messages for every recipient of a warning not yet enqueued, starts their timers. */
export interface DeliveryEnqueuer {
  enqueue(db: Queryable, warning: IssuedWarning): Promise<{ enqueued: number }>;
}

/** What core calls after issuing. */
export interface WarningDispatch {
  dispatch(warning: IssuedWarning): Promise<{ recipients: number; enqueued: number }>;
}

/** The 叫应 deadline of a stage and level, in seconds: 60 min for call-response by default, shorter for red. */
export interface DeadlinePolicy {
  deadlineSec(stage: WarningStage, level: WarningLevel): number;
}
