import { randomBytes } from 'node:crypto';
import type { Database } from '@anlan/db';
import { ForbiddenError, RateLimitedError, UnauthorizedError, NATIONAL_CODE, regionScope, type Clock } from '@anlan/core';
import { appendAudit } from '../audit/service.ts';
import type { Caller } from '../caller.ts';
import { findUserForLogin, type User } from '../users/store.ts';
import { FailureLimiter } from './rate-limit.ts';
import { DUMMY_HASH_PROMISE, verifyPassword } from './password.ts';
import { digestSecret, newSecret } from './secret.ts';
import { deleteSession, findSession, insertSession } from './store.ts';
import { findActiveToken, touchToken } from '../tokens/store.ts';

/** A session lasts one long duty shift; after that the officer logs in again. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface AuthDeps {
  db: Database;
  clock: Clock;
  limits: LoginLimits;
}

export interface LoginLimits {
  perAccount: FailureLimiter;
  perAddress: FailureLimiter;
}

export function createLoginLimits(clock: Clock): LoginLimits {
  const window = 15 * 60 * 1000;
  return { perAccount: new FailureLimiter(clock, 5, window), perAddress: new FailureLimiter(clock, 30, window) };
}

export interface LoginResult {
  sessionToken: string;
  csrfToken: string;
  user: User;
}

export async function login(deps: AuthDeps, username: string, password: string, ip: string): Promise<LoginResult> {
  const accountKey = username.toLowerCase();
  const wait = Math.max(deps.limits.perAccount.retryAfter(accountKey), deps.limits.perAddress.retryAfter(ip));
  if (wait > 0) throw new RateLimitedError(wait);

  const account = await findUserForLogin(deps.db, username);
  // Verify against a dummy hash for unknown names so timing does not reveal which names exist.
  const ok = await verifyPassword(password, account?.passwordHash ?? (await DUMMY_HASH_PROMISE));
  if (!account || !ok) {
    deps.limits.perAccount.recordFailure(accountKey);
    deps.limits.perAddress.recordFailure(ip);
    await deps.db.transaction((tx) =>
      appendAudit(tx, deps.clock, { id: null, name: username.slice(0, 64), ip }, {
        action: 'auth.login_failed',
        targetType: 'user',
        targetId: account?.id,
        regionCode: account?.regionCode ?? NATIONAL_CODE,
      }),
    );
    throw new UnauthorizedError('用户名或密码错误 (wrong username or password)');
  }
  if (!account.enabled) throw new ForbiddenError('账号已停用 (this account is disabled)');
  deps.limits.perAccount.reset(accountKey);

  const sessionToken = newSecret('als');
  const csrfToken = randomBytes(24).toString('base64url');
  const { passwordHash: _hash, ...user } = account;
  await deps.db.transaction(async (tx) => {
    await insertSession(tx, {
      idHash: digestSecret(sessionToken),
      userId: account.id,
      csrfToken,
      ip,
      expiresAt: new Date(deps.clock.now().getTime() + SESSION_TTL_MS),
    });
    await appendAudit(tx, deps.clock, { id: account.id, name: account.username, ip }, {
      action: 'auth.login',
      targetType: 'user',
      targetId: account.id,
      regionCode: account.regionCode,
    });
  });
  return { sessionToken, csrfToken, user };
}

export async function logout(deps: AuthDeps, caller: Extract<Caller, { kind: 'user' }>): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await deleteSession(tx, caller.sessionHash);
    await appendAudit(tx, deps.clock, { id: caller.id, name: caller.name, ip: caller.ip }, {
      action: 'auth.logout',
      targetType: 'user',
      targetId: caller.id,
      regionCode: caller.scope.code,
    });
  });
}

/** Resolves a session cookie or a bearer token to a caller; null when neither is valid. */
export async function resolveCaller(
  deps: Pick<AuthDeps, 'db' | 'clock'>,
  credentials: { sessionToken?: string; bearer?: string },
  ip: string,
): Promise<Caller | null> {
  if (credentials.bearer) {
    const hash = digestSecret(credentials.bearer);
    const token = await findActiveToken(deps.db, hash);
    if (!token) return null;
    await touchToken(deps.db, token.id, deps.clock.now());
    return { kind: 'token', id: token.id, name: token.name, scope: regionScope(token.regionCode), ip };
  }
  if (credentials.sessionToken) {
    const sessionHash = digestSecret(credentials.sessionToken);
    const s = await findSession(deps.db, sessionHash, deps.clock.now());
    if (!s) return null;
    return {
      kind: 'user',
      id: s.userId,
      name: s.username,
      role: s.role,
      scope: regionScope(s.regionCode),
      ip,
      csrfToken: s.csrfToken,
      sessionHash,
    };
  }
  return null;
}
