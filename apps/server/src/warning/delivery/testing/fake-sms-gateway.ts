/**
 * A fake SMS operator that speaks the gateway contract over real HTTP (docs/warning.md#delivery-
 * channels), for tests and for demos of `npm start`. It checks Anlan's signature, accepts batches,
 * deduplicates by message id like a real gateway must, and records what "phones" received. It can
 * be told to fail (5xx), to rate-limit (429 with Retry-After), to reject numbers, or to go down;
 * and, like an operator, it posts signed delivery receipts and replies to Anlan's callback URLs.
 *
 * As a demo:  node --import tsx apps/server/src/warning/delivery/testing/fake-sms-gateway.ts [--port 9099]
 * prints the ANLAN_SMS_* variables to start Anlan with, and posts "delivered" a second after each send.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { signedHeaders, verifySignature } from '../signing.ts';

export interface GatewayMessage {
  /** Anlan's idempotency key. */
  id: string;
  to: string;
  text: string;
  /** The operator's id, the same for every repeat of `id`. */
  messageId: string;
}

export interface FakeSmsGatewayOptions {
  account: string;
  secret: string;
  /** Signs receipts and replies; the gateway secret unless set apart. */
  callbackSecret?: string;
  port?: number;
  /** Clock of the signatures (Anlan checks them against its own). */
  now?: () => Date;
  /** Post "delivered" receipts this long after each accepted message (demos); off by default. */
  autoReceiptMs?: number;
}

type Failure = { status: number; retryAfterSec?: number };

export class FakeSmsGateway {
  /** Every message of every accepted request, repeats included, in order. */
  readonly requests: GatewayMessage[][] = [];
  /** What the phones got: each message id once. */
  readonly delivered = new Map<string, GatewayMessage>();
  /** Numbers the operator refuses (a permanent per-message rejection). */
  readonly rejectNumbers = new Set<string>();
  /** Requests refused for a bad signature or account. */
  unauthorized = 0;
  private failures: Failure[] = [];
  private server: Server;
  private port: number;
  private nextId = 1;
  private receiptUrl: string | null = null;
  private inboundUrl: string | null = null;
  private timers = new Set<NodeJS.Timeout>();

  private constructor(private readonly opts: FakeSmsGatewayOptions) {
    this.server = this.makeServer();
    this.port = opts.port ?? 0;
  }

  static async start(opts: FakeSmsGatewayOptions): Promise<FakeSmsGateway> {
    const g = new FakeSmsGateway(opts);
    await g.up();
    return g;
  }

  /** The send endpoint Anlan posts to (ANLAN_SMS_URL). */
  get url(): string {
    return `http://127.0.0.1:${this.port}/sms/send`;
  }

  /** The next `count` requests answer `status` (5xx: retryable; 4xx: refused). */
  failNext(count: number, status = 503): void {
    for (let i = 0; i < count; i++) this.failures.push({ status });
  }

  /** The next `count` requests answer 429 Too Many Requests with Retry-After. */
  rateLimitNext(count: number, retryAfterSec = 20): void {
    for (let i = 0; i < count; i++) this.failures.push({ status: 429, retryAfterSec });
  }

