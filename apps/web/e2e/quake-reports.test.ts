/// <reference types="node" />
// Browser tests of the automatic side of the earthquake page against a real server: an
// earthquake report arrives while the 泸定 duty officer has the page open (notification, automatic
// assessment in the list, a later report superseding it, the 地震速报 tab), and a building inventory
// is uploaded with a bad row and assessed, inside the request and as a job.
//
//   node --import tsx --test apps/web/e2e/quake-reports.test.ts
//
// Needs Chromium (ANLAN_CHROMIUM or /usr/bin/chromium). Without it the tests are skipped,
// except under CI where a missing browser is a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSuite, SCREENSHOTS, type BrowserHarness } from './harness.ts';

const BASE = '/api/v1/assessments/earthquake';
// The 2022-09-05 泸定 earthquake as a seismic network would report it.
const REPORT = { source: 'e2e', eventId: 'E1', time: '2022-09-05T12:52:18+08:00', lon: 102.08, lat: 29.59, depthKm: 16, magnitude: 6.8 };
const LUDING = { lon: '102.08', lat: '29.59', depth: '16', magnitude: '6.8' };
/** Inventories above this many rows are assessed as a job (202). */
const JOB_ROWS = 10;

/** The national administrator, through the API (as an integration would post reports). */
async function adminSession(baseUrl: string, password: string) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  assert.equal(login.status, 200, await login.clone().text());
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(baseUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
}

/** `good` buildings of 泸定县 around the epicentre, then `bad` rows with an unknown structure class. */
function ludingCsv(good: number, bad = 0): string {
  const classes = ['A1', 'B', '砖混', '框架', 'E'];
  const lines = ['lon,lat,class,floors,floor_area_m2,occupants_day,occupants_night,value_cny,region_code'];
  for (let i = 0; i < good; i++) {
    const lon = (102.1 + ((i * 37) % 100) / 1000).toFixed(4);
    const lat = (29.6 + ((i * 53) % 100) / 1000).toFixed(4);
    lines.push(`${lon},${lat},${classes[i % classes.length]},${1 + (i % 6)},${120 + i},${i % 9},${(i % 7) + 1},,513322`);
  }
  for (let i = 0; i < bad; i++) lines.push('102.2,29.7,Z9,2,100,1,1,,513322');
  return lines.join('\n') + '\n';
}

