/// <reference types="node" />
// Browser test of the web app against a real server: log in, walk the region tree, check the
// map follows, and check that a county-scoped user sees only its county.
//
//   node --import tsx --test apps/web/e2e/regions.test.ts
//
// Needs Chromium (ANLAN_CHROMIUM or /usr/bin/chromium). Without it the test is skipped,
// except under CI where a missing browser is a failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

// The server helper is loaded at run time rather than imported statically, so that
// type-checking the web project (apps/web/tsconfig.json, browser settings) does not pull the
// whole server graph in. Its contract:
interface TestServer {
  url: string;
  adminPassword: string;
  close(): Promise<void>;
}
type StartTestServer = (opts?: { demo?: boolean }) => Promise<TestServer>;
const SERVER_HELPER = new URL('../../../tests/helpers/server.ts', import.meta.url).href;
const TEST_PATHS = new URL('../../../tests/setup/paths.ts', import.meta.url).href;

const CHROMIUM = process.env.ANLAN_CHROMIUM ?? '/usr/bin/chromium';
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
const SCREENSHOTS = join(WEB_DIR, 'e2e', 'screenshots');

// 泸定县 lies within roughly lon 101.9–102.4, lat 29.5–30.2.
const LUDING = { code: '513322', minLon: 101.9, maxLon: 102.4, minLat: 29.5, maxLat: 30.2 };

const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && process.env.CI) {
  void test('chromium is installed (required under CI)', () => {
    assert.fail(`Chromium not found at ${CHROMIUM}; install it or set ANLAN_CHROMIUM`);
  });
} else if (!haveChromium) {
  void test('web regions page — skipped: chromium not installed', { skip: `no browser at ${CHROMIUM}` }, () => {});
} else {
  defineBrowserTests();
}

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

