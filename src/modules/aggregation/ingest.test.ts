import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, TEST_MASTER_KEY, type TestEnv } from '../../../test/support/db.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs } from '../../../test/support/http.js';
import { systemCtx } from '../../kernel/http/context.js';
import { PACKAGE_ROOT } from '../../kernel/paths.js';
import { publishResource } from '../../../test/support/publish.js';
import type { DataItem } from '../catalog/schema.js';
import { GongshuClient } from '../../client/index.js';
import { failStaleRuns, openCsv, openJson, openXlsx, runIngest } from './service.js';
import ExcelJS from '../../kernel/xlsx.js';

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
    name: 'xb',
    label: '性别',
    type: 'code',
    length: 1,
    codeTable: 'xb',
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
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
];
const HEADER = '公民身份号码,姓名,性别,出生日期,缴费基数';
const ROWS = [
  '370303199001010011,张三,1,1990-01-01,"5,000.00"',
  '370303199202020022,李四,2,1992/2/2,6000',
  '37030319930303003X,王五,1,1993年3月3日,7000.5',
];

let env: TestEnv;
let resourceId: string;
let table: string;
const dir = mkdtempSync(path.join(os.tmpdir(), 'gs-ingest-'));
const ctx = systemCtx('test');

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}
async function load(
  p: string,
  mode: 'full' | 'upsert' = 'upsert',
  encoding: 'auto' | 'utf8' | 'gbk' | 'gb18030' = 'auto',
  headerRow = 1,
) {
  const f = await openCsv(p, { encoding, headerRow });
  return {
    f,
    r: await runIngest(env.rt.kernel, ctx, {
      resourceId,
      mode,
      source: path.basename(p),
      encoding: f.encoding,
      columns: f.columns,
      rows: f.rows,
      encode: f.encode,
      rowBasis: f.rowBasis,
      lineOf: f.lineOf,
      confirmDeletions: true,
    }),
  }; // these tests delete on purpose (the guard: messy-files.test.ts)
}
const stored = async () =>
  (
    await sql<
      Record<string, unknown>
    >`SELECT sfzh, xm, xb, csrq::text, jfjs::text FROM ${sql.raw(table)} ORDER BY sfzh`.execute(env.rt.kernel.db)
  ).rows;
const rejectsOf = async (run: number) =>
  (
    await env.rt.kernel.pool.query(
      'SELECT row_no::int AS row, field, reason_zh, raw_value FROM ingest.reject WHERE run_id = $1 ORDER BY row_no',
      [run],
    )
  ).rows;

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  const pub = await publishResource(env.rt.kernel, {
    department: '淄博市人力资源和社会保障局',
    name: '参保人员',
    items: ITEMS,
  });
  resourceId = pub.id;
  table = pub.datasetTable!;
});
afterAll(async () => env.close());

