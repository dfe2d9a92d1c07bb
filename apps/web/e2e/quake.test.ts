/// <reference types="node" />
// Browser test of the earthquake rapid assessment page against a real server: the demo duty
// officer of 泸定县 runs an assessment of the 2022 泸定 M6.8 earthquake and sees the results.
//
//   node --import tsx --test apps/web/e2e/quake.test.ts
//
// Needs Chromium (ANLAN_CHROMIUM or /usr/bin/chromium). Without it the test is skipped,
// except under CI where a missing browser is a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSuite, SCREENSHOTS, type BrowserHarness } from './harness.ts';

// The 2022-09-05 泸定 earthquake: epicentre 102.08°E 29.59°N, 16 km, Ms 6.8, NNW-striking 鲜水河 fault.
const QUAKE = { lon: '102.08', lat: '29.59', depth: '16', magnitude: '6.8', strike: '160' };

browserSuite('web earthquake assessment page', (h: BrowserHarness) => {
  async function waitForMapIdle(page: Page): Promise<void> {
    await page.waitForFunction(() => {
      const m = window.__anlanMap;
      return !!m && !m.isMoving() && m.loaded() && m.areTilesLoaded();
    });
  }

  void test('the 泸定 duty officer runs an earthquake assessment', { timeout: 120_000 }, async () => {
    const { context, page, errors } = await h.newPage();
    try {
      await h.login(page, 'ld-duty', h.server.demoPassword);
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

      // The Excel report comes from the server, named in Chinese by its content-disposition.
      await page.getByTestId('quake-export').click();
      const downloading = page.waitForEvent('download');
      await page.getByTestId('quake-export-xlsx').click();
      const download = await downloading;
      assert.match(download.suggestedFilename(), /^地震快速评估-\d+-6\.8级\.xlsx$/);
      const bytes = readFileSync(await download.path());
      assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an .xlsx is a zip file');
      await page.getByTestId('quake-export').locator('.is-loading').waitFor({ state: 'detached' });

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
    const { context, page, errors } = await h.newPage();
    try {
      await h.login(page, 'ld-inspector', h.server.demoPassword);
      await page.goto(`${h.server.url}/assessment/earthquake`);
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
    const { context, page, errors } = await h.newPage();
    try {
      await h.login(page, 'gz-duty', h.server.demoPassword);
      await page.goto(`${h.server.url}/assessment/earthquake`);
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
});
