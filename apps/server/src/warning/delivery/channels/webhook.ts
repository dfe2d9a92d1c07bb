/**
 * Webhook: the warning as JSON (with the link to its CAP XML), POSTed to each configured
 * endpoint, signed with the endpoint's secret (signing.ts) and carrying the idempotency key in
 * Idempotency-Key, so a receiver that sees a retry of a message it took can ignore it.
 */
import type { Clock } from '@anlan/core';
import { networkRetry, retryAfterMs, type DeliveryChannel, type OutboxMessage, type SendResult } from '../channel.ts';
import type { WebhookEndpoint } from '../config.ts';
import { signedHeaders } from '../signing.ts';

export class WebhookChannel implements DeliveryChannel {
  readonly name = 'webhook' as const;
  readonly batchSize = 5;

  constructor(
    private readonly endpoints: () => readonly WebhookEndpoint[],
    private readonly opts: { clock: Clock; timeoutMs?: number },
  ) {}

  async send(batch: readonly OutboxMessage[], signal: AbortSignal): Promise<SendResult[]> {
    const results: SendResult[] = [];
    for (const m of batch) results.push(await this.post(m, signal));
    return results;
  }

  private async post(m: OutboxMessage, signal: AbortSignal): Promise<SendResult> {
    // subject holds the endpoint's name; its secret is read now so a rotated secret applies.
    const endpoint = this.endpoints().find((e) => e.name === m.subject);
    if (!endpoint) return { kind: 'failed', error: `webhook endpoint "${m.subject}" is no longer configured` };
    const now = this.opts.clock.now();
    let res: Response;
    try {
      res = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': m.idempotencyKey, 'user-agent': 'Anlan-Webhook/1', ...signedHeaders(endpoint.secret, m.body, now) },
        body: m.body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.opts.timeoutMs ?? 15_000)]),
      });
      await res.arrayBuffer();
    } catch (err) {
      return networkRetry(err);
    }
    if (res.ok) return { kind: 'sent', providerId: res.headers.get('x-request-id')?.slice(0, 200) ?? null };
    const what = `webhook ${endpoint.name} answered HTTP ${res.status}`;
    if (res.status === 429) return { kind: 'retry', throttled: true, retryAfterMs: retryAfterMs(res.headers.get('retry-after'), now), error: what };
    if (res.status >= 500 || res.status === 408) return { kind: 'retry', error: what };
    return { kind: 'failed', error: what };
  }
}
