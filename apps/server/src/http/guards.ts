import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError, type Role } from '@anlan/core';
import type { Caller } from '../caller.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
}

export function requireCaller(request: FastifyRequest): Caller {
  if (!request.caller) throw new UnauthorizedError();
  return request.caller;
}

/** A logged-in person with one of the roles; tokens (devices) never pass. */
export function requireUser(request: FastifyRequest, roles?: readonly Role[]): Extract<Caller, { kind: 'user' }> {
  const caller = requireCaller(request);
  if (caller.kind !== 'user') throw new ForbiddenError('This operation needs a user session, not an API token');
  if (roles && !roles.includes(caller.role)) throw new ForbiddenError(`This operation needs the role ${roles.join(' or ')}`);
  return caller;
}
