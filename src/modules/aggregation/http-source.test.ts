/**
 * An HTTP JSON API source: a real HTTP server on 127.0.0.1 answering page by page, as a
 * department's API would — full and incremental pulls, a server that goes away mid-run, an API that
 * ignores the page parameter, and the secret sent in a header.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs } from '../../../test/support/http.js';
import { systemCtx } from '../../kernel/http/context.js';
import { inTx } from '../../kernel/http/tx.js';
import { publishResource } from '../../../test/support/publish.js';
import type { DataItem } from '../catalog/schema.js';
import { createSource, runSource, testSource, type SourceInput } from './service.js';
import { later } from './http.js';

const ITEMS: DataItem[] = [
  {
    name: 'hh',
    label: '户号',
    type: 'string',
    length: 20,
    primaryKey: true,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'yl',
    label: '用水量',
    type: 'decimal',
    precision: 12,
    scale: 2,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'gxsj',
    label: '更新时间',
    type: 'datetime',
    primaryKey: false,
    incremental: true,
    grade: 1,
    masking: 'none',
  },
];
const ctx = systemCtx('test');
const TOKEN = 'Bearer s3cret-water';
let env: TestEnv;
let server: http.Server;
let base: string;
/** the department's data, and how the server behaves */
const records: { hh: string; yl: number; gxsj: string }[] = [];
let dieOnPage: number | null = null;
let ignorePage = false;
const asked: string[] = [];

