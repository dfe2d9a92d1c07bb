/**
 * The call-response part of the warning module as one running thing per process: the batched
 * answer writer, the coalesced `ack.received` publisher, the escalation worker and the live board
 * channels. startAnlan makes one and closes it before the database; a bare app (tests of other
 * modules) gets one from the routes, without the escalation timer.
 */
import type { Clock } from '@anlan/core';
import type { Database } from '@anlan/db';
import type { Logger } from 'pino';
import { FailureLimiter } from '../../auth/rate-limit.ts';
import type { EventBus } from '../../events/bus.ts';
import { loadAckKey } from '../ack-token.ts';
import type { DeadlinePolicy, DeliveryEnqueuer } from '../contracts.ts';
import { AckPublisher } from './ack-events.ts';
import { AnswerWriter, type AnswerOutcome } from './answer-writer.ts';
import { BoardHub } from './board-hub.ts';
import { EscalationWorker } from './escalation.ts';
import type { AnswerRow } from './store.ts';

export interface WarningResponseDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
  log?: Pick<Logger, 'error' | 'warn'>;
  filesDir: string;
}

export interface WarningResponseOptions {
  enqueuer?: DeliveryEnqueuer;
  deadlines?: DeadlinePolicy;
  /** How often the escalation worker looks for passed deadlines (default 5 s). */
  escalationIntervalMs?: number;
  /** At most one board update per this (default 1 s). */
  boardIntervalMs?: number;
}

/** A one-tap link guessed wrong this many times from one address is refused for the window. */
export const LINK_FAILURES_PER_WINDOW = 30;
export const LINK_FAILURE_WINDOW_MS = 15 * 60 * 1000;
/** A leaked link may not flood the ledger: at most this many new answers per recipient per hour. */
export const ANSWERS_PER_RECIPIENT_HOUR = 60;

export class WarningResponse {
  readonly writer: AnswerWriter;
  readonly publisher: AckPublisher;
  readonly escalation: EscalationWorker;
  readonly board: BoardHub;
  /** Failed token checks per client address. */
  readonly linkFailures: FailureLimiter;
  /** New answers per recipient. */
  readonly answerLimits: FailureLimiter;
  private key: Promise<Buffer> | null = null;

  constructor(
    readonly deps: WarningResponseDeps,
    opts: WarningResponseOptions = {},
  ) {
    const onError = (err: unknown) => deps.log?.error({ err }, 'warning call-response');
    this.publisher = new AckPublisher(deps.bus, deps.clock, 200, onError);
    this.writer = new AnswerWriter({ db: deps.db, clock: deps.clock, onStored: (answers) => this.publisher.answered(answers), onError });
    this.escalation = new EscalationWorker({ db: deps.db, clock: deps.clock, bus: deps.bus, log: deps.log, deadlines: opts.deadlines, enqueuer: opts.enqueuer, intervalMs: opts.escalationIntervalMs });
    this.board = new BoardHub({ db: deps.db, clock: deps.clock, bus: deps.bus, intervalMs: opts.boardIntervalMs, onError });
    this.linkFailures = new FailureLimiter(deps.clock, LINK_FAILURES_PER_WINDOW, LINK_FAILURE_WINDOW_MS);
    this.answerLimits = new FailureLimiter(deps.clock, ANSWERS_PER_RECIPIENT_HOUR, 60 * 60 * 1000);
  }

  /** The installation's one-tap link key, read once. */
  ackKey(): Promise<Buffer> {
    this.key ??= loadAckKey(this.deps.db).catch((err: unknown) => {
      this.key = null;
      throw err;
    });
    return this.key;
  }

  /** Stores one answer with the others arriving now; resolves once it is committed. */
  record(row: AnswerRow): Promise<AnswerOutcome> {
    return this.writer.submit(row);
  }

  /** Told which recipients saw their warning (the mobile page, a one-tap link): in-app delivered. */
  shown: ((recipientIds: readonly number[]) => Promise<void>) | null = null;

  /** Lets the delivery part send escalated superiors their messages (wired after both exist). */
  setEnqueuer(enqueuer: DeliveryEnqueuer | undefined): void {
    this.escalation.enqueuer = enqueuer;
  }

  /** Starts the escalation timer (startAnlan; not in a bare app). */
  start(): void {
    this.escalation.start();
  }

  async close(): Promise<void> {
    await this.escalation.stop();
    await this.writer.close();
    await this.publisher.close();
    this.board.close();
  }
}
