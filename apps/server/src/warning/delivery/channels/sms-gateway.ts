/**
 * SMS through an HTTP gateway: a generic JSON POST API that a bureau's contracted operator (or
 * an adapter in front of it) speaks. The contract is in docs/warning.md#delivery-channels:
 * one signed request per batch, one result per message, the idempotency key as the message id
 * so that a message sent again after a crash is not delivered twice.
 */
import type { Clock } from '@anlan/core';
import { networkRetry, retryAfterMs, type DeliveryChannel, type OutboxMessage, type SendResult } from '../channel.ts';
import type { SmsGatewayConfig } from '../config.ts';
import { signedHeaders } from '../signing.ts';

export interface GatewayMessageResult {
  id: string;
  status: 'accepted' | 'rejected';
  messageId?: string;
  code?: string;
  message?: string;
  retryable?: boolean;
}

const DEFAULT_THROTTLE_MS = 30_000;

export class SmsGatewayChannel implements DeliveryChannel {
  readonly name = 'sms' as const;
  readonly batchSize: number;

  constructor(
    private readonly config: SmsGatewayConfig,
    private readonly opts: { clock: Clock; receiptUrl: string; inboundUrl: string; timeoutMs?: number },
  ) {
    this.batchSize = config.batchSize;
  }

  async send(batch: readonly OutboxMessage[], signal: AbortSignal): Promise<SendResult[]> {
    const now = this.opts.clock.now();
    const body = JSON.stringify({
      account: this.config.account,
      receiptUrl: this.opts.receiptUrl,
      inboundUrl: this.opts.inboundUrl,
      messages: batch.map((m) => ({ id: m.idempotencyKey, to: m.address, text: m.body })),
    });
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-anlan-account': this.config.account, ...signedHeaders(this.config.secret, body, now) },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.opts.timeoutMs ?? 15_000)]),
      });
      text = await res.text();
    } catch (err) {
      const r = networkRetry(err);
      return batch.map(() => ({ ...r, error: `SMS gateway unreachable: ${(r as { error: string }).error}` }));
    }
    const said = text.slice(0, 200).replace(/\s+/g, ' ');
    if (res.status === 429) {
      const wait = retryAfterMs(res.headers.get('retry-after'), now) ?? DEFAULT_THROTTLE_MS;
      return batch.map(() => ({ kind: 'retry', throttled: true, retryAfterMs: wait, error: 'SMS gateway rate limit (HTTP 429)' }));
    }
    if (res.status >= 500 || res.status === 408) return batch.map(() => ({ kind: 'retry', error: `SMS gateway answered HTTP ${res.status}: ${said}` }));
    // 4xx for the whole request: our credentials or our request are wrong; retrying will not help.
    if (!res.ok) return batch.map(() => ({ kind: 'failed', error: `SMS gateway refused the request: HTTP ${res.status}: ${said}` }));
    return this.perMessage(batch, text);
  }

  private perMessage(batch: readonly OutboxMessage[], text: string): SendResult[] {
    let results: unknown;
    try {
      results = (JSON.parse(text) as { results?: unknown }).results;
    } catch {
      results = undefined;
    }
    if (!Array.isArray(results)) return batch.map(() => ({ kind: 'retry', error: 'SMS gateway answered without a results list' }));
    const byId = new Map<string, GatewayMessageResult>();
    for (const r of results as GatewayMessageResult[]) if (r && typeof r.id === 'string') byId.set(r.id, r);
    return batch.map((m): SendResult => {
      const r = byId.get(m.idempotencyKey);
      if (!r) return { kind: 'retry', error: 'SMS gateway gave no result for this message' };
      if (r.status === 'accepted' && typeof r.messageId === 'string' && r.messageId.length > 0) return { kind: 'sent', providerId: r.messageId.slice(0, 200) };
      const why = `SMS gateway rejected it: ${[r.code, r.message].filter(Boolean).join(' ') || 'no reason given'}`;
      if (r.status === 'rejected') return r.retryable ? { kind: 'retry', error: why } : { kind: 'failed', error: why };
      return { kind: 'retry', error: `SMS gateway gave a result without status and messageId for ${m.idempotencyKey}` };
    });
  }
}
