/**
 * 数据异议 in a real browser (issue 8's end-to-end): 住建局's app reads a record through the query
 * service; an officer of 住建局 objects to one field in the console, with a photo as evidence; the
 * provider (自然资源和规划局) hears it through the bell and accepts — every consumer's query now
 * carries the flag; the provider corrects the value; the next query returns the corrected value with
 * no flag, and the trail shows who changed what and why; the raiser confirms and it is archived.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../support/seed.js';
import { publishResource } from '../support/publish.js';
import { approvedGrant } from '../support/share.js';
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
const KEY = (i: number) => `鲁(2026)淄博市不动产权第${String(i).padStart(7, '0')}号`;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

describe.skipIf(!CHROMIUM)('an objection in Chromium', () => {
  let c: Awaited<ReturnType<typeof openConsole>>;
  let page: Page;
  let base: string;
  let resourceId: string;
  let zjjApp: GongshuClient;
  let otherApp: GongshuClient;
  let objectionId: number;
  const query = async (app: GongshuClient) =>
    (await app.request('POST', `/api/v1/services/${resourceId}/query`, { filters: { bdcqzh: KEY(1) } })) as {
      rows: Record<string, string>[];
      flags: { row: number | null; field: string | null; objectionId: number }[];
    };

  beforeAll(async () => {
    c = await openConsole({ width: 1440, height: 900 });
    ({ page, base } = c);
    const k = c.env.rt.kernel;
    resourceId = (
      await publishResource(k, {
        department: '淄博市自然资源和规划局',
        name: '不动产登记信息',
        items: ITEMS,
        shareType: 'conditional',
      })
    ).id;
    const rows = Array.from({ length: 4 }, (_, i) => [KEY(i), `业主${'甲乙丙丁'[i]}`, String(80 + i * 10)]);
    await runIngest(k, systemCtx('e2e'), {
      resourceId,
      mode: 'full',
      source: 'e2e',
      columns: ITEMS.map((i) => i.name),
      rows: (async function* () {
        yield rows.map((values, i) => ({ row: i + 1, values }));
      })(),
    });
    const g = await approvedGrant(c.env, { resourceId, fields: ['bdcqzh', 'qlrmc', 'mj'], services: ['query'] });
    zjjApp = new GongshuClient({ baseUrl: base, ...g.keys });
    const g2 = await approvedGrant(c.env, { resourceId, fields: ['bdcqzh', 'mj'], services: ['query'] });
    otherApp = new GongshuClient({ baseUrl: base, ...g2.keys });
  }, 120_000);
  afterAll(async () => c?.close());
  const logout = async () => {
    await page.goto(`${base}/`); // (out of the drawer)
    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await page.locator('#username').waitFor();
  };

  it('the app reads the record: 90.00, no flag', async () => {
    const r = await query(zjjApp);
    expect(r.rows).toEqual([{ bdcqzh: KEY(1), qlrmc: '业**', mj: '90.00' }]);
    expect(r.flags).toEqual([]);
  });

  it('住建局 objects to 建筑面积 from the resource page, with a photo as evidence', async () => {
    await page.goto(`${base}/catalog/${resourceId}`);
    await c.login('zjj_officer', DEMO_PASSWORD);
    await page.getByTestId('objection-raise').click();
    const form = page.getByTestId('objection-form');
    await form.getByTestId('objection-key-bdcqzh').fill(KEY(1));
    await form.getByTestId('objection-field').click();
    await page.locator('.ant-select-item-option', { hasText: '建筑面积' }).click();
    await form.getByTestId('objection-proposed').fill('95.5');
    await form.getByTestId('objection-description').fill('面积与不动产权证书记载（95.50㎡）不符');
    await form.getByTestId('objection-submit').click();
    const drawer = page.getByTestId('objection-drawer');
    await drawer.getByTestId('objection-status').filter({ hasText: '待受理' }).waitFor();
    objectionId = Number(new URL(page.url()).searchParams.get('id'));
    expect(objectionId).toBeGreaterThan(0);
    await drawer
      .locator('input[type=file]')
      .setInputFiles({ name: '不动产权证书.png', mimeType: 'image/png', buffer: PNG });
    await drawer.getByRole('link', { name: '不动产权证书.png' }).waitFor();
    await shot(page, 'objection-raised');
    expect((await query(zjjApp)).flags).toEqual([]); // not flagged before it is accepted
    await logout();
  });

  it('the provider hears it through the bell and accepts: every consumer sees the flag', async () => {
    await c.login('zrzy_officer', DEMO_PASSWORD);
    await page.getByTestId('bell').click();
    await page.getByTestId('bell-list').getByText('收到数据异议：不动产登记信息').first().click();
    const drawer = page.getByTestId('objection-drawer');
    await drawer.getByTestId('objection-status').filter({ hasText: '待受理' }).waitFor();
    await drawer.getByTestId('objection-accept').click();
    await drawer.getByTestId('objection-status').filter({ hasText: '已标注' }).waitFor();
    for (const app of [zjjApp, otherApp]) {
      expect((await query(app)).flags).toEqual([expect.objectContaining({ row: 0, field: 'mj', objectionId })]);
    }
    await shot(page, 'objection-flagged');
  });

  it('the provider corrects it: the next query has the corrected value and no flag; the trail says who changed what and why', async () => {
    const drawer = page.getByTestId('objection-drawer');
    await drawer.getByTestId('objection-correct').click();
    const dialog = page.getByRole('dialog').filter({ has: page.getByTestId('objection-value') });
    await expect(dialog.getByTestId('objection-value').inputValue()).resolves.toBe('95.5');
    await dialog.getByTestId('objection-reason').fill('核对不动产权证书，原录入有误');
    await dialog.getByTestId('objection-ok').click();
    await drawer.getByTestId('objection-status').filter({ hasText: '已更正' }).waitFor();
    const corrections = drawer.getByTestId('objection-corrections');
    await corrections.getByText('95.50').waitFor();
    await expect(corrections.getByRole('row').nth(1).innerText()).resolves.toMatch(
      /mj\s+90\.00\s+95\.50\s+核对不动产权证书，原录入有误/,
    );
    const trail = drawer.getByTestId('objection-trail');
    for (const s of ['提出', '受理', '标注', '更正', '撤销标注']) await trail.getByText(s, { exact: true }).waitFor();
    await shot(page, 'objection-corrected');
    for (const app of [zjjApp, otherApp]) {
      const r = await query(app);
      expect(r.rows[0]!.mj).toBe('95.50');
      expect(r.flags).toEqual([]);
    }
    // the audit log has the correction with its values and its officer
    const entry = (
      await c.env.rt.kernel.pool.query(
        `SELECT actor_name, detail FROM kernel.audit_log WHERE action = 'objection.correct' AND target_id = $1`,
        [String(objectionId)],
      )
    ).rows[0];
    expect(entry.detail.corrections).toEqual([{ field: 'mj', oldValue: '90.00', newValue: '95.50' }]);
    expect(entry.actor_name).toBeTruthy();
    await logout();
  });

  it('the raiser confirms: archived', async () => {
    await page.goto(`${base}/objections?id=${objectionId}`);
    await c.login('zjj_officer', DEMO_PASSWORD);
    const drawer = page.getByTestId('objection-drawer');
    await drawer.getByTestId('objection-confirm').click();
    await drawer.getByTestId('objection-status').filter({ hasText: '已归档' }).waitFor();
    await shot(page, 'objection-archived');
  });
});
