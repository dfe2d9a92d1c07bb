import { fileURLToPath } from 'node:url';

export const TMP_DIR = fileURLToPath(new URL('../../.tmp/', import.meta.url));
export const EMBEDDED_TEMPLATE_PATH = `${TMP_DIR}embedded-template.tar`;
export const POSTGRES_TEMPLATE_NAME = 'anlan_test_template';

export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
