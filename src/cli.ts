#!/usr/bin/env node
/** The `gongshu` command. The CLI and the HTTP API call the same service functions. */
import { Command, Option } from 'commander';
import { loadConfig, type Config } from './config.js';
import { openRuntime } from './runtime.js';
import { startServer, startWorker } from './server.js';
import { seedDemo } from './seed/demo.js';
import { verifyChain } from './kernel/audit/verify.js';
import { writeCheckpoint } from './kernel/audit/checkpoint.js';
import { systemCtx, ROLES, type Role } from './kernel/http/context.js';
import { inTx } from './kernel/http/tx.js';
import { createUser, resetPassword } from './kernel/auth/users.js';
import { AppError } from './kernel/http/errors.js';
import { MigrationError } from './kernel/db/migrator.js';
import { sql } from 'kysely';

const log = (m: string) => console.error(m);

interface Common {
  dataDir?: string;
}

function config(opts: Common & { port?: string; host?: string }): Config {
  return loadConfig(process.env, {
    ...(opts.dataDir !== undefined && { dataDir: opts.dataDir }),
    ...(opts.port !== undefined && { port: Number(opts.port) }),
    ...(opts.host !== undefined && { host: opts.host }),
  });
}

const dataDirOption = () =>
  new Option(
    '--data-dir <dir>',
    'data directory (embedded PostgreSQL, master key) [env GONGSHU_DATA_DIR, default .gongshu]',
  );

const program = new Command()
  .name('gongshu')
  .description('公数 Gongshu — 一体化公共数据平台 / integrated public data platform')
  .version('0.1.0')
  .showHelpAfterError();

program
  .command('start')
  .description('启动 API、控制台与任务 / run the API, the console and the job workers in one process')
  .addOption(new Option('--port <port>', 'HTTP port [env GONGSHU_PORT, default 8080]'))
  .addOption(new Option('--host <host>', 'listen address [env GONGSHU_HOST, default 127.0.0.1]'))
  .addOption(dataDirOption())
  .option('--demo', 'seed the 淄博市 demo data on first run (empty database)')
  .option('--no-workers', 'do not run job workers in this process')
  .action(async (opts: Common & { port?: string; host?: string; demo?: boolean; workers: boolean }) => {
    await startServer(config(opts), { demo: opts.demo === true, workers: opts.workers });
  });

program
  .command('worker')
  .description('只运行任务 / run job workers only (for more hosts; use DATABASE_URL)')
  .addOption(dataDirOption())
  .action(async (opts: Common) => {
    await startWorker(config(opts));
  });

program
  .command('migrate')
  .description('执行数据库迁移 / apply the database migrations')
  .addOption(dataDirOption())
  .action(async (opts: Common) => {
    const rt = await openRuntime(config(opts), (m) => console.log(m));
    console.log('迁移完成 / migrations up to date');
    await rt.close();
  });

program
  .command('seed')
  .description('写入数据 / seed data')
  .command('demo')
  .description('写入淄博市演示数据 / seed the 淄博市 demo (node, departments, users, apps)')
  .addOption(dataDirOption())
  .action(async (opts: Common) => {
    const cfg = config(opts);
    const rt = await openRuntime(cfg, log);
    try {
      const r = await seedDemo(rt.kernel, { adminPassword: cfg.adminPassword });
      console.log(
        `演示数据已写入 / demo seeded: ${r.departments} new departments, ${r.users.length} new users, ${r.resources} catalog resources`,
      );
      if (r.adminPassword) console.log(`admin 的初始密码 / admin's initial password: ${r.adminPassword}`);
      if (r.users.length > 0) console.log(`其他演示用户的密码 / password of the other demo users: ${r.demoPassword}`);
      if (r.appsFile) console.log(`演示应用凭证 / demo app credentials: ${r.appsFile}`);
    } finally {
      await rt.close();
    }
  });

