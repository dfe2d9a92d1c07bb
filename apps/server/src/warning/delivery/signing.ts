/**
 * HMAC signatures on HTTP bodies, one scheme for every direction: Anlan → SMS gateway, gateway →
 * Anlan (receipts, replies) and Anlan → webhook. The signed text is `<timestamp>.<raw body>`, so a
 * captured request cannot be replayed outside the tolerance window nor altered in transit.
 *
 *   X-Anlan-Timestamp: 1790000000          (Unix seconds)
 *   X-Anlan-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-anlan-timestamp';
export const SIGNATURE_HEADER = 'x-anlan-signature';
/** How far a signed request's timestamp may be from our clock. */
export const TOLERANCE_SEC = 300;

export function signature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function signedHeaders(secret: string, body: string, now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signature(secret, timestamp, body) };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifySignature(secret: string, headers: Record<string, string | string[] | undefined>, body: string, now: Date): SignatureCheck {
  const ts = headers[TIMESTAMP_HEADER];
  const sig = headers[SIGNATURE_HEADER];
  if (typeof ts !== 'string' || !/^[0-9]{1,12}$/.test(ts)) return { ok: false, reason: `missing or malformed ${TIMESTAMP_HEADER} header (Unix seconds)` };
  if (typeof sig !== 'string' || !/^v1=[0-9a-f]{64}$/.test(sig)) return { ok: false, reason: `missing or malformed ${SIGNATURE_HEADER} header (v1=<hex HMAC-SHA256>)` };
  const timestamp = Number(ts);
  if (Math.abs(now.getTime() / 1000 - timestamp) > TOLERANCE_SEC) return { ok: false, reason: `${TIMESTAMP_HEADER} is more than ${TOLERANCE_SEC} s away from the server's clock` };
  const expected = Buffer.from(signature(secret, timestamp, body));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the signature does not match the body' };
  return { ok: true };
}
