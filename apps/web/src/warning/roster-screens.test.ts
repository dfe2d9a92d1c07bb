/// <reference types="node" />
// Browser test of the 责任人名册 screens against a real server: the 泸定 duty officer adds a
// township officer and a grid worker below them, gives the grid worker a household and an elderly
// person living alone, sees the chain and the map, and imports a workbook whose bad rows are
// listed with their row, column and reason.
//
//   node scripts/run-tests.mjs warning/roster-screens
//
// Needs Chromium (ANLAN_CHROMIUM or /usr/bin/chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSuite, type BrowserHarness } from '../../e2e/harness.ts';

/** The text input of a field: Element Plus puts the test id on the input itself or on its wrapper. */
function input(root: Page | ReturnType<Page['getByTestId']>, testid: string) {
  return root.locator(`input[data-testid="${testid}"], [data-testid="${testid}"] input`).first();
}

/** Picks an option of an Element Plus select by its visible text. */
async function choose(page: Page, testid: string, text: string): Promise<void> {
  await page.getByTestId(testid).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

/** A CSV of persons, one good row and one bad: enough to see the row report. */
function personsCsv(): string {
  const dir = mkdtempSync(join(tmpdir(), 'anlan-roster-web-'));
  const file = join(dir, 'persons.csv');
  writeFileSync(file, '\uFEFF姓名,手机号,角色,区划代码,上级手机号\r\n陈网格,13900000703,网格员,513322100002,13900000701\r\n坏号码,1390000,网格员,513322100,\r\n', 'utf8');
  return file;
}

browserSuite('web roster screens', (h: BrowserHarness) => {
  void test('add persons and what they answer for, see the chain, import with a row report', { timeout: 240_000 }, async () => {
    const { page, errors, context } = await h.newPage();
    try {
      await h.login(page, 'ld-duty', h.server.demoPassword);
      await page.getByTestId('nav-warning-roster').click();
      await page.waitForURL((u) => u.pathname === '/warning/roster');
      await page.getByTestId('roster-persons').waitFor();
      assert.equal(await page.title(), '责任人名册 - 安澜 应急管理平台');

      // A township officer.
      await page.getByTestId('roster-create').click();
      const dialog = page.getByTestId('roster-person-dialog');
      await input(dialog, 'roster-person-name').fill('李镇长');
      await input(dialog, 'roster-person-phone').fill('13900000701');
      await choose(page, 'roster-person-roles', '乡镇责任人');
      await input(dialog, 'roster-person-region').fill('513322100');
      await dialog.getByTestId('roster-person-save').click();
      await page.locator('.el-message--success', { hasText: '已保存 李镇长' }).waitFor();

      // A grid worker below them; a bad phone first, shown at its field in Chinese.
      await page.getByTestId('roster-create').click();
      await input(dialog, 'roster-person-name').fill('王网格');
      await input(dialog, 'roster-person-phone').fill('1390000070');
      await choose(page, 'roster-person-roles', '网格员');
      await input(dialog, 'roster-person-region').fill('513322100001');
      await dialog.getByTestId('roster-person-superior').click();
      await page.keyboard.type('李镇长');
      await page.locator('.el-select-dropdown__item:visible', { hasText: '李镇长' }).first().click();
      await dialog.getByTestId('roster-person-save').click();
      await dialog.locator('.el-form-item__error', { hasText: '手机号应为 11 位（当前 10 位）' }).waitFor();
      await input(dialog, 'roster-person-phone').fill('13900000702');
      await dialog.getByTestId('roster-person-save').click();
      await page.locator('.el-message--success', { hasText: '已保存 王网格' }).waitFor();
      const row = page.getByTestId('roster-persons').locator('tr', { hasText: '王网格' });
      await row.locator('text=南段社区').waitFor();
      await row.locator('text=李镇长').waitFor();

      // What the grid worker answers for, the chain above them, and the map.
      await row.locator('.name-link').first().click();
      const drawer = page.getByTestId('roster-person-drawer');
      await drawer.getByTestId('roster-chain').locator('text=李镇长').waitFor();
      await drawer.getByTestId('roster-assignment-add').click();
      const ad = page.getByTestId('roster-assignment-dialog');
      await input(ad, 'roster-assignment-name').fill('陈家');
      await ad.locator('.el-input-number').nth(0).locator('input').fill('102.236');
      await ad.locator('.el-input-number').nth(1).locator('input').fill('29.919');
      await input(ad, 'roster-assignment-people').fill('5');
      await ad.getByTestId('roster-assignment-save').click();
      await drawer.getByTestId('roster-assignments').locator('text=陈家').waitFor();
      await drawer.getByTestId('roster-assignment-add').click();
      await choose(page, 'roster-assignment-kind', '特殊人群');
      await choose(page, 'roster-assignment-category', '独居老人');
      await input(ad, 'roster-assignment-name').fill('陈奶奶');
      await input(ad, 'roster-assignment-people').fill('1');
      await ad.getByTestId('roster-assignment-save').click();
      await drawer.getByTestId('roster-assignments').locator('text=陈奶奶').waitFor();
      await drawer.locator('text=共 2 个，需转移 6 人').waitFor();
      await drawer.getByTestId('roster-assignment-map').waitFor();
      await page.keyboard.press('Escape');

      // The import's row report.
      await page.getByTestId('roster-import-open').click();
      const imp = page.getByTestId('roster-import');
      await imp.getByTestId('roster-import-file').setInputFiles(personsCsv());
      await imp.getByTestId('roster-import-submit').click();
      await imp.getByTestId('roster-import-result').locator('text=新增 1').waitFor();
      const report = imp.getByTestId('roster-import-errors');
      await report.locator('text=手机号应为 11 位（当前 7 位）').waitFor();
      assert.match(await report.locator('tbody tr').first().innerText(), /责任人\s+3\s+手机号/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