program
  .command('ingest <file>')
  .description('把文件归集到已发布的资源（CSV/TSV）/ load a file into a published resource')
  .requiredOption('--resource <code>', 'the resource code (or id)')
  .addOption(
    new Option(
      '--mode <mode>',
      'full: replace (rows missing from the file are deleted); upsert: insert or update by business key',
    )
      .choices(['full', 'upsert'])
      .default('upsert'),
  )
  .addOption(
    new Option('--encoding <enc>', 'file encoding').choices(['auto', 'utf8', 'gbk', 'gb18030']).default('auto'),
  )
  .option(
    '--header-row <n>',
    '1-based row of the header (title rows above it are skipped; default: CSV 1, Excel the first row with two or more values)',
  )
  .option('--sheet <n>', 'sheet number of an Excel file', '1')
  .option('--json', 'print one JSON object with the counts and the rejects')
  .option('--confirm-deletions', 'let a full run delete more than GONGSHU_FULL_RUN_MAX_DELETE_PCT of the stored rows')
  .addOption(dataDirOption())
  .action(
    async (
      file: string,
      opts: Common & {
        resource: string;
        mode: 'full' | 'upsert';
        encoding: 'auto' | 'utf8' | 'gbk' | 'gb18030';
        headerRow?: string;
        sheet: string;
        json?: boolean;
        confirmDeletions?: boolean;
      },
    ) => {
      const { runIngest, openCsv, openXlsx, openJson } = await import('./modules/aggregation/service.js');
      const excel = /\.xlsx$/i.test(file);
      const json = /\.(json|jsonl|ndjson)$/i.test(file);
      if (!excel && !json && !/\.(csv|tsv|txt)$/i.test(file)) {
        throw new AppError('INGEST_FILE', {
          zh: `不支持的文件类型（可用 .csv .tsv .txt .xlsx .json .jsonl）：${file}`,
          en: `Unsupported file type (use .csv .tsv .txt .xlsx .json .jsonl): ${file}`,
        });
      }
      const rt = await openRuntime(config(opts), log, { migrate: false });
      let failed = false;
      try {
        const k = rt.kernel;
        const r = (await k.db
          .selectFrom('catalog.resource' as never)
          .select(['id' as never])
          .where(sql`code = ${opts.resource} OR id::text = ${opts.resource}` as never)
          .executeTakeFirst()) as { id: string } | undefined;
        if (!r) throw new Error(`no resource with code "${opts.resource}"`);
        const headerRow = opts.headerRow ? Number(opts.headerRow) : undefined;
        const f = excel
          ? await openXlsx(file, { sheet: Number(opts.sheet), ...(headerRow && { headerRow }), limits: k.config.xlsx })
          : json
            ? await openJson(file)
            : await openCsv(file, { encoding: opts.encoding, headerRow: headerRow ?? 1 });
        const tty = process.stderr.isTTY && !opts.json;
        const started = Date.now();
        const res = await runIngest(k, systemCtx('cli'), {
          resourceId: r.id,
          mode: opts.mode,
          source: file.split('/').pop()!,
          encoding: f.encoding,
          columns: f.columns,
          rows: f.rows,
          encode: f.encode,
          totalBytes: f.totalBytes,
          readBytes: f.readBytes,
          rowBasis: f.rowBasis,
          lineOf: f.lineOf,
          confirmDeletions: opts.confirmDeletions === true,
          onProgress: (p) => {
            if (!tty) return;
            const pct = p.totalBytes ? Math.min(100, (100 * (p.bytes ?? 0)) / p.totalBytes) : 0;
            const bar = '█'.repeat(Math.round(pct / 4)).padEnd(25, '░');
            const rate = Math.round(p.read / ((Date.now() - started) / 1000));
            process.stderr.write(
              `\r${bar} ${pct.toFixed(0)}%  ${p.read} rows  ${rate} rows/s  ${p.rejected} rejected `,
            );
          },
        });
        if (tty) process.stderr.write('\n');
        failed = res.status !== 'succeeded';
        if (opts.json) {
          const rejects = await k.pool.query(
            'SELECT row_no, field, reason_zh, raw_value FROM ingest.reject WHERE run_id = $1 ORDER BY row_no LIMIT 10000',
            [res.run],
          );
          console.log(
            JSON.stringify({
              run: res.run,
              read: res.read,
              inserted: res.inserted,
              updated: res.updated,
              unchanged: res.unchanged,
              deleted: res.deleted,
              rejected: res.rejected,
              ...(res.error && { error: res.error }),
              rejects: rejects.rows.map((x) => ({
                row: Number(x.row_no),
                field: x.field ?? '',
                reason: x.reason_zh,
                value: x.raw_value ?? '',
              })),
            }),
          );
        } else {
          console.log(
            `${failed ? '归集失败 / run failed' : '归集完成 / run complete'} #${res.run} (${f.encoding}): read ${res.read}, inserted ${res.inserted}, updated ${res.updated}, unchanged ${res.unchanged}, deleted ${res.deleted}, rejected ${res.rejected}${res.error ? `\n${res.error}` : ''}`,
          );
        }
      } finally {
        await rt.close();
      }
      process.exitCode = failed ? 1 : 0;
    },
  );

program
  .command('validate <values...>')
  .description(
    '按规则校验取值（公民身份号码、统一社会信用代码、行政区划代码、手机、固话、邮箱）；退出码总是 0 / check values against a rule; exit 0 either way',
  )
  .addOption(
    new Option('--rule <rule>', 'the rule')
      .choices(['ric', 'uscc', 'region', 'mobile', 'landline', 'email'])
      .makeOptionMandatory(),
  )
  .option(
    '--json',
    'print [{"value", "valid", "normalized", "reason"}] in input order (reason: a stable code, "" when valid)',
  )
  .action(
    async (
      values: string[],
      opts: { rule: 'ric' | 'uscc' | 'region' | 'mobile' | 'landline' | 'email'; json?: boolean },
    ) => {
      const { validate, REASONS } = await import('./modules/governance/validators.js');
      const verdicts = values.map((v) => validate(opts.rule, v));
      if (opts.json) console.log(JSON.stringify(verdicts));
      else
        for (const r of verdicts)
          console.log(
            `${r.valid ? '✓' : '✗'} ${r.value}${r.normalized && r.normalized !== r.value ? ` → ${r.normalized}` : ''}${r.reason ? `  ${REASONS[r.reason]?.zh ?? r.reason} / ${REASONS[r.reason]?.en ?? r.reason}` : ''}`,
          );
    },
  );

