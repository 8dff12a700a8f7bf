/**
 * The open data portal in a real browser: a visitor without an account finds datasets, reads and
 * searches 无条件开放 rows and downloads a file; for 有条件开放 data registers a key and applies; the
 * provider's officer approves in the console; the visitor then reads the rows with the key, and
 * reports an error in a row (纠错) that the provider accepts: the row then shows it is under objection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../support/seed.js';
import { publishResource } from '../support/publish.js';
import { systemCtx } from '../../src/kernel/http/context.js';
import { runIngest } from '../../src/modules/aggregation/service.js';
import type { DataItem } from '../../src/modules/catalog/schema.js';
import { CHROMIUM, openConsole, shot } from './browser.js';

const ITEMS: DataItem[] = [
  {
    name: 'tyshxydm',
    label: '统一社会信用代码',
    type: 'string',
    length: 18,
    primaryKey: true,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'qymc',
    label: '企业名称',
    type: 'string',
    length: 100,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'fddbr',
    label: '法定代表人',
    type: 'string',
    length: 50,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'name',
  },
];

describe.skipIf(!CHROMIUM)('open data portal in Chromium', () => {
  let c: Awaited<ReturnType<typeof openConsole>>;
  let page: Page;
  let base: string;
  let condId: string;
  let openId: string;
  beforeAll(async () => {
    c = await openConsole({ width: 1366, height: 900 });
    ({ page, base } = c);
    const k = c.env.rt.kernel;
    const firms = Array.from({ length: 30 }, (_, i) => [
      `91370300MA3C${String(i).padStart(5, '0')}X`,
      i % 3 === 0 ? `淄博陶瓷有限公司${i}` : `淄博化工有限公司${i}`,
      `法人${i}`,
    ]);
    for (const [name, openType, rows] of [
      ['企业登记信息', 'unconditional', firms],
      ['食品经营许可信息', 'conditional', firms.slice(0, 4)],
      ['内部企业名录', 'none', firms],
    ] as const) {
      const res = await publishResource(k, { department: '淄博市市场监督管理局', name, items: ITEMS, openType });
      if (openType === 'conditional') condId = res.id;
      if (openType === 'unconditional') openId = res.id;
      await runIngest(k, systemCtx('e2e'), {
        resourceId: res.id,
        mode: 'full',
        source: 'e2e',
        columns: ITEMS.map((i) => i.name),
        rows: (async function* () {
          yield rows.map((values, i) => ({ row: i + 1, values: [...values] }));
        })(),
      });
    }
  }, 120_000);
  afterAll(async () => c?.close());

  it('a visitor finds, reads, searches and downloads 无条件开放 data without logging in', async () => {
    await page.goto(`${base}/login`);
    await page.getByRole('link', { name: '公共数据开放' }).click();
    await page.getByRole('link', { name: '企业登记信息' }).waitFor();
    await expect(page.getByText('内部企业名录').count()).resolves.toBe(0);
    await page.getByPlaceholder('搜索数据集、部门').fill('食品');
    await page.getByPlaceholder('搜索数据集、部门').press('Enter');
    await page.getByRole('link', { name: '企业登记信息' }).waitFor({ state: 'detached' });
    await page.getByPlaceholder('搜索数据集、部门').fill('');
    await page.getByPlaceholder('搜索数据集、部门').press('Enter');
    await page.getByRole('link', { name: '企业登记信息' }).click();
    await page.getByText('另有 1 项（分级高于一级）不开放').waitFor();
    await page.getByRole('cell', { name: '淄博化工有限公司1', exact: true }).waitFor();
    await expect(page.getByRole('columnheader', { name: '法定代表人' }).count()).resolves.toBe(0);
    await page.getByPlaceholder('在数据中搜索').fill('陶瓷有限公司2');
    await page.getByPlaceholder('在数据中搜索').press('Enter');
    await page.getByRole('cell', { name: '淄博陶瓷有限公司21' }).waitFor();
    await page.getByRole('cell', { name: '淄博化工有限公司1', exact: true }).waitFor({ state: 'detached' });
    await shot(page, 'open-dataset');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
  });

  it('for 有条件开放 data a visitor registers a key and applies; the provider approves; the rows open', async () => {
    await page.goto(`${base}/open/${condId}`);
    await page.getByText('有条件开放的数据须使用已注册的密钥').waitFor();
    await page.getByPlaceholder('姓名').fill('张研究员');
    await page.getByPlaceholder('电子邮箱').fill('zhang@sdut.edu.cn');
    await page.getByPlaceholder('用途').fill('食品安全研究');
    await page.getByRole('button', { name: '注册密钥' }).click();
    await page.getByText('密钥只显示这一次，请妥善保存').waitFor();
    await page.getByPlaceholder('用途').fill('食品安全研究');
    await page.getByPlaceholder('使用场景').fill('论文数据分析');
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.getByText(/审核中 · 应于 \d{4}-\d{2}-\d{2} 前答复/).waitFor();
    await page.getByText('该密钥尚未获准使用此有条件开放数据').waitFor();
    await shot(page, 'open-apply');

    const officer = await c.browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
    await officer.goto(`${base}/login?next=/share`);
    await officer.locator('#username').fill('scjg_officer');
    await officer.locator('#password').fill(DEMO_PASSWORD);
    await officer.getByRole('button', { name: /登\s*录/ }).click();
    await officer.getByRole('tab', { name: '开放申请' }).click();
    const row = officer.getByRole('row').filter({ hasText: '张研究员' });
    await row.getByRole('button', { name: /^同\s*意$/ }).click();
    await officer
      .getByRole('dialog')
      .getByRole('button', { name: /确\s*定/ })
      .click();
    await row.getByText('已批准').waitFor();
    await shot(officer, 'open-review');
    await officer.close();

    await page.reload();
    await page.getByText('已批准').waitFor();
    await page.getByRole('cell', { name: '淄博化工有限公司1', exact: true }).waitFor();
  });

  it('the visitor reports an error in a row with the same key; once the provider accepts, the row is marked', async () => {
    await page.goto(`${base}/open/${openId}`);
    const row = page.getByRole('row').filter({ hasText: '淄博化工有限公司1' }).first();
    await row.getByTestId('open-report').click();
    const d = page.getByRole('dialog');
    await d.getByLabel('有误的数据项').click();
    await page.locator('.ant-select-item-option', { hasText: '企业名称' }).click();
    await d.getByLabel('正确的值').fill('淄博化工股份有限公司1');
    await d.getByLabel('哪里不对').fill('企业已于 2026 年更名');
    await d.getByRole('button', { name: '提交纠错' }).click();
    await d.getByText('已提交，提供部门将核实处理').waitFor();
    await page.keyboard.press('Escape');
    await page.getByText('我的纠错').waitFor();
    await page.getByText('待受理').waitFor();
    const id = Number(
      (
        await c.env.rt.kernel.pool.query(
          `SELECT id FROM objection.objection WHERE channel = 'open' ORDER BY id DESC LIMIT 1`,
        )
      ).rows[0].id,
    );
    const { loginAs, as } = await import('../support/http.js');
    const officer = await loginAs(c.env.app, 'scjg_officer', DEMO_PASSWORD);
    expect(
      (
        await c.env.app.inject(
          as(officer, { method: 'POST', url: `/api/v1/objections/${id}/accept`, payload: { accept: true } }),
        )
      ).json().status,
    ).toBe('flagged');
    await page.reload();
    await page.getByRole('row').filter({ hasText: '淄博化工有限公司1' }).first().getByText('异议核实中').waitFor();
    await shot(page, 'open-report');
  });
});
