/**
 * Sources in a real browser: the provider's officer renames a registered source, switches its mode
 * (incremental is offered only with a watermark column; the change is said to reset the watermark)
 * and removes it; what the page shows is what the database holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../support/seed.js';
import { publishResource } from '../support/publish.js';
import { systemCtx } from '../../src/kernel/http/context.js';
import { inTx } from '../../src/kernel/http/tx.js';
import { createSource } from '../../src/modules/aggregation/sources.js';
import { CHROMIUM, openConsole, shot } from './browser.js';

describe.skipIf(!CHROMIUM)('data sources in Chromium', () => {
  let c: Awaited<ReturnType<typeof openConsole>>;
  let page: Page;
  let base: string;
  let id: string;
  const row = (k: Awaited<ReturnType<typeof openConsole>>['env']['rt']['kernel']) =>
    k.pool
      .query<{ name: string; mode: string; watermark: string | null }>(
        'SELECT name, mode, watermark FROM ingest.source WHERE id = $1',
        [id],
      )
      .then((r) => r.rows[0]);
  beforeAll(async () => {
    c = await openConsole({ width: 1440, height: 900 });
    ({ page, base } = c);
    const k = c.env.rt.kernel;
    const res = await publishResource(k, {
      department: '淄博市人力资源和社会保障局',
      name: '参保人员（数据源页）',
      items: [
        {
          name: 'sfzh',
          label: '公民身份号码',
          type: 'string',
          length: 18,
          primaryKey: true,
          incremental: false,
          identityKind: 'ric',
          grade: 3,
          masking: 'ric',
        },
        {
          name: 'updated_at',
          label: '更新时间',
          type: 'datetime',
          primaryKey: false,
          incremental: true,
          grade: 1,
          masking: 'none',
        },
      ],
    });
    id = (
      await inTx(k.db, (tx) =>
        createSource(systemCtx('e2e'), tx, k.masterKey, {
          name: '人社业务库',
          resourceId: res.id,
          kind: 'postgres',
          host: '127.0.0.1',
          port: 5432,
          database: 'rs',
          user: 'gs',
          table: 'people',
          mode: 'incremental',
          watermark: 'updated_at',
          mapping: {},
        }),
      )
    ).id;
    await k.pool.query(`UPDATE ingest.source SET watermark = '2026-12-01 08:00:00+08' WHERE id = $1`, [id]);
  }, 120_000);
  afterAll(async () => c?.close());

  it('renames the source and switches its mode, the watermark reset as the page warned', async () => {
    await page.goto(`${base}/ingest`);
    await c.login('rsj_officer', DEMO_PASSWORD);
    await page.getByRole('tab', { name: '数据源' }).click();
    const line = page.getByRole('row', { name: /人社业务库/ });
    await line.getByRole('button', { name: /^设\s?置$/ }).click();
    const dialog = page.getByTestId('source-settings');
    await dialog.getByLabel('名称').fill('人社核心业务库');
    await dialog.getByLabel('方式').click();
    await page.locator('.ant-select-item-option', { hasText: '插入或更新' }).click();
    await page.getByText('已记录的水位将清空').waitFor();
    await shot(page, 'ingest-source-settings');
    await page.getByRole('button', { name: /^保\s?存$/ }).click();
    await page
      .getByRole('row', { name: /人社核心业务库/ })
      .getByText('插入或更新')
      .waitFor();
    expect(await row(c.env.rt.kernel)).toEqual({ name: '人社核心业务库', mode: 'upsert', watermark: null });
  });

  it('removes the source after asking', async () => {
    await page
      .getByRole('row', { name: /人社核心业务库/ })
      .getByRole('button', { name: /^删\s?除$/ })
      .click();
    await page.getByText('删除数据源“人社核心业务库”？').waitFor();
    await page.getByRole('button', { name: /^确\s?定$/ }).click();
    await page.getByText('数据源已删除').waitFor();
    await page.getByRole('row', { name: /人社核心业务库/ }).waitFor({ state: 'detached' });
    expect(await row(c.env.rt.kernel)).toBeUndefined();
  });
});
