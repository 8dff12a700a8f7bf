/**
 * Governance against the real database: the SQL rules agree with the JavaScript ones; a file with
 * planted errors is ingested, its problems found by a set-based check, a blocking rule rejects at
 * ingest, a corrected file closes the problems and the score rises.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { systemCtx } from '../../kernel/http/context.js';
import { Synth } from '../../kernel/synth/index.js';
import vectors from '../../kernel/ids/fixtures/id-test-vectors.json' with { type: 'json' };
import { publishResource } from '../../../test/support/publish.js';
import type { DataItem } from '../catalog/schema.js';
import { openCsv, runIngest } from '../aggregation/service.js';
import { runDeadlines } from '../../kernel/deadlines/engine.js';
import { checkResource, saveRule, taskDeadline, processCheckRequests, validate, type ValueRule } from './service.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
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
    name: 'sjhm',
    label: '手机号码',
    type: 'string',
    length: 20,
    primaryKey: false,
    incremental: false,
    grade: 3,
    masking: 'mobile',
  },
  {
    name: 'xzqh',
    label: '行政区划代码',
    type: 'string',
    length: 6,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
];
const HEADER = '公民身份号码,姓名,性别,出生日期,手机号码,行政区划代码';
let env: TestEnv;
let officer: Session;
const dir = mkdtempSync(path.join(os.tmpdir(), 'gs-gov-'));
const ctx = systemCtx('test');

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  officer = await loginAs(env.app, 'rsj_officer', DEMO_PASSWORD);
});
afterAll(async () => env.close());

describe('the SQL rules', () => {
  it('give the same verdict as the JavaScript rules, value by value', async () => {
    const synth = new Synth({ seed: 11, invalidRate: 0.4 });
    const values: Record<ValueRule, string[]> = { ric: [], uscc: [], region: [], mobile: [], landline: [], email: [] };
    for (let i = 0; i < 400; i++) {
      const p = synth.person();
      const e = synth.enterprise();
      values.ric.push(p.ric);
      values.mobile.push(p.mobile);
      values.region.push(p.regionCode);
      values.email.push(p.email);
      values.uscc.push(e.uscc);
      values.landline.push(e.phone);
    }
    values.ric.push(
      ...vectors.ric_valid.map((v) => v.value),
      ...vectors.ric_invalid.map((v) => v.value),
      ...vectors.ric_region_history_only.map((v) => v.value),
      '11010519491231002x',
      '３７０３０３１９９００１０１００１１',
      '360426199113010079',
      '370303203001010011',
    );
    values.uscc.push(
      ...vectors.uscc_valid.map((v) => v.value),
      ...vectors.uscc_invalid.map((v) => v.value),
      '91350100M000100YI3',
    );
    values.region.push('110103', '999999', '37030', '３７０３０３');
    values.mobile.push('138 0013 8000', '１３８-００１３-８０００', '12800138000');
    values.landline.push('0533-2345678', '(010)62345678', '400-810-8888', '2345678', '0533-0345678');
    values.email.push('Zhang.San@ZIBO.gov.cn', 'zhangsan@', '张三@qq.com');
    for (const rule of Object.keys(values) as ValueRule[]) {
      const r = await env.rt.kernel.pool.query<{ v: string; problem: string | null }>(
        `SELECT v, gov.${rule}_problem(v) AS problem FROM unnest($1::text[]) v`,
        [values[rule]],
      );
      const sqlSays = r.rows.map((x) => [x.v, x.problem ?? '']);
      const jsSays = values[rule].map((v) => [v, validate(rule, v).reason]);
      expect(sqlSays, rule).toEqual(jsSays);
      expect(new Set(jsSays.map((x) => x[1])).size, `${rule} has valid and invalid values`).toBeGreaterThan(1);
    }
  });
});

describe('rules, checks, problems and scores', () => {
  const file = (name: string, rows: string[]) => {
    const p = path.join(dir, name);
    writeFileSync(p, [HEADER, ...rows].join('\n'));
    return p;
  };
  const load = async (resourceId: string, p: string) => {
    const f = await openCsv(p);
    return runIngest(env.rt.kernel, ctx, {
      resourceId,
      mode: 'full',
      source: path.basename(p),
      columns: f.columns,
      rows: f.rows,
      encode: f.encode,
    });
  };
  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    env.app.inject(as(officer, { method, url, ...(payload && { payload }) }));

  it('publishing adopts identity rules; a suggestion is offered only when the stored rows fit it; 男/女 are 性别 codes', async () => {
    const items: DataItem[] = [
      {
        name: 'tyshxydm',
        label: '统一社会信用代码',
        type: 'string',
        length: 18,
        primaryKey: true,
        incremental: false,
        identityKind: 'uscc',
        grade: 1,
        masking: 'none',
      },
      {
        name: 'fddbr_xb',
        label: '性别',
        type: 'string',
        length: 4,
        primaryKey: false,
        incremental: false,
        grade: 1,
        masking: 'none',
      },
      {
        name: 'lxsj',
        label: '联系手机',
        type: 'string',
        length: 20,
        primaryKey: false,
        incremental: false,
        grade: 2,
        masking: 'none',
      },
    ];
    // a department of its own, so the later tests' counts of 人社局 problems and tasks stay theirs
    const res = await publishResource(env.rt.kernel, {
      department: '淄博市市场监督管理局',
      name: '用人单位（建议）',
      items,
    });
    const scjg = await loginAs(env.app, 'scjg_officer', DEMO_PASSWORD);
    const usccs = [
      '91370300MA3C5U4R3N',
      '91370303MA3NHK1X2Q',
      '91370302MA3CBPXE1P',
      '91370304MA3MKQ9C8R',
      '91370305MA3D5BN13D',
      '91370306MA3NKJ7W6D',
    ];
    // four bad codes among them: flagged from the first run, before any officer adopted anything
    const rows = usccs.map((u, i) => [i < 2 ? u : `${u.slice(0, 17)}0`, i % 2 ? '女' : '男', `0533-23546${20 + i}`]);
    await runIngest(env.rt.kernel, ctx, {
      resourceId: res.id,
      mode: 'full',
      source: 'test',
      columns: items.map((i) => i.name),
      rows: (async function* () {
        yield rows.map((values, i) => ({ row: i + 1, values }));
      })(),
    });
    await processCheckRequests(env.rt.kernel); // the run's own check request: the later tests count theirs
    const invalid = rows.filter(([u]) => !validate('uscc', u!).valid).length;
    expect(invalid).toBeGreaterThan(0);
    const check = await checkResource(env.rt.kernel, ctx, res.id);
    expect(check.failingRows).toBe(invalid);
    const listed = (
      await env.app.inject(as(scjg, { method: 'GET', url: `/api/v1/governance/resources/${res.id}/rules` }))
    ).json();
    expect(listed.rules.map((r: { item: string; kind: string }) => `${r.item}:${r.kind}`)).toEqual(['tyshxydm:uscc']);
    const offered = Object.fromEntries(
      listed.suggestions.map((s: { item: string | null; kind: string; sample?: object }) => [
        `${s.item ?? '*'}:${s.kind}`,
        s.sample,
      ]),
    );
    // 男/女 fit the 性别 code table: offered, and nothing in the sample fails it
    expect(offered['fddbr_xb:code']).toEqual({ rows: 6, failing: 0 });
    // landlines in a 手机 item: every sampled value fails the mobile rule, so it is not offered
    expect(Object.keys(offered)).not.toContain('lxsj:mobile');
    expect(
      (
        await env.app.inject(as(scjg, { method: 'POST', url: `/api/v1/governance/resources/${res.id}/rules/adopt` }))
      ).json().adopted,
    ).toBe(listed.suggestions.length);
    const again = await checkResource(env.rt.kernel, ctx, res.id);
    expect(again.failingRows).toBe(invalid); // adopting all suggestions opened no false problem
  });

  it('an ingest with planted errors opens the right problems; a corrected file closes them and the score rises', async () => {
    const res = await publishResource(env.rt.kernel, {
      department: '淄博市人力资源和社会保障局',
      name: '参保人员（治理）',
      items: ITEMS,
    });
    const suggested = (await api('GET', `/api/v1/governance/resources/${res.id}/rules`)).json();
    // publishing adopted the identity rule (flagging); the rest are suggestions
    expect(
      suggested.rules.map((r: { item: string; kind: string; severity: string }) => `${r.item}:${r.kind}:${r.severity}`),
    ).toEqual(['sfzh:ric:flagging']);
    expect(
      suggested.suggestions.map((s: { item: string | null; kind: string }) => `${s.item ?? '*'}:${s.kind}`).sort(),
    ).toEqual([
      '*:freshness',
      '*:volume',
      'csrq:date',
      'csrq:not_null',
      'sfzh:ric_consistency',
      'sjhm:mobile',
      'sjhm:not_null',
      'xb:code',
      'xb:not_null',
      'xm:not_null',
      'xzqh:not_null',
      'xzqh:region',
    ]);
    expect((await api('POST', `/api/v1/governance/resources/${res.id}/rules/adopt`)).json()).toMatchObject({
      adopted: 12,
    });

    const good = ['370303199001010017', '37030219850505002X', '370304197001010014'];
    expect(good.map((v) => validate('ric', v).valid)).toEqual([true, true, true]);
    const planted = [
      `${good[0]},张三,1,1990-01-01,13800138000,370303`, // clean
      `${good[1]},李四,2,1985-05-06,1380013800,370399`, // birth date disagrees, short mobile, unknown region
      `${good[2]},王五,2,1970-01-01,13900139000,370304`, // sex disagrees (sequence 001 is odd: male)
      '370303199001010012,赵六,1,1990-01-01,13700137000,370303', // bad check digit
      '370303199001010025,,,,,370303', // empty name, sex, birth date, mobile
    ];
    const first = await load(res.id, file('planted.csv', planted));
    expect(first).toMatchObject({ status: 'succeeded', inserted: 5, rejected: 0 });
    // the run asked for a check; a worker does it
    expect(await processCheckRequests(env.rt.kernel)).toBe(1);
    const problems = (
      await api('GET', `/api/v1/governance/problems?resourceId=${res.id}&status=open&pageSize=100`)
    ).json();
    const seen = problems.items
      .map((p: { rowKey: string; item: string; reason: string }) => `${p.rowKey}:${p.item}:${p.reason}`)
      .sort();
    expect(seen).toEqual(
      [
        `${good[1]}:sfzh:birth_mismatch`,
        `${good[1]}:sjhm:format`,
        `${good[1]}:xzqh:unknown_region`,
        `${good[2]}:sfzh:sex_mismatch`,
        '370303199001010012:sfzh:checksum',
        '370303199001010025:csrq:not_null',
        '370303199001010025:sjhm:not_null',
        '370303199001010025:xb:not_null',
        '370303199001010025:xm:not_null',
      ].sort(),
    );
    // the problems reached the provider as one task per rule, due in 5 working days
    const tasks1 = (await api('GET', `/api/v1/governance/tasks?resourceId=${res.id}&status=open`)).json();
    expect(tasks1.total).toBe(8);
    const due = (await loadCalendar(env.rt.kernel.db)).addWorkingDays(shanghaiDate(), 5);
    expect(tasks1.items.every((t: { due: string; open: number }) => t.due === due && t.open >= 1)).toBe(true);
    expect(tasks1.items.find((t: { kind: string }) => t.kind === 'ric_consistency')).toMatchObject({
      open: 2,
      problems: 2,
    });
    const others = await loginAs(env.app, 'gaj_officer', DEMO_PASSWORD);
    expect((await env.app.inject(as(others, { method: 'GET', url: '/api/v1/governance/tasks' }))).json().total).toBe(0);
    const sheet = await env.app.inject(as(officer, { method: 'GET', url: '/api/v1/governance/problems.xlsx' }));
    expect(sheet.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(sheet.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('问题数据')!;
    expect(ws.rowCount).toBe(1 + 9);
    expect(ws.getRow(1).getCell(7).value).toBe('问题');
    expect([...Array(9).keys()].map((i) => ws.getRow(i + 2).getCell(7).value)).toContain('校验位不正确');

    const checks1 = (await api('GET', `/api/v1/governance/resources/${res.id}/checks`)).json();
    expect(checks1[0]).toMatchObject({ rows: 5, failingRows: 4, ingestRunId: first.run });
    const score1 = checks1[0].score as number;
    expect(score1).toBeGreaterThan(0);
    expect(score1).toBeLessThan(100);

    // the ric rule becomes blocking: a bad number is rejected at ingest, with its reason
    const ric = (await api('GET', `/api/v1/governance/resources/${res.id}/rules`))
      .json()
      .rules.find((r: { kind: string }) => r.kind === 'ric');
    expect(
      (
        await api('PUT', `/api/v1/governance/resources/${res.id}/rules`, {
          item: 'sfzh',
          kind: 'ric',
          severity: 'blocking',
        })
      ).statusCode,
    ).toBe(200);
    const fixed = [
      `${good[0]},张三,1,1990-01-01,13800138000,370303`,
      `${good[1]},李四,2,1985-05-05,13800138001,370302`,
      `${good[2]},王五,1,1970-01-01,13900139000,370304`,
      '370303199001010012,赵六,1,1990-01-01,13700137000,370303', // still wrong: now rejected, and kept stored (full mode)
      '370303199001010025,孙七,2,1990-01-01,13600136000,370303',
    ];
    const second = await load(res.id, file('fixed.csv', fixed));
    expect(second).toMatchObject({ status: 'succeeded', rejected: 1, deleted: 0 });
    const rejects = (
      await env.rt.kernel.pool.query(
        'SELECT row_no::int AS row, field, reason_zh FROM ingest.reject WHERE run_id = $1',
        [second.run],
      )
    ).rows;
    expect(rejects).toEqual([{ row: 4, field: 'sfzh', reason_zh: '校验位不正确' }]);
    expect(ric.severity).toBe('flagging');

    await processCheckRequests(env.rt.kernel);
    const open = (await api('GET', `/api/v1/governance/problems?resourceId=${res.id}&status=open`)).json();
    expect(open.items.map((p: { rowKey: string; reason: string }) => `${p.rowKey}:${p.reason}`)).toEqual([
      '370303199001010012:checksum',
    ]);
    expect((await api('GET', `/api/v1/governance/problems?resourceId=${res.id}&status=fixed`)).json().total).toBe(8);
    const checks2 = (await api('GET', `/api/v1/governance/resources/${res.id}/checks`)).json();
    expect(checks2[0].score).toBeGreaterThan(score1);
    // fixed at source: seven tasks are done; the check-digit one is still open, and escalates once overdue
    expect((await api('GET', `/api/v1/governance/tasks?resourceId=${res.id}&status=done`)).json().total).toBe(7);
    expect(
      (await runDeadlines(env.rt.kernel, [taskDeadline], '2099-01-01'))['governance.task']!.escalated,
    ).toBeGreaterThanOrEqual(1);
    expect((await runDeadlines(env.rt.kernel, [taskDeadline], '2099-01-02'))['governance.task']!.escalated).toBe(0); // once
    const overdue = (await api('GET', `/api/v1/governance/tasks?resourceId=${res.id}&status=overdue`)).json();
    expect(overdue.items.map((t: { kind: string }) => t.kind)).toEqual(['ric']);

    // the provider confirms the remaining one as correct (say it was issued so): it stops counting
    const c = await api('POST', `/api/v1/governance/problems/${open.items[0].id}/confirm`, {
      reason: '历史证件号码，经核实无误',
    });
    expect(c.statusCode, c.body).toBe(204);
    expect((await api('GET', `/api/v1/governance/tasks?resourceId=${res.id}&status=open`)).json().total).toBe(0);
    const checked = (await api('POST', `/api/v1/governance/resources/${res.id}/check`)).json();
    expect(checked.score).toBeGreaterThan(checks2[0].score);
    const board = (await api('GET', '/api/v1/governance/scores')).json();
    expect(board.resources.find((r: { resourceId: string }) => r.resourceId === res.id)).toMatchObject({
      score: checked.score,
      openProblems: 0,
    });
    expect(board.departments[0]).toMatchObject({ departmentName: '淄博市人力资源和社会保障局' });
    const trend = (await api('GET', '/api/v1/governance/trend')).json();
    expect(trend).toEqual([
      {
        day: shanghaiDate(),
        departmentId: res.departmentId,
        departmentName: '淄博市人力资源和社会保障局',
        score: expect.any(Number),
      },
    ]);

    // 一人一档: another department's resource knows the same person under a slightly different name
    const marriage = await publishResource(env.rt.kernel, {
      department: '淄博市民政局',
      name: '婚姻登记信息（治理）',
      items: [
        {
          name: 'djzh',
          label: '登记证号',
          type: 'string',
          length: 30,
          primaryKey: true,
          incremental: false,
          grade: 2,
          masking: 'none',
        },
        {
          name: 'nfsfzh',
          label: '男方公民身份号码',
          type: 'string',
          length: 18,
          primaryKey: false,
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
      ],
    });
    await runIngest(env.rt.kernel, ctx, {
      resourceId: marriage.id,
      mode: 'full',
      source: 'push',
      columns: ['djzh', 'nfsfzh', 'xm'],
      rows: (async function* () {
        yield [{ row: 1, values: ['J370303-2015-001', good[0]!, '张叁'] }];
      })(),
    });
    const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const noPurpose = await env.app.inject(
      as(admin, { method: 'POST', url: '/api/v1/governance/profiles', payload: { kind: 'ric', id: good[0] } }),
    );
    expect(noPurpose.statusCode).toBe(400);
    const refused = await env.app.inject(
      as(officer, {
        method: 'POST',
        url: '/api/v1/governance/profiles',
        payload: { kind: 'ric', id: good[0], purpose: '核查参保资格' },
      }),
    );
    expect(refused.statusCode).toBe(403);
    const prof = (
      await env.app.inject(
        as(admin, {
          method: 'POST',
          url: '/api/v1/governance/profiles',
          payload: { kind: 'ric', id: good[0], purpose: '核查参保资格（工单 2026-118）' },
        }),
      )
    ).json();
    expect(prof).toMatchObject({ kind: 'ric', id: good[0], valid: true });
    expect(
      prof.sources.map((s: { resourceName: string; matchedBy: string[] }) => [s.resourceName, s.matchedBy]),
    ).toEqual(
      expect.arrayContaining([
        ['参保人员（治理）', ['公民身份号码']],
        ['婚姻登记信息（治理）', ['男方公民身份号码']],
      ]),
    );
    expect(prof.conflicts).toEqual([
      {
        label: '姓名',
        values: [
          { value: '张三', resources: ['参保人员（治理）'] },
          { value: '张叁', resources: ['婚姻登记信息（治理）'] },
        ],
      },
    ]);
    const audited = (
      await env.rt.kernel.pool.query(
        `SELECT detail FROM kernel.audit_log WHERE action = 'governance.profile.open' ORDER BY seq DESC LIMIT 1`,
      )
    ).rows[0];
    expect(audited.detail).toMatchObject({
      purpose: '核查参保资格（工单 2026-118）',
      sources: prof.sources.length,
      conflicts: 1,
    });

    // a reference rule: the marriage record's identity number must be known to the insured-persons resource
    const mzj = {
      ...ctx,
      actor: { ...ctx.actor, type: 'user' as const, roles: ['officer' as const], departmentId: marriage.departmentId },
    };
    await saveRule(mzj, env.rt.kernel.db, marriage.id, {
      item: 'nfsfzh',
      kind: 'reference',
      params: { resourceId: res.id, refItem: 'sfzh' },
      severity: 'flagging',
      enabled: true,
    });
    await runIngest(env.rt.kernel, ctx, {
      resourceId: marriage.id,
      mode: 'upsert',
      source: 'push',
      columns: ['djzh', 'nfsfzh', 'xm'],
      rows: (async function* () {
        yield [{ row: 1, values: ['J370303-2016-002', '370303198001010010', '周八'] }];
      })(),
    });
    const refCheck = await checkResource(env.rt.kernel, ctx, marriage.id);
    expect(refCheck.failingRows).toBe(1);
    const refProblems = (
      await env.rt.kernel.pool.query(`SELECT row_key, reason FROM gov.problem WHERE resource_id = $1 ORDER BY reason`, [
        marriage.id,
      ])
    ).rows;
    // unknown to 参保人员, and (by the identity rule adopted on publishing) its check digit is wrong
    expect(refProblems).toEqual([
      { row_key: 'J370303-2016-002', reason: 'checksum' },
      { row_key: 'J370303-2016-002', reason: 'no_reference' },
    ]);
  });

  it("refuses rules that do not fit the resource, and other departments' officers", async () => {
    const res = await publishResource(env.rt.kernel, {
      department: '淄博市人力资源和社会保障局',
      name: '参保人员（规则校验）',
      items: ITEMS,
    });
    const bad = await api('PUT', `/api/v1/governance/resources/${res.id}/rules`, { item: 'nosuch', kind: 'not_null' });
    expect(bad.json()).toMatchObject({ code: 'VALIDATION', field: 'item' });
    const regex = await api('PUT', `/api/v1/governance/resources/${res.id}/rules`, {
      item: 'xm',
      kind: 'pattern',
      params: { regex: '([' },
    });
    expect(regex.json()).toMatchObject({ code: 'VALIDATION', field: 'params.regex' });
    const other = await loginAs(env.app, 'gaj_officer', DEMO_PASSWORD);
    const refused = await env.app.inject(
      as(other, {
        method: 'PUT',
        url: `/api/v1/governance/resources/${res.id}/rules`,
        payload: { item: 'xm', kind: 'not_null' },
      }),
    );
    expect(refused.json().code).toBe('FORBIDDEN_DEPARTMENT');
  });

  it('a requested check that fails is kept with its error, logged and listed for the bureau, and goes once it succeeds', async () => {
    const res = await publishResource(env.rt.kernel, {
      department: '淄博市人力资源和社会保障局',
      name: '参保人员（检查失败）',
      items: ITEMS,
    });
    await processCheckRequests(env.rt.kernel); // the earlier tests' requests
    await load(res.id, file('ok.csv', ['370303199001010017,张三,1,1990-01-01,13800138000,370303']));
    // the dataset table is away when the worker comes: the check fails
    const table = res.datasetTable!;
    await env.rt.kernel.pool.query(`ALTER TABLE ${table} RENAME TO away`);
    const logged: unknown[] = [];
    const error = env.rt.kernel.log.error.bind(env.rt.kernel.log);
    env.rt.kernel.log.error = ((o: unknown) => void logged.push(o)) as typeof env.rt.kernel.log.error;
    try {
      expect(await processCheckRequests(env.rt.kernel)).toBe(1);
    } finally {
      env.rt.kernel.log.error = error;
    }
    expect(logged).toHaveLength(1);
    const kept = (
      await env.rt.kernel.pool.query('SELECT attempts, last_error FROM gov.check_request WHERE resource_id = $1', [
        res.id,
      ])
    ).rows;
    expect(kept).toEqual([{ attempts: 1, last_error: expect.stringContaining('does not exist') }]);
    // not tried again before its time
    expect(await processCheckRequests(env.rt.kernel)).toBe(0);
    const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const failures = (
      await env.app.inject(as(admin, { method: 'GET', url: '/api/v1/governance/check-failures' }))
    ).json();
    expect(failures).toEqual({
      items: [expect.objectContaining({ resourceId: res.id, attempts: 1, retryAt: expect.any(String) })],
      total: 1,
      page: 1,
      pageSize: 20,
    });
    expect(
      (await env.app.inject(as(officer, { method: 'GET', url: '/api/v1/governance/check-failures' }))).statusCode,
    ).toBe(403);
    // the table is back and the retry is due: the check runs and the request goes
    await env.rt.kernel.pool.query(`ALTER TABLE ${table.split('.')[0]}.away RENAME TO ${table.split('.')[1]}`);
    await env.rt.kernel.pool.query('UPDATE gov.check_request SET not_before = now() WHERE resource_id = $1', [res.id]);
    expect(await processCheckRequests(env.rt.kernel)).toBe(1);
    expect(
      (await env.rt.kernel.pool.query('SELECT 1 FROM gov.check_request WHERE resource_id = $1', [res.id])).rowCount,
    ).toBe(0);
    expect(
      (await env.rt.kernel.pool.query('SELECT count(*)::int AS n FROM gov.check_run WHERE resource_id = $1', [res.id]))
        .rows[0].n,
    ).toBeGreaterThan(0);
  });
});
