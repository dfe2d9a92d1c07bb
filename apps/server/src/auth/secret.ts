import { createHash, randomBytes } from 'node:crypto';

/** A bearer secret: 32 random bytes, URL-safe, with a prefix that says what it is when leaked. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Only this digest is stored; high-entropy secrets need no salt or slow hash. */
export function digestSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
