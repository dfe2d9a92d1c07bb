/**
 * A local webhook receiver for tests: takes Anlan's POSTs over real HTTP, checks the HMAC
 * signature with the endpoint's secret, and can be told to fail the next requests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../signing.ts';

export interface ReceivedHook {
  headers: Record<string, string | undefined>;
  body: string;
  /** The signature checked with the receiver's secret. */
  verified: boolean;
  reason: string | null;
}

export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  private failures: number[] = [];
  private server!: Server;
  private port = 0;

  private constructor(
    private readonly secret: string,
    private readonly now: () => Date,
  ) {}

  /** now: the clock the signatures are checked against (Anlan's, in tests with a manual clock). */
  static async start(secret: string, now: () => Date = () => new Date()): Promise<WebhookReceiver> {
    const r = new WebhookReceiver(secret, now);
    r.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const fail = r.failures.shift();
        if (fail) return void res.writeHead(fail).end();
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
        const check = verifySignature(r.secret, req.headers, body, r.now());
        r.received.push({ headers, body, verified: check.ok, reason: check.ok ? null : check.reason });
        res.writeHead(check.ok ? 204 : 401, { 'x-request-id': `hook-${r.received.length}` }).end();
      });
    });
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', () => resolve()));
    r.port = (r.server.address() as AddressInfo).port;
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/anlan`;
  }

  /** The next requests answer these statuses (e.g. 503, 503). */
  failNext(...statuses: number[]): void {
    this.failures.push(...statuses);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
