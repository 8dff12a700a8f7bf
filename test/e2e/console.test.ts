/**
 * The console in a real browser: log in as admin, create a department and an officer, log in as
 * that officer and see only that department, find those actions in the audit log, switch to
 * English and back, and come back to the page you were on after the session expired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestEnv } from '../support/db.js';
import { ADMIN_PASSWORD } from '../support/seed.js';
import { Synth } from '../../src/kernel/synth/index.js';
import { CHROMIUM, cjkRenders, openConsole, shot } from './browser.js';

if (!CHROMIUM)
  console.warn(
    '[e2e] Chromium not found (/usr/bin/chromium; apt-get install chromium fonts-noto-cjk): the browser tests are SKIPPED',
  );

const DEPT = '淄博市数据资源测试中心';
const OFFICER = { username: 'e2e_officer', name: '测试专员', password: 'E2eOfficer2026' };

describe.skipIf(!CHROMIUM)('web console in Chromium', () => {
  let c: Awaited<ReturnType<typeof openConsole>>;
  let env: TestEnv;
  let page: Page;
  let base: string;
  beforeAll(async () => {
    c = await openConsole({ width: 1366, height: 860 });
    ({ env, page, base } = c);
  }, 120_000);
  afterAll(async () => c?.close());
  const login = (username: string, password: string) => c.login(username, password);
  const menu = (name: string) => c.menu(name);

  it('logs in as admin, with Chinese rendered', async () => {
    await page.goto(`${base}/`);
    await page.waitForURL(/\/login\?next=/);
    await shot(page, 'login');
    expect(await cjkRenders(page)).toBe(true);
    await login('admin', 'wrong-password-1');
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('用户名或密码错误');
    await login('admin', ADMIN_PASSWORD);
    await page.getByText('欢迎，系统管理员').waitFor();
    await expect.poll(() => page.getByTestId('node-name').textContent()).toBe('淄博市');
    await page.locator('canvas').first().waitFor();
    await shot(page, 'home-admin');
  });

  it('creates a department, with the USCC checked in the form and conflicts shown at the field', async () => {
    await menu('部门管理').click();
    await page.getByRole('cell', { name: '淄博市公安局' }).waitFor();
    await page.getByTestId('department-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('部门名称').fill('淄博市公安局');
    await dialog.getByLabel('统一社会信用代码').fill('91110000600037341N');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.getByText('统一社会信用代码校验未通过').waitFor();
    await dialog.getByLabel('统一社会信用代码').fill(new Synth({ seed: 4242 }).uscc('370300', 'government'));
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.getByText('已有同名部门').waitFor(); // the server's CONFLICT, shown next to the name
    await shot(page, 'department-conflict');
    await dialog.getByLabel('部门名称').fill(DEPT);
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByRole('cell', { name: DEPT }).waitFor();
    await shot(page, 'departments');
  });

  it('creates an officer of that department', async () => {
    await menu('用户管理').click();
    await page.getByTestId('user-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('用户名').fill(OFFICER.username);
    await dialog.getByLabel('姓名').fill(OFFICER.name);
    // selects by keyboard: type to filter, Enter to choose
    await dialog.getByLabel('所属部门').click();
    await page.keyboard.type('数据资源测试');
    await page.locator('.ant-select-item-option-active', { hasText: DEPT }).waitFor();
    await page.keyboard.press('Enter');
    await dialog.getByLabel('角色').click();
    await page.keyboard.type('数据专员');
    await page.locator('.ant-select-item-option-active', { hasText: '数据专员' }).waitFor();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await dialog.getByLabel('初始密码（留空则随机生成）').fill(OFFICER.password);
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByRole('cell', { name: OFFICER.username }).waitFor();
    await shot(page, 'users-admin');
  });

  it('the officer sees only their own department, in the menu, the pages and by URL', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await page.waitForURL(/\/login/);
    await login(OFFICER.username, OFFICER.password);
    await page.getByText(`欢迎，${OFFICER.name}`).waitFor();
    expect(await page.getByTestId('own-department').textContent()).toContain(DEPT);
    expect(await menu('部门管理').count()).toBe(0);
    await shot(page, 'home-officer');

    await menu('用户管理').click();
    await page.getByRole('cell', { name: OFFICER.username }).waitFor();
    const departmentsShown = await page.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(new Set(departmentsShown)).toEqual(new Set([DEPT]));
    await shot(page, 'users-officer');

    await page.goto(`${base}/departments`);
    await page.getByText('无权访问').waitFor();
    await shot(page, 'departments-forbidden');

    await menu('审计日志').click();
    await page.getByRole('cell', { name: 'auth.login' }).first().waitFor();
    const shownDepartments = await page.locator('tbody tr td:nth-child(4)').allTextContents();
    expect(new Set(shownDepartments)).toEqual(new Set([DEPT]));
    await shot(page, 'audit-officer');
  });

  it('the admin finds those actions in the audit log and verifies the chain', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录').click();
    await login('admin', ADMIN_PASSWORD);
    await page.getByText('欢迎，系统管理员').waitFor();
    await menu('审计日志').click();
    await page.getByTestId('audit-action').locator('input').fill('department.create');
    await page.getByTestId('audit-action').locator('input').press('Enter');
    const row = page.getByRole('row').filter({ hasText: 'department.create' }).first();
    await row.waitFor();
    await row.click();
    await page.getByRole('dialog').getByText(DEPT).waitFor();
    await shot(page, 'audit-entry');
    await page.keyboard.press('Escape');
    await page.getByTestId('audit-action').locator('input').fill('user.create');
    await page.getByTestId('audit-action').locator('input').press('Enter');
    await page.getByRole('row').filter({ hasText: 'user.create' }).first().waitFor();
    const download = page.waitForEvent('download');
    await page.getByTestId('audit-export').click();
    expect((await download).suggestedFilename()).toMatch(/\.xlsx$/);
    await page.getByTestId('audit-verify').click();
    await expect.poll(() => page.getByTestId('audit-verify-result').textContent()).toContain('审计链完整');
    await shot(page, 'audit-verified');
  });

  it('switches to English and back, remembered across reloads', async () => {
    await page.getByTestId('lang-switch').click();
    await menu('Audit log').waitFor();
    await page.reload();
    await menu('Users').waitFor();
    await shot(page, 'english');
    await page.getByTestId('lang-switch').click();
    await menu('用户管理').waitFor();
  });

  it('after the session expires, goes to log in and then back to the same page', async () => {
    await menu('工作日历').click();
    await page.getByText('调休上班').first().waitFor();
    await shot(page, 'calendar');
    await env.rt.kernel.db.deleteFrom('kernel.session').execute();
    await page.getByRole('spinbutton', { name: '年份' }).fill('2024');
    await page.waitForURL(/\/login\?next=%2Fcalendar.*expired=1/);
    await page.getByText('登录已过期').waitFor();
    await shot(page, 'session-expired');
    await login('admin', ADMIN_PASSWORD);
    await page.waitForURL(`${base}/calendar`);
  });
});
