import type { Database } from '@anlan/db';
import { NotFoundError, ValidationError, type Clock } from '@anlan/core';
import { appendAudit } from '../audit/service.ts';
import { checkAssignableRegion } from '../regions/lookup.ts';
import { digestSecret, newSecret } from '../auth/secret.ts';
import type { ScopedActor } from '../users/service.ts';
import * as store from './store.ts';

export interface TokensDeps {
  db: Database;
  clock: Clock;
}

/** Creates a token; the secret is returned once and only its digest is kept. */
export async function createToken(deps: TokensDeps, who: ScopedActor, input: { name: string; regionCode: string }): Promise<{ id: number; token: string }> {
  const err = await checkAssignableRegion(deps.db, who.scope, input.regionCode);
  if (err) throw new ValidationError([err]);
  const token = newSecret('alt');
  const id = await deps.db.transaction(async (tx) => {
    const newId = await store.insertToken(tx, { name: input.name, hash: digestSecret(token), regionCode: input.regionCode, createdBy: who.actor.id });
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'token.created',
      targetType: 'token',
      targetId: newId,
      regionCode: input.regionCode,
      after: { id: newId, name: input.name, regionCode: input.regionCode },
    });
    return newId;
  });
  return { id, token };
}

export function listTokens(deps: TokensDeps, who: ScopedActor): Promise<store.ApiToken[]> {
  return store.listTokens(deps.db, who.scope);
}

export async function revokeToken(deps: TokensDeps, who: ScopedActor, id: number): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const token = await store.findToken(tx, who.scope, id);
    if (!token) throw new NotFoundError('Token');
    if (token.revokedAt) return;
    await store.revokeToken(tx, who.scope, id, deps.clock.now());
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'token.revoked',
      targetType: 'token',
      targetId: id,
      regionCode: token.regionCode,
      before: { id, name: token.name, revokedAt: null },
      after: { id, name: token.name, revokedAt: deps.clock.now().toISOString() },
    });
  });
}
