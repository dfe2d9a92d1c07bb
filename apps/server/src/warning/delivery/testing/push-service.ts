/**
 * A local Web Push service (RFC 8030) for tests: the "browser" side makes subscriptions (a P-256
 * key pair and an auth secret, as PushManager.subscribe() would), and the service side takes the
 * push requests for them over real HTTP, checks the VAPID Authorization header (RFC 8292: an ES256
 * JWT for this origin, signed by the key in k=), and decrypts the aes128gcm payload (RFC 8291)
 * with the subscription's private key, so a test reads exactly what the phone would show.
 */
import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// http_ece comes with web-push (it encrypts with it); no types of its own.
const ece = createRequire(import.meta.url)('http_ece') as { decrypt(buf: Buffer, params: { version: string; privateKey: ECDH; authSecret: string }): Buffer };

export interface ReceivedPush {
  subscription: string;
  headers: Record<string, string | undefined>;
  vapid: { ok: true; audience: string; subject: string; publicKey: string } | { ok: false; reason: string };
  payload: string | null;
}

interface Sub {
  ecdh: ECDH;
  auth: string;
  /** Answer 410 Gone: the browser dropped the subscription. */
  gone: boolean;
}

function verifyVapid(authorization: string | undefined, origin: string): ReceivedPush['vapid'] {
  const m = /^vapid t=([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!m) return { ok: false, reason: 'no "vapid t=…, k=…" Authorization header' };
  const [, h, p, s, k] = m;
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 4) return { ok: false, reason: 'k is not an uncompressed P-256 point' };
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
  const signed = verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
  if (!signed) return { ok: false, reason: 'the JWT signature does not verify with k' };
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { aud?: string; exp?: number; sub?: string };
  if (header.alg !== 'ES256') return { ok: false, reason: `alg ${header.alg}` };
  if (claims.aud !== origin) return { ok: false, reason: `aud ${claims.aud} is not ${origin}` };
  if (!claims.exp || claims.exp * 1000 < Date.now() || claims.exp * 1000 > Date.now() + 24 * 3600 * 1000) return { ok: false, reason: 'exp is not within 24 h from now' };
  if (!claims.sub || !/^(mailto:|https:)/.test(claims.sub)) return { ok: false, reason: 'sub is not a mailto: or https: URL' };
  return { ok: true, audience: claims.aud, subject: claims.sub, publicKey: k };
}

export class LocalPushService {
  readonly received: ReceivedPush[] = [];
  private readonly subs = new Map<string, Sub>();
  private server!: Server;
  private port = 0;
  private throttleNext = 0;

  static async start(): Promise<LocalPushService> {
    const s = new LocalPushService();
    s.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = /^\/push\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '')?.[1];
        const sub = id ? s.subs.get(id) : undefined;
        if (req.method !== 'POST' || !id || !sub) return void res.writeHead(404).end();
        if (sub.gone) return void res.writeHead(410).end();
        if (s.throttleNext > 0) {
          s.throttleNext -= 1;
          return void res.writeHead(429, { 'retry-after': '60' }).end();
        }
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
        let payload: string | null = null;
        if (headers['content-encoding'] === 'aes128gcm') {
          try {
            payload = ece.decrypt(Buffer.concat(chunks), { version: 'aes128gcm', privateKey: sub.ecdh, authSecret: sub.auth }).toString('utf8');
          } catch {
            payload = null;
          }
        }
        s.received.push({ subscription: id, headers, vapid: verifyVapid(headers.authorization, s.origin), payload });
        res.writeHead(201, { location: `${s.origin}/message/${s.received.length}` }).end();
      });
    });
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', () => resolve()));
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A new subscription, as PushSubscription.toJSON() gives it to the page. */
  subscribe(): { endpoint: string; keys: { p256dh: string; auth: string } } {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16).toString('base64url');
    const id = randomBytes(9).toString('base64url');
    this.subs.set(id, { ecdh, auth, gone: false });
    return { endpoint: `${this.origin}/push/${id}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth } };
  }

  /** The browser dropped this subscription: pushes to it answer 410. */
  drop(endpoint: string): void {
    const sub = this.subs.get(endpoint.split('/').pop()!);
    if (sub) sub.gone = true;
  }

  throttle(count: number): void {
    this.throttleNext = count;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