const audit = program.command('audit').description('审计日志 / audit log');
audit
  .command('verify')
  .description(
    '校验审计哈希链与签名检查点；完整时退出码 0，否则 1 并指出第一条异常记录 / verify the chain: exit 0 when intact, 1 naming the first bad entry',
  )
  .addOption(dataDirOption())
  .option('--json', 'print the result as JSON')
  .option('--lang <lang>', 'zh-CN or en-US', 'zh-CN')
  .action(async (opts: Common & { json?: boolean; lang: string }) => {
    const rt = await openRuntime(config(opts), log, { migrate: false });
    let ok = false;
    try {
      const r = await verifyChain(rt.kernel.pool, rt.kernel.signer.publicKey);
      ok = r.ok;
      if (opts.json) console.log(JSON.stringify(r));
      else if (r.ok)
        console.log(
          `审计链完整 / audit chain intact: ${r.entries} entries, ${r.checkpoints} signed checkpoints, last #${r.lastSeq}`,
        );
      else
        console.log(
          opts.lang === 'en-US'
            ? `AUDIT CHAIN BROKEN: ${r.problem!.messageEn}`
            : `审计链被破坏：${r.problem!.messageZh} / ${r.problem!.messageEn}`,
        );
    } finally {
      await rt.close();
    }
    process.exitCode = ok ? 0 : 1;
  });
audit
  .command('checkpoint')
  .description('立即签发一个 SM2 检查点 / sign a checkpoint of the chain now')
  .addOption(dataDirOption())
  .action(async (opts: Common) => {
    const rt = await openRuntime(config(opts), log, { migrate: false });
    try {
      const cp = await writeCheckpoint(rt.kernel.db, rt.kernel.signer);
      console.log(cp ? `checkpoint at #${cp.seq} ${cp.hash}` : 'no new entries since the last checkpoint');
    } finally {
      await rt.close();
    }
  });

const user = program.command('user').description('用户管理 / users');
user
  .command('add <username>')
  .description('新建用户 / add a user')
  .requiredOption('--department <name>', 'department name or id')
  .requiredOption('--roles <roles>', `comma-separated: ${ROLES.join(',')}`)
  .option('--display-name <name>', 'display name')
  .option('--password <password>', 'initial password (otherwise a random one is printed)')
  .addOption(dataDirOption())
  .action(
    async (
      username: string,
      opts: Common & { department: string; roles: string; displayName?: string; password?: string },
    ) => {
      const roles = opts.roles.split(',').map((r) => r.trim()) as Role[];
      const bad = roles.filter((r) => !ROLES.includes(r));
      if (bad.length) throw new Error(`unknown role(s): ${bad.join(', ')}; use ${ROLES.join(', ')}`);
      const rt = await openRuntime(config(opts), log, { migrate: false });
      try {
        const db = rt.kernel.db;
        const isUuid = /^[0-9a-f-]{36}$/i.test(opts.department);
        const dept = await db
          .selectFrom('kernel.department')
          .select(['id', 'name'])
          .where(isUuid ? 'id' : 'name', '=', opts.department)
          .executeTakeFirst();
        if (!dept) throw new Error(`no department "${opts.department}"`);
        const r = await inTx(db, (tx) =>
          createUser(systemCtx('cli'), tx, {
            username: username.toLowerCase(),
            displayName: opts.displayName ?? username,
            departmentId: dept.id,
            roles,
            password: opts.password,
          }),
        );
        console.log(`用户已创建 / user created: ${r.user.username} (${roles.join(',')}) in ${dept.name}`);
        if (r.initialPassword)
          console.log(`初始密码（首次登录须修改）/ initial password (must be changed): ${r.initialPassword}`);
      } finally {
        await rt.close();
      }
    },
  );
user
  .command('reset-password <username>')
  .description('重置密码并解锁 / reset a password and unlock the account')
  .option('--password <password>', 'the new password (otherwise a random one is printed)')
  .addOption(dataDirOption())
  .action(async (username: string, opts: Common & { password?: string }) => {
    const rt = await openRuntime(config(opts), log, { migrate: false });
    try {
      const u = await rt.kernel.db
        .selectFrom('kernel.app_user')
        .select('id')
        .where('username', '=', username.toLowerCase())
        .executeTakeFirst();
      if (!u) throw new Error(`no user "${username}"`);
      const r = await inTx(rt.kernel.db, (tx) => resetPassword(systemCtx('cli'), tx, u.id, opts.password));
      console.log(`密码已重置 / password reset for ${username}${opts.password ? '' : `: ${r.password}`}`);
    } finally {
      await rt.close();
    }
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof AppError)
    console.error(`错误 / error ${e.code}${e.field ? ` (${e.field})` : ''}: ${e.zh} / ${e.en}`);
  else if (e instanceof MigrationError) console.error(e.message);
  else console.error(e instanceof Error ? e.message : String(e));
  process.exit(2);
});
