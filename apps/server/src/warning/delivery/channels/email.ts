/**
 * E-mail over SMTP (nodemailer, pooled). The Message-ID is derived from the idempotency key, so
 * a message sent again after a crash carries the same id and mail systems that deduplicate on it
 * show it once; SMTP has no stronger idempotency to offer.
 */
import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { DeliveryChannel, OutboxMessage, SendResult } from '../channel.ts';
import type { SmtpConfig } from '../config.ts';

export function messageIdOf(idempotencyKey: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@warning.anlan>`;
}

interface SmtpError {
  responseCode?: number;
  code?: string;
  message?: string;
}

function resultOf(err: SmtpError): SendResult {
  const what = `SMTP: ${err.message ?? String(err)}`.slice(0, 500);
  // 5xx is a permanent refusal (no such mailbox, policy); 4xx and dropped connections pass.
  if (typeof err.responseCode === 'number' && err.responseCode >= 500) return { kind: 'failed', error: what };
  return { kind: 'retry', error: what };
}

export class EmailChannel implements DeliveryChannel {
  readonly name = 'email' as const;
  readonly batchSize = 10;
  private readonly transport;

  constructor(config: SmtpConfig, opts: { timeoutMs?: number } = {}) {
    const timeout = opts.timeoutMs ?? 20_000;
    this.transport = createTransport(
      { url: config.url, pool: true, maxConnections: 2, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout * 3 },
      { from: config.from },
    );
  }

  async send(batch: readonly OutboxMessage[], signal: AbortSignal): Promise<SendResult[]> {
    const results: SendResult[] = [];
    for (const m of batch) {
      if (signal.aborted) {
        results.push({ kind: 'retry', error: 'stopped before sending' });
        continue;
      }
      try {
        const info = await this.transport.sendMail({
          to: m.address,
          subject: m.subject ?? '预警信息',
          text: m.body,
          messageId: messageIdOf(m.idempotencyKey),
          headers: { 'X-Anlan-Idempotency-Key': m.idempotencyKey },
        });
        const rejected = (info.rejected ?? []).length > 0;
        results.push(rejected ? { kind: 'failed', error: `SMTP server rejected ${m.address}` } : { kind: 'sent', providerId: String(info.messageId ?? messageIdOf(m.idempotencyKey)) });
      } catch (err) {
        results.push(resultOf(err as SmtpError));
      }
    }
    return results;
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
