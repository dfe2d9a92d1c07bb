import type { Database } from '@anlan/db';
import { NATIONAL_CODE, type Clock } from '@anlan/core';
import { countUsers, insertUser } from '../users/store.ts';
import { hashPassword, generatePassword } from '../auth/password.ts';
import { appendAudit } from '../audit/service.ts';
import { SYSTEM_ACTOR } from '../caller.ts';

export const FIRST_ADMIN = 'admin';

/**
 * On an empty installation, creates the national administrator. Returns the password only when
 * it was generated, so the caller prints it once; a password from the environment is never echoed.
 */
export async function ensureFirstAdmin(deps: { db: Database; clock: Clock }, password?: string): Promise<{ created: boolean; generatedPassword: string | null }> {
  if ((await countUsers(deps.db)) > 0) return { created: false, generatedPassword: null };
  const chosen = password && password.length > 0 ? password : generatePassword();
  const passwordHash = await hashPassword(chosen);
  await deps.db.transaction(async (tx) => {
    const id = await insertUser(tx, { username: FIRST_ADMIN, passwordHash, displayName: '系统管理员', role: 'admin', regionCode: NATIONAL_CODE });
    await appendAudit(tx, deps.clock, SYSTEM_ACTOR, {
      action: 'user.created',
      targetType: 'user',
      targetId: id,
      regionCode: NATIONAL_CODE,
      after: { id, username: FIRST_ADMIN, role: 'admin', regionCode: NATIONAL_CODE, reason: 'first start' },
    });
  });
  return { created: true, generatedPassword: password ? null : chosen };
}
