import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '@anlan/core';
import { requireUser } from '../http/guards.ts';
import { idParam, problemResponses, regionCodeBody } from '../http/schemas.ts';
import { actorOf } from '../caller.ts';
import * as users from './service.ts';

const ADMIN: readonly Role[] = ['admin'];

export function registerUserRoutes(app: FastifyInstance, deps: users.UsersDeps): void {
  app.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Users inside the caller\'s region scope (administrators)',
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'User#' } } } }, ...problemResponses },
      },
    },
    async (request) => {
      const caller = requireUser(request, ADMIN);
      return { items: await users.listUsers(deps, caller.scope) };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/users/:id',
    { schema: { tags: ['users'], summary: 'One user', params: idParam, response: { 200: { $ref: 'User#' }, ...problemResponses } } },
    async (request) => {
      const caller = requireUser(request, ADMIN);
      return users.getUser(deps, caller.scope, request.params.id);
    },
  );

  app.post<{ Body: users.CreateUserInput }>(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user with a role and a region scope',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            username: { type: 'string', pattern: '^[A-Za-z0-9_.@-]{3,64}$' },
            password: { type: 'string', maxLength: 256 },
            displayName: { type: 'string', minLength: 1, maxLength: 100 },
            role: { type: 'string', enum: [...ROLES] },
            regionCode: regionCodeBody,
          },
          required: ['username', 'password', 'displayName', 'role', 'regionCode'],
        },
        response: { 201: { $ref: 'User#' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const caller = requireUser(request, ADMIN);
      const { username, password, displayName, role, regionCode } = request.body;
      const user = await users.createUser(deps, { actor: actorOf(caller), scope: caller.scope }, { username, password, displayName, role, regionCode });
      return reply.status(201).send(user);
    },
  );

  app.patch<{ Params: { id: number }; Body: { displayName?: string; role?: Role; regionCode?: string; enabled?: boolean } }>(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Change a user\'s name, role, region scope or enabled state',
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            displayName: { type: 'string', minLength: 1, maxLength: 100 },
            role: { type: 'string', enum: [...ROLES] },
            regionCode: regionCodeBody,
            enabled: { type: 'boolean' },
          },
        },
        response: { 200: { $ref: 'User#' }, ...problemResponses },
      },
    },
    async (request) => {
      const caller = requireUser(request, ADMIN);
      return users.updateUser(deps, { actor: actorOf(caller), scope: caller.scope }, request.params.id, request.body);
    },
  );

  app.post<{ Params: { id: number }; Body: { password: string } }>(
    '/api/v1/users/:id/password',
    {
      schema: {
        tags: ['users'],
        summary: 'Set a new password for a user (administrators); their sessions end',
        params: idParam,
        body: { type: 'object', additionalProperties: false, properties: { password: { type: 'string', maxLength: 256 } }, required: ['password'] },
        response: { 204: { type: 'null' }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const caller = requireUser(request, ADMIN);
      await users.resetPassword(deps, { actor: actorOf(caller), scope: caller.scope }, request.params.id, request.body.password);
      return reply.status(204).send();
    },
  );
}
