/**
 * Governance in a real browser: the provider's officer adopts the suggested rules of a resource
 * holding planted errors, makes the identity rule blocking, runs a check and sees the score trend,
 * the problems and the rectification tasks; an administrator opens a person's profile with a purpose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, DEMO_PASSWORD } from '../support/seed.js';
import { publishResource } from '../support/publish.js';
import { systemCtx } from '../../src/kernel/http/context.js';
import { runIngest } from '../../src/modules/aggregation/service.js';
import { CHROMIUM, openConsole, shot } from './browser.js';

describe.skipIf(!CHROMIUM)('governance pages in Chromium', () => {
  let c: Awaited<ReturnType<typeof openConsole>>;
  let page: Page;
  let base: string;
  beforeAll(async () => {
    c = await openConsole({ width: 1440, height: 900 });
    ({ page, base } = c);
    const k = c.env.rt.kernel;
    const res = await publishResource(k, {
      department: '淄博市人力资源和社会保障局',
      name: '失业保险金领取人员',
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
          name: 'xm',
          label: '姓名',
          type: 'string',
          length: 20,
          primaryKey: false,
          incremental: false,
          grade: 2,
          masking: 'name',
        },
        {
          name: 'sjhm',
          label: '手机号码',
          type: 'string',
          length: 20,
          primaryKey: false,
          incremental: false,
          grade: 3,
          masking: 'mobile',
        },
      ],
    });
    const rows = [
      ['370303199001010017', '张三', '13800138000'],
      ['370303199001010012', '赵六', '1380013800'],
      ['37030219850505002X', '李四', null],
    ];
    await runIngest(k, systemCtx('e2e'), {
      resourceId: res.id,
      mode: 'full',
      source: 'e2e',
      columns: ['sfzh', 'xm', 'sjhm'],
      rows: (async function* () {
        yield rows.map((values, i) => ({ row: i + 1, values }));
      })(),
    });
  }, 120_000);
  afterAll(async () => c?.close());

  it('the officer adopts the suggested rules, checks the resource and sees its problems and tasks', async () => {
    await page.goto(`${base}/governance`);
    await c.login('rsj_officer', DEMO_PASSWORD);
    await page.getByRole('tab', { name: '质量规则' }).click();
    await page.getByLabel('资源').click();
    await page.locator('.ant-select-item-option', { hasText: '失业保险金领取人员' }).click();
    await page.getByText('建议规则').waitFor();
    await page.getByRole('button', { name: '采用全部建议' }).click();
    await page.getByRole('cell', { name: '手机号码' }).first().waitFor();
    await page.getByLabel('级别 sfzh ric').click();
    await page.locator('.ant-select-item-option', { hasText: '阻断' }).click();
    await page.getByRole('button', { name: '立即检查' }).click();
    await page.getByText(/检查完成：评分/).waitFor();
    await page.getByRole('img', { name: '评分趋势' }).waitFor();
    await shot(page, 'governance-rules');
    await page.getByRole('tab', { name: '问题数据' }).click();
    await page.getByRole('cell', { name: '校验位不正确' }).waitFor();
    await page.getByRole('cell', { name: '格式不正确' }).waitFor();
    await page.getByRole('tab', { name: '整改任务' }).click();
    await page.getByRole('cell', { name: /sfzh · 公民身份号码/ }).waitFor();
    await shot(page, 'governance-tasks');
    await page.getByRole('tab', { name: '质量评分' }).click();
    await page.getByRole('cell', { name: '淄博市人力资源和社会保障局' }).first().waitFor();
    await page.getByRole('img', { name: '部门排名 评分趋势' }).waitFor();
    await shot(page, 'governance-scores');
  });

  it('an administrator opens a profile, stating the purpose', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await c.login('admin', ADMIN_PASSWORD);
    await page.getByText('欢迎，系统管理员').waitFor();
    await c.menu('数据治理').click();
    await page.getByRole('tab', { name: '一人一档 / 一企一档' }).click();
    await page.getByLabel('证件号码').fill('370303199001010017');
    await page.getByLabel('查阅目的').fill('核查失业保险金领取资格');
    await page.getByRole('button', { name: '查阅档案' }).click();
    await page.getByText('失业保险金领取人员 · 淄博市人力资源和社会保障局').waitFor();
    expect(await page.getByText('各来源一致').count()).toBe(1);
    await shot(page, 'governance-profile');
  });
});
