import type { Database } from '@anlan/db';
import { ConflictError, NotFoundError, ValidationError, type Clock, type FieldError, type RegionScope, type Role } from '@anlan/core';
import type { Actor } from '../caller.ts';
import { appendAudit } from '../audit/service.ts';
import { checkAssignableRegion } from '../regions/lookup.ts';
import { hashPassword, verifyPassword, PASSWORD_RULE } from '../auth/password.ts';
import { deleteUserSessions } from '../auth/store.ts';
import type { EventBus } from '../events/bus.ts';
import * as store from './store.ts';

export interface UsersDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
}

/** Who is acting, and over which regions: every operation is confined to this scope. */
export interface ScopedActor {
  actor: Actor;
  scope: RegionScope;
}

export interface CreateUserInput {
  username: string;
  password: string;
  displayName: string;
  role: Role;
  regionCode: string;
  isDemo?: boolean;
}

function publicView(u: store.User) {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role, regionCode: u.regionCode, enabled: u.enabled };
}

function checkPassword(password: string, field: string): FieldError | null {
  if (password.length < PASSWORD_RULE.minLength) return { field, message: `must be at least ${PASSWORD_RULE.minLength} characters` };
  if (password.length > PASSWORD_RULE.maxLength) return { field, message: `must be at most ${PASSWORD_RULE.maxLength} characters` };
  return null;
}

export async function createUser(deps: UsersDeps, who: ScopedActor, input: CreateUserInput): Promise<store.User> {
  const errors: FieldError[] = [];
  const pw = checkPassword(input.password, 'password');
  if (pw) errors.push(pw);
  const region = await checkAssignableRegion(deps.db, who.scope, input.regionCode);
  if (region) errors.push(region);
  if (await store.usernameTaken(deps.db, input.username)) errors.push({ field: 'username', message: 'already taken' });
  if (errors.length > 0) throw new ValidationError(errors);
  const passwordHash = await hashPassword(input.password);
  const user = await deps.db.transaction(async (tx) => {
    const id = await store.insertUser(tx, { ...input, passwordHash });
    const created = (await store.findUser(tx, who.scope, id))!;
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'user.created',
      targetType: 'user',
      targetId: id,
      regionCode: created.regionCode,
      after: publicView(created),
    });
    return created;
  });
  await deps.bus.publish({ type: 'user.created', regionCode: user.regionCode, at: deps.clock.now().toISOString(), data: { id: user.id } });
  return user;
}

export async function listUsers(deps: UsersDeps, scope: RegionScope): Promise<store.User[]> {
  return store.listUsers(deps.db, scope);
}

export async function getUser(deps: UsersDeps, scope: RegionScope, id: number): Promise<store.User> {
  const user = await store.findUser(deps.db, scope, id);
  if (!user) throw new NotFoundError('User');
  return user;
}

export async function updateUser(deps: UsersDeps, who: ScopedActor, id: number, patch: store.UserPatch): Promise<store.User> {
  if (patch.regionCode !== undefined) {
    const err = await checkAssignableRegion(deps.db, who.scope, patch.regionCode);
    if (err) throw new ValidationError([err]);
  }
  const user = await deps.db.transaction(async (tx) => {
    const before = await store.findUser(tx, who.scope, id);
    if (!before) throw new NotFoundError('User');
    await store.updateUser(tx, who.scope, id, patch);
    // Checked after the change inside the transaction, so two concurrent demotions cannot both pass.
    if (before.role === 'admin' && before.enabled && (await store.countActiveNationalAdmins(tx)) === 0) {
      throw new ConflictError('The last national administrator cannot be disabled, demoted or moved to a smaller scope');
    }
    const after = (await store.findUser(tx, who.scope, id))!;
    if (patch.enabled === false || patch.role !== undefined || patch.regionCode !== undefined) await deleteUserSessions(tx, id);
    await appendAudit(tx, deps.clock, who.actor, {
      action: patch.role !== undefined && patch.role !== before.role ? 'user.role_changed' : 'user.updated',
      targetType: 'user',
      targetId: id,
      regionCode: after.regionCode,
      before: publicView(before),
      after: publicView(after),
    });
    return after;
  });
  await deps.bus.publish({ type: 'user.updated', regionCode: user.regionCode, at: deps.clock.now().toISOString(), data: { id: user.id } });
  return user;
}

/** An administrator sets a new password; the user's sessions end. */
export async function resetPassword(deps: UsersDeps, who: ScopedActor, id: number, password: string): Promise<void> {
  const err = checkPassword(password, 'password');
  if (err) throw new ValidationError([err]);
  const hash = await hashPassword(password);
  await deps.db.transaction(async (tx) => {
    const user = await store.findUser(tx, who.scope, id);
    if (!user) throw new NotFoundError('User');
    await store.setPasswordHash(tx, who.scope, id, hash);
    await deleteUserSessions(tx, id);
    await appendAudit(tx, deps.clock, who.actor, { action: 'user.password_reset', targetType: 'user', targetId: id, regionCode: user.regionCode });
  });
}

/** A user changes their own password, proving they know the current one. Other sessions end. */
export async function changeOwnPassword(
  deps: UsersDeps,
  who: ScopedActor & { userId: number; keepSessionHash: string },
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  const err = checkPassword(newPassword, 'newPassword');
  if (err) throw new ValidationError([err]);
  const user = await store.findUserSecret(deps.db, who.scope, who.userId);
  if (!user) throw new NotFoundError('User');
  if (!(await verifyPassword(currentPassword, user.passwordHash))) {
    throw new ValidationError([{ field: 'currentPassword', message: 'is not correct' }]);
  }
  const hash = await hashPassword(newPassword);
  await deps.db.transaction(async (tx) => {
    await store.setPasswordHash(tx, who.scope, who.userId, hash);
    await deleteUserSessions(tx, who.userId, who.keepSessionHash);
    await appendAudit(tx, deps.clock, who.actor, { action: 'user.password_changed', targetType: 'user', targetId: who.userId, regionCode: user.regionCode });
  });
}
