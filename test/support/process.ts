/** Real `gongshu start` processes for tests: a free port, start on a data dir, wait until healthy. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/kernel/paths.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export interface Started {
  child: ChildProcess;
  /** everything it printed so far */
  output(): string;
}

/** `gongshu start --demo` from the sources, on the embedded PostgreSQL under dataDir. */
export function startGongshu(dataDir: string, port: number, env: NodeJS.ProcessEnv = {}): Started {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    GONGSHU_DATA_DIR: dataDir,
    GONGSHU_PORT: String(port),
    GONGSHU_ADMIN_PASSWORD: 'Lifecycle2026',
    GONGSHU_LOG_LEVEL: 'warn',
    ...env,
  };
  delete e.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PACKAGE_ROOT, 'src/cli.ts'), 'start', '--demo'], {
    env: e,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

export async function waitHealthy(
  base: string,
  child: ChildProcess,
  output: () => string = () => '',
  ms = 90_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`gongshu exited with ${child.exitCode}:\n${output()}`);
    try {
      const r = await fetch(`${base}/api/health`);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gongshu did not become healthy:\n${output()}`);
}

export interface WebSession {
  cookie: string;
  csrf: string;
}

/** Logs in over HTTP; the session cookie and CSRF token for later calls. */
export async function webLogin(base: string, username: string, password: string): Promise<WebSession> {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (r.status !== 200) throw new Error(`log-in of ${username} answered ${r.status}: ${await r.text()}`);
  const body = (await r.json()) as { csrfToken: string };
  return {
    cookie: r.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; '),
    csrf: body.csrfToken,
  };
}

/** A JSON call as a logged-in user. */
export async function webCall(
  base: string,
  s: WebSession,
  method: string,
  url: string,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; json: any }> {
  const r = await fetch(`${base}${url}`, {
    method,
    headers: {
      cookie: s.cookie,
      'x-csrf-token': s.csrf,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

/** After a test of real processes: kill what still runs (the children, an orphaned PostgreSQL) and remove the data dir. */
export function cleanUp(dataDir: string, children: (ChildProcess | undefined)[]): void {
  for (const c of children) if (c && c.exitCode === null) c.kill('SIGKILL');
  const pid = path.join(dataDir, 'pg', 'postmaster.pid');
  if (existsSync(pid)) {
    try {
      process.kill(Number(readFileSync(pid, 'utf8').split('\n')[0]), 'SIGQUIT');
    } catch {
      /* gone */
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
}
