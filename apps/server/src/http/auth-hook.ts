import type { FastifyInstance } from 'fastify';
import { ForbiddenError } from '@anlan/core';
import { resolveCaller, type AuthDeps } from '../auth/service.ts';

export const SESSION_COOKIE = 'anlan_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Attaches the caller to every API request. Cookie-authenticated mutations must echo the
 * session's CSRF token in x-csrf-token: a cross-site form can send the cookie but cannot read
 * the token. Bearer tokens are not sent by browsers on their own and need no CSRF check.
 */
export function installAuthHook(app: FastifyInstance, deps: Pick<AuthDeps, 'db' | 'clock'>): void {
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const header = request.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const sessionToken = request.cookies[SESSION_COOKIE];
    const caller = await resolveCaller(deps, { bearer, sessionToken }, request.ip);
    request.caller = caller;
    if (caller?.kind === 'user' && !SAFE_METHODS.has(request.method) && request.headers['x-csrf-token'] !== caller.csrfToken) {
      throw new ForbiddenError('Missing or wrong x-csrf-token header (get it from GET /api/v1/auth/me)');
    }
  });
}