browserSuite(
  'web earthquake reports and building inventories',
  (h: BrowserHarness) => {
    async function openQuakePage(page: Page): Promise<void> {
      await h.login(page, 'ld-duty', h.server.demoPassword);
      await page.goto(`${h.server.url}/assessment/earthquake`);
      // Listening before anything is posted: the notification depends on it.
      await page.locator('[data-testid="quake-live"][data-state="open"]').waitFor();
    }

    void test('a report received at night is assessed automatically and announced', { timeout: 120_000 }, async () => {
      const { context, page, errors } = await h.newPage();
      try {
        await openQuakePage(page);
        const post = await adminSession(h.server.url, h.server.adminPassword);

        const first = await post(`${BASE}/reports`, REPORT);
        assert.equal(first.status, 201, JSON.stringify(first.body));
        const [accepted] = first.body.accepted as { outcome: string; assessmentId: number }[];
        assert.equal(accepted!.outcome, 'assessed');

        // A prominent notification, which an orange PAGER alert keeps open until someone acts.
        const alert = page.locator(`[data-testid="quake-alert"][data-id="${accepted!.assessmentId}"]`);
        await alert.waitFor();
        const text = (await alert.textContent()) ?? '';
        assert.match(text, /收到地震速报：.*6\.8 级，已自动评估 · 最高烈度 (IX|VIII) 度 · PAGER 橙色/);

        // The list shows it as an automatic assessment, with its source and format.
        const history = page.getByTestId('quake-history');
        const item = history.locator(`.history-item[data-id="${accepted!.assessmentId}"]`);
        await item.waitFor();
        assert.match((await item.textContent()) ?? '', /自动 · e2e JSON/);

        await alert.getByTestId('quake-alert-open').click();
        await page.waitForURL(new RegExp(`/assessment/earthquake/${accepted!.assessmentId}$`));
        await page.getByTestId('quake-totals').waitFor();
        assert.match((await page.getByTestId('quake-auto-label').textContent()) ?? '', /自动评估 · e2e JSON/);
        await alert.waitFor({ state: 'detached' }); // opening it closes the notification

        // An update of the same earthquake supersedes the first assessment.
        const update = await post(`${BASE}/reports`, { ...REPORT, msgType: 'Update', references: ['E1'], magnitude: 6.9, place: '四川甘孜州泸定县' });
        assert.equal(update.status, 201, JSON.stringify(update.body));
        const newer = (update.body.accepted as { assessmentId: number }[])[0]!.assessmentId;
        await page.locator(`[data-testid="quake-alert"][data-id="${newer}"]`).waitFor();
        await item.locator('[data-testid="quake-history-superseded"]').waitFor();
        assert.ok(await item.evaluate((el) => el.classList.contains('stale')), 'a superseded assessment is dimmed');
        await page.getByTestId('quake-superseded-banner').waitFor();
        await item.getByTestId(`quake-history-newer-${accepted!.assessmentId}`).click();
        await page.waitForURL(new RegExp(`/assessment/earthquake/${newer}$`));

        // Below the threshold: recorded, not assessed, listed under 地震速报.
        const small = await post(`${BASE}/reports`, { ...REPORT, eventId: 'E2', time: '2022-09-06T03:10:00+08:00', magnitude: 3.6 });
        assert.equal(small.status, 201, JSON.stringify(small.body));
        await page.getByTestId('quake-tab-reports').click();
        await page.getByTestId('quake-reports-refresh').click();
        const reports = page.getByTestId('quake-reports').getByTestId('quake-report-item');
        await reports.nth(2).waitFor();
        const outcomes = await page.getByTestId('quake-report-outcome').allTextContents();
        assert.deepEqual(
          outcomes.map((s) => s.trim()),
          ['低于阈值未评估', '已评估', '已评估'],
        );
        assert.match((await page.getByTestId('quake-threshold').textContent()) ?? '', /M ≥ 4\.5/);
        assert.equal(await page.getByTestId('quake-threshold-edit').count(), 0, 'only a national administrator edits the threshold');

        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: join(SCREENSHOTS, 'quake-reports.png') });

        // Opening the page anew shows the newest live assessment, not the superseded one.
        await page.goto(`${h.server.url}/assessment/earthquake`);
        await page.waitForURL(new RegExp(`/assessment/earthquake/${newer}$`));
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });

    void test('the announcement reaches a duty officer on any page, and opens the assessment', { timeout: 120_000 }, async () => {
      const { context, page, errors } = await h.newPage();
      try {
        await h.login(page, 'ld-duty', h.server.demoPassword);
        await page.goto(`${h.server.url}/regions`);
        await page.locator('[data-testid="app-shell"][data-live="open"]').waitFor();
        const post = await adminSession(h.server.url, h.server.adminPassword);
        const res = await post(`${BASE}/reports`, { source: 'e2e', eventId: 'E-ANYWHERE', time: '2021-05-22T02:04:11+08:00', lon: 102.08, lat: 29.59, depthKm: 16, magnitude: 6.6 });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        const id = (res.body.accepted as { assessmentId: number }[])[0]!.assessmentId;
        const alert = page.locator(`[data-testid="quake-alert"][data-id="${id}"]`);
        await alert.waitFor();
        await alert.getByTestId('quake-alert-open').click();
        await page.waitForURL(new RegExp(`/assessment/earthquake/${id}$`));
        await page.getByTestId('quake-totals').waitFor();
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });

    void test('a building inventory is uploaded with a bad row and assessed', { timeout: 120_000 }, async () => {
      const { context, page, errors } = await h.newPage();
      try {
        await openQuakePage(page);
        // The page opened the newest assessment; its parameters fill the form, then ours replace them.
        await page.waitForURL(/\/assessment\/earthquake\/\d+$/);
        await page.getByTestId('quake-totals').waitFor();

        const upload = async (name: string, fileName: string, csv: string) => {
          await page.getByTestId('quake-inventories').click();
          const dialog = page.locator('.el-dialog').filter({ has: page.getByTestId('inventory-upload') });
          await dialog.waitFor();
          await page.getByTestId('inventory-file').setInputFiles({ name: fileName, mimeType: 'text/csv', buffer: Buffer.from(csv) });
          await page.locator('input[name="inventoryName"]').fill(name);
          await page.getByTestId('inventory-upload').click();
          await page.getByTestId('inventory-result').waitFor();
          return dialog;
        };

        const dialog = await upload('泸定县城区房屋', 'luding.csv', ludingCsv(5, 1));
        const result = page.getByTestId('inventory-result');
        assert.match((await result.textContent()) ?? '', /已接收 5 栋，拒绝 1 行/);
        const rejected = page.getByTestId('inventory-rejected').locator('.el-table__body tr');
        assert.equal(await rejected.count(), 1);
        const cells = (await rejected.first().locator('td').allTextContents()).map((s) => s.trim());
        assert.equal(cells[0], '7', 'header = row 1, five good rows, the bad one is row 7');
        assert.equal(cells[1], 'class');
        assert.match((await page.getByTestId('inventory-list').textContent()) ?? '', /泸定县城区房屋/);

        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: join(SCREENSHOTS, 'quake-inventory-upload.png') });
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });

        // The new inventory is the exposure of the next run.
        assert.match((await page.getByTestId('quake-exposure').textContent()) ?? '', /泸定县城区房屋（5 栋）/);
        const form = page.getByTestId('quake-form');
        await form.locator('input[name="lon"]').fill(LUDING.lon);
        await form.locator('input[name="lat"]').fill(LUDING.lat);
        await form.locator('input[name="depthKm"]').fill(LUDING.depth);
        await form.locator('input[name="magnitude"]').fill(LUDING.magnitude);
        await form.locator('input[name="name"]').fill('城区房屋情景');
        const before = page.url();
        await page.getByTestId('quake-run').click();
        await page.waitForURL((u) => u.href !== before && /\/assessment\/earthquake\/\d+$/.test(u.pathname));
        const inventory = page.getByTestId('quake-inventory');
        await inventory.waitFor();
        assert.match((await page.getByTestId('quake-totals').textContent()) ?? '', /泸定县城区房屋/);
        assert.match((await inventory.textContent()) ?? '', /5 栋/);

        // Over JOB_ROWS rows the server answers 202: the job's stages show until the result opens.
        await upload('全县房屋', 'county.csv', ludingCsv(JOB_ROWS + 2));
        await page.keyboard.press('Escape');
        assert.match((await page.getByTestId('quake-exposure').textContent()) ?? '', /全县房屋（12 栋）/);
        await page.evaluate(() => {
          const w = window as unknown as { __sawJob: boolean };
          w.__sawJob = false;
          new MutationObserver(() => {
            if (document.querySelector('[data-testid="quake-job"]')) w.__sawJob = true;
          }).observe(document.body, { subtree: true, childList: true });
        });
        const beforeJob = page.url();
        await page.getByTestId('quake-run').click();
        await page.waitForURL((u) => u.href !== beforeJob && /\/assessment\/earthquake\/\d+$/.test(u.pathname));
        await page.waitForFunction(() => /全县房屋/.test(document.querySelector('[data-testid="quake-inventory"]')?.textContent ?? ''));
        assert.match((await inventory.textContent()) ?? '', /12 栋/);
        assert.ok(await page.evaluate(() => (window as unknown as { __sawJob: boolean }).__sawJob), 'the job progress was shown');
        assert.equal(await page.getByTestId('quake-job').count(), 0, 'the job panel goes once the result is open');

        // Deleting an inventory asks first; its assessments keep their results.
        await page.getByTestId('quake-inventories').click();
        const list = page.getByTestId('inventory-list');
        const row = list.locator('.el-table__body tr', { hasText: '泸定县城区房屋' });
        await row.getByTestId('inventory-delete').click();
        await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click();
        await row.waitFor({ state: 'detached' });
        assert.match((await list.textContent()) ?? '', /全县房屋/);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  },
  { assessmentJobRows: JOB_ROWS },
);
