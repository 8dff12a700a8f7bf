/**
 * Department files as they really come (hardening items 16, 17): phone numbers with hyphens, spaces,
 * +86 and full-width digits; a landline in a phone item; a broken CSV with a record over two lines and
 * a blank line; an .xlsx with a title and an empty row above its header. Every valid row is stored and
 * each reject is reported at the file's own line (CSV) or the sheet's row number (xlsx), through the
 * real upload route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import ExcelJS from '../../kernel/xlsx.js';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { publishResource } from '../../../test/support/publish.js';
import type { DataItem } from '../catalog/schema.js';
import { normalizePhone } from './clean.js';

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
    name: 'lxdh',
    label: '联系电话',
    type: 'string',
    length: 11,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'mobile',
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
];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let env: TestEnv;
let officer: Session;
let resourceId: string;
let table: string;

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  const r = await publishResource(env.rt.kernel, {
    department: '淄博市民政局',
    name: '低保对象联系信息',
    items: ITEMS,
  });
  resourceId = r.id;
  table = r.datasetTable!;
  officer = await loginAs(env.app, 'mzj_officer', DEMO_PASSWORD);
});
afterAll(async () => env.close());

async function upload(body: Buffer | string, type: string, name: string) {
  const res = await env.app.inject(
    as(officer, {
      method: 'POST',
      url: `/api/v1/ingest/upload?resourceId=${resourceId}&mode=upsert&fileName=${name}`,
      headers: { 'content-type': type },
      payload: body,
    }),
  );
  expect(res.statusCode, res.body).toBe(202);
  const { run } = res.json() as { run: number };
  for (let i = 0; i < 200; i++) {
    const r = (await env.app.inject(as(officer, { method: 'GET', url: `/api/v1/ingest/runs/${run}` }))).json();
    if (r.status !== 'running') break;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  const rejects = (
    await env.app.inject(as(officer, { method: 'GET', url: `/api/v1/ingest/runs/${run}/rejects?pageSize=100` }))
  ).json();
  return {
    run: (await env.app.inject(as(officer, { method: 'GET', url: `/api/v1/ingest/runs/${run}` }))).json(),
    rejects,
  };
}
const phoneOf = async (sfzh: string) =>
  (
    await sql<{ lxdh: string | null }>`SELECT lxdh FROM ${sql.raw(table)} WHERE sfzh = ${sfzh}`.execute(
      env.rt.kernel.db,
    )
  ).rows[0]?.lxdh;

describe('phone numbers (item 16)', () => {
  it('are normalised before their length is checked', () => {
    expect(normalizePhone('138-4534-3486')).toBe('13845343486');
    expect(normalizePhone('+86 138 4534 3486')).toBe('13845343486');
    expect(normalizePhone('１３８４５３４３４８６')).toBe('13845343486');
    expect(normalizePhone('0533-2354625')).toBe('05332354625');
    expect(normalizePhone('(0533)2354625')).toBe('05332354625');
    expect(normalizePhone('不详')).toBe('不详');
  });

  it('a mobile with hyphens and a landline in a phone item are stored, not rejected', async () => {
    const csv = [
      '公民身份号码,姓名,联系电话,出生日期',
      '370303199001010011,张三,138-4534-3486,1990-01-01',
      '370303199202020022,李四,0533-2354625,1992-02-02',
      '37030319930303003X,王五,+86 139 0533 1234,1993-03-03',
    ].join('\n');
    const { run, rejects } = await upload(csv, 'text/csv', 'phones.csv');
    expect(run).toMatchObject({ status: 'succeeded', read: 3, rejected: 0 });
    expect(rejects.total).toBe(0);
    expect(await phoneOf('370303199001010011')).toBe('13845343486');
    expect(await phoneOf('370303199202020022')).toBe('05332354625');
    expect(await phoneOf('37030319930303003X')).toBe('13905331234');
  });
});

describe('reject positions (item 17)', () => {
  it("a broken CSV reports the file's own lines", async () => {
    const lines = [
      '公民身份号码,姓名,联系电话,出生日期', // line 1
      '370303198001010015,赵一,13800000001,1980-01-01', // 2
      '370303198002020011,"钱二', // 3: a name over two lines
      '（曾用名）",13800000002,1980-02-02', // 4
      '', // 5: blank
      '370303198003030017,孙三,13800000003', // 6: too few fields
      '370303198004040013,李四,13800000004,1980-04-31', // 7: no such day
      '370303198005050019,周五,13800000005,1980-05-05', // 8
      '370303198006060015,吴六,13800000006,1980-06-06', // 9
      '370303198007070011,郑七,13800000007,1980-07-07,多余', // 10: too many fields
      '370303198008080017,王八,13800000008,1980-08-08', // 11
    ];
    const { run, rejects } = await upload(lines.join('\n'), 'text/csv', 'broken.csv');
    expect(run).toMatchObject({ status: 'succeeded', rejected: 3, rowBasis: 'line' });
    expect(rejects.rowBasis).toBe('line');
    expect(rejects.items.map((r: { row: number }) => r.row)).toEqual([6, 7, 10]);
    expect(await phoneOf('370303198008080017')).toBe('13800000008');
  });

  it("a titled sheet reports the sheet's row numbers", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('低保对象');
    ws.addRow(['淄博市低保对象联系信息（2026年11月）']);
    ws.mergeCells('A1:D1');
    ws.addRow([]);
    ws.addRow(['公民身份号码', '姓名', '联系电话', '出生日期']); // row 3
    for (let i = 4; i <= 45; i++) {
      const day = String(1 + (i % 28)).padStart(2, '0');
      const id = `3703031990${'01'}${day}${String(i).padStart(3, '0')}`;
      ws.addRow([
        `${id}${'0123456789X'[i % 11]}`.slice(0, 18),
        `对象${i}`,
        `138-0000-${String(i).padStart(4, '0')}`,
        i === 14 || i === 40 ? '1990-02-30' : `1990-01-${day}`,
      ]);
    }
    const { run, rejects } = await upload(Buffer.from(await wb.xlsx.writeBuffer()), XLSX, 'titled.xlsx');
    expect(run).toMatchObject({ status: 'succeeded', rowBasis: 'sheet_row' });
    expect(
      rejects.items.filter((r: { field: string }) => r.field === 'csrq').map((r: { row: number }) => r.row),
    ).toEqual([14, 40]);
  });
});

describe('a full run that would empty the table (item 19)', () => {
  it('a header-only file in full mode is refused and deletes nothing, unless the caller confirms', async () => {
    const count = async () =>
      Number(
        (await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.raw(table)}`.execute(env.rt.kernel.db)).rows[0]!.n,
      );
    const before = await count();
    expect(before).toBeGreaterThan(10);
    const full = (confirm: boolean) =>
      env.app.inject(
        as(officer, {
          method: 'POST',
          url: `/api/v1/ingest/upload?resourceId=${resourceId}&mode=full&fileName=empty.csv${confirm ? '&confirmDeletions=true' : ''}`,
          headers: { 'content-type': 'text/csv' },
          payload: '公民身份号码,姓名,联系电话,出生日期\n',
        }),
      );
    const refused = await full(false);
    const runId = refused.statusCode === 202 ? refused.json().run : null;
    for (let i = 0; runId && i < 100; i++) {
      const r = (await env.app.inject(as(officer, { method: 'GET', url: `/api/v1/ingest/runs/${runId}` }))).json();
      if (r.status !== 'running') {
        expect(r.status).toBe('failed');
        expect(r.error).toContain('confirmDeletions');
        break;
      }
      await new Promise((ok) => setTimeout(ok, 50));
    }
    if (!runId) expect(refused.json().code).toBe('INGEST_MASS_DELETE');
    expect(await count()).toBe(before);
    const confirmed = await full(true);
    expect(confirmed.statusCode).toBe(202);
    for (let i = 0; i < 100 && (await count()) > 0; i++) await new Promise((ok) => setTimeout(ok, 50));
    expect(await count()).toBe(0);
  });
});

describe('files that cannot be read say why (item 20)', () => {
  it('an empty file and a GBK file read as UTF-8', async () => {
    const empty = await env.app.inject(
      as(officer, {
        method: 'POST',
        url: `/api/v1/ingest/upload?resourceId=${resourceId}&fileName=empty.csv`,
        headers: { 'content-type': 'text/csv' },
        payload: '',
      }),
    );
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'INGEST_FILE', field: 'file' });
    const iconv = (await import('iconv-lite')).default;
    const gbk = iconv.encode(
      '公民身份号码,姓名,联系电话,出生日期\n370303199001010011,张三,13800000001,1990-01-01\n',
      'gbk',
    );
    const wrong = await env.app.inject(
      as(officer, {
        method: 'POST',
        url: `/api/v1/ingest/upload?resourceId=${resourceId}&fileName=gbk.csv&encoding=utf8`,
        headers: { 'content-type': 'text/csv' },
        payload: gbk,
      }),
    );
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'INGEST_FILE', field: 'encoding' });
    expect(wrong.json().detail).toContain('GBK');
  });
});

describe('uploads left by a killed process (item 20)', () => {
  it('are removed once stale; a fresh one (a run may be reading it) stays', async () => {
    const { mkdirSync, writeFileSync, utimesSync, existsSync } = await import('node:fs');
    const path = await import('node:path');
    const { removeStaleUploads } = await import('./upload.js');
    const dir = path.join(env.dataDir, 'uploads');
    mkdirSync(dir, { recursive: true });
    const old = path.join(dir, 'left-by-kill.csv');
    const fresh = path.join(dir, 'being-read.csv');
    writeFileSync(old, 'x');
    writeFileSync(fresh, 'y');
    const long = (Date.now() - 24 * 3600_000) / 1000;
    utimesSync(old, long, long);
    expect(removeStaleUploads(env.dataDir)).toBe(1);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });
});
