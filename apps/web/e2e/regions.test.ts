/// <reference types="node" />
// Browser test of the web app against a real server: log in, walk the region tree, check the
// map follows, and check that a county-scoped user sees only its county.
//
//   node --import tsx --test apps/web/e2e/regions.test.ts
//
// Needs Chromium (ANLAN_CHROMIUM or /usr/bin/chromium). Without it the test is skipped,
// except under CI where a missing browser is a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSuite, SCREENSHOTS, type BrowserHarness } from './harness.ts';

// 泸定县 lies within roughly lon 101.9–102.4, lat 29.5–30.2.
const LUDING = { code: '513322', minLon: 101.9, maxLon: 102.4, minLat: 29.5, maxLat: 30.2 };

browserSuite('web regions page', (h: BrowserHarness) => {
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
    const { context, page, errors } = await h.newPage();
    try {
      await h.login(page, 'admin', h.server.adminPassword);
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
    await createUserViaApi(h.server.url, h.server.adminPassword, {
      username,
      password,
      displayName: '泸定县值班员',
      role: 'duty',
      regionCode: LUDING.code,
    });

    const { context, page, errors } = await h.newPage();
    try {
      await h.login(page, username, password);
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
      await page.goto(`${h.server.url}/admin/users`);
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
});

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
