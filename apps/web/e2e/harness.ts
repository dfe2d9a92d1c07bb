/// <reference types="node" />
// What every browser test shares: Chromium (Debian's, driven by playwright-core), a real Anlan
// server on a fresh test database, a fresh page per case, and logging in through the login page.
// Without Chromium a suite is skipped with the reason in its name, except under CI, where a
// missing browser is a failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

// The server helper is loaded at run time rather than imported statically, so that
// type-checking the web project (apps/web/tsconfig.json, browser settings) does not pull the
// whole server graph in. Its contract:
export interface TestServer {
  url: string;
  adminPassword: string;
  demoPassword: string;
  close(): Promise<void>;
}
export interface TestServerOptions {
  demo?: boolean;
  /** inventories with more rows than this are assessed as a job (202) */
  assessmentJobRows?: number;
}
type StartTestServer = (opts?: TestServerOptions) => Promise<TestServer>;
const SERVER_HELPER = new URL('../../../tests/helpers/server.ts', import.meta.url).href;
const TEST_PATHS = new URL('../../../tests/setup/paths.ts', import.meta.url).href;

export const CHROMIUM = process.env.ANLAN_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = join(WEB_DIR, '..', '..');
export const SCREENSHOTS = join(WEB_DIR, 'e2e', 'screenshots');

/** Newest modification time of the web sources, to rebuild a stale dist. */
function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function ensureWebBuilt(): void {
  const index = join(WEB_DIR, 'dist', 'index.html');
  const sources = Math.max(
    newestSourceMtime(join(WEB_DIR, 'src')),
    statSync(join(WEB_DIR, 'index.html')).mtimeMs,
    statSync(join(WEB_DIR, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  try {
    execFileSync('npm', ['run', 'build', '--workspace', '@anlan/web'], { cwd: REPO_ROOT, stdio: 'pipe' });
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`web build failed:\n${err.stdout?.toString() ?? ''}\n${err.stderr?.toString() ?? ''}`, { cause: e });
  }
}

/** `npm test` builds the database template first; when this file runs on its own, build it here. */
async function ensureTestTemplate(): Promise<void> {
  const { EMBEDDED_TEMPLATE_PATH } = (await import(TEST_PATHS)) as { EMBEDDED_TEMPLATE_PATH: string };
  if (existsSync(EMBEDDED_TEMPLATE_PATH)) return;
  execFileSync(process.execPath, ['--import', 'tsx', 'tests/setup/prepare.ts'], { cwd: REPO_ROOT, stdio: 'pipe' });
}

export interface BrowserHarness {
  readonly server: TestServer;
  newPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  login(page: Page, username: string, password: string): Promise<void>;
}

/** Defines a browser suite: `define` registers its tests with a harness whose server and browser are up. */
export function browserSuite(name: string, define: (h: BrowserHarness) => void, serverOptions: TestServerOptions = {}): void {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) {
      void test(`${name}: chromium is installed (required under CI)`, () => {
        assert.fail(`Chromium not found at ${CHROMIUM}; install it or set ANLAN_CHROMIUM`);
      });
    } else {
      void test(`${name} — skipped: chromium not installed`, { skip: `no browser at ${CHROMIUM}` }, () => {});
    }
    return;
  }
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    ensureWebBuilt();
    await ensureTestTemplate();
    const { startTestServer } = (await import(SERVER_HELPER)) as { startTestServer: StartTestServer };
    server = await startTestServer({ demo: true, ...serverOptions });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    // Ask the app to expose its map as window.__anlanMap.
    await context.addInitScript(() => {
      (window as unknown as { __ANLAN_TEST__: boolean }).__ANLAN_TEST__ = true;
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    return { context, page, errors };
  }

  async function login(page: Page, username: string, password: string): Promise<void> {
    await page.goto(`${server.url}/regions`);
    await page.waitForURL(/\/login/);
    await page.locator('text=安澜 应急管理平台').first().waitFor();
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(password);
    await page.getByTestId('login-submit').click();
    // not just /\/regions/: the login page's own URL carries ?redirect=/regions
    await page.waitForURL((u) => u.pathname.startsWith('/regions'));
    await page.getByTestId('side-menu').waitFor();
  }

  define({
    get server() {
      return server;
    },
    newPage,
    login,
  });
}
