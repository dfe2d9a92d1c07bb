/// <reference types="node" />
// Browser test of the 预警发布 screens against a real server: the 泸定 duty officer composes a
// rainstorm warning by drawing a circle on the map, sees the SMS with its length and the CAP XML,
// submits it; she cannot approve it; the commander approves (签发) it from the detail page, and the
// issued warning shows its frozen CAP and its history; he promotes it up the ladder.
//
//   node scripts/run-tests.mjs warning/warning-screens
//
// Needs Chromium (ANLAN_CHROMIUM or /usr/bin/chromium). Screenshots go to ANLAN_SCREENSHOTS or
// /tmp/anlan-screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSuite, type BrowserHarness } from '../../e2e/harness.ts';

const SHOTS = process.env.ANLAN_SCREENSHOTS ?? '/tmp/anlan-screenshots';
/** 泸桥镇, inside 泸定县. */
const CENTRE = { lon: 102.234, lat: 29.915 };

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Where a place is on the warning map, once the map is ready. */
async function pixelOf(page: Page, lon: number, lat: number): Promise<{ x: number; y: number }> {
  const at = await page.waitForFunction(
    ({ lon, lat }) => {
      const m = (window as unknown as { __anlanMap?: any }).__anlanMap;
      if (!m || !m.isStyleLoaded() || !m.getLayer('wc-areas-fill')) return null;
      const p = m.project([lon, lat]);
      return { x: p.x, y: p.y };
    },
    { lon, lat },
  );
  const { x, y } = (await at.jsonValue()) as { x: number; y: number };
  const box = (await page.getByTestId('warning-map').boundingBox())!;
  return { x: box.x + x, y: box.y + y };
}

browserSuite('web warning screens', (h: BrowserHarness) => {
  void test('compose on the map, preview SMS and CAP, submit; another person approves; promote', { timeout: 240_000 }, async () => {
    const duty = await h.newPage();
    try {
      const page = duty.page;
      await h.login(page, 'ld-duty', h.server.demoPassword);
      await page.getByTestId('nav-warnings').click();
      await page.waitForURL((u) => u.pathname === '/warning');
      await page.getByTestId('warning-table').waitFor();
      await page.getByTestId('warning-new').click();
      await page.waitForURL((u) => u.pathname === '/warning/compose');

      await page.getByTestId('warning-event').click();
      await page.locator('.el-select-dropdown__item', { hasText: '暴雨' }).first().click();
      await page.locator('[data-testid="warning-level"] [data-level="orange"]').click();
      await page.getByTestId('warning-description').fill('预计今天傍晚到明天凌晨，泸桥镇将出现暴雨，3小时累计降雨量可达50毫米以上。');
      await page.getByTestId('warning-instruction').fill('危险区域人员于18时前转移至安置点。');

      // A circle: its centre, then a point about 3 km east for the radius.
      await page.getByTestId('warning-draw-circle').click();
      await page.locator('[data-testid="warning-map"][data-drawing="circle"]').waitFor();
      const c = await pixelOf(page, CENTRE.lon, CENTRE.lat);
      const r = await pixelOf(page, CENTRE.lon + 0.031, CENTRE.lat);
      await page.mouse.click(c.x, c.y);
      await page.mouse.click(r.x, r.y);
      await page.locator('[data-testid="warning-map"][data-drawing="none"]').waitFor();
      assert.equal(await page.getByTestId('warning-area').count(), 1);

      // The server's check: the region, the headline it suggests, the SMS and its length.
      await page.getByRole('tab', { name: /校验/ }).click();
      await page.getByTestId('warning-check-ok').waitFor();
      assert.match((await page.getByTestId('warning-check-ok').textContent()) ?? '', /泸定县 513322/);
      assert.equal(await page.getByTestId('warning-headline').inputValue(), '泸定县暴雨橙色预警');
      await page.getByRole('tab', { name: '短信' }).click();
      const sms = (await page.getByTestId('warning-sms').textContent()) ?? '';
      assert.match(sms, /^【安澜预警】泸定县应急管理局发布暴雨橙色预警：预计今天傍晚/);
      assert.match((await page.getByTestId('warning-sms-count').textContent()) ?? '', new RegExp(`${[...sms].length} 字，\\d 条短信`));
      await page.getByRole('tab', { name: 'CAP XML' }).click();
      assert.match((await page.getByTestId('warning-cap-preview').textContent()) ?? '', /<circle>29\.91\d*,102\.23\d* [23](\.\d)?<\/circle>/);
      await shot(page, 'warning-compose');

      await page.getByTestId('warning-save-submit').click();
      await page.waitForURL((u) => /^\/warning\/\d+$/.test(u.pathname));
      await page.locator('[data-testid="warning-detail-state"][data-state="pending"]').waitFor();
      // A duty officer drafts and submits; approving is for someone else, with the right role.
      await page.getByTestId('warning-approve-blocked').waitFor();
      assert.equal(await page.getByTestId('warning-approve').count(), 0);
      const detailUrl = page.url();

      const commander = await h.newPage();
      try {
        const cp = commander.page;
        await h.login(cp, 'ld-commander', h.server.demoPassword);
        await cp.goto(detailUrl);
        await cp.getByTestId('warning-approve').click();
        await cp.locator('.el-message-box').getByRole('button', { name: /确定|OK/ }).click();
        await cp.locator('[data-testid="warning-detail-state"][data-state="issued"]').waitFor();
        await cp.getByTestId('warning-show-cap').click();
        const xml = (await cp.getByTestId('warning-cap').textContent()) ?? '';
        assert.match(xml, /<msgType>Alert<\/msgType>/);
        assert.match(xml, /<senderName>泸定县应急管理局<\/senderName>/);
        const history = (await cp.getByTestId('warning-history').textContent()) ?? '';
        assert.match(history, /起草[\s\S]*提交签发[\s\S]*签发[\s\S]*发布/);
        await shot(cp, 'warning-issued');

        // The duty officer's page follows live.
        await page.locator('[data-testid="warning-detail-state"][data-state="issued"]').waitFor();

        // Up the ladder: 预报 → 短临, as an Update that needs approval again.
        await cp.getByTestId('warning-promote').click();
        await cp.waitForURL((u) => /\/promote$/.test(u.pathname));
        await cp.getByTestId('warning-save-submit').click();
        await cp.waitForURL((u) => /^\/warning\/\d+$/.test(u.pathname));
        await cp.locator('[data-testid="warning-detail-state"][data-state="pending"]').waitFor();
        const thread = (await cp.getByTestId('warning-thread').textContent()) ?? '';
        assert.match(thread, /首发 · 预报[\s\S]*生效中[\s\S]*更新 · 短临[\s\S]*待签发/);
        assert.deepEqual(commander.errors, []);
      } finally {
        await commander.context.close();
      }

      // The list shows both steps, with their states.
      await page.goto(`${h.server.url}/warning`);
      await page.locator('[data-testid="warning-state"][data-state="pending"]').waitFor();
      await page.locator('[data-testid="warning-state"][data-state="issued"]').waitFor();
      await shot(page, 'warning-list');
      assert.deepEqual(duty.errors, []);
    } finally {
      await duty.context.close();
    }
  });
});
