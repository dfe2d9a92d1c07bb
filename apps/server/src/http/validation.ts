import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

// Bodies are validated strictly (no type coercion, unknown fields rejected) so that
// `{"role": 1}` is an error, not a silently converted string; query strings and path
// parameters arrive as text and are coerced.
export function installValidators(app: FastifyInstance): void {
  const strict = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: false, strict: false });
  const lenient = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: 'array', strict: false });
  for (const ajv of [strict, lenient]) addFormats.default(ajv);
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : lenient;
    return ajv.compile(schema);
  });
}