beforeAll(async () => {
  env = await testEnv({ outboundAllow: ['127.0.0.1'] }); // the test's API runs on loopback: allowed explicitly (SSRF guard)
  await seeded(env);
  for (let i = 1; i <= 25; i++)
    records.push({
      hh: `HH${String(i).padStart(5, '0')}`,
      yl: i * 1.5,
      gxsj: `2026-11-01 08:00:${String(i).padStart(2, '0')}`,
    });
  server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    asked.push(u.search);
    if (req.headers.authorization !== TOKEN) return void res.writeHead(401).end('{"msg":"unauthorized"}');
    const page = ignorePage ? 1 : Number(u.searchParams.get('pageNo'));
    if (dieOnPage !== null && page >= dieOnPage) return void req.socket.destroy(); // the API goes away mid-run
    const size = Number(u.searchParams.get('pageSize'));
    const since = u.searchParams.get('since');
    const list = records.filter((r) => since === null || r.gxsj > since).slice((page - 1) * size, page * size);
    // another department's API names its fields in its own way
    const out = u.pathname.endsWith('/readings')
      ? list.map((r) => ({
          户号: r.hh,
          usage: r.yl.toLocaleString('en-US', { minimumFractionDigits: 1 }),
          state: r.yl > 30 ? '停用' : '正常',
          更新时间: r.gxsj,
        }))
      : list;
    res
      .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
      .end(JSON.stringify({ code: 0, data: { total: records.length, list: out } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/water/meters`;
});
afterAll(async () => {
  server.close();
  await env.close();
});

async function source(name: string, over: Partial<SourceInput> = {}) {
  const target = await publishResource(env.rt.kernel, {
    department: '淄博市人力资源和社会保障局',
    name,
    items: ITEMS,
    shareMethods: ['database'],
  });
  const input: SourceInput = {
    name,
    resourceId: target.id,
    kind: 'http',
    url: base,
    recordsPath: 'data.list',
    pageParam: 'pageNo',
    sizeParam: 'pageSize',
    pageSize: 10,
    secretHeader: 'Authorization',
    password: TOKEN,
    mode: 'full',
    mapping: {},
    ...over,
  };
  const id = (await inTx(env.rt.kernel.db, (tx) => createSource(ctx, tx, env.rt.kernel.masterKey, input))).id;
  return { id, table: target.datasetTable! };
}
const rowsOf = async (table: string) =>
  (
    await sql<{ hh: string; yl: string }>`SELECT hh, yl::text FROM ${sql.raw(table)} ORDER BY hh`.execute(
      env.rt.kernel.db,
    )
  ).rows;

describe('an HTTP JSON API source', () => {
  it('is pulled page by page with the secret in its header, then incrementally after the watermark', async () => {
    const s = await source('水表读数', { mode: 'incremental', watermark: 'gxsj', sinceParam: 'since' });
    expect(await testSource(env.rt.kernel, ctx, s.id)).toMatchObject({ ok: true, columns: ['hh', 'yl', 'gxsj'] });
    asked.length = 0;
    expect(await runSource(env.rt.kernel, ctx, s.id)).toMatchObject({ status: 'succeeded', read: 25, inserted: 25 });
    expect(asked).toEqual(['?pageNo=1&pageSize=10', '?pageNo=2&pageSize=10', '?pageNo=3&pageSize=10']); // the third page is short: done
    expect((await rowsOf(s.table))[24]).toEqual({ hh: 'HH00025', yl: '37.50' });
    const wm = (
      await env.rt.kernel.pool.query('SELECT watermark, secret_sealed, config FROM ingest.source WHERE id = $1', [s.id])
    ).rows[0];
    expect(wm.watermark).toBe('2026-11-01 08:00:25');
    expect(JSON.stringify(wm)).not.toContain('s3cret');

    records.push({ hh: 'HH00026', yl: 99, gxsj: '2026-11-02 09:00:00' });
    records[0]!.yl = 2;
    records[0]!.gxsj = '2026-11-02 09:00:01';
    asked.length = 0;
    expect(await runSource(env.rt.kernel, ctx, s.id)).toMatchObject({
      status: 'succeeded',
      read: 2,
      inserted: 1,
      updated: 1,
      deleted: 0,
    });
    expect(asked).toEqual(['?pageNo=1&pageSize=10&since=2026-11-01+08%3A00%3A25']);
    expect((await rowsOf(s.table))[0]).toEqual({ hh: 'HH00001', yl: '2.00' });
  });

  it('an API that goes away mid-run leaves the data as it was, and the run can be repeated', async () => {
    const s = await source('水表全量');
    expect(await runSource(env.rt.kernel, ctx, s.id)).toMatchObject({ status: 'succeeded', inserted: 26 });
    const before = await rowsOf(s.table);
    records.push({ hh: 'HH00027', yl: 1, gxsj: '2026-11-03 00:00:00' });
    dieOnPage = 2;
    const broken = await runSource(env.rt.kernel, ctx, s.id);
    expect(broken.status).toBe('failed');
    expect(await rowsOf(s.table)).toEqual(before);
    dieOnPage = null;
    expect(await runSource(env.rt.kernel, ctx, s.id)).toMatchObject({
      status: 'succeeded',
      read: 27,
      inserted: 1,
      deleted: 0,
    });
  });

  it('says what is wrong: a refused secret, an API that ignores the page parameter', async () => {
    const s = await source('水表错误密钥', { password: 'Bearer wrong' });
    const t = await testSource(env.rt.kernel, ctx, s.id);
    expect(t.ok).toBe(false);
    expect(t.error).toContain('HTTP 401');
    const r = await runSource(env.rt.kernel, ctx, s.id);
    expect(r).toMatchObject({ status: 'failed', read: 0 });

    const same = await source('水表忽略页码');
    ignorePage = true;
    try {
      const x = await runSource(env.rt.kernel, ctx, same.id);
      expect(x.status).toBe('failed');
      expect(x.error).toContain('"pageNo"');
      expect(await rowsOf(same.table)).toEqual([]);
    } finally {
      ignorePage = false;
    }
  });

  it('previews the first rows as they will be stored; the mapping and code map edited in the console apply to runs', async () => {
    const items: DataItem[] = [
      ...ITEMS,
      {
        name: 'zt',
        label: '状态',
        type: 'code',
        length: 1,
        primaryKey: false,
        incremental: false,
        grade: 1,
        masking: 'none',
      },
    ];
    const target = await publishResource(env.rt.kernel, {
      department: '淄博市人力资源和社会保障局',
      name: '水表读数（映射）',
      items,
      shareMethods: ['database'],
    });
    const officer = await loginAs(env.app, 'rsj_officer', DEMO_PASSWORD);
    const created = await env.app.inject(
      as(officer, {
        method: 'POST',
        url: '/api/v1/sources',
        payload: {
          name: '水务读数接口',
          resourceId: target.id,
          kind: 'http',
          url: base.replace(/meters$/, 'readings'),
          recordsPath: 'data.list',
          pageParam: 'pageNo',
          sizeParam: 'pageSize',
          pageSize: 10,
          secretHeader: 'Authorization',
          password: TOKEN,
          mode: 'full',
          mapping: {},
        },
      }),
    );
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const preview = async (body?: object) =>
      (
        await env.app.inject(
          as(officer, { method: 'POST', url: `/api/v1/sources/${id}/preview`, ...(body && { payload: body }) }),
        )
      ).json();

    const p1 = await preview();
    expect(p1.columns).toEqual(['户号', 'usage', 'state', '更新时间']);
    // suggested by label: 户号 → hh, 更新时间 → gxsj; usage and state match nothing yet
    expect(p1.items.map((i: { name: string; column: string | null }) => [i.name, i.column])).toEqual([
      ['hh', '户号'],
      ['yl', null],
      ['gxsj', '更新时间'],
      ['zt', null],
    ]);
    expect(p1.rows).toHaveLength(10);
    expect(p1.rows[0]).toEqual({
      row: 1,
      values: { hh: 'HH00001', yl: null, gxsj: `${records[0]!.gxsj}+08`, zt: null },
      errors: {},
    });

    const edits = { mapping: { yl: 'usage', zt: 'state' }, codeMaps: { zt: { 正常: '1', 停用: '0' } } };
    const p2 = await preview(edits);
    expect(p2.rows[0].values).toMatchObject({ yl: records[0]!.yl.toFixed(1), zt: '1' });
    const rejected = await preview({ mapping: { yl: 'usage', zt: 'state' } }); // without the code map 停用/正常 are too long for a 1-character code
    expect(rejected.rows[0].errors.zt.en).toBe('length 2 exceeds 1');

    const saved = await env.app.inject(
      as(officer, { method: 'PATCH', url: `/api/v1/sources/${id}`, payload: { ...edits, schedule: '30 2 * * *' } }),
    );
    expect(saved.statusCode, saved.body).toBe(204);
    const bad = await env.app.inject(
      as(officer, { method: 'PATCH', url: `/api/v1/sources/${id}`, payload: { mapping: { nosuch: 'usage' } } }),
    );
    expect(bad.json()).toMatchObject({ code: 'VALIDATION', field: 'mapping' });
    const listed = (await env.app.inject(as(officer, { method: 'GET', url: '/api/v1/sources' })))
      .json()
      .items.find((x: { id: string }) => x.id === id);
    expect(listed).toMatchObject({
      kind: 'http',
      schedule: '30 2 * * *',
      mapping: edits.mapping,
      codeMaps: edits.codeMaps,
      url: expect.stringContaining('/readings'),
    });

    expect(await runSource(env.rt.kernel, ctx, id)).toMatchObject({
      status: 'succeeded',
      read: records.length,
      rejected: 0,
    });
    const stored = (
      await sql<{
        hh: string;
        yl: string;
        zt: string;
      }>`SELECT hh, yl::text, zt FROM ${sql.raw(target.datasetTable!)} ORDER BY hh`.execute(env.rt.kernel.db)
    ).rows;
    expect(stored[0]).toEqual({ hh: 'HH00001', yl: records[0]!.yl.toFixed(2), zt: '1' });
    expect(stored.find((r) => r.hh === 'HH00025')).toEqual({ hh: 'HH00025', yl: '37.50', zt: '0' });
  });

  it('compares watermarks as numbers when both are numbers, else as text', () => {
    expect(later('10', '9')).toBe(true);
    expect(later('2026-11-02', '2026-11-01 23:00')).toBe(true);
    expect(later('abc', '')).toBe(true);
  });
});
