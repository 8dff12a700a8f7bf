/** `gongshu start` and `gongshu worker`: the long-running processes, with an orderly shutdown. */
import type { Config } from './config.js';
import { openRuntime, type Runtime } from './runtime.js';
import { buildApp } from './app.js';
import { startJobs, type JobDef, type Jobs } from './kernel/jobs/boss.js';
import { kernelJobs } from './kernel/jobs/kernel-jobs.js';
import { deadlineJob } from './kernel/deadlines/engine.js';
import { ensureAdmin } from './kernel/auth/bootstrap.js';
import { seedDemo } from './seed/demo.js';
import { modules } from './modules/index.js';
import { removeStaleUploads } from './modules/aggregation/service.js';
import type { Kernel } from './kernel/kernel.js';

const log = (m: string) => console.error(`[gongshu] ${m}`);

function allJobs(k: Kernel): JobDef[] {
  return [
    ...kernelJobs(k),
    deadlineJob(
      k,
      modules.flatMap((m) => m.deadlines?.(k) ?? []),
    ),
    ...modules.flatMap((m) => m.jobs?.(k) ?? []),
  ];
}

/**
 * Stops in order on SIGINT, SIGTERM or SIGHUP — and when the parent that started this process (npm,
 * a shell, a supervisor) goes away without passing the signal on, which would leave the server and
 * its PostgreSQL running as orphans. A signal during start-up waits for what is starting, then stops it.
 */
function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const run = (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`${why}, stopping…`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    stop()
      .then(() => process.exit(0))
      .catch((e: Error) => {
        log(`error while stopping: ${e.message}`);
        process.exit(1);
      });
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => run(`${sig} received`));
  const parent = process.ppid;
  if (parent > 1) {
    const watch = setInterval(() => {
      if (process.ppid !== parent) run(`the parent process ${parent} ended`);
    }, 1000);
    watch.unref();
  }
}

async function firstRun(rt: Runtime, config: Config, demo: boolean): Promise<string[]> {
  const lines: string[] = [];
  const k = rt.kernel;
  const fresh = !(await k.db.selectFrom('kernel.app_user').select('id').limit(1).executeTakeFirst());
  if (demo && fresh) {
    const r = await seedDemo(k, { adminPassword: config.adminPassword });
    lines.push(
      `已写入淄博市演示数据 / seeded the 淄博市 demo: ${r.departments} departments, ${r.users.length} users, ${r.resources} catalog resources`,
    );
    if (r.adminPassword)
      lines.push(`管理员 admin 的初始密码（只显示这一次）/ admin's initial password (shown once): ${r.adminPassword}`);
    lines.push(
      `其他演示用户（如 scjg_officer、gaj_user、auditor）的密码 / other demo users' password: ${r.demoPassword}`,
    );
    if (r.appsFile) lines.push(`演示应用凭证 / demo app credentials: ${r.appsFile}`);
  }
  const b = await ensureAdmin(k.db, config.adminPassword);
  if (b.created && b.password)
    lines.push(`管理员 admin 的初始密码（只显示这一次）/ admin's initial password (shown once): ${b.password}`);
  return lines;
}

export async function startServer(config: Config, opts: { demo: boolean; workers: boolean }): Promise<void> {
  // a signal may come while starting: stop what has started so far, once it has
  const started: { rt?: Promise<Runtime>; jobs?: Jobs; app?: Awaited<ReturnType<typeof buildApp>> } = {};
  onSignals(async () => {
    const rtNow = await started.rt?.catch(() => undefined);
    await started.app?.close();
    await started.jobs?.stop();
    await rtNow?.close();
  });
  started.rt = openRuntime(config, log);
  const rt = await started.rt;
  // uploads a killed process left behind (this host's data dir), now and every hour
  const sweep = () => {
    const n = removeStaleUploads(config.dataDir);
    if (n) log(`removed ${n} upload file(s) left by an earlier run`);
  };
  sweep();
  setInterval(sweep, 3600_000).unref();
  const notes = await firstRun(rt, config, opts.demo);
  started.jobs = await startJobs(rt.databaseUrl, allJobs(rt.kernel), { work: opts.workers, log });
  const jobs = started.jobs;
  rt.kernel.enqueue = (name, data) => jobs.send(name, data);
  const app = (started.app = await buildApp(rt.kernel));
  const address = await app.listen({ port: config.port, host: config.host });
  const shown = config.publicUrl ?? address.replace('://127.0.0.1', '://localhost');
  const db = rt.embedded
    ? `embedded PostgreSQL on 127.0.0.1:${rt.embedded.port} (${config.dataDir}/pg)`
    : 'DATABASE_URL';
  console.log(
    [
      '',
      `公数 Gongshu 已启动 / is running`,
      `  控制台 / console:   ${shown}/`,
      `  API 文档 / docs:    ${shown}/api/docs`,
      `  健康检查 / health:  ${shown}/api/health`,
      `  数据库 / database:  ${db}`,
      `  登录 / login:       admin${config.adminPassword ? ' (password from GONGSHU_ADMIN_PASSWORD)' : ''}`,
      ...notes.map((n) => `  ${n}`),
      '',
    ].join('\n'),
  );
}

export async function startWorker(config: Config): Promise<void> {
  const started: { rt?: Promise<Runtime>; jobs?: Jobs } = {};
  onSignals(async () => {
    const rtNow = await started.rt?.catch(() => undefined);
    await started.jobs?.stop();
    await rtNow?.close();
  });
  started.rt = openRuntime(config, log);
  const rt = await started.rt;
  const jobs = (started.jobs = await startJobs(rt.databaseUrl, allJobs(rt.kernel), { work: true, log }));
  rt.kernel.enqueue = (name, data) => jobs.send(name, data);
  log('任务进程已启动 / worker running');
}
