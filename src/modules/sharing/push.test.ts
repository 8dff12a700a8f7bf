/**
 * 库表推送 into real consumer databases (the machine's PostgreSQL at 127.0.0.1:5432 and MariaDB at
 * 127.0.0.1:3306): the grant's view, masked, lands in the consumer's table with a delivery id; a
 * second push with nothing new writes nothing; a later aggregation run's changes are pushed as
 * upserts; the scheduled dispatch runs once a minute per target; a revoked grant pushes nothing.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { approvedGrant } from '../../../test/support/share.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { publishResource } from '../../../test/support/publish.js';
import { systemCtx } from '../../kernel/http/context.js';
import type { DataItem } from '../catalog/schema.js';
import { runIngest } from '../aggregation/service.js';
import { dispatchPushes } from './push.js';

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
    label: '面积',
    type: 'decimal',
    precision: 12,
    scale: 2,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
];
const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';

async function up(f: () => Promise<unknown>) {
  try {
    await f();
    return true;
  } catch {
    return false;
  }
}
const hasPg = await up(async () => {
  const c = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 2000 });
  await c.connect();
  await c.end();
});
const hasMariadb = await up(async () =>
  (await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', connectTimeout: 2000 })).end(),
);
if (!hasPg) console.warn('[sharing] no PostgreSQL at 127.0.0.1:5432: the push-to-PostgreSQL test is SKIPPED');
if (!hasMariadb) console.warn('[sharing] no MariaDB/MySQL at 127.0.0.1:3306: the push-to-MySQL test is SKIPPED');

let env: TestEnv;
let zjj: Session;
let resourceId: string;
let grantId: number;
const target = `gs_push_${randomBytes(4).toString('hex')}`;
const ingest = (rows: string[][], mode: 'full' | 'upsert' = 'upsert') =>
  runIngest(env.rt.kernel, systemCtx('test'), {
    resourceId,
    mode,
    source: 'test',
    columns: ITEMS.map((i) => i.name),
    rows: (async function* () {
      yield rows.map((values, i) => ({ row: i + 1, values }));
    })(),
  });

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  resourceId = (
    await publishResource(env.rt.kernel, {
      department: '淄博市自然资源和规划局',
      name: '不动产登记信息',
      items: ITEMS,
      shareType: 'conditional',
    })
  ).id;
  await ingest(
    Array.from({ length: 5 }, (_, i) => [`BDC${i}`, `业主${'甲乙丙丁戊'[i]}`, String(80 + i)]),
    'full',
  );
  const g = await approvedGrant(env, { resourceId, fields: ['bdcqzh', 'qlrmc', 'mj'], services: ['push'] });
  ({ grantId, zjj } = g);
});
afterAll(async () => env.close());

const call = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: object, s = zjj) =>
  env.app.inject(as(s, { method, url, ...(payload && { payload }) }));

describe.skipIf(!hasPg)("push into the consumer's PostgreSQL", () => {
  let consumer: pg.Client;
  beforeAll(async () => {
    const a = new pg.Client({ connectionString: PG_ADMIN });
    await a.connect();
    await a.query(`CREATE DATABASE ${target}`);
    await a.end();
    consumer = new pg.Client({ connectionString: PG_ADMIN.replace(/postgres$/, target) });
    await consumer.connect();
  });
  afterAll(async () => {
    await consumer?.end();
    const a = new pg.Client({ connectionString: PG_ADMIN });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
    await a.end();
  });

  it('delivers the masked view, then only what later runs changed', async () => {
    // another department cannot set the target; a bad schedule is refused
    const rsj = await loginAs(env.app, 'rsj_officer', DEMO_PASSWORD);
    const cfg = {
      kind: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      database: target,
      user: 'postgres',
      table: 'bdc_djxx',
      schedule: '*/5 * * * *',
    };
    expect((await call('PUT', `/api/v1/share/grants/${grantId}/push`, cfg, rsj)).statusCode).toBe(404);
    expect(
      (await call('PUT', `/api/v1/share/grants/${grantId}/push`, { ...cfg, schedule: 'every day' })).statusCode,
    ).toBe(400);
    expect((await call('PUT', `/api/v1/share/grants/${grantId}/push`, cfg)).statusCode).toBe(200);
    const first = (await call('POST', `/api/v1/share/grants/${grantId}/push/run`)).json();
    expect(first).toMatchObject({ rows: 5 });
    const rows = (await consumer.query('SELECT bdcqzh, qlrmc, mj, _delivery_id FROM bdc_djxx ORDER BY bdcqzh')).rows;
    expect(rows.map((r) => `${r.bdcqzh}|${r.qlrmc}|${r.mj}`)).toEqual([
      'BDC0|业**|80.00',
      'BDC1|业**|81.00',
      'BDC2|业**|82.00',
      'BDC3|业**|83.00',
      'BDC4|业**|84.00',
    ]);
    expect(new Set(rows.map((r) => r._delivery_id))).toEqual(new Set([first.deliveryId]));
    expect((await call('POST', `/api/v1/share/grants/${grantId}/push/run`)).json()).toMatchObject({
      rows: 0,
      deliveryId: null,
    });
    // a later run changes one row and adds one: exactly those two are pushed
    await ingest([
      ['BDC1', '业主乙', '99'],
      ['BDC5', '业主己', '85'],
    ]);
    const second = (await call('POST', `/api/v1/share/grants/${grantId}/push/run`)).json();
    expect(second).toMatchObject({ rows: 2 });
    const after = (await consumer.query('SELECT bdcqzh, mj, _delivery_id FROM bdc_djxx ORDER BY bdcqzh')).rows;
    expect(after).toHaveLength(6);
    expect(after.find((r) => r.bdcqzh === 'BDC1')).toMatchObject({ mj: '99.00', _delivery_id: second.deliveryId });
    expect(after.find((r) => r.bdcqzh === 'BDC0')).toMatchObject({ _delivery_id: first.deliveryId });
    // each push is a delivery and an audit entry
    const audit = (
      await env.rt.kernel.pool.query(`SELECT detail FROM kernel.audit_log WHERE action = 'service.push' ORDER BY seq`)
    ).rows.map((r) => r.detail);
    expect(audit.map((d) => d.rows)).toEqual([5, 2]);
    expect((await call('GET', `/api/v1/share/deliveries/${second.deliveryId}`)).json()).toMatchObject({
      format: 'push',
      rows: 2,
    });
    // the schedule: due at minute 10, not at minute 11; once per minute however many processes ask
    await ingest([['BDC6', '业主庚', '86']]);
    expect(await dispatchPushes(env.rt.kernel, new Date('2026-11-23T02:11:00Z'))).toEqual([]);
    const [a, b] = await Promise.all([
      dispatchPushes(env.rt.kernel, new Date('2026-11-23T02:10:00Z')),
      dispatchPushes(env.rt.kernel, new Date('2026-11-23T02:10:30Z')),
    ]);
    expect([...a, ...b]).toEqual([grantId]);
    expect((await consumer.query('SELECT count(*)::int AS n FROM bdc_djxx')).rows[0].n).toBe(7);
    expect((await call('GET', `/api/v1/share/grants/${grantId}/push`)).json()).toMatchObject({
      table: 'bdc_djxx',
      lastError: null,
    });
  });

  it('carries a correction made through an objection to the target', async () => {
    const zrzy = await loginAs(env.app, 'zrzy_officer', DEMO_PASSWORD);
    const { id } = (
      await call('POST', '/api/v1/objections', {
        resourceId,
        recordKey: { bdcqzh: 'BDC2' },
        field: 'mj',
        proposedValue: '55.5',
        description: '面积与权证记载不符',
      })
    ).json();
    expect((await call('POST', `/api/v1/objections/${id}/accept`, { accept: true }, zrzy)).statusCode).toBe(200);
    expect(
      (
        await call(
          'POST',
          `/api/v1/objections/${id}/handle`,
          { decision: 'correct', changes: { mj: '55.5' }, reason: '核对不动产权证书' },
          zrzy,
        )
      ).json().status,
    ).toBe('corrected');
    // the correction is a run of its own, and the next push carries exactly that row
    const run = (
      await env.rt.kernel.pool.query(
        `SELECT mode, source FROM ingest.run WHERE resource_id = $1 ORDER BY id DESC LIMIT 1`,
        [resourceId],
      )
    ).rows[0];
    expect(run).toEqual({ mode: 'correction', source: `异议更正 #${id}` });
    expect((await call('POST', `/api/v1/share/grants/${grantId}/push/run`)).json()).toMatchObject({ rows: 1 });
    expect((await consumer.query(`SELECT mj FROM bdc_djxx WHERE bdcqzh = 'BDC2'`)).rows[0].mj).toBe('55.50');
  });

  it('keys the target on a pseudonym when the business key leaves masked: look-alike identifiers stay apart', async () => {
    const people: DataItem[] = [
      {
        name: 'sfzh',
        label: '公民身份号码',
        type: 'string',
        length: 18,
        primaryKey: true,
        incremental: false,
        grade: 3,
        masking: 'ric',
      },
      {
        name: 'xm',
        label: '姓名',
        type: 'string',
        length: 50,
        primaryKey: false,
        incremental: false,
        grade: 2,
        masking: 'name',
      },
    ];
    const rid = (
      await publishResource(env.rt.kernel, {
        department: '淄博市自然资源和规划局',
        name: '人员登记信息',
        items: people,
        shareType: 'conditional',
      })
    ).id;
    // 62 people whose identifiers share the six first and four last characters: they all mask alike
    const rows = Array.from({ length: 62 }, (_, i) => [`370303${19600101 + i}1234`, `人员${i}`]);
    expect(new Set(rows.map(([id]) => `${id!.slice(0, 6)}${id!.slice(-4)}`)).size).toBe(1);
    await runIngest(env.rt.kernel, systemCtx('test'), {
      resourceId: rid,
      mode: 'full',
      source: 'test',
      columns: ['sfzh', 'xm'],
      rows: (async function* () {
        yield rows.map((values, i) => ({ row: i + 1, values }));
      })(),
    });
    const g = await approvedGrant(env, { resourceId: rid, fields: ['sfzh', 'xm'], services: ['push'] });
    const put = await env.app.inject(
      as(g.zjj, {
        method: 'PUT',
        url: `/api/v1/share/grants/${g.grantId}/push`,
        payload: {
          kind: 'postgres',
          host: '127.0.0.1',
          port: 5432,
          database: target,
          user: 'postgres',
          table: 'ry_djxx',
        },
      }),
    );
    expect(put.statusCode).toBe(200);
    const pushed = (
      await env.app.inject(as(g.zjj, { method: 'POST', url: `/api/v1/share/grants/${g.grantId}/push/run` }))
    ).json();
    expect(pushed).toMatchObject({ rows: 62 });
    const at = (await consumer.query('SELECT _gs_key, sfzh FROM ry_djxx')).rows;
    expect(at).toHaveLength(62);
    expect(at.every((r) => /^\d{6}\*{8}\d{4}$/.test(r.sfzh) && /^[0-9a-f]{64}$/.test(r._gs_key))).toBe(true);
    // a second push of the same rows (after a run that touched them) overwrites, never duplicates
    await runIngest(env.rt.kernel, systemCtx('test'), {
      resourceId: rid,
      mode: 'upsert',
      source: 'test',
      columns: ['sfzh', 'xm'],
      rows: (async function* () {
        yield rows.map(([id], i) => ({ row: i + 1, values: [id!, `改名${i}`] }));
      })(),
    });
    expect(
      (await env.app.inject(as(g.zjj, { method: 'POST', url: `/api/v1/share/grants/${g.grantId}/push/run` }))).json(),
    ).toMatchObject({ rows: 62 });
    expect(
      (
        await consumer.query(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE xm LIKE '改%')::int AS renamed FROM ry_djxx`,
        )
      ).rows[0],
    ).toEqual({ n: 62, renamed: 62 });
  });
});

describe.skipIf(!hasMariadb)("push into the consumer's MariaDB", () => {
  let my: mysql.Connection;
  beforeAll(async () => {
    my = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', charset: 'utf8mb4' });
    await my.query(`CREATE DATABASE ${target} CHARACTER SET utf8mb4`);
  });
  afterAll(async () => {
    await my?.query(`DROP DATABASE IF EXISTS ${target}`);
    await my?.end();
  });

  it('creates the table and upserts the masked rows; a wrong password is kept as the last error', async () => {
    await env.rt.kernel.pool.query('DELETE FROM share.push_target WHERE grant_id = $1', [grantId]);
    const cfg = { kind: 'mysql', host: '127.0.0.1', port: 3306, database: target, user: 'root', table: 'bdc_djxx' };
    expect((await call('PUT', `/api/v1/share/grants/${grantId}/push`, cfg)).statusCode).toBe(200);
    const r = (await call('POST', `/api/v1/share/grants/${grantId}/push/run`)).json();
    expect(r.rows).toBeGreaterThanOrEqual(5);
    const [rows] = (await my.query(`SELECT bdcqzh, qlrmc, mj FROM ${target}.bdc_djxx ORDER BY bdcqzh`)) as unknown as [
      { bdcqzh: string; qlrmc: string; mj: string }[],
    ];
    expect(rows[0]).toEqual({ bdcqzh: 'BDC0', qlrmc: '业**', mj: '80.00' });
    expect(rows).toHaveLength(r.rows);
    await ingest([['BDC0', '业主甲', '70']]);
    expect((await call('POST', `/api/v1/share/grants/${grantId}/push/run`)).json().rows).toBe(1);
    const [again] = (await my.query(`SELECT mj FROM ${target}.bdc_djxx WHERE bdcqzh = 'BDC0'`)) as unknown as [
      { mj: string }[],
    ];
    expect(again[0]!.mj).toBe('70.00');
    await call('PUT', `/api/v1/share/grants/${grantId}/push`, { ...cfg, user: 'nobody', password: 'wrong' });
    await ingest([['BDC0', '业主甲', '71']]);
    const failed = await call('POST', `/api/v1/share/grants/${grantId}/push/run`);
    expect(failed.json()).toMatchObject({ status: 502, code: 'SHARE_PUSH_FAILED' });
    expect((await call('GET', `/api/v1/share/grants/${grantId}/push`)).json().lastError).toMatch(/denied|nobody/i);
    // a failed push is a failed delivery, in the delivery record and in the audit
    const entry = (
      await env.rt.kernel.pool.query(
        `SELECT detail FROM kernel.audit_log WHERE action = 'service.push.failed' ORDER BY seq DESC LIMIT 1`,
      )
    ).rows[0]?.detail;
    expect(entry).toMatchObject({ grant: grantId, written: 0 });
    expect(entry.error).toMatch(/denied|nobody/i);
    expect((await call('GET', `/api/v1/share/deliveries/${entry.delivery}`)).json()).toMatchObject({
      completedAt: null,
      error: expect.stringMatching(/denied|nobody/i),
    });
    const usage = (await call('GET', `/api/v1/share/grants/${grantId}/stats`)).json();
    expect(usage.deliveries.find((d: { id: string }) => d.id === entry.delivery)).toMatchObject({
      completed: false,
      failed: true,
    });
  });
});

describe('push under a revoked grant', () => {
  it('pushes nothing', async () => {
    const zrzy = await loginAs(env.app, 'zrzy_officer', DEMO_PASSWORD);
    if (!(await env.rt.kernel.pool.query('SELECT 1 FROM share.push_target WHERE grant_id = $1', [grantId])).rowCount) {
      await env.rt.kernel.pool.query(
        `INSERT INTO share.push_target (grant_id, kind, host, port, database, username, table_name, created_by) VALUES ($1, 'postgres', '127.0.0.1', 5432, 'none', 'postgres', 't', 'test')`,
        [grantId],
      );
    }
    expect(
      (await call('POST', `/api/v1/share/grants/${grantId}/revoke`, { reason: '停止使用' }, zrzy)).statusCode,
    ).toBe(204);
    expect((await call('POST', `/api/v1/share/grants/${grantId}/push/run`)).json().code).toBe('SHARE_GRANT_REVOKED');
  });
});
