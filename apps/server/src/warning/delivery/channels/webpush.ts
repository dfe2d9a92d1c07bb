/**
 * Web Push (RFC 8030) to the mobile page's service worker: the payload encrypted for the
 * subscription (RFC 8291, aes128gcm) and signed with the installation's VAPID key (RFC 8292),
 * both by the web-push package; the request itself is sent with fetch so that it shares the
 * worker's timeouts and stop signal. The Topic header is derived from the idempotency key: a
 * push service replaces an undelivered message with a later one of the same topic, so a resend
 * after a crash does not show twice.
 */
import { createHash } from 'node:crypto';
import webPush from 'web-push';
import { networkRetry, retryAfterMs, type DeliveryChannel, type OutboxMessage, type SendResult } from '../channel.ts';
import type { Clock } from '@anlan/core';
import type { VapidKeys } from '../vapid.ts';
import type { PushKeys } from '../store.ts';

/** How long a push service keeps a message for a device that is offline. */
const TTL_SEC = 6 * 60 * 60;

export function topicOf(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 32);
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why an endpoint may not be pushed to, or null. Push services are https; loopback http only when allowed (tests, demos). */
export function endpointProblem(endpoint: string, allowLoopbackHttp: boolean): string | null {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    return 'is not a URL';
  }
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && allowLoopbackHttp && (LOOPBACK.has(u.hostname) || u.hostname.startsWith('127.'))) return null;
  return 'must be an https: URL of a push service';
}

export class WebPushChannel implements DeliveryChannel {
  readonly name = 'webpush' as const;
  readonly batchSize = 20;

  constructor(
    private readonly opts: {
      clock: Clock;
      vapid: () => Promise<VapidKeys>;
      subject: string;
      allowLoopbackHttp: boolean;
      /** The subscriptions' keys by endpoint (the rows hold only the endpoint). */
      keysOf: (endpoints: readonly string[]) => Promise<Map<string, PushKeys>>;
      timeoutMs?: number;
    },
  ) {}

  async send(batch: readonly OutboxMessage[], signal: AbortSignal): Promise<SendResult[]> {
    const keys = await this.opts.keysOf(batch.map((m) => m.address));
    const vapid = await this.opts.vapid();
    const results: SendResult[] = [];
    for (const m of batch) results.push(await this.push(m, keys.get(m.address), vapid, signal));
    return results;
  }

  private async push(m: OutboxMessage, keys: PushKeys | undefined, vapid: VapidKeys, signal: AbortSignal): Promise<SendResult> {
    if (!keys) return { kind: 'failed', error: 'the push subscription was removed', gone: true };
    const problem = endpointProblem(m.address, this.opts.allowLoopbackHttp);
    if (problem) return { kind: 'failed', error: `push endpoint ${problem}` };
    let details: ReturnType<typeof webPush.generateRequestDetails>;
    try {
      details = webPush.generateRequestDetails({ endpoint: m.address, keys: { p256dh: keys.p256dh, auth: keys.auth } }, m.body, {
        vapidDetails: { subject: this.opts.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
        TTL: TTL_SEC,
        urgency: 'high',
        topic: topicOf(m.idempotencyKey),
      });
    } catch (err) {
      // Bad keys in the subscription: encrypting for it will never work.
      return { kind: 'failed', error: `cannot encrypt for this subscription: ${(err as Error).message}` };
    }
    const now = this.opts.clock.now();
    let res: Response;
    try {
      res = await fetch(details.endpoint, {
        method: 'POST',
        headers: Object.fromEntries(Object.entries(details.headers).map(([k, v]) => [k, String(v)])),
        body: details.body ? new Uint8Array(details.body) : undefined,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.opts.timeoutMs ?? 15_000)]),
      });
      await res.arrayBuffer();
    } catch (err) {
      return networkRetry(err);
    }
    if (res.ok) return { kind: 'sent', providerId: res.headers.get('location')?.slice(0, 300) ?? null };
    const what = `push service answered HTTP ${res.status}`;
    if (res.status === 404 || res.status === 410) return { kind: 'failed', error: `${what}: the subscription has expired or was withdrawn`, gone: true };
    if (res.status === 429) return { kind: 'retry', throttled: true, retryAfterMs: retryAfterMs(res.headers.get('retry-after'), now), error: what };
    if (res.status >= 500 || res.status === 408) return { kind: 'retry', error: what };
    return { kind: 'failed', error: what };
  }
}
