/**
 * The one interface every delivery channel implements. The worker claims due outbox rows of a
 * channel, hands them over as a batch, and records what comes back; a channel never touches the
 * database, so SMS, e-mail, webhook and Web Push differ only in how they speak to the outside.
 */

/** Channels of warning_outbox.channel. inapp rows are written 'sent' (the mobile page reads them). */
export const CHANNELS = ['inapp', 'sms', 'email', 'webpush', 'webhook'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** Channels whose messages leave the machine and go through the worker. */
export const SENDING_CHANNELS = ['sms', 'email', 'webpush', 'webhook'] as const;
export type SendingChannel = (typeof SENDING_CHANNELS)[number];

/** One claimed outbox row. */
export interface OutboxMessage {
  id: number;
  warningId: number;
  recipientId: number | null;
  channel: SendingChannel;
  address: string;
  subject: string | null;
  body: string;
  /** `<warningId>:<recipientId>:<channel>`; handed to the provider wherever its protocol takes one. */
  idempotencyKey: string;
  /** Including this one. */
  attempts: number;
}

export type SendResult =
  /** Accepted by the provider; providerId matches its delivery receipts, when it sends any. */
  | { kind: 'sent'; providerId: string | null }
  /**
   * Worth trying again later. throttled: the provider asked us to slow down (HTTP 429), which is
   * not the message's fault and does not use up an attempt; retryAfterMs: when it said to.
   */
  | { kind: 'retry'; error: string; retryAfterMs?: number; throttled?: boolean }
  /** Will never succeed (a rejected number, a dropped push subscription). */
  | { kind: 'failed'; error: string; gone?: boolean };

export interface DeliveryChannel {
  readonly name: SendingChannel;
  /** The most messages one send() takes. */
  readonly batchSize: number;
  /**
   * One result per message, in order. Throwing counts as a retryable error for the whole batch.
   * signal aborts when the worker is stopping; a channel should end its requests then.
   */
  send(batch: readonly OutboxMessage[], signal: AbortSignal): Promise<SendResult[]>;
  close?(): Promise<void>;
}

/** What a network failure looks like as a result, with the cause spelled out for last_error. */
export function networkRetry(err: unknown): SendResult {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  const what = e?.name === 'TimeoutError' ? 'timed out' : (e?.message ?? String(err));
  return { kind: 'retry', error: cause ? `${what} (${cause})` : what };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  if (/^[0-9]{1,7}$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now.getTime()) : undefined;
}
