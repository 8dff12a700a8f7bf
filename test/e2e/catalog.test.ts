/**
 * The catalog in a real browser: an officer drafts a resource in the form (with item suggestions and
 * a validation error shown at its field), submits it; the bureau approves it from the review queue;
 * it is then found in the catalog search. The officer then loads a file into it, and adds an HTTP
 * API source whose fields are mapped with a preview of the rows as they will be stored.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, DEMO_PASSWORD } from '../support/seed.js';
import { CHROMIUM, openConsole, shot } from './browser.js';

describe.skipIf(!CHROMIUM)('catalog pages in Chromium', () => {
  let c: Awaited<ReturnType<typeof openConsole>>;
  let page: Page;
  let base: string;
  // a department's HTTP API, as an aggregation source
  let server: http.Server;
  let api: string;
  beforeAll(async () => {
    c = await openConsole({ width: 1440, height: 900 });
    ({ page, base } = c);
    server = http.createServer((req, res) => {
      const pageNo = Number(new URL(req.url!, 'http://x').searchParams.get('page'));
      const rows =
        pageNo === 1
          ? [
              { code: '91370300MA3C5Y0001', name: '甲广告' },
              { code: '91370300MA3C5Y0002', name: '乙广告' },
              { code: '91370300MA3C5Y00033', name: '丙广告' },
            ]
          : [];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { rows } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ads`;
  }, 120_000);
  afterAll(async () => {
    server?.close();
    await c?.close();
  });
  const login = (username: string, password: string) => c.login(username, password);
  const menu = (name: string) => c.menu(name);

  it('an officer drafts a resource in the form and submits it', async () => {
    await page.goto(`${base}/catalog/new`);
    await login('scjg_officer', DEMO_PASSWORD);
    await page.waitForURL(`${base}/catalog/new`);
    await page.getByLabel('资源名称').fill('广告经营登记信息');
    await page.getByLabel('资源摘要').fill('广告经营单位的登记和变更信息。');
    await page.getByLabel('资源分类').click();
    await page.keyboard.type('市场监管');
    await page.locator('.ant-select-tree-node-content-wrapper', { hasText: '204 市场监管' }).click();
    await page.getByLabel('共享类型').click();
    await page.locator('.ant-select-item-option', { hasText: '有条件共享' }).click();
    await page.getByTestId('item-add').click();
    await page.getByLabel('字段名').fill('tyshxydm');
    await page.getByLabel('信息项名称').fill('统一社会信用代码');
    await page.getByLabel('字段名').focus(); // leaving the label asks for suggestions
    await expect.poll(() => page.getByLabel('长度').inputValue()).toBe('18');
    await page.getByLabel('主键').check();
    await page.getByTestId('resource-save').click();
    // the server's rule (conditional sharing needs its basis) shows at the field
    await page.getByText('有条件共享和不予共享须注明依据').waitFor();
    await shot(page, 'catalog-form-error');
    await page.getByLabel('共享条件').fill('用于市场监管执法');
    await page.getByLabel('共享依据').fill('《广告法》');
    await page.getByTestId('resource-save').click();
    await page.waitForURL(/\/catalog\/[0-9a-f-]{36}$/);
    await page.getByTestId('resource-submit').click();
    await expect.poll(() => page.getByTestId('open-state').textContent()).toContain('待审核');
    await shot(page, 'catalog-submitted');
  });

  it('the bureau approves it from the review queue, and it is found in the catalog', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await login('admin', ADMIN_PASSWORD);
    await page.getByText('欢迎，系统管理员').waitFor();
    await menu('目录审核').click();
    await page.getByRole('link', { name: '广告经营登记信息' }).click();
    await page.getByTestId('resource-approve').click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /确\s*定/ })
      .click();
    await page.getByText('已发布').first().waitFor();
    await shot(page, 'catalog-published');
    await menu('数据目录').click();
    await page.getByTestId('catalog-search').locator('input').fill('广告');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: '广告经营登记信息' }).waitFor();
    expect(await page.getByTestId('catalog-total').textContent()).toContain('1');
    await shot(page, 'catalog-search');
  });

  it('the officer uploads a file into the published resource and reads the run and its rejects', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await login('scjg_officer', DEMO_PASSWORD);
    await page.getByText('欢迎').waitFor();
    await menu('数据归集').click();
    await page.getByRole('tab', { name: '上传文件' }).click();
    await page.locator('[aria-label="目标资源"]:visible').first().click();
    await page.locator('.ant-select-item-option', { hasText: '广告经营登记信息' }).click();
    const csv = '统一社会信用代码\n91370300MA3C5Y1234\n91370300MA3C5Y5678\n91370300MA3C5Y12345\n';
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'ads.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByText(/归集已开始/).waitFor();
    await page.getByRole('tab', { name: '归集记录' }).click();
    const row = page.getByRole('row').filter({ hasText: 'ads.csv' });
    await row.getByText('成功').waitFor();
    await row.getByRole('button', { name: '1' }).click();
    await page.getByText('长度 19 超过 18').waitFor();
    await shot(page, 'ingest-rejects');
  });

  it('the officer adds an HTTP API source, maps its fields and sees the first rows as they will be stored', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('tab', { name: '数据源' }).click();
    await page.getByRole('button', { name: '新建数据源' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('名称').fill('广告登记接口');
    await dialog.getByLabel('目标资源').click();
    await page.locator('.ant-select-item-option', { hasText: '广告经营登记信息' }).last().click();
    await dialog.getByLabel('类型').click();
    await page.locator('.ant-select-item-option', { hasText: 'HTTP JSON API' }).click();
    await dialog.getByLabel('接口地址').fill(api);
    await dialog.getByLabel('记录数组路径').fill('data.rows');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    const row = page.getByRole('row').filter({ hasText: '广告登记接口' });
    await row.waitFor();
    await row.getByRole('button', { name: '映射与预览' }).click();
    // the API's "code" matches no item by name or label: the key is not mapped yet
    await page.getByText('业务主键没有对应的源字段：tyshxydm').waitFor();
    await page.getByLabel('源字段 tyshxydm').click();
    await page.locator('.ant-select-item-option', { hasText: 'code' }).click();
    await page.getByRole('button', { name: '预览前 20 行' }).click();
    await page.getByText('91370300MA3C5Y0001').waitFor();
    await page.getByText('长度 19 超过 18').waitFor(); // the API's third record is too long for the key
    await shot(page, 'ingest-mapping');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('已保存').waitFor();
    const saved = await page.evaluate(
      async () =>
        (
          (await (await fetch('/api/v1/sources?pageSize=200')).json()) as {
            items: { name: string; mapping: Record<string, string> }[];
          }
        ).items,
    );
    expect(saved.find((x) => x.name === '广告登记接口')?.mapping).toEqual({ tyshxydm: 'code' });
    // closed by its button, and gone before the next test clicks behind it (Escape alone raced the drawer's focus)
    await page.locator('.ant-drawer-open .ant-drawer-close').click();
    await page.locator('.ant-drawer-open').waitFor({ state: 'detached' });
  });

  it('the bureau extends the classification tree', async () => {
    await page.keyboard.press('Escape');
    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await login('admin', ADMIN_PASSWORD);
    await page.getByText('欢迎，系统管理员').waitFor();
    await menu('目录管理').click();
    await page.getByRole('button', { name: '分类与代码设置' }).click();
    await page.getByText('204 市场监管').click();
    await page.getByLabel('分类码').fill('001');
    await page.getByLabel('分类名称').first().fill('广告监管');
    await page.getByRole('button', { name: /新\s*建/ }).click();
    await page.getByText('204001 广告监管').waitFor();
    await shot(page, 'catalog-categories');
  });

  it('the bureau teaches the search a word (户外宣传 = 广告经营); the catalog then finds by it and marks the match', async () => {
    await page.getByTestId('synonym-create').click();
    const dialog = page.getByRole('dialog');
    const terms = dialog.getByLabel('同义词组');
    await terms.fill('户外宣传');
    await page.keyboard.press('Enter');
    await terms.fill('广告经营');
    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await page.getByRole('cell', { name: /户外宣传/ }).waitFor();
    await menu('数据目录').click();
    await page.getByTestId('catalog-search').locator('input').fill('户外宣传');
    await page.keyboard.press('Enter');
    const hit = page.getByRole('link', { name: '广告经营登记信息' });
    await hit.waitFor();
    expect(await hit.locator('mark').first().textContent()).toBe('广告经营');
    await shot(page, 'catalog-synonym-search');
  });
});
