import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, RateLimitedError, type FieldError } from '@anlan/core';
import { isAppRoute } from './web.ts';

// RFC 9457 problem details for every error, with a field list for validation failures.
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } }, required: ['field', 'message'] },
    },
  },
  required: ['type', 'title', 'status'],
} as const;

interface AjvIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

function fieldOf(issue: AjvIssue, part: string | undefined): string {
  const base = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing = issue.keyword === 'required' ? String(issue.params.missingProperty ?? '') : '';
  const extra = issue.keyword === 'additionalProperties' ? String(issue.params.additionalProperty ?? '') : '';
  const leaf = [base, missing || extra].filter(Boolean).join('.');
  return leaf || part || 'body';
}

export function validationErrors(issues: AjvIssue[], part: string | undefined): FieldError[] {
  return issues.map((i) => ({
    field: fieldOf(i, part),
    message: i.keyword === 'additionalProperties' ? 'unknown field' : (i.message ?? 'invalid'),
  }));
}

export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError & { validationContext?: string }, request, reply) => {
    let problem: Problem;
    if (error.validation) {
      problem = {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: `Invalid ${error.validationContext ?? 'request'}`,
        errors: validationErrors(error.validation as unknown as AjvIssue[], error.validationContext),
      };
    } else if (error instanceof AppError) {
      problem = { type: 'about:blank', title: error.title, status: error.status, detail: error.message, errors: error.errors };
      if (error instanceof RateLimitedError) void reply.header('retry-after', String(error.retryAfterSeconds));
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own client errors: malformed JSON, body too large, wrong content type.
      problem = { type: 'about:blank', title: error.name || 'Bad Request', status: error.statusCode, detail: error.message };
    } else {
      request.log.error({ err: error }, 'unhandled error');
      problem = { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred' };
    }
    problem.instance = request.url.split('?')[0];
    return reply.status(problem.status).type('application/problem+json').send(problem);
  });

  app.setNotFoundHandler((request, reply) => {
    if (request.method === 'GET' && isAppRoute(request.url) && typeof (reply as { sendFile?: unknown }).sendFile === 'function') {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply
      .status(404)
      .type('application/problem+json')
      .send({ type: 'about:blank', title: 'Not Found', status: 404, detail: `No route ${request.method} ${request.url.split('?')[0]}` });
  });
}
