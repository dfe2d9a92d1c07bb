import type { FastifyInstance } from 'fastify';
import { login, logout, type AuthDeps } from './service.ts';
import { SESSION_COOKIE } from '../http/auth-hook.ts';
import { requireUser } from '../http/guards.ts';
import { problemResponses } from '../http/schemas.ts';
import { getUser, changeOwnPassword, type UsersDeps } from '../users/service.ts';
import { actorOf } from '../caller.ts';
import { SESSION_TTL_MS } from './service.ts';

export function registerAuthRoutes(app: FastifyInstance, deps: AuthDeps & UsersDeps): void {
  app.post<{ Body: { username: string; password: string } }>(
    '/api/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in; sets an HttpOnly session cookie',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 256 } },
          required: ['username', 'password'],
        },
        response: { 200: { type: 'object', properties: { user: { $ref: 'User#' }, csrfToken: { type: 'string' } } }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const result = await login(deps, request.body.username, request.body.password, request.ip);
      void reply.setCookie(SESSION_COOKIE, result.sessionToken, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        secure: 'auto',
        maxAge: SESSION_TTL_MS / 1000,
      });
      return { user: result.user, csrfToken: result.csrfToken };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { schema: { tags: ['auth'], summary: 'End the current session', response: { 204: { type: 'null' }, ...problemResponses } } },
    async (request, reply) => {
      const caller = requireUser(request);
      await logout(deps, caller);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The logged-in user and the CSRF token for mutations',
        response: { 200: { type: 'object', properties: { user: { $ref: 'User#' }, csrfToken: { type: 'string' } } }, ...problemResponses },
      },
    },
    async (request) => {
      const caller = requireUser(request);
      const user = await getUser(deps, caller.scope, caller.id);
      return { user, csrfToken: caller.csrfToken };
    },
  );

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/api/v1/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change your own password',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { currentPassword: { type: 'string', maxLength: 256 }, newPassword: { type: 'string', maxLength: 256 } },
          required: ['currentPassword', 'newPassword'],
        },
        response: { 204: { type: 'null' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const caller = requireUser(request);
      await changeOwnPassword(
        deps,
        { actor: actorOf(caller), scope: caller.scope, userId: caller.id, keepSessionHash: caller.sessionHash },
        request.body.currentPassword,
        request.body.newPassword,
      );
      return reply.status(204).send();
    },
  );
}
