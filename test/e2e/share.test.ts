/**
 * Sharing in a real browser (issue 7's end-to-end): an officer of 住建局 applies for 不动产登记信息
 * (有条件共享); the provider (自然资源和规划局) and the bureau approve; the applicant's app calls query,
 * verify and statistics over HTTP; masked fields come back masked; each call is in the audit log;
 * after the provider revokes the grant in the console the same call is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, DEMO_PASSWORD } from '../support/seed.js';
import { as, loginAs } from '../support/http.js';
import { publishResource } from '../support/publish.js';
import { systemCtx } from '../../src/kernel/http/context.js';
import { runIngest } from '../../src/modules/aggregation/service.js';
import { GongshuClient } from '../../src/client/index.js';
import type { DataItem } from '../../src/modules/catalog/schema.js';
import { CHROMIUM, openConsole, shot } from './browser.js';

const ITEMS: DataItem[] = [
  {
    name: 'bdcqzh',
    label: '不动产权证号',
    type: 'string',
    length: 40,
    primaryKey: true,
    incremental: false,
    grade: 2,
    masking: 'none',
  },
  {
    name: 'qlrmc',
    label: '权利人名称',
    type: 'string',
    length: 100,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'name',
  },
  {
    name: 'qlrzjh',
    label: '权利人证件号',
    type: 'string',
    length: 18,
    primaryKey: false,
    incremental: false,
    identityKind: 'ric',
    grade: 3,
    masking: 'ric',
  },
  {
    name: 'qx',
    label: '所在区县',
    type: 'string',
    length: 20,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'mj',
    label: '建筑面积',
    type: 'decimal',
    precision: 12,
    scale: 2,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
];

describe.skipIf(!CHROMIUM)('sharing in Chromium', () => {
  let c: Awaited<ReturnType<typeof openConsole>>;
  let page: Page;
  let base: string;
  let resourceId: string;
  let client: GongshuClient;
  beforeAll(async () => {
    c = await openConsole({ width: 1440, height: 900 });
    ({ page, base } = c);
    const k = c.env.rt.kernel;
    const res = await publishResource(k, {
      department: '淄博市自然资源和规划局',
      name: '不动产登记信息',
      items: ITEMS,
      shareType: 'conditional',
    });
    resourceId = res.id;
    const rows = Array.from({ length: 7 }, (_, i) => [
      `鲁(2026)淄博市不动产权第${String(i).padStart(7, '0')}号`,
      `业主${'甲乙丙丁戊己庚'[i]}`,
      `37030319900101${String(100 + i)}${i}`,
      i < 5 ? '张店区' : '淄川区',
      String(80 + i * 10),
    ]);
    await runIngest(k, systemCtx('e2e'), {
      resourceId,
      mode: 'full',
      source: 'e2e',
      columns: ITEMS.map((i) => i.name),
      rows: (async function* () {
        yield rows.map((values, i) => ({ row: i + 1, values }));
      })(),
    });
    const admin = await loginAs(c.env.app, 'admin', ADMIN_PASSWORD);
    const zjj = (
      await k.db
        .selectFrom('kernel.department')
        .select('id')
        .where('name', '=', '淄博市住房和城乡建设局')
        .executeTakeFirstOrThrow()
    ).id;
    const cred = (
      await c.env.app.inject(
        as(admin, {
          method: 'POST',
          url: '/api/v1/app-credentials',
          payload: { name: '住房保障系统', departmentId: zjj },
        }),
      )
    ).json();
    client = new GongshuClient({ baseUrl: base, appKey: cred.credential.appKey, appSecret: cred.appSecret });
  }, 120_000);
  afterAll(async () => c?.close());
  const logout = async () => {
    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
  };
  const approveFirst = async () => {
    await c.menu('共享申请').click();
    await page.getByRole('tab', { name: '待我审核' }).click();
    const row = page.getByRole('row').filter({ hasText: '不动产登记信息' });
    await row.getByText(/剩 \d+ 个工作日/).waitFor();
    await row.getByRole('button', { name: /^同\s*意$/ }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /确\s*定/ })
      .click();
  };

  it('住建局 applies from the resource page', async () => {
    await page.goto(`${base}/catalog/${resourceId}`);
    await c.login('zjj_officer', DEMO_PASSWORD);
    await page.getByTestId('share-apply').click();
    const d = page.getByRole('dialog');
    for (const f of ['不动产权证号', '权利人名称', '权利人证件号', '所在区县', '建筑面积'])
      await d.getByText(new RegExp(`^${f}`)).click();
    await d.getByText('核验', { exact: true }).click();
    await d.getByText('统计', { exact: true }).click();
    await d.getByLabel('调用凭证').click();
    await page.locator('.ant-select-item-option', { hasText: '住房保障系统' }).click();
    await d.getByLabel('用途').fill('公租房申请人住房情况核查');
    await d.getByLabel('法律依据').fill('《公共租赁住房管理办法》');
    await d.getByLabel('应用场景').fill('住房保障资格审核');
    await d.getByPlaceholder('开始日期').fill('2026-01-01');
    await d.getByPlaceholder('结束日期').fill('2030-12-31');
    await page.keyboard.press('Enter');
    // only 张店区's rows are asked for
    await d.getByLabel('按数据项').click();
    await page.locator('.ant-select-item-option', { hasText: '所在区县（qx）' }).click();
    await d.getByLabel('取值（回车分隔）').fill('张店区');
    await page.keyboard.press('Enter');
    await d.getByRole('button', { name: '提交申请' }).click();
    await page.getByText('申请已提交').waitFor();
    await page.getByRole('row').filter({ hasText: '提供部门审核中' }).waitFor();
    await shot(page, 'share-applied');
  });

  it('the provider, then the bureau approve', async () => {
    await logout();
    await c.login('zrzy_officer', DEMO_PASSWORD);
    await page.getByText('欢迎').waitFor();
    // the notice of the new application opens it, with what the reviewer decides on
    await page.getByTestId('bell').click();
    await page
      .getByTestId('bell-list')
      .getByText(/共享申请 #\d+“不动产登记信息”待审核/)
      .click();
    const drawer = page.locator('.ant-drawer');
    await drawer.getByText('《公共租赁住房管理办法》').waitFor();
    await drawer.getByText('qx ∈ {张店区}').waitFor();
    await shot(page, 'share-review-notice');
    await drawer.locator('.ant-drawer-close').click();
    await approveFirst();
    await page.getByText('大数据局审核中').waitFor();
    await logout();
    await c.login('admin', ADMIN_PASSWORD);
    await page.getByText('欢迎，系统管理员').waitFor();
    await approveFirst();
    await page.getByText('已批准').waitFor();
  });

  it('the app calls query, verify and statistics; masked fields come back masked; every call is audited', async () => {
    const q = (await client.request('POST', `/api/v1/services/${resourceId}/query`, {
      filters: { bdcqzh: '鲁(2026)淄博市不动产权第0000001号' },
    })) as { rows: unknown[] };
    expect(q.rows).toEqual([
      {
        bdcqzh: '鲁(2026)淄博市不动产权第0000001号',
        qlrmc: '业**',
        qlrzjh: '370303********1011',
        qx: '张店区',
        mj: '90.00',
      },
    ]);
    const v = await client.request('POST', `/api/v1/services/${resourceId}/verify`, {
      values: { bdcqzh: '鲁(2026)淄博市不动产权第0000002号', qlrmc: '业主丙' },
    });
    expect(v).toEqual({ found: true, fields: { bdcqzh: 'match', qlrmc: 'match' }, flags: [] });
    const s = await client.request('POST', `/api/v1/services/${resourceId}/statistics`, {
      groupBy: ['qx'],
      measures: [{ fn: 'count' }],
    });
    // the grant's row scope: 淄川区's two rows are not there at all (not even as a suppressed group)
    expect(s).toMatchObject({ suppressedGroups: 0, groups: [{ qx: '张店区', subjects: 5 }] });
    const audited = (
      await c.env.rt.kernel.pool.query(`SELECT action FROM kernel.audit_log WHERE action LIKE 'service.%' ORDER BY seq`)
    ).rows.map((r) => r.action);
    expect(audited).toEqual(['service.query', 'service.verify', 'service.statistics']);
  });

  it('after the provider revokes the grant in the console, the same call is refused', async () => {
    await logout();
    await c.login('zrzy_officer', DEMO_PASSWORD);
    await page.getByText('欢迎').waitFor();
    await c.menu('共享申请').click();
    await page.getByRole('tab', { name: '收到的申请' }).click();
    const row = page.getByRole('row').filter({ hasText: '不动产登记信息' });
    await row.getByRole('button').first().click(); // the application's number opens it
    await page.getByText('SM2 签名有效').first().waitFor();
    await shot(page, 'share-grant');
    await page.getByRole('button', { name: '撤销授权' }).click();
    await page.getByText('授权已撤销').first().waitFor();
    const refused = await client
      .request('POST', `/api/v1/services/${resourceId}/query`, {
        filters: { bdcqzh: '鲁(2026)淄博市不动产权第0000001号' },
      })
      .catch((e: { status: number; code: string }) => e);
    expect(refused).toMatchObject({ status: 403, code: 'SHARE_GRANT_REVOKED' });
  });
});
