/**
 * The real process: `gongshu start` on the embedded PostgreSQL, killed with SIGKILL, started again
 * with all data intact, then stopped cleanly with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/kernel/paths.js';
import { freePort, waitHealthy as waitFor, webLogin } from './support/process.js';
import { cleanUp } from './support/process.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gongshu-life-'));
const children: ChildProcess[] = [];
let output = '';

afterAll(() => cleanUp(dataDir, children));

function start(port: number): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GONGSHU_DATA_DIR: dataDir,
    GONGSHU_PORT: String(port),
    GONGSHU_ADMIN_PASSWORD: 'Lifecycle2026',
    GONGSHU_LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  const c = spawn(process.execPath, ['--import', 'tsx', path.join(PACKAGE_ROOT, 'src/cli.ts'), 'start', '--demo'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  c.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  c.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  children.push(c);
  return c;
}

const waitHealthy = (base: string, child: ChildProcess) => waitFor(base, child, () => output);

const loginCookie = (base: string) => webLogin(base, 'admin', 'Lifecycle2026');

describe('gongshu start on the embedded PostgreSQL', () => {
  it('survives kill -9 with all data intact, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const first = start(port);
    await waitHealthy(base, first);
    expect(output).toContain('/api/docs');
    const pgPort = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[3]);
    expect(pgPort).not.toBe(5432);

    const s = await loginCookie(base);
    const res = await fetch(`${base}/api/v1/departments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
      body: JSON.stringify({ name: '淄博市杀进程测试局', uscc: '113703000066883600', regionCode: '370300' }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as { id: string };

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const orphan = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(() => process.kill(orphan, 0)).not.toThrow(); // PostgreSQL outlived its parent

    const second = start(port);
    await waitHealthy(base, second);
    const s2 = await loginCookie(base);
    const got = await fetch(`${base}/api/v1/departments/${created.id}`, { headers: { cookie: s2.cookie } });
    expect(((await got.json()) as { name: string }).name).toBe('淄博市杀进程测试局');
    const verify = await fetch(`${base}/api/v1/audit/verify`, {
      method: 'POST',
      headers: { cookie: s2.cookie, 'x-csrf-token': s2.csrf },
    });
    expect(((await verify.json()) as { ok: boolean }).ok).toBe(true);
    const users = (await (
      await fetch(`${base}/api/v1/users?pageSize=1`, { headers: { cookie: s2.cookie } })
    ).json()) as { total: number };
    expect(users.total).toBe(20); // the demo was seeded once, not twice

    second.kill('SIGTERM');
    const code = await new Promise((r) => second.once('exit', r));
    expect(code).toBe(0);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 240_000);
});

describe('`npm start` under a supervisor', () => {
  const npmDir = mkdtempSync(path.join(os.tmpdir(), 'gongshu-npm-'));
  afterAll(() => {
    for (const f of ['owner.pid', 'pg/postmaster.pid']) {
      const p = path.join(npmDir, f);
      if (existsSync(p)) {
        try {
          process.kill(Number(readFileSync(p, 'utf8').split('\n')[0]), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    rmSync(npmDir, { recursive: true, force: true });
  });

  function npmStart(port: number): ChildProcess {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GONGSHU_DATA_DIR: npmDir,
      GONGSHU_PORT: String(port),
      GONGSHU_ADMIN_PASSWORD: 'Lifecycle2026',
      GONGSHU_LOG_LEVEL: 'warn',
      GONGSHU_FROM_SOURCE: '1',
    };
    delete env.DATABASE_URL;
    const c = spawn('npm', ['start', '--silent'], { cwd: PACKAGE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    children.push(c);
    return c;
  }

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  async function gone(pids: number[], ms: number): Promise<boolean> {
    for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 200)))
      if (pids.every((p) => !alive(p))) return true;
    return false;
  }

  it('SIGTERM to npm stops the server and PostgreSQL in order; so does npm dying without passing a signal on', async () => {
    for (const how of ['SIGTERM', 'SIGKILL'] as const) {
      const port = await freePort();
      const npm = npmStart(port);
      await waitHealthy(`http://127.0.0.1:${port}`, npm);
      const server = Number(readFileSync(path.join(npmDir, 'owner.pid'), 'utf8'));
      const postgres = Number(readFileSync(path.join(npmDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      expect(alive(server) && alive(postgres)).toBe(true);
      npm.kill(how);
      expect(
        await gone([server, postgres], 30_000),
        `${how}: server ${server} or postgres ${postgres} still running\n${output.slice(-2000)}`,
      ).toBe(true);
      expect(
        existsSync(path.join(npmDir, 'pg', 'postmaster.pid')),
        'PostgreSQL was stopped cleanly (no pid file left)',
      ).toBe(false);
    }
  }, 300_000);
});