  /** Stops listening: connections are refused, as when the operator is down. */
  async down(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Listens again, on the same port (nothing to do when it is up). */
  async up(): Promise<void> {
    if (this.server.listening) return;
    this.server = this.makeServer();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await this.down();
  }

  /** Posts receipts for these operator message ids (default: every delivered one) to Anlan. */
  async sendReceipts(messageIds?: string[], status: 'delivered' | 'failed' = 'delivered', error?: string): Promise<{ status: number; body: any }> {
    const ids = messageIds ?? [...this.delivered.values()].map((m) => m.messageId);
    const at = this.now().toISOString();
    return this.callback(this.receiptUrl, { receipts: ids.map((messageId) => ({ messageId, status, at, ...(error ? { error } : {}) })) });
  }

  /** A phone replies (e.g. "1" for 收到). */
  async reply(phone: string, text: string, messageId = `MO${this.nextId++}`): Promise<{ status: number; body: any }> {
    return this.callback(this.inboundUrl, { messages: [{ messageId, phone, text, receivedAt: this.now().toISOString() }] });
  }

  /** Posts a signed callback, as the operator would; `raw` overrides the body to test bad input. */
  async callback(url: string | null, body: unknown, opts: { secret?: string; raw?: string } = {}): Promise<{ status: number; body: any }> {
    if (!url) throw new Error('Anlan has not sent anything yet, so its callback URLs are unknown');
    const text = opts.raw ?? JSON.stringify(body);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders(opts.secret ?? this.callbackSecret, text, this.now()) },
      body: text,
    });
    const answer = await res.text();
    let parsed: unknown = answer;
    try {
      parsed = JSON.parse(answer);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  }

  get receiptsUrl(): string | null {
    return this.receiptUrl;
  }

  get inboundsUrl(): string | null {
    return this.inboundUrl;
  }

  private get callbackSecret(): string {
    return this.opts.callbackSecret ?? this.opts.secret;
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private makeServer(): Server {
    return createServer((req, res) => {
      void this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/sms/send') return json(404, { error: 'not found' });
    const check = verifySignature(this.opts.secret, req.headers, raw, this.now());
    if (!check.ok || req.headers['x-anlan-account'] !== this.opts.account) {
      this.unauthorized += 1;
      return json(401, { error: check.ok ? 'unknown account' : check.reason });
    }
    const failure = this.failures.shift();
    if (failure) return json(failure.status, { error: 'simulated' }, failure.retryAfterSec ? { 'retry-after': String(failure.retryAfterSec) } : {});
    let body: { account?: string; receiptUrl?: string; inboundUrl?: string; messages?: { id: string; to: string; text: string }[] };
    try {
      body = JSON.parse(raw);
    } catch {
      return json(400, { error: 'body is not JSON' });
    }
    if (!Array.isArray(body.messages)) return json(400, { error: 'messages missing' });
    this.receiptUrl = body.receiptUrl ?? this.receiptUrl;
    this.inboundUrl = body.inboundUrl ?? this.inboundUrl;
    const batch: GatewayMessage[] = [];
    const results = body.messages.map((m) => {
      if (this.rejectNumbers.has(m.to)) return { id: m.id, status: 'rejected', code: 'INVALID_NUMBER', message: '空号', retryable: false };
      // The idempotency a real gateway must offer: a repeated id is not sent again.
      const seen = this.delivered.get(m.id);
      const message = seen ?? { id: m.id, to: m.to, text: m.text, messageId: `GW${String(this.nextId++).padStart(8, '0')}` };
      batch.push(message);
      if (!seen) {
        this.delivered.set(m.id, message);
        this.scheduleReceipt(message.messageId);
      }
      return { id: m.id, status: 'accepted', messageId: message.messageId };
    });
    this.requests.push(batch);
    json(200, { results });
  }

  private scheduleReceipt(messageId: string): void {
    if (this.opts.autoReceiptMs === undefined) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.sendReceipts([messageId]).catch(() => undefined);
    }, this.opts.autoReceiptMs);
    this.timers.add(t);
  }
}

// A gateway for demos: Anlan started with the printed variables sends its SMS here.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const portArg = process.argv.indexOf('--port');
  const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 9099;
  const secret = process.env.ANLAN_SMS_SECRET ?? 'demo-gateway-secret-0123456789';
  const gateway = await FakeSmsGateway.start({ account: 'anlan-demo', secret, port, autoReceiptMs: 1000 });
  console.log(`fake SMS gateway on ${gateway.url}; start Anlan with\n  ANLAN_SMS_URL=${gateway.url} ANLAN_SMS_ACCOUNT=anlan-demo ANLAN_SMS_SECRET=${secret}`);
  let shown = 0;
  setInterval(() => {
    for (const m of [...gateway.delivered.values()].slice(shown)) console.log(`→ ${m.to}: ${m.text}`);
    shown = gateway.delivered.size;
  }, 500);
}
