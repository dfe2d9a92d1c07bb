import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** A path for the single-page app's own router, as opposed to an API call or a file. */
export function isAppRoute(url: string): boolean {
  const path = url.split('?')[0];
  return !path.startsWith('/api/') && !/\.[A-Za-z0-9]+$/.test(path);
}

/**
 * Serves the built single-page app. Files are looked up at request time, so a rebuild is served
 * without a restart; unknown app routes get index.html, while a missing file or API route stays
 * a 404 (a missing script answered with HTML would only confuse the browser).
 */
export async function installWeb(app: FastifyInstance, distDir = WEB_DIST): Promise<boolean> {
  if (!existsSync(`${distDir}/index.html`)) return false;
  await app.register(fastifyStatic, { root: distDir, prefix: '/', wildcard: true, index: ['index.html'] });
  return true;
}