describe('ingest from files', () => {
  it('a first load with a repeated key: the last row wins, the earlier is rejected with its row number', async () => {
    const other = await publishResource(env.rt.kernel, { department: '淄博市民政局', name: '首次归集', items: ITEMS });
    const f = await openCsv(
      file(
        'first.csv',
        [
          HEADER,
          '370303199001010011,甲,1,1990-01-01,1',
          '370303199303030033,丁,1,1993-02-30,1',
          '370303199001010011,乙,1,1990-01-01,2',
          '370303199202020022,丙,2,1992-02-02,3',
        ].join('\n'),
      ),
    );
    const r = await runIngest(env.rt.kernel, ctx, {
      resourceId: other.id,
      mode: 'full',
      source: 'first.csv',
      columns: f.columns,
      rows: f.rows,
      encode: f.encode,
      lineOf: f.lineOf,
    });
    expect(r).toMatchObject({ status: 'succeeded', read: 4, inserted: 2, rejected: 2 });
    const names = (
      await sql<{ xm: string }>`SELECT xm FROM ${sql.raw(other.datasetTable!)} ORDER BY sfzh`.execute(env.rt.kernel.db)
    ).rows.map((x) => x.xm);
    expect(names).toEqual(['乙', '丙']);
    expect((await rejectsOf(r.run)).map((x) => [x.row, x.field, x.reason_zh])).toEqual([
      [2, 'sfzh', '业务主键“370303199001010011”重复，以第 4 行为准'],
      [3, 'csrq', '无法识别的日期“1993-02-30”'],
    ]);
    // the fresh table took the empty one's place with its key
    const pk = await env.rt.kernel.pool.query(
      `SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'`,
      [other.datasetTable],
    );
    expect(pk.rows.map((x) => x.conname)).toEqual([`${other.datasetTable!.split('.')[1]}_bk`]);
    const again = await runIngest(env.rt.kernel, ctx, {
      resourceId: other.id,
      mode: 'full',
      source: 'first.csv',
      ...(await openCsv(file('first.csv', [HEADER, '370303199202020022,丙,2,1992-02-02,4'].join('\n')))),
    });
    expect(again).toMatchObject({ status: 'succeeded', read: 1, updated: 1, deleted: 1 });
  });

  it('GBK, UTF-8 with BOM and CRLF, and a title row above the header all load to the same stored rows', async () => {
    const text = [HEADER, ...ROWS].join('\n');
    const gbk = await load(file('gbk.csv', iconv.encode(text, 'gbk')), 'full');
    expect(gbk.f.encoding).toBe('gb18030');
    expect(gbk.r).toMatchObject({ status: 'succeeded', read: 3, inserted: 3, rejected: 0 });
    const first = await stored();
    expect(first).toEqual([
      { sfzh: '370303199001010011', xm: '张三', xb: '1', csrq: '1990-01-01', jfjs: '5000.00' },
      { sfzh: '370303199202020022', xm: '李四', xb: '2', csrq: '1992-02-02', jfjs: '6000.00' },
      { sfzh: '37030319930303003X', xm: '王五', xb: '1', csrq: '1993-03-03', jfjs: '7000.50' },
    ]);
    const bom = await load(
      file(
        'bom.csv',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8')]),
      ),
      'full',
    );
    expect(bom.f.encoding).toBe('utf8');
    expect(bom.r).toMatchObject({ status: 'succeeded', read: 3, inserted: 0, updated: 0, unchanged: 3 });
    const titled = await load(file('title.csv', `淄博市参保人员名单（2026年）\n${text}`), 'full', 'auto', 2);
    expect(titled.r).toMatchObject({ status: 'succeeded', unchanged: 3 });
    expect(await stored()).toEqual(first);
  });

  it('an Excel sheet with a merged title row, date cells and a 合计 row loads to the same stored rows', async () => {
    const before = await stored();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('参保人员');
    ws.addRow(['淄博市参保人员名单（2026年）']);
    ws.mergeCells('A1:E1');
    ws.addRow(HEADER.split(','));
    ws.addRow(['370303199001010011', '张三', 1, new Date(Date.UTC(1990, 0, 1)), 5000]);
    ws.addRow(['370303199202020022', '李四', '2', '1992/2/2', '6,000']);
    ws.addRow(['37030319930303003X', '王五', 1, 34031, 7000.5]); // an Excel serial typed as a number
    ws.addRow(['合计', '', '', '', 18000.5]);
    const p = path.join(dir, 'people.xlsx');
    await wb.xlsx.writeFile(p);
    const f = await openXlsx(p);
    expect(f.columns).toEqual(HEADER.split(','));
    const r = await runIngest(env.rt.kernel, ctx, {
      resourceId,
      mode: 'full',
      source: 'people.xlsx',
      columns: f.columns,
      rows: f.rows,
      encode: f.encode,
    });
    expect(r).toMatchObject({ status: 'succeeded', read: 3, rejected: 0, inserted: 0, updated: 0, unchanged: 3 });
    expect(await stored()).toEqual(before);
  });

  it('JSON arrays and JSON Lines load to the same stored rows; a bad line is rejected', async () => {
    const before = await stored();
    const objs = [
      { 公民身份号码: '370303199001010011', 姓名: '张三', 性别: '1', 出生日期: '1990-01-01', 缴费基数: 5000 },
      { 公民身份号码: '370303199202020022', 姓名: '李四', 性别: 2, 出生日期: '1992/2/2', 缴费基数: '6,000' },
      { 公民身份号码: '37030319930303003X', 姓名: '王五', 性别: 1, 出生日期: '1993年3月3日', 缴费基数: 7000.5 },
    ];
    for (const [name, content] of [
      ['a.json', JSON.stringify(objs)],
      ['a.jsonl', objs.map((o) => JSON.stringify(o)).join('\n') + '\n{broken\n'],
    ] as const) {
      const f = await openJson(file(name, content));
      const r = await runIngest(env.rt.kernel, ctx, {
        resourceId,
        mode: 'full',
        source: name,
        columns: f.columns,
        rows: f.rows,
        encode: f.encode,
      });
      expect(r, name).toMatchObject({ status: 'succeeded', unchanged: 3, rejected: name.endsWith('l') ? 1 : 0 });
      expect(await stored()).toEqual(before);
    }
  });

  it('rejects ragged rows and an unterminated quote row by row, with reasons, and loads the rest', async () => {
    const text = [
      HEADER,
      '370303199404040044,赵六,2,1994-04-04,8000',
      '370303199505050055,钱七,1', // too few fields
      '370303199606060066,"孙八,1,1996-06-06,9000', // the quote never closes
      '370303199707070077,周九,2,1997-07-07,9100',
      '370303199808080088,吴十,2,1998-13-08,9200', // no such month
      '370303199909090099,郑十一,9,1999-09-09,9300,extra', // too many fields
      '370303200010100018,王十二,1,2000-10-10,9400',
    ].join('\n');
    const { r } = await load(file('bad.csv', text));
    expect(r).toMatchObject({ status: 'succeeded', read: 7, inserted: 3, rejected: 4 });
    const rejects = await rejectsOf(r.run);
    expect(rejects.map((x) => [x.row, x.field])).toEqual([
      [3, null],
      [4, null],
      [6, 'csrq'],
      [7, null],
    ]); // the file's own lines (the header is line 1)
    expect(rejects[0]!.reason_zh).toContain('本行有 3 列，表头有 5 列');
    expect(rejects[1]!.reason_zh).toBe('引号未闭合');
    expect(rejects[2]!.reason_zh).toContain('1998-13-08');
    // the rejects through the API and as .xlsx
    const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const api = (
      await env.app.inject(as(admin, { method: 'GET', url: `/api/v1/ingest/runs/${r.run}/rejects` }))
    ).json();
    expect(api.total).toBe(4);
    expect(api.items[2]).toMatchObject({ row: 6, field: 'csrq', value: '1998-13-08' });
    expect(api.rowBasis).toBe('line');
    const x = await env.app.inject(as(admin, { method: 'GET', url: `/api/v1/ingest/runs/${r.run}/rejects.xlsx` }));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets[0]!.rowCount).toBe(5);
    const names = (await stored()).map((x) => x.xm);
    expect(names).toEqual(expect.arrayContaining(['赵六', '周九', '王十二']));
    expect(names).not.toContain('孙八');
  });

  it('upserts by business key, keeps what changed in the history, and in full mode deletes what is gone', async () => {
    const text = [
      HEADER,
      '370303199001010011,张三丰,1,1990-01-01,5000',
      '370303199202020022,李四,2,1992-02-02,6000',
      '370303199202020022,李四（重复）,2,1992-02-02,6500',
    ].join('\n');
    const { r } = await load(file('change.csv', text), 'full');
    expect(r).toMatchObject({ status: 'succeeded', read: 3, inserted: 0, updated: 2, deleted: 4, rejected: 1 });
    expect((await rejectsOf(r.run))[0]!.reason_zh).toContain('重复，以第 4 行为准');
    expect(await stored()).toEqual([
      { sfzh: '370303199001010011', xm: '张三丰', xb: '1', csrq: '1990-01-01', jfjs: '5000.00' },
      { sfzh: '370303199202020022', xm: '李四（重复）', xb: '2', csrq: '1992-02-02', jfjs: '6500.00' },
    ]);
    const hist = (
      await env.rt.kernel.pool.query(
        `SELECT sfzh, xm, _hist_op FROM ${table.replace('ds.', 'ds_hist.')} WHERE _hist_run_id = $1 ORDER BY _hist_op, sfzh`,
        [r.run],
      )
    ).rows;
    expect(hist.filter((h) => h._hist_op === 'update').map((h) => h.xm)).toEqual(['张三', '李四']);
    expect(hist.filter((h) => h._hist_op === 'delete')).toHaveLength(4);
    const row = (
      await env.rt.kernel.pool.query(`SELECT _run_id, _source FROM ${table} WHERE sfzh = '370303199001010011'`)
    ).rows[0];
    expect(row).toEqual({ _run_id: r.run, _source: 'change.csv' });
  });

  it('in full mode a row rejected for a bad value is not deleted: the source still has it', async () => {
    const before = await stored();
    const text = [
      HEADER,
      '370303199001010011,张三丰,1,1990-02-30,5000',
      '370303199202020022,李四（重复）,2,1992-02-02,6500',
    ].join('\n');
    const { r } = await load(file('keep.csv', text), 'full');
    expect(r).toMatchObject({ status: 'succeeded', rejected: 1, deleted: 0, unchanged: 1 });
    expect(await stored()).toEqual(before);
  });

  it('uploads a file through the API: 202 with the run, then the run completes', async () => {
    const officer = await loginAs(env.app, 'rsj_officer', DEMO_PASSWORD);
    const text = [
      HEADER,
      '370303198701010012,上传甲,1,1987-01-01,100',
      '370303198801010018,上传乙,2,1988-01-01,200',
    ].join('\n');
    const res = await env.app.inject(
      as(officer, {
        method: 'POST',
        url: `/api/v1/ingest/upload?resourceId=${resourceId}&mode=upsert&fileName=up.csv`,
        headers: { 'content-type': 'text/csv' },
        payload: iconv.encode(text, 'gbk'),
      }),
    );
    expect(res.statusCode, res.body).toBe(202);
    const { run } = res.json();
    let got;
    for (let i = 0; i < 100; i++) {
      got = (await env.app.inject(as(officer, { method: 'GET', url: `/api/v1/ingest/runs/${run}` }))).json();
      if (got.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(got).toMatchObject({ status: 'succeeded', read: 2, inserted: 2, source: 'up.csv' });
    const other = await loginAs(env.app, 'gaj_officer', DEMO_PASSWORD);
    const refused = await env.app.inject(
      as(other, {
        method: 'POST',
        url: `/api/v1/ingest/upload?resourceId=${resourceId}`,
        headers: { 'content-type': 'text/csv' },
        payload: text,
      }),
    );
    expect(refused.json().code).toBe('FORBIDDEN_DEPARTMENT');
    const wrongType = await env.app.inject(
      as(officer, {
        method: 'POST',
        url: `/api/v1/ingest/upload?resourceId=${resourceId}`,
        headers: { 'content-type': 'image/png' },
        payload: 'x',
      }),
    );
    expect(wrongType.statusCode).toBe(415);
  });

  it('uploads an Excel file over 20 MB (streamed to disk, not buffered)', async () => {
    const p = path.join(dir, 'big.xlsx');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: p, useSharedStrings: false });
    const ws = wb.addWorksheet('参保');
    ws.addRow(HEADER.split(',').concat('备注')).commit();
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      // a long, incompressible remark makes the file large with few rows
      ws.addRow([
        `3703031960${String(100000 + i).slice(1)}0${i % 10}`.slice(0, 18),
        `大表${i}`,
        '1',
        '1960-01-01',
        i,
        randomBytes(360).toString('base64'),
      ]).commit();
    }
    await wb.commit();
    expect(statSync(p).size).toBeGreaterThan(20 * 1024 * 1024);
    const other = await publishResource(env.rt.kernel, {
      department: '淄博市人力资源和社会保障局',
      name: '大文件上传',
      items: ITEMS,
    });
    const officer = await loginAs(env.app, 'rsj_officer', DEMO_PASSWORD);
    const res = await env.app.inject(
      as(officer, {
        method: 'POST',
        url: `/api/v1/ingest/upload?resourceId=${other.id}&mode=full&fileName=big.xlsx`,
        headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
        payload: createReadStream(p),
      }),
    );
    expect(res.statusCode, res.body).toBe(202);
    let got;
    for (let i = 0; i < 600; i++) {
      got = (await env.app.inject(as(officer, { method: 'GET', url: `/api/v1/ingest/runs/${res.json().run}` }))).json();
      if (got.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await rejectsOf(got.id)).slice(0, 3)).toEqual([]);
    expect(got).toMatchObject({ status: 'succeeded', read: n, inserted: n, rejected: 0 });
  }, 180_000);

  it('departments push records with signed app requests, upserted by key', async () => {
    const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const mk = async (dept: string) =>
      (
        await env.app.inject(
          as(admin, { method: 'POST', url: '/api/v1/app-credentials', payload: { name: '推送', departmentId: dept } }),
        )
      ).json();
    const rsjApp = await mk(
      (
        await env.rt.kernel.db
          .selectFrom('kernel.department')
          .select('id')
          .where('name', '=', '淄博市人力资源和社会保障局')
          .executeTakeFirstOrThrow()
      ).id,
    );
    const gajApp = await mk(
      (
        await env.rt.kernel.db
          .selectFrom('kernel.department')
          .select('id')
          .where('name', '=', '淄博市公安局')
          .executeTakeFirstOrThrow()
      ).id,
    );
    const push = async (app: { credential: { appKey: string }; appSecret: string }, body: unknown) => {
      const c = new GongshuClient({
        baseUrl: 'http://localhost',
        appKey: app.credential.appKey,
        appSecret: app.appSecret,
      });
      const s = c.prepare('POST', `/api/v1/ingest/push/${resourceId}`, body);
      return env.app.inject({
        method: 'POST',
        url: `/api/v1/ingest/push/${resourceId}`,
        headers: s.headers,
        payload: s.body,
      });
    };
    const records = [
      { sfzh: '370303198901010013', xm: '推送甲', xb: '1', csrq: '1989-01-01', jfjs: 100 },
      { sfzh: '370303198902020019', xm: '推送乙', xb: '2', csrq: '1989-02-30', jfjs: 200 },
    ];
    const res = await push(rsjApp, { records });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'succeeded',
      read: 2,
      inserted: 1,
      rejected: 1,
      rejects: [{ row: 2, field: 'csrq', value: '1989-02-30' }],
    });
    expect((await push(rsjApp, { records: [{ ...records[0], xm: '推送甲改' }] })).json()).toMatchObject({ updated: 1 });
    expect((await push(gajApp, { records })).json().code).toBe('FORBIDDEN_DEPARTMENT');
  });

  it('a run that fails mid-way changes nothing; running again is safe', async () => {
    const before = await stored();
    async function* broken() {
      yield { row: 1, values: ['370303198001010015', '新人', '1', '1980-01-01', '1'] };
      throw new Error('the source went away');
    }
    const r = await runIngest(env.rt.kernel, ctx, {
      resourceId,
      mode: 'full',
      source: 'broken',
      columns: HEADER.split(','),
      rows: broken(),
    });
    expect(r).toMatchObject({ status: 'failed', error: 'the source went away' });
    expect(await stored()).toEqual(before);
    const run = (await env.rt.kernel.pool.query('SELECT status, error FROM ingest.run WHERE id = $1', [r.run])).rows[0];
    expect(run.status).toBe('failed');
  });

  it('marks a run whose worker died as failed', async () => {
    const ins = await env.rt.kernel.pool.query(
      `INSERT INTO ingest.run (resource_id, source, mode, heartbeat_at) VALUES ($1, 'killed', 'full', now() - interval '5 minutes') RETURNING id`,
      [resourceId],
    );
    expect(await failStaleRuns(env.rt.kernel.pool)).toBe(1);
    const run = (await env.rt.kernel.pool.query('SELECT status, error FROM ingest.run WHERE id = $1', [ins.rows[0].id]))
      .rows[0];
    expect(run).toMatchObject({ status: 'failed', error: expect.stringContaining('原有数据保持不变') });
  });

  it('`gongshu ingest --json` prints the contract and exits 0 when the run completed', async () => {
    const code = (await env.rt.kernel.pool.query('SELECT code FROM catalog.resource WHERE id = $1', [resourceId]))
      .rows[0].code;
    const p = file(
      'cli.csv',
      [
        HEADER,
        '370303198501010010,陈一,1,1985-01-01,100',
        'x,陈二,1,1985-01-01,100',
        '370303198601010016,陈三,3,1986-02-30,100',
      ].join('\n'),
    );
    const res = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(PACKAGE_ROOT, 'src/cli.ts'),
        'ingest',
        p,
        '--resource',
        code,
        '--mode',
        'upsert',
        '--json',
        '--data-dir',
        env.dataDir,
      ],
      {
        env: { ...process.env, DATABASE_URL: env.dbUrl, GONGSHU_MASTER_KEY: TEST_MASTER_KEY },
        encoding: 'utf8',
      },
    );
    expect(res.status, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(out).toMatchObject({ read: 3, inserted: 2, updated: 0, unchanged: 0, deleted: 0, rejected: 1 });
    expect(out.rejects).toEqual([
      { row: 4, field: 'csrq', reason: expect.stringContaining('1986-02-30'), value: '1986-02-30' },
    ]);
    expect(typeof out.run).toBe('number');
  });
});
