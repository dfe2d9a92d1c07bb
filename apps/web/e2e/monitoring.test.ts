/// <reference types="node" />
// Browser tests of the monitoring screens against a real server: a sensor's readings cross its
// red threshold while the 泸定 duty officer has the alarm list open — the alarm arrives live, is
// acknowledged and handled from the list, the map shows the point red, the menu badge counts it;
// a reading outside the sensor's range shows under 异常数据 with its Chinese reason; a commander's
// rule with levels in the wrong order is refused field by field.
//
//   node scripts/run-tests.mjs e2e/monitoring
//
// Needs Chromium (ANLAN_CHROMIUM or /usr/bin/chromium). Screenshots go to ANLAN_SCREENSHOTS or
// /tmp/anlan-screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSuite, type BrowserHarness } from './harness.ts';

const SHOTS = process.env.ANLAN_SCREENSHOTS ?? '/tmp/anlan-screenshots';
const POINT = { name: '泸桥镇加油站储罐区', type: 'hazchem_site', regionCode: '513322', lon: 102.2312, lat: 29.9146 };
const CODE = 'E2E-GAS-001';
const RULE_CODE = 'E2E-GAS-002';

interface Session {
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** A user of the API, signed in with a cookie and the CSRF token, as the web app is. */
async function signIn(baseUrl: string, username: string, password: string): Promise<Session> {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(login.status, 200, await login.clone().text());
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return {
    async call(method, path, body) {
      const res = await fetch(baseUrl + path, {
        method,
        headers: { cookie, 'x-csrf-token': csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed };
    },
  };
}

async function postReadings(baseUrl: string, token: string, readings: unknown[]): Promise<{ accepted: number; rejected: { reason: string }[] }> {
  const res = await fetch(`${baseUrl}/api/v1/readings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(readings),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { accepted: number; rejected: { reason: string }[] };
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

browserSuite('web monitoring screens', (h: BrowserHarness) => {
  void test('a red alarm arrives live, is acknowledged and handled from the list, and colours the map', { timeout: 240_000 }, async () => {
    // The registry and a device token, set up through the API as the bureau's administrator would.
    const admin = await signIn(h.server.url, 'ld-admin', h.server.demoPassword);
    const point = await admin.call('POST', '/api/v1/monitoring/points', POINT);
    assert.equal(point.status, 201, JSON.stringify(point.body));
    // A combustible gas sensor: its type's thresholds are yellow 25 and red 50 %LEL, range 0–100.
    const sensor = await admin.call('POST', '/api/v1/monitoring/sensors', { code: CODE, pointId: point.body.id, type: 'gas_combustible' });
    assert.equal(sensor.status, 201, JSON.stringify(sensor.body));
    assert.equal(sensor.body.thresholds.red, 50);
    const token = await admin.call('POST', '/api/v1/tokens', { name: 'e2e 储罐区气体探测器', regionCode: '513322' });
    assert.equal(token.status, 201, JSON.stringify(token.body));

    const { context, page, errors } = await h.newPage();
    try {
      await h.login(page, 'ld-duty', h.server.demoPassword);
      await page.goto(`${h.server.url}/monitoring/alarms`);
      await page.getByTestId('alarm-table').waitFor();
      // Listening (page and app shell) before anything is posted: the row must arrive over SSE.
      await page.locator('[data-testid="monitoring-live"][data-state="open"]').waitFor();
      await page.locator('[data-testid="app-shell"][data-live="open"]').waitFor();
      assert.equal(await page.getByTestId('alarm-badge').count(), 0, 'no badge before any alarm');

      const now = Date.now();
      const ingest = await postReadings(h.server.url, token.body.token, [
        { sensor: CODE, ts: new Date(now - 180_000).toISOString(), value: 8.5 },
        { sensor: CODE, ts: new Date(now - 120_000).toISOString(), value: 62.4 },
        { sensor: CODE, ts: new Date(now - 60_000).toISOString(), value: 150 },
      ]);
      assert.equal(ingest.accepted, 2);
      assert.deepEqual(
        ingest.rejected.map((r) => r.reason),
        ['out_of_range'],
      );

      // The alarm appears at the top without a reload, highlighted, and counts on the menu badge.
      // (An offline alarm may join it: the gas sensor reports every 10 s, and falls silent after this batch.)
      const row = page.locator('.alarm-row.alarm-red', { hasText: CODE }).first();
      await row.waitFor({ timeout: 60_000 });
      assert.ok(await row.evaluate((el) => el.classList.contains('alarm-new')), 'a live row is highlighted');
      assert.equal(await row.getByTestId('level-tag').getAttribute('data-level'), 'red');
      assert.match((await row.textContent()) ?? '', /泸桥镇加油站储罐区/);
      await page.getByTestId('alarm-badge').waitFor();
      assert.equal((await page.getByTestId('alarm-badge').textContent())?.trim(), '1');
      await shot(page, 'monitoring-alarm-live');

      // 确认: one click; the badge goes.
      await row.getByTestId('alarm-ack').click();
      await row.locator('[data-testid="alarm-state"][data-state="acknowledged"]').waitFor();
      await page.getByTestId('alarm-badge').waitFor({ state: 'detached' });

      // 处置 needs the note.
      await row.getByTestId('alarm-handle').click();
      const dialog = page.locator('.el-dialog', { has: page.getByTestId('alarm-handle-note') });
      await dialog.waitFor();
      await page.getByTestId('alarm-handle-submit').click();
      await dialog.locator('.el-form-item__error', { hasText: '请填写处置情况' }).waitFor();
      await page.getByTestId('alarm-handle-note').fill('已通知企业安全员现场核查，关闭进料阀门，加强通风');
      await page.getByTestId('alarm-handle-submit').click();
      await row.locator('[data-testid="alarm-state"][data-state="handled"]').waitFor();
      await dialog.waitFor({ state: 'hidden' });

      // The drawer shows the whole history.
      await row.locator('td').nth(4).click();
      const drawer = page.locator('.el-drawer', { has: page.getByTestId('alarm-history') });
      await drawer.waitFor();
      await drawer.getByText('已通知企业安全员现场核查').first().waitFor();
      const history = (await page.getByTestId('alarm-history').textContent()) ?? '';
      for (const step of ['报警触发', '确认', '处置']) assert.ok(history.includes(step), `history shows ${step}: ${history}`);
      await shot(page, 'monitoring-alarm-drawer');
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'hidden' });

      // The map: the point is red (a handled alarm stays open until cleared), in the legend and on the canvas.
      await page.getByTestId('nav-monitoring-map').click();
      await page.waitForURL((u) => u.pathname === '/monitoring');
      await page.locator('[data-testid="monitoring-legend-row"][data-state="red"][data-count="1"]').waitFor({ timeout: 30_000 });
      const at = await page.waitForFunction(
        ({ lon, lat }) => {
          const m = (window as unknown as { __anlanMap?: any }).__anlanMap;
          if (!m || !m.isStyleLoaded() || !m.getLayer('mon-points')) return null;
          const p = m.project([lon, lat]);
          const hits = m.queryRenderedFeatures([p.x, p.y], { layers: ['mon-points'] });
          return hits.length && hits[0].properties.rank === 6 ? { x: p.x, y: p.y } : null;
        },
        { lon: POINT.lon, lat: POINT.lat },
        { timeout: 30_000 },
      );
      const { x, y } = (await at.jsonValue()) as { x: number; y: number };
      const box = (await page.getByTestId('monitoring-map').boundingBox())!;
      await page.mouse.click(box.x + x, box.y + y);
      const panel = page.getByTestId('point-panel');
      await panel.waitFor();
      await panel.locator('[data-testid="point-state"][data-level="red"]').waitFor();
      await panel.getByTestId('point-alarm').first().waitFor();
      assert.match((await panel.getByTestId('point-sensor').first().textContent()) ?? '', /62\.4 %LEL/);
      await page.locator('[data-testid="sensor-chart"][data-points="2"]').waitFor();
      await shot(page, 'monitoring-map');

      // 异常数据: the reading outside the range, with its reason in Chinese.
      await page.getByTestId('nav-monitoring-quarantine').click();
      const rejected = page.getByTestId('quarantine-table').locator('.el-table__body tr', { hasText: CODE }).first();
      await rejected.waitFor();
      assert.equal((await rejected.getByTestId('quarantine-reason').textContent())?.trim(), '超出量程');
      assert.match((await rejected.textContent()) ?? '', /150/);
      await shot(page, 'monitoring-quarantine');

      // 设备状态: the sensor reported, so it is online.
      await page.getByTestId('nav-monitoring-status').click();
      await page.getByTestId('status-totals').waitFor();
      await page.getByTestId('status-table-region').locator('.el-table__body tr').first().waitFor();
      await shot(page, 'monitoring-status');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  void test('a rule with levels in the wrong order is refused at its fields, then saved with a version', { timeout: 180_000 }, async () => {
    const admin = await signIn(h.server.url, 'ld-admin', h.server.demoPassword);
    const point = await admin.call('POST', '/api/v1/monitoring/points', { ...POINT, name: '规则测试点' });
    assert.equal(point.status, 201, JSON.stringify(point.body));
    const sensor = await admin.call('POST', '/api/v1/monitoring/sensors', { code: RULE_CODE, pointId: point.body.id, type: 'gas_combustible' });
    assert.equal(sensor.status, 201, JSON.stringify(sensor.body));
    const { context, page, errors } = await h.newPage();
    try {
      await h.login(page, 'ld-commander', h.server.demoPassword);
      await page.goto(`${h.server.url}/monitoring/rules`);
      await page.getByTestId('rules-table').waitFor();
      await page.getByTestId('rule-create').click();
      const editor = page.locator('.el-dialog', { has: page.getByTestId('rule-form') });
      await editor.waitFor();
      await editor.locator('input[name="ruleName"]').fill('储罐区可燃气体（测试）');
      await page.getByTestId('rule-sensor').click();
      await page.keyboard.type(RULE_CODE);
      await page.locator('.el-select-dropdown__item:visible', { hasText: RULE_CODE }).first().click();
      await page.getByTestId('rule-level-blue').locator('input').fill('40');
      await page.getByTestId('rule-level-yellow').locator('input').fill('30');
      await page.getByTestId('rule-check').click();
      const fieldError = page.getByTestId('rule-error-levels.yellow');
      await fieldError.waitFor();
      assert.match((await fieldError.textContent()) ?? '', /应大于蓝级阈值 40/);
      await shot(page, 'monitoring-rule-error');

      await page.getByTestId('rule-level-yellow').locator('input').fill('45');
      await page.getByTestId('rule-check').click();
      await page.getByTestId('rule-valid').waitFor();
      await page.getByTestId('rule-save').click();
      await editor.waitFor({ state: 'hidden' });
      const row = page.getByTestId('rules-table').locator('.el-table__body tr', { hasText: '储罐区可燃气体（测试）' });
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', /v1/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  void test('the registry: a point outside its county is refused at its field, an import reports its bad row', { timeout: 180_000 }, async () => {
    const { context, page, errors } = await h.newPage();
    try {
      await h.login(page, 'ld-duty', h.server.demoPassword);
      await page.getByTestId('nav-monitoring-registry').click();
      await page.getByTestId('registry-points').waitFor();

      // A point whose longitude lies outside 泸定县: the server's message is shown at 经度.
      await page.getByTestId('registry-create').click();
      const form = page.getByTestId('point-form');
      await form.waitFor();
      await form.locator('input[name="pointName"]').fill('德威镇雨量站');
      await form.locator('.el-select').first().click();
      await page.locator('.el-select-dropdown__item:visible', { hasText: '雨量站' }).first().click();
      await form.locator('input[name="lon"]').fill('104.06');
      await form.locator('input[name="lat"]').fill('29.80');
      await page.getByTestId('point-save').click();
      const lonItem = form.locator('.el-form-item', { has: page.locator('input[name="lon"]') });
      await lonItem.locator('.el-form-item__error', { hasText: /outside|不在|泸定/ }).waitFor();
      await form.locator('input[name="lon"]').fill('102.19');
      await page.getByTestId('point-save').click();
      await form.waitFor({ state: 'hidden' });
      await page.getByTestId('registry-points').locator('.el-table__body tr', { hasText: '德威镇雨量站' }).waitFor();

      // An import with one good and one bad row: the good one is stored, the bad one listed by row.
      await page.getByTestId('registry-import-open').click();
      const csv = '名称,类型,区划代码,经度,纬度\n冷碛镇雨量站,雨量站,513322,102.21,29.80\n坏坐标雨量站,雨量站,513322,110.5,29.80\n';
      await page.getByTestId('registry-import-file').setInputFiles({ name: '监测点.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByTestId('registry-import-submit').click();
      const result = page.getByTestId('registry-import-result');
      await result.waitFor();
      assert.match((await result.textContent()) ?? '', /共 2 行：新增 1.*拒绝 1/);
      const bad = page.getByTestId('registry-import-errors').locator('.el-table__body tr').first();
      assert.equal((await bad.locator('td').first().textContent())?.trim(), '3', 'header = row 1: the bad row is row 3');
      await shot(page, 'monitoring-registry-import');
      await page.keyboard.press('Escape');
      await page.getByTestId('registry-points').locator('.el-table__body tr', { hasText: '冷碛镇雨量站' }).waitFor();

      // The same screens in English.
      await page.evaluate(() => localStorage.setItem('anlan.locale', 'en'));
      await page.goto(`${h.server.url}/monitoring`);
      await page.getByTestId('monitoring-legend').waitFor();
      await page.locator('[data-testid="monitoring-legend"]', { hasText: 'monitoring points' }).waitFor();
      await shot(page, 'monitoring-map-en');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
