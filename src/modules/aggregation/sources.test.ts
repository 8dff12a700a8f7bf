/**
 * Real database sources: a PostgreSQL database on the test server and the MariaDB at
 * 127.0.0.1:3306 — full and incremental runs, and a source that goes down mid-run.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { testEnv, withDatabase, type TestEnv } from '../../../test/support/db.js';
import { DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs } from '../../../test/support/http.js';
import { systemCtx } from '../../kernel/http/context.js';
import { inTx } from '../../kernel/http/tx.js';
import { publishResource } from '../../../test/support/publish.js';
import type { DataItem } from '../catalog/schema.js';
import { createSource, dispatchSchedules, runSource, testSource, type SourceInput } from './service.js';

const ITEMS: DataItem[] = [
  {
    name: 'sfzh',
    label: '公民身份号码',
    type: 'string',
    length: 18,
    primaryKey: true,
    incremental: false,
    identityKind: 'ric',
    grade: 3,
    masking: 'ric',
  },
  {
    name: 'xm',
    label: '姓名',
    type: 'string',
    length: 20,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'name',
  },
  {
    name: 'csrq',
    label: '出生日期',
    type: 'date',
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'date_year',
  },
  {
    name: 'jfjs',
    label: '缴费基数',
    type: 'decimal',
    precision: 12,
    scale: 2,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'none',
  },
  {
    name: 'updated_at',
    label: '更新时间',
    type: 'datetime',
    primaryKey: false,
    incremental: true,
    grade: 1,
    masking: 'none',
  },
];
const ctx = systemCtx('test');
let env: TestEnv;

async function publish(name: string): Promise<{ id: string; table: string }> {
  const r = await publishResource(env.rt.kernel, {
    department: '淄博市人力资源和社会保障局',
    name,
    items: ITEMS,
    shareMethods: ['database'],
  });
  return { id: r.id, table: r.datasetTable! };
}
const count = async (table: string) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.raw(table)}`.execute(env.rt.kernel.db)).rows[0]!.n);
const person = (i: number) => [
  `3703031990${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}${String(i).padStart(4, '0')}`.slice(
    0,
    18,
  ),
  `人员${i}`,
  '1990-01-01',
  3000 + i,
];

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
});
afterAll(async () => env.close());

describe('a PostgreSQL source', () => {
  const admin = inject('pgAdminUrl');
  const dbName = `gs_src_${randomBytes(4).toString('hex')}`;
  let src: pg.Client;
  let sourceId: string;
  let target: { id: string; table: string };

  beforeAll(async () => {
    const a = new pg.Client({ connectionString: admin });
    await a.connect();
    await a.query(`CREATE DATABASE ${dbName}`);
    await a.end();
    src = new pg.Client({ connectionString: withDatabase(admin, dbName) });
    await src.connect();
    await src.query(
      `CREATE TABLE people (sfzh text PRIMARY KEY, xm text, csrq date, jfjs numeric(12,2), updated_at timestamptz NOT NULL DEFAULT now() - interval '1 day')`,
    );
    for (let i = 0; i < 3000; i++)
      await src.query('INSERT INTO people (sfzh, xm, csrq, jfjs) VALUES ($1, $2, $3, $4)', person(i));
    target = await publish('PG 源参保人员');
    const u = new URL(admin);
    const input: SourceInput = {
      name: '人社业务库',
      resourceId: target.id,
      kind: 'postgres',
      host: u.hostname,
      port: Number(u.port || 5432),
      database: dbName,
      user: decodeURIComponent(u.username),
      ...(u.password && { password: decodeURIComponent(u.password) }),
      table: 'people',
      mode: 'incremental',
      watermark: 'updated_at',
      mapping: {},
    };
    sourceId = (await inTx(env.rt.kernel.db, (tx) => createSource(ctx, tx, env.rt.kernel.masterKey, input))).id;
  }, 120_000);
  afterAll(async () => {
    await src.end();
    const a = new pg.Client({ connectionString: admin });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await a.end();
  });

  it('tests the connection and stores the password sealed', async () => {
    expect(await testSource(env.rt.kernel, ctx, sourceId)).toMatchObject({
      ok: true,
      columns: ['sfzh', 'xm', 'csrq', 'jfjs', 'updated_at'],
    });
    const row = (
      await env.rt.kernel.pool.query('SELECT secret_sealed, config FROM ingest.source WHERE id = $1', [sourceId])
    ).rows[0];
    expect(JSON.stringify(row)).not.toContain('"password"');
  });

  it('loads everything the first time, then only what changed after the watermark', async () => {
    const first = await runSource(env.rt.kernel, ctx, sourceId);
    expect(first).toMatchObject({ status: 'succeeded', read: 3000, inserted: 3000 });
    // the department sees its source and the run through the API; another department does not
    const rsj = await loginAs(env.app, 'rsj_officer', DEMO_PASSWORD);
    const gaj = await loginAs(env.app, 'gaj_officer', DEMO_PASSWORD);
    const list = async (s: typeof rsj, query = '') =>
      (await env.app.inject(as(s, { method: 'GET', url: `/api/v1/sources${query}` }))).json();
    expect((await list(rsj)).items.map((x: { name: string }) => x.name)).toContain('人社业务库');
    expect(await list(gaj)).toEqual({ items: [], total: 0, page: 1, pageSize: 20 });
    // the list is a page of the department's sources, searchable by name and sorted by the field asked for
    const all = await list(rsj, '?pageSize=200');
    expect(all.total).toBe(all.items.length);
    expect(
      (await list(rsj, `?q=${encodeURIComponent('人社业务')}`)).items.map((x: { name: string }) => x.name),
    ).toEqual(['人社业务库']);
    expect((await list(rsj, '?q=%25')).total).toBe(0); // a LIKE wildcard is searched for as itself
    const byName = all.items.map((x: { name: string }) => x.name);
    expect((await list(rsj, '?pageSize=200&sort=-name')).items.map((x: { name: string }) => x.name)).toEqual(
      [...byName].reverse(),
    );
    expect((await list(rsj, '?pageSize=1&page=2')).items).toEqual(all.total > 1 ? [all.items[1]] : []);
    const run = (await env.app.inject(as(rsj, { method: 'GET', url: `/api/v1/ingest/runs/${first.run}` }))).json();
    expect(run).toMatchObject({ status: 'succeeded', read: 3000, inserted: 3000, source: '人社业务库' });
    expect(
      (await env.app.inject(as(gaj, { method: 'GET', url: `/api/v1/ingest/runs/${first.run}` }))).json().code,
    ).toBe('FORBIDDEN_DEPARTMENT');
    expect(
      (await env.app.inject(as(gaj, { method: 'POST', url: `/api/v1/sources/${sourceId}/run` }))).json().code,
    ).toBe('FORBIDDEN_DEPARTMENT');
    await src.query(
      `UPDATE people SET jfjs = jfjs + 1, updated_at = now() WHERE sfzh IN (SELECT sfzh FROM people ORDER BY sfzh LIMIT 10)`,
    );
    await src.query(
      `INSERT INTO people (sfzh, xm, csrq, jfjs, updated_at) VALUES ('370303200001010017', '新增甲', '2000-01-01', 100, now()), ('370303200001020013', '新增乙', '2000-01-02', 100, now())`,
    );
    const second = await runSource(env.rt.kernel, ctx, sourceId);
    expect(second).toMatchObject({ status: 'succeeded', read: 12, inserted: 2, updated: 10, deleted: 0 });
    expect(await count(target.table)).toBe(3002);
    expect(await runSource(env.rt.kernel, ctx, sourceId)).toMatchObject({ status: 'succeeded', read: 0 });
  });

  it('a row rejected in an incremental run is read again next time: the watermark stops short of it', async () => {
    const wm = async () =>
      (await env.rt.kernel.pool.query('SELECT watermark FROM ingest.source WHERE id = $1', [sourceId])).rows[0]
        .watermark as string;
    const before = await wm();
    // three new rows in watermark order; the middle one's name is too long for 姓名 (20)
    await src.query(`INSERT INTO people (sfzh, xm, csrq, jfjs, updated_at) VALUES
      ('370303199001010011', '水位甲', '1990-01-01', 1, now() + interval '1 millisecond'),
      ('370303199001020018', repeat('长', 25), '1990-01-02', 1, now() + interval '2 milliseconds'),
      ('370303199001030014', '水位丙', '1990-01-03', 1, now() + interval '3 milliseconds')`);
    const first = await runSource(env.rt.kernel, ctx, sourceId);
    expect(first).toMatchObject({ status: 'succeeded', read: 3, inserted: 2, rejected: 1 });
    const held = await wm();
    expect(held > before).toBe(true);
    const heldAt = (await src.query(`SELECT updated_at::text AS t FROM people WHERE sfzh = '370303199001010011'`))
      .rows[0].t as string;
    expect(new Date(held).getTime()).toBe(new Date(heldAt).getTime());
    // not fixed yet: read again (and rejected again), the row after it stays as it is
    expect(await runSource(env.rt.kernel, ctx, sourceId)).toMatchObject({
      status: 'succeeded',
      read: 2,
      inserted: 0,
      unchanged: 1,
      rejected: 1,
    });
    // fixed at the source without touching its updated_at: the next run takes it, then the watermark moves on
    await src.query(`UPDATE people SET xm = '水位乙' WHERE sfzh = '370303199001020018'`);
    expect(await runSource(env.rt.kernel, ctx, sourceId)).toMatchObject({
      status: 'succeeded',
      read: 2,
      inserted: 1,
      rejected: 0,
    });
    expect(await runSource(env.rt.kernel, ctx, sourceId)).toMatchObject({ status: 'succeeded', read: 0 });
    expect(await count(target.table)).toBe(3005);
  });

  it('schedules: a source whose cron matches this minute is queued once, whatever the number of workers', async () => {
    const queued: unknown[] = [];
    env.rt.kernel.enqueue = async (_name, data) => (queued.push(data), 'job');
    await env.rt.kernel.pool.query(
      `UPDATE ingest.source SET schedule = '* * * * *', last_dispatched = NULL WHERE id = $1`,
      [sourceId],
    );
    const now = new Date();
    expect(await dispatchSchedules(env.rt.kernel, now)).toEqual([sourceId]);
    expect(await dispatchSchedules(env.rt.kernel, now)).toEqual([]);
    await env.rt.kernel.pool.query(
      `UPDATE ingest.source SET schedule = '0 3 31 2 *', last_dispatched = NULL WHERE id = $1`,
      [sourceId],
    ); // never
    expect(await dispatchSchedules(env.rt.kernel, now)).toEqual([]);
    expect(queued).toHaveLength(1);
    await env.rt.kernel.pool.query('UPDATE ingest.source SET schedule = NULL WHERE id = $1', [sourceId]);
    delete env.rt.kernel.enqueue;
  });

  it('a source that goes down mid-run leaves the data as it was, and the run can be repeated', async () => {
    await src.query(`UPDATE people SET xm = xm || '·改', updated_at = now()`);
    await env.rt.kernel.pool.query(
      `UPDATE ingest.source SET config = jsonb_set(config - 'table', '{query}', to_jsonb('SELECT p.*, pg_sleep(0.002) AS pause FROM people p'::text)) WHERE id = $1`,
      [sourceId],
    );
    const before = await count(target.table);
    const running = runSource(env.rt.kernel, ctx, sourceId);
    await new Promise((r) => setTimeout(r, 1500));
    const killer = new pg.Client({ connectionString: withDatabase(admin, 'postgres') });
    await killer.connect();
    await killer.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'gongshu-ingest'`,
      [dbName],
    );
    await killer.end();
    const r = await running;
    expect(r.status).toBe('failed');
    expect(await count(target.table)).toBe(before);
    const unchanged = (
      await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.raw(target.table)} WHERE xm LIKE '%·改'`.execute(
        env.rt.kernel.db,
      )
    ).rows[0]!.n;
    expect(Number(unchanged)).toBe(0);
    await env.rt.kernel.pool.query(
      `UPDATE ingest.source SET config = jsonb_set(config - 'query', '{table}', '"people"') WHERE id = $1`,
      [sourceId],
    );
    const again = await runSource(env.rt.kernel, ctx, sourceId);
    expect(again).toMatchObject({ status: 'succeeded', read: 3005, updated: 3005 });
  }, 60_000);
});

async function mariadbUp(): Promise<boolean> {
  try {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', connectTimeout: 2000 });
    await c.end();
    return true;
  } catch {
    return false;
  }
}
const hasMariadb = await mariadbUp();
if (!hasMariadb)
  console.warn(
    '[aggregation] no MariaDB/MySQL at 127.0.0.1:3306 (root, no password): the MySQL source tests are SKIPPED',
  );

describe.skipIf(!hasMariadb)('a MariaDB source', () => {
  const dbName = `gs_src_${randomBytes(4).toString('hex')}`;
  let my: mysql.Connection;
  let sourceId: string;
  let target: { id: string; table: string };

  beforeAll(async () => {
    my = await mysql.createConnection({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      charset: 'utf8mb4',
      multipleStatements: true,
    });
    await my.query(`CREATE DATABASE ${dbName} CHARACTER SET utf8mb4`);
    await my.query(`USE ${dbName}`);
    await my.query(
      `CREATE TABLE people (sfzh VARCHAR(18) PRIMARY KEY, xm VARCHAR(20), csrq DATE, jfjs DECIMAL(12,2), updated_at DATETIME(3) NOT NULL)`,
    );
    const values = Array.from({ length: 3000 }, (_, i) => [...person(i), '2026-11-01 08:00:00.000']);
    await my.query('INSERT INTO people (sfzh, xm, csrq, jfjs, updated_at) VALUES ?', [values]);
    target = await publish('MariaDB 源参保人员');
    sourceId = (
      await inTx(env.rt.kernel.db, (tx) =>
        createSource(ctx, tx, env.rt.kernel.masterKey, {
          name: '医保业务库',
          resourceId: target.id,
          kind: 'mysql',
          host: '127.0.0.1',
          port: 3306,
          database: dbName,
          user: 'root',
          table: 'people',
          mode: 'incremental',
          watermark: 'updated_at',
          mapping: {},
        }),
      )
    ).id;
  }, 120_000);
  afterAll(async () => {
    await my.query(`DROP DATABASE IF EXISTS ${dbName}`).catch(() => {});
    await my.end();
  });

  it('loads everything, then only what changed after the watermark', async () => {
    expect(await testSource(env.rt.kernel, ctx, sourceId)).toMatchObject({ ok: true });
    expect(await runSource(env.rt.kernel, ctx, sourceId)).toMatchObject({
      status: 'succeeded',
      read: 3000,
      inserted: 3000,
      rejected: 0,
    });
    const stored = (
      await sql<{
        xm: string;
        csrq: string;
        jfjs: string;
        updated_at: string;
      }>`SELECT xm, csrq::text, jfjs::text, to_char(updated_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS updated_at FROM ${sql.raw(target.table)} ORDER BY sfzh LIMIT 1`.execute(
        env.rt.kernel.db,
      )
    ).rows[0];
    expect(stored).toMatchObject({ csrq: '1990-01-01', updated_at: '2026-11-01 08:00' });
    await my.query(`UPDATE people SET jfjs = jfjs + 1, updated_at = '2026-11-02 09:00:00' ORDER BY sfzh LIMIT 7`);
    expect(await runSource(env.rt.kernel, ctx, sourceId)).toMatchObject({
      status: 'succeeded',
      read: 7,
      updated: 7,
      inserted: 0,
    });
  });

  it('a source that goes down mid-run leaves the data as it was', async () => {
    await my.query(`UPDATE people SET xm = CONCAT(xm, '·改'), updated_at = '2026-11-03 09:00:00'`);
    await env.rt.kernel.pool.query(
      `UPDATE ingest.source SET config = jsonb_set(config - 'table', '{query}', to_jsonb('SELECT p.*, SLEEP(0.002) AS pause FROM people p'::text)) WHERE id = $1`,
      [sourceId],
    );
    const running = runSource(env.rt.kernel, ctx, sourceId);
    await new Promise((r) => setTimeout(r, 1500));
    const [procs] = await my.query(
      `SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE '%SLEEP(0.002)%' AND id <> CONNECTION_ID()`,
      [dbName],
    );
    for (const p of procs as { id: number }[]) await my.query(`KILL ${p.id}`);
    const r = await running;
    expect(r.status).toBe('failed');
    const changed = (
      await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.raw(target.table)} WHERE xm LIKE '%·改'`.execute(
        env.rt.kernel.db,
      )
    ).rows[0]!.n;
    expect(Number(changed)).toBe(0);
  }, 60_000);
});

describe('a connection test that cannot connect (hardening item 4)', () => {
  async function closedPort(): Promise<number> {
    const net = await import('node:net');
    return new Promise((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as import('node:net').AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
  }
  async function sourceOf(name: string, o: Partial<SourceInput>) {
    const target = await publish(`连接测试 ${name}`);
    const input = {
      name,
      resourceId: target.id,
      kind: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      database: 'postgres',
      user: 'postgres',
      table: 'people',
      mode: 'full',
      mapping: {},
      ...o,
    } as SourceInput;
    return (await inTx(env.rt.kernel.db, (tx) => createSource(ctx, tx, env.rt.kernel.masterKey, input))).id;
  }
  async function timed(id: string) {
    const t0 = Date.now();
    const r = await testSource(env.rt.kernel, ctx, id, 8000);
    return { ...r, ms: Date.now() - t0 };
  }

  it('PostgreSQL: a closed port and a wrong password each answer, with the reason', async () => {
    const closed = await timed(await sourceOf('PG 关闭的端口', { port: await closedPort() }));
    expect(closed).toMatchObject({ ok: false, reason: 'refused' });
    expect(closed.error).toContain('连接被拒绝');
    const u = new URL(inject('pgAdminUrl'));
    if (u.password) {
      // the test server asks for passwords (the embedded one does; a trust-auth server would let any password in)
      const wrong = await timed(
        await sourceOf('PG 错误密码', {
          host: u.hostname,
          port: Number(u.port),
          user: decodeURIComponent(u.username),
          password: 'wrong-password',
          database: 'postgres',
        }),
      );
      expect(wrong).toMatchObject({ ok: false, reason: 'auth' });
      expect(wrong.ms).toBeLessThan(8000);
    }
  });

  it.skipIf(!hasMariadb)('MySQL: a closed port and a wrong password each answer, with the reason', async () => {
    const closed = await timed(
      await sourceOf('MySQL 关闭的端口', { kind: 'mysql', port: await closedPort(), user: 'root', database: 'test' }),
    );
    expect(closed).toMatchObject({ ok: false, reason: 'refused' });
    const wrong = await timed(
      await sourceOf('MySQL 错误密码', {
        kind: 'mysql',
        port: 3306,
        user: 'gongshu_nobody',
        password: 'wrong-password',
        database: 'test',
      }),
    );
    expect(wrong).toMatchObject({ ok: false, reason: 'auth' });
    expect(wrong.ms).toBeLessThan(8000);
  });

  it('a port that accepts and never answers times out with the reason', async () => {
    const net = await import('node:net');
    const held: import('node:net').Socket[] = [];
    const silent = net.createServer((c) => held.push(c));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    try {
      const t0 = Date.now();
      const r = await testSource(
        env.rt.kernel,
        ctx,
        await sourceOf('MySQL 不应答', { kind: 'mysql', port, user: 'root', database: 'test' }),
        3000,
      );
      expect(r).toMatchObject({ ok: false, reason: 'timeout' });
      expect(Date.now() - t0).toBeLessThan(8000);
    } finally {
      for (const c of held) c.destroy();
      silent.close();
    }
  });
});
