/// <reference types="node" />
// Browser test of the earthquake rapid assessment page against a real server: the demo duty
// officer of 泸定县 runs an assessment of the 2022 泸定 M6.8 earthquake and sees the results.
//
//   node --import tsx --test apps/web/e2e/quake.test.ts
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
  demoPassword: string;
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

// The 2022-09-05 泸定 earthquake: epicentre 102.08°E 29.59°N, 16 km, Ms 6.8, NNW-striking 鲜水河 fault.
const QUAKE = { lon: '102.08', lat: '29.59', depth: '16', magnitude: '6.8', strike: '160' };

const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && process.env.CI) {
  void test('chromium is installed (required under CI)', () => {
    assert.fail(`Chromium not found at ${CHROMIUM}; install it or set ANLAN_CHROMIUM`);
  });
} else if (!haveChromium) {
  void test('web earthquake assessment page — skipped: chromium not installed', { skip: `no browser at ${CHROMIUM}` }, () => {});
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
    // not just /\/regions/: the login page's own URL carries ?redirect=/regions
    await page.waitForURL((u) => u.pathname.startsWith('/regions'));
    await page.getByTestId('side-menu').waitFor();
  }

  async function waitForMapIdle(page: Page): Promise<void> {
    await page.waitForFunction(() => {
      const m = window.__anlanMap;
      return !!m && !m.isMoving() && m.loaded() && m.areTilesLoaded();
    });
  }

  void test('the 泸定 duty officer runs an earthquake assessment', { timeout: 120_000 }, async () => {
    const { context, page, errors } = await newPage();
    try {
      await login(page, 'ld-duty', server.demoPassword);
      const menu = page.getByTestId('side-menu');
      assert.match((await menu.textContent()) ?? '', /评估研判/);
      await menu.getByText('地震快速评估').click();
      await page.waitForURL(/\/assessment\/earthquake$/);

      const form = page.getByTestId('quake-form');
      await form.waitFor({ state: 'visible' });
      await page.getByTestId('quake-map').waitFor({ state: 'visible' });
      await form.locator('input[name="lon"]').fill(QUAKE.lon);
      await form.locator('input[name="lat"]').fill(QUAKE.lat);
      await form.locator('input[name="depthKm"]').fill(QUAKE.depth);
      await form.locator('input[name="magnitude"]').fill(QUAKE.magnitude);
      await form.locator('input[name="strikeDeg"]').fill(QUAKE.strike);
      await form.locator('input[name="name"]').click(); // commit the number inputs
      await page.getByTestId('quake-run').click();

      await page.waitForURL(/\/assessment\/earthquake\/\d+$/);
      const totals = page.getByTestId('quake-totals');
      await totals.waitFor({ state: 'visible' });
      const maxIntensity = ((await page.getByTestId('quake-max-intensity').locator('.el-statistic__content').textContent()) ?? '').trim();
      assert.match(maxIntensity, /^(IX|VIII)$/, `max intensity ${maxIntensity}`);
      const deathsText = ((await page.getByTestId('quake-deaths').locator('.el-statistic__number').textContent()) ?? '').trim();
      const deaths = Number(deathsText.replace(/,/g, ''));
      assert.ok(deaths > 0, `deaths ${deathsText}`);
      assert.match((await totals.textContent()) ?? '', /PAGER/);

      const table = page.getByTestId('quake-table');
      await table.locator('.el-table__body tr').first().waitFor();
      assert.match((await table.textContent()) ?? '', /泸定县/);

      // The new run heads the list of past assessments.
      const history = page.getByTestId('quake-history');
      await history.locator('.history-item.current').waitFor();

      // Contours are drawn and the camera is fitted around the epicentre.
      await waitForMapIdle(page);
      const view = await page.evaluate(() => {
        const m = window.__anlanMap!;
        const c = m.getCenter();
        return {
          layer: !!m.getLayer('quake-contours-fill'),
          source: !!m.getSource('quake-contours'),
          rendered: m.queryRenderedFeatures({ layers: ['quake-contours-fill'] }).length,
          lng: c.lng,
          lat: c.lat,
          zoom: m.getZoom(),
        };
      });
      assert.ok(view.layer && view.source, 'contour layer and source exist');
      assert.ok(view.rendered > 0, 'contours are rendered');
      assert.ok(Math.abs(view.lng - 102.08) < 1.5 && Math.abs(view.lat - 29.59) < 1.5, `centre ${view.lng}, ${view.lat}`);
      assert.ok(view.zoom > 5, `zoom ${view.zoom}`);
      await page.getByTestId('quake-epicentre').waitFor();

      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'quake.png') });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  void test('an inspector sees past assessments but no run form', { timeout: 120_000 }, async () => {
    const { context, page, errors } = await newPage();
    try {
      await login(page, 'ld-inspector', server.demoPassword);
      await page.goto(`${server.url}/assessment/earthquake`);
      const history = page.getByTestId('quake-history');
      await history.locator('.history-item').first().waitFor();
      assert.equal(await page.getByTestId('quake-form').count(), 0);
      assert.equal(await page.getByTestId('quake-run').count(), 0);
      await history.locator('.history-item').first().click();
      await page.waitForURL(/\/assessment\/earthquake\/\d+$/);
      await page.getByTestId('quake-table').locator('.el-table__body tr').first().waitFor();
      assert.match((await page.getByTestId('quake-table').textContent()) ?? '', /泸定县/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  void test('a prefecture duty officer sees every shaken county', { timeout: 120_000 }, async () => {
    const { context, page, errors } = await newPage();
    try {
      await login(page, 'gz-duty', server.demoPassword);
      await page.goto(`${server.url}/assessment/earthquake`);
      const history = page.getByTestId('quake-history');
      await history.locator('.history-item').first().click();
      await page.waitForURL(/\/assessment\/earthquake\/\d+$/);
      const rows = page.getByTestId('quake-table').locator('.el-table__body-wrapper tr.el-table__row');
      await rows.first().waitFor();
      assert.ok((await rows.count()) >= 1);
      await waitForMapIdle(page);
      await page.waitForFunction(() => {
        const m = window.__anlanMap;
        return !!m && m.queryRenderedFeatures({ layers: ['quake-boundaries-line'] }).length > 1;
      });
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'quake-prefecture.png') });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
