/** The browser for console tests: Debian's Chromium driven by playwright-core (no browser download). */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../src/kernel/paths.js';

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
].filter(Boolean) as string[];
export const CHROMIUM = CANDIDATES.find((p) => existsSync(p));
export const SHOTS = path.join(PACKAGE_ROOT, 'test-results', 'screenshots');

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM!,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

let n = 0;
/** Called once per test run (global setup): screenshots of earlier runs go. */
export function clearShots(): void {
  rmSync(SHOTS, { recursive: true, force: true });
}
/** Keeps a screenshot of each page a test visits (git-ignored folder). */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  n += 1;
  await page.screenshot({ path: path.join(SHOTS, `${String(n).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/**
 * True when Chinese text renders with real glyphs: '淄博' drawn with the page's font must differ
 * from two private-use code points, which every font draws as the same empty box.
 */
export async function cjkRenders(page: Page): Promise<boolean> {
  // runs in the page (a string, so the server's type check needs no DOM types)
  return page.evaluate(`(() => {
    const draw = (text) => {
      const c = document.createElement('canvas');
      c.width = 80;
      c.height = 40;
      const ctx = c.getContext('2d');
      ctx.font = '28px ' + getComputedStyle(document.body).fontFamily;
      ctx.fillText(text, 4, 30);
      return Array.from(ctx.getImageData(0, 0, 80, 40).data).join(',');
    };
    return draw('淄博') !== draw('\\uE000\\uE001');
  })()`);
}

/** A seeded platform listening on a free port, the console built, and a Chromium page on it. */
export async function openConsole(viewport = { width: 1366, height: 860 }) {
  const { execFileSync } = await import('node:child_process');
  const { testEnv } = await import('../support/db.js');
  const { seeded } = await import('../support/seed.js');
  if (!existsSync(path.join(PACKAGE_ROOT, 'web', 'dist', 'index.html')))
    execFileSync('npm', ['run', 'build:web'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
  const env = await testEnv({ outboundAllow: ['127.0.0.1'] }); // the tests' own HTTP sources run on loopback
  await seeded(env);
  const base = (await env.app.listen({ port: 0, host: '127.0.0.1' })).replace('127.0.0.1', 'localhost');
  const browser = await launch();
  const page = await browser.newPage({ viewport, locale: 'zh-CN' });
  return {
    env,
    browser,
    page,
    base,
    /** fills the login form of the current page */
    async login(username: string, password: string) {
      await page.locator('#username').fill(username);
      await page.locator('#password').fill(password);
      await page.getByRole('button', { name: /登\s*录|Log in/ }).click();
    },
    menu: (name: string) => page.getByRole('navigation').getByRole('link', { name }),
    async close() {
      await browser.close();
      await env.close();
    },
  };
}