function defineBrowserTests(): void {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    ensureWebBuilt();
    await ensureTestTemplate();
    const { startTestServer } = (await import(SERVER_HELPER)) as { startTestServer: StartTestServer };
    server = await startTestServer({ demo: true });
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
    await page.waitForURL(/\/regions/);
  }

  /** The tree row of a region (its label carries data-code). */
  function treeNode(page: Page, code: string) {
    return page.locator(`[data-testid="region-tree"] .el-tree-node:has(> .el-tree-node__content [data-code="${code}"])`);
  }

  async function waitForMapIdle(page: Page): Promise<void> {
    await page.waitForFunction(() => {
      const m = window.__anlanMap;
      return !!m && !m.isMoving() && m.loaded() && m.areTilesLoaded();
    });
  }

  async function expand(page: Page, code: string): Promise<void> {
    const node = treeNode(page, code);
    await node.waitFor();
    if ((await node.getAttribute('aria-expanded')) !== 'true') {
      await node.locator(':scope > .el-tree-node__content').click();
    }
    await page.waitForFunction(
      (c) =>
        document
          .querySelector(`[data-testid="region-tree"] [data-code="${c}"]`)
          ?.closest('.el-tree-node')
          ?.getAttribute('aria-expanded') === 'true',
      code,
    );
  }

  void test('admin walks the region tree to 泸定县 and the map follows', { timeout: 120_000 }, async () => {
    const { context, page, errors } = await newPage();
    try {
      await login(page, 'admin', server.adminPassword);
      await page.getByTestId('region-tree').waitFor({ state: 'visible' });
      await page.getByTestId('region-map').waitFor({ state: 'visible' });

      await expand(page, '510000'); // 四川省
      await expand(page, '513300'); // 甘孜藏族自治州
      const luding = page.locator(`[data-testid="region-tree"] [data-code="${LUDING.code}"]`);
      await luding.waitFor();
      assert.match((await luding.textContent()) ?? '', /泸定县/);
      await luding.click();

      await page.waitForURL(new RegExp(`/regions/${LUDING.code}$`));
      await page.waitForFunction(
        (code) => document.querySelector('[data-testid="region-code"]')?.textContent?.trim() === code,
        LUDING.code,
      );
      const details = (await page.getByTestId('region-details').textContent()) ?? '';
      assert.match(details, /泸定县/);
      assert.match(details, /县级/);
      assert.match(details, /甘孜藏族自治州/);

      // The camera settles inside 泸定县 and its outline is drawn.
      await page.waitForFunction(
        (b) => {
          const m = window.__anlanMap;
          if (!m || m.isMoving()) return false;
          const c = m.getCenter();
          return c.lng > b.minLon && c.lng < b.maxLon && c.lat > b.minLat && c.lat < b.maxLat;
        },
        LUDING,
        { timeout: 20_000 },
      );
      await waitForMapIdle(page);
      const view = await page.evaluate(() => {
        const m = window.__anlanMap!;
        const c = m.getCenter();
        return { lng: c.lng, lat: c.lat, zoom: m.getZoom(), outline: m.queryRenderedFeatures({ layers: ['self-line'] }).length };
      });
      assert.ok(view.lng > LUDING.minLon && view.lng < LUDING.maxLon, `centre longitude ${view.lng}`);
      assert.ok(view.lat > LUDING.minLat && view.lat < LUDING.maxLat, `centre latitude ${view.lat}`);
      assert.ok(view.zoom > 7, `zoomed in to a county (zoom ${view.zoom})`);
      assert.ok(view.outline > 0, 'the outline of 泸定县 is rendered');

      const source = (await page.getByTestId('boundary-source').textContent()) ?? '';
      assert.match(source, /边界来源/);

      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'regions.png') });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  void test('a user scoped to 泸定县 sees only 泸定县 and no admin menu', { timeout: 120_000 }, async () => {
    const username = `luding_duty_${Date.now().toString(36)}`;
    const password = 'luding-duty-pass-1';
    await createUserViaApi(server.url, server.adminPassword, {
      username,
      password,
      displayName: '泸定县值班员',
      role: 'duty',
      regionCode: LUDING.code,
    });

    const { context, page, errors } = await newPage();
    try {
      await login(page, username, password);
      await page.getByTestId('region-tree').waitFor({ state: 'visible' });
      const roots = page.locator('[data-testid="region-tree"] .el-tree > .el-tree-node');
      await roots.first().waitFor();
      assert.equal(await roots.count(), 1);
      const rootText = (await roots.first().locator(':scope > .el-tree-node__content').textContent()) ?? '';
      assert.match(rootText, /泸定县/);
      assert.match(rootText, /513322/);

      // With a single root the page opens it.
      await page.waitForFunction(
        (code) => document.querySelector('[data-testid="region-code"]')?.textContent?.trim() === code,
        LUDING.code,
      );

      const menu = (await page.getByTestId('side-menu').textContent()) ?? '';
      assert.match(menu, /行政区划/);
      assert.doesNotMatch(menu, /用户管理/);
      assert.doesNotMatch(menu, /审计日志/);
      assert.doesNotMatch(menu, /API 令牌/);

      // Admin pages are not reachable by URL either.
      await page.goto(`${server.url}/admin/users`);
      await page.waitForURL(new RegExp(`/regions/${LUDING.code}$`));
      await page.waitForFunction(
        (code) => document.querySelector('[data-testid="region-code"]')?.textContent?.trim() === code,
        LUDING.code,
      );
      await waitForMapIdle(page);

      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'regions-county-user.png') });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

async function createUserViaApi(
  baseUrl: string,
  adminPassword: string,
  user: { username: string; password: string; displayName: string; role: string; regionCode: string },
): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: adminPassword }),
  });
  assert.equal(res.status, 200, `admin login: ${res.status}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const created = await fetch(`${baseUrl}/api/v1/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify(user),
  });
  assert.equal(created.status, 201, `create user: ${created.status} ${await created.clone().text()}`);
}
