/**
 * The data services end to end on the API: an approved grant, signed app calls to query, verify and
 * statistics; masked fields come back masked; every call is in the audit log; forged and replayed
 * calls, other resources, expired and revoked grants are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { publishResource } from '../../../test/support/publish.js';
import { systemCtx } from '../../kernel/http/context.js';
import { GongshuClient } from '../../client/index.js';
import type { DataItem } from '../catalog/schema.js';
import { runIngest } from '../aggregation/service.js';
import { createHash } from 'node:crypto';
import ExcelJS from '../../kernel/xlsx.js';
import { queryAnswer, statisticsAnswer, verifyAnswer } from './schema.js';

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
    name: 'qlrzjh',
    label: '权利人证件号',
    type: 'string',
    length: 18,
    primaryKey: false,
    incremental: false,
    identityKind: 'ric',
    grade: 3,
    masking: 'ric',
  },
  {
    name: 'qx',
    label: '所在区县',
    type: 'string',
    length: 20,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
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
let env: TestEnv;
let admin: Session;
let client: GongshuClient;
let keys: { appKey: string; appSecret: string };
let resourceId: string;
let grantId: number;

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  const res = await publishResource(env.rt.kernel, {
    department: '淄博市自然资源和规划局',
    name: '不动产登记信息',
    items: ITEMS,
    shareType: 'conditional',
  });
  resourceId = res.id;
  const rows = Array.from({ length: 8 }, (_, i) => [
    `鲁(2026)淄博市不动产权第${String(i).padStart(7, '0')}号`,
    `业主${'甲乙丙丁戊己庚辛'[i]}`,
    `37030319900101${String(100 + i)}${i}`,
    i < 6 ? '张店区' : '淄川区',
    String(80 + i * 10),
  ]);
  await runIngest(env.rt.kernel, systemCtx('test'), {
    resourceId,
    mode: 'full',
    source: 'test',
    columns: ITEMS.map((i) => i.name),
    rows: (async function* () {
      yield rows.map((values, i) => ({ row: i + 1, values }));
    })(),
  });
  admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
  const zjjDept = (
    await env.rt.kernel.db
      .selectFrom('kernel.department')
      .select('id')
      .where('name', '=', '淄博市住房和城乡建设局')
      .executeTakeFirstOrThrow()
  ).id;
  const cred = (
    await env.app.inject(
      as(admin, {
        method: 'POST',
        url: '/api/v1/app-credentials',
        payload: { name: '住建业务系统', departmentId: zjjDept },
      }),
    )
  ).json();
  keys = { appKey: cred.credential.appKey, appSecret: cred.appSecret };
  client = new GongshuClient({ baseUrl: 'http://localhost', ...keys });
  const zjj = await loginAs(env.app, 'zjj_officer', DEMO_PASSWORD);
  const zrzy = await loginAs(env.app, 'zrzy_officer', DEMO_PASSWORD);
  const { id } = (
    await env.app.inject(
      as(zjj, {
        method: 'POST',
        url: '/api/v1/share/applications',
        payload: {
          resourceId,
          appCredentialId: cred.credential.id,
          fields: ['bdcqzh', 'qlrmc', 'qlrzjh', 'qx', 'mj'],
          services: ['query', 'verify', 'statistics', 'file'],
          purpose: '住房保障资格审核',
          legalBasis: '《公共租赁住房管理办法》',
          scenario: '公租房申请人住房情况核查',
          periodFrom: '2026-01-01',
          periodTo: '2030-12-31',
          expectedCalls: 1000,
        },
      }),
    )
  ).json();
  await env.app.inject(
    as(zrzy, { method: 'POST', url: `/api/v1/share/applications/${id}/decide`, payload: { decision: 'approve' } }),
  );
  await env.app.inject(
    as(admin, { method: 'POST', url: `/api/v1/share/applications/${id}/decide`, payload: { decision: 'approve' } }),
  );
  grantId = (await env.app.inject(as(zjj, { method: 'GET', url: `/api/v1/share/applications/${id}` }))).json().grant.id;
});
afterAll(async () => env.close());

const signed = (service: string, body: unknown, c = client) => {
  const s = c.prepare('POST', `/api/v1/services/${resourceId}/${service}`, body);
  return {
    method: 'POST' as const,
    url: `/api/v1/services/${resourceId}/${service}`,
    headers: s.headers,
    payload: s.body,
  };
};
const callsAudited = async () =>
  Number(
    (await env.rt.kernel.pool.query(`SELECT count(*) AS n FROM kernel.audit_log WHERE action LIKE 'service.%'`)).rows[0]
      .n,
  );

describe('data services under a grant', () => {
  it('query returns the granted fields masked by grade; verify answers match / no-match; statistics suppress small groups', async () => {
    const q = await env.app.inject(signed('query', { filters: { bdcqzh: '鲁(2026)淄博市不动产权第0000001号' } }));
    expect(q.statusCode, q.body).toBe(200);
    expect(q.json().rows).toEqual([
      {
        bdcqzh: '鲁(2026)淄博市不动产权第0000001号',
        qlrmc: '业**',
        qlrzjh: '370303********1011',
        qx: '张店区',
        mj: '90.00',
      },
    ]);
    const v = await env.app.inject(
      signed('verify', {
        values: { bdcqzh: '鲁(2026)淄博市不动产权第0000002号', qlrmc: '业主丙', qlrzjh: '370303199001019999' },
      }),
    );
    expect(v.json()).toEqual({
      found: true,
      fields: { bdcqzh: 'match', qlrmc: 'match', qlrzjh: 'no_match' },
      flags: [],
    });
    const s = await env.app.inject(
      signed('statistics', { groupBy: ['qx'], measures: [{ fn: 'count' }, { fn: 'avg', item: 'mj' }] }),
    );
    expect(s.json()).toEqual({
      k: 5,
      suppressedGroups: 1,
      groups: [
        {
          qx: '张店区',
          subjects: 6,
          values: [
            { fn: 'count', value: 6 },
            { fn: 'avg', item: 'mj', value: 105 },
          ],
        },
      ],
    });
    expect(await callsAudited()).toBe(3);
    // the answers are written without the serializer's check (hot path): they must still be what the OpenAPI documents
    expect(queryAnswer.strict().parse(q.json())).toEqual(q.json());
    expect(verifyAnswer.strict().parse(v.json())).toEqual(v.json());
    expect(statisticsAnswer.strict().parse(s.json())).toEqual(s.json());
    const last = (
      await env.rt.kernel.pool.query(`SELECT actor_type, detail FROM kernel.audit_log WHERE action = 'service.query'`)
    ).rows[0];
    expect(last).toMatchObject({
      actor_type: 'app',
      detail: { grant: grantId, rows: 1, masks: { qlrmc: 'name', qlrzjh: 'ric' } },
    });
  });

  it('verification reads an identifier the way ingest stores it: spaces, hyphens, full-width digits, a lowercase x (item 20)', async () => {
    const v = await env.app.inject(
      signed('verify', {
        values: { bdcqzh: '鲁(2026)淄博市不动产权第0000001号', qlrzjh: '３７０３０３ 1990-0101-1011' },
      }),
    );
    expect(v.json().fields).toEqual({ bdcqzh: 'match', qlrzjh: 'match' });
  });

  it('min and max single out nobody: each is the mean of the k lowest / highest values (hardening item 13)', async () => {
    const s = await env.app.inject(
      signed('statistics', {
        groupBy: ['qx'],
        measures: [
          { fn: 'min', item: 'mj' },
          { fn: 'max', item: 'mj' },
        ],
      }),
    );
    // 张店区 holds 80, 90, 100, 110, 120, 130: not 80 and 130 (two owners' exact areas), but the means of five
    expect(s.json().groups).toEqual([
      {
        qx: '张店区',
        subjects: 6,
        values: [
          { fn: 'min', item: 'mj', value: 100 },
          { fn: 'max', item: 'mj', value: 110 },
        ],
      },
    ]);
    const all = await env.app.inject(
      signed('statistics', {
        measures: [
          { fn: 'min', item: 'mj' },
          { fn: 'max', item: 'mj' },
        ],
      }),
    );
    expect(all.json().groups[0].values.map((v: { value: number }) => v.value)).toEqual([100, 130]);
  });

  it('refused calls are counted into the audit log per app, reason and minute; the provider reads who used its data (hardening item 15)', async () => {
    await env.rt.kernel.refusals.flush();
    for (let i = 0; i < 3; i++) {
      const forged = signed('query', { filters: {} });
      forged.headers['x-gs-signature'] = '0'.repeat(64);
      expect((await env.app.inject(forged)).statusCode).toBe(401);
    }
    const rsjDept = (
      await env.rt.kernel.db
        .selectFrom('kernel.department')
        .select('id')
        .where('name', '=', '淄博市人力资源和社会保障局')
        .executeTakeFirstOrThrow()
    ).id;
    const made = (
      await env.app.inject(
        as(admin, {
          method: 'POST',
          url: '/api/v1/app-credentials',
          payload: { name: '人社业务系统（无授权）', departmentId: rsjDept },
        }),
      )
    ).json();
    const other = new GongshuClient({
      baseUrl: 'http://localhost',
      appKey: made.credential.appKey,
      appSecret: made.appSecret,
    });
    for (let i = 0; i < 2; i++)
      expect((await env.app.inject(signed('query', { filters: {} }, other))).statusCode).toBe(403);
    expect(await env.rt.kernel.refusals.flush()).toBe(2);
    const refused = (
      await env.rt.kernel.pool.query(
        `SELECT actor_type, target_id, detail FROM kernel.audit_log WHERE action = 'access.refused' ORDER BY seq`,
      )
    ).rows;
    expect(refused.map((r) => [r.detail.reason, r.detail.count, r.target_id])).toEqual([
      ['APP_SIGNATURE_INVALID', 3, resourceId],
      ['SHARE_NO_GRANT', 2, resourceId],
    ]);
    expect(refused[1].actor_type).toBe('app');
    // the providing department's officer reads the calls made on its resource by another department's app
    const zrzy = await loginAs(env.app, 'zrzy_officer', DEMO_PASSWORD);
    const seen = (
      await env.app.inject(as(zrzy, { method: 'GET', url: '/api/v1/audit?action=service.*&pageSize=100' }))
    ).json();
    expect(seen.total).toBeGreaterThan(0);
    expect(seen.items.every((e: { targetId: string }) => e.targetId === resourceId)).toBe(true);
  });

  it('a read recorded with its nonce: of the same call sent many times at once exactly one is answered, among fresh calls that all are', async () => {
    const { verifyChain } = await import('../../kernel/audit/verify.js');
    const before = await callsAudited();
    for (const service of ['query', 'verify', 'statistics']) {
      const bodies: Record<string, object> = {
        query: { filters: {} },
        verify: { values: { bdcqzh: 'x' } },
        statistics: { measures: [{ fn: 'count' }] },
      };
      const same = signed(service, bodies[service]!);
      const fresh = Array.from({ length: 6 }, () => signed(service, bodies[service]!));
      const answers = await Promise.all([
        ...Array.from({ length: 6 }, () => env.app.inject(same)),
        ...fresh.map((f) => env.app.inject(f)),
      ]);
      const codes = answers.map((a) => (a.statusCode === 200 ? 'ok' : a.json().code));
      expect(
        codes.slice(0, 6).filter((c) => c === 'ok'),
        service,
      ).toHaveLength(1);
      expect(
        codes.slice(0, 6).filter((c) => c === 'APP_NONCE_REUSED'),
        service,
      ).toHaveLength(5);
      expect(codes.slice(6), service).toEqual(Array(6).fill('ok'));
      // and once more, later, in a batch of its own
      expect((await env.app.inject(same)).json().code).toBe('APP_NONCE_REUSED');
    }
    expect(await callsAudited()).toBe(before + 3 * 7); // the refused replays wrote no entry
    expect((await verifyChain(env.rt.kernel.pool, env.rt.kernel.signer.publicKey)).ok).toBe(true);
  });

  it('a grant scoped to one district answers only rows of that district, call after call (the plan is reused, the values are not)', async () => {
    const { approvedGrant } = await import('../../../test/support/share.js');
    const g = await approvedGrant(env, {
      resourceId,
      fields: ['bdcqzh', 'qx'],
      services: ['query'],
      rowFilter: { item: 'qx', values: ['淄川区'] },
    });
    const scoped = new GongshuClient({ baseUrl: 'http://localhost', ...g.keys });
    const ask = async (filters: Record<string, string>) =>
      (await env.app.inject(signed('query', { filters }, scoped))).json().rows as { bdcqzh: string; qx: string }[];
    for (let i = 0; i < 2; i++) {
      expect((await ask({})).map((r) => r.qx)).toEqual(['淄川区', '淄川区']);
      expect(await ask({ bdcqzh: '鲁(2026)淄博市不动产权第0000006号' })).toEqual([
        { bdcqzh: '鲁(2026)淄博市不动产权第0000006号', qx: '淄川区' },
      ]);
      expect(await ask({ bdcqzh: '鲁(2026)淄博市不动产权第0000001号' })).toEqual([]); // 张店区: outside the scope
    }
  });

  it('refuses a forged, a replayed and an expired call to each service type', async () => {
    const bodies: Record<string, object> = {
      query: { filters: {} },
      verify: { values: { bdcqzh: 'x' } },
      statistics: { measures: [{ fn: 'count' }] },
      file: { format: 'csv' },
    };
    for (const service of ['query', 'verify', 'statistics', 'file']) {
      const ok = signed(service, bodies[service]);
      const forged = await env.app.inject({ ...ok, payload: JSON.stringify({ ...bodies[service], limit: 99 }) });
      expect(forged.json().code, `${service} forged`).toBe('APP_SIGNATURE_INVALID');
      expect((await env.app.inject(ok)).statusCode, `${service} first`).toBe(200);
      expect((await env.app.inject(ok)).json().code, `${service} replayed`).toBe('APP_NONCE_REUSED');
      const old = new GongshuClient({ baseUrl: 'http://localhost', ...keys, now: () => Date.now() - 10 * 60_000 });
      expect((await env.app.inject(signed(service, bodies[service], old))).json().code, `${service} stale`).toBe(
        'APP_TIMESTAMP_STALE',
      );
    }
    await env.rt.kernel.pool.query(`UPDATE share.grant SET expires_at = now() - interval '1 day' WHERE id = $1`, [
      grantId,
    ]);
    await env.rt.kernel.cache.sync(); // a change made behind the platform's back is heard within milliseconds
    for (const service of ['query', 'verify', 'statistics', 'file'])
      expect((await env.app.inject(signed(service, bodies[service]))).json().code, `${service} expired`).toBe(
        'SHARE_GRANT_EXPIRED',
      );
    await env.rt.kernel.pool.query(`UPDATE share.grant SET expires_at = now() + interval '1 year' WHERE id = $1`, [
      grantId,
    ]);
    await env.rt.kernel.cache.sync(); // a change made behind the platform's back is heard within milliseconds
  });

  it('file: CSV and .xlsx of the granted view, masked, each with a delivery id recorded with who, what and when', async () => {
    const csv = await env.app.inject(signed('file', { format: 'csv' }));
    expect(csv.statusCode, csv.body).toBe(200);
    const id = csv.headers['x-gs-delivery-id'] as string;
    expect(id).toMatch(/^[A-Za-z0-9]+-\d{8}-[2-9A-Z]{12}$/);
    expect(csv.headers['content-disposition']).toContain(id);
    const lines = csv.rawPayload.toString('utf8').split('\r\n');
    expect(lines[0]).toBe('\uFEFFbdcqzh,qlrmc,qlrzjh,qx,mj,delivery_id');
    expect(lines[2]).toBe(`鲁(2026)淄博市不动产权第0000001号,业**,370303********1011,张店区,90.00,${id}`);
    expect(lines.slice(1, -1)).toHaveLength(8);
    expect(lines.at(-1)).toBe('');
    // the record: who, what, when — and the digest of exactly the bytes sent
    const zjj = await loginAs(env.app, 'zjj_officer', DEMO_PASSWORD);
    let d = { completedAt: null } as Record<string, unknown>;
    for (let i = 0; i < 40 && !d.completedAt; i++) {
      // completed just after the last byte left
      d = (await env.app.inject(as(zjj, { method: 'GET', url: `/api/v1/share/deliveries/${id}` }))).json();
      if (!d.completedAt) await new Promise((r) => setTimeout(r, 50));
    }
    expect(d).toMatchObject({
      id,
      grantId,
      format: 'csv',
      rows: 8,
      departmentName: '淄博市住房和城乡建设局',
      masks: { qlrmc: 'name', qlrzjh: 'ric' },
      bytes: csv.rawPayload.length,
    });
    expect(d.sm3).toBe(createHash('sm3').update(csv.rawPayload).digest('hex'));
    expect(d.completedAt).not.toBeNull();
    const audit = (
      await env.rt.kernel.pool.query(
        `SELECT detail FROM kernel.audit_log WHERE action = 'service.file' ORDER BY seq DESC LIMIT 1`,
      )
    ).rows[0].detail;
    expect(audit).toMatchObject({ delivery: id, rows: 8, format: 'csv', masks: { qlrmc: 'name', qlrzjh: 'ric' } });
    // another department's officer cannot look the delivery up; the auditor can
    const rsj = await loginAs(env.app, 'rsj_officer', DEMO_PASSWORD);
    expect((await env.app.inject(as(rsj, { method: 'GET', url: `/api/v1/share/deliveries/${id}` }))).statusCode).toBe(
      404,
    );
    const auditor = await loginAs(env.app, 'auditor', DEMO_PASSWORD);
    expect(
      (await env.app.inject(as(auditor, { method: 'GET', url: `/api/v1/share/deliveries/${id}` }))).statusCode,
    ).toBe(200);

    const xlsx = await env.app.inject(
      signed('file', { format: 'xlsx', filters: { bdcqzh: '鲁(2026)淄博市不动产权第0000003号' } }),
    );
    expect(xlsx.statusCode, xlsx.body).toBe(200);
    const xid = xlsx.headers['x-gs-delivery-id'] as string;
    expect(xid).not.toBe(id);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as never);
    const data = wb.getWorksheet('数据')!;
    expect(data.getRow(1).values).toEqual([
      undefined,
      '不动产权证号',
      '权利人名称',
      '权利人证件号',
      '所在区县',
      '面积',
      '交付唯一标识',
    ]);
    expect(data.getRow(2).values).toEqual([
      undefined,
      '鲁(2026)淄博市不动产权第0000003号',
      '业**',
      '370303********1033',
      '张店区',
      110,
      xid,
    ]);
    expect(data.rowCount).toBe(2);
    expect(wb.getWorksheet('交付信息')!.getRow(1).values).toEqual([undefined, '交付唯一标识', xid]);
  });

  it('refuses forged and replayed calls, filters on non-identifiers, users, and after revocation', async () => {
    const forged = signed('query', { filters: {} });
    const r1 = await env.app.inject({ ...forged, payload: JSON.stringify({ filters: {}, limit: 100 }) });
    expect(r1.statusCode).toBe(401);
    const once = signed('verify', { values: { bdcqzh: 'x' } });
    expect((await env.app.inject(once)).statusCode).toBe(200);
    expect((await env.app.inject(once)).json().code).toBe('APP_NONCE_REUSED');
    expect((await env.app.inject(signed('query', { filters: { qlrmc: '业主甲' } }))).json().code).toBe('SHARE_FILTER');
    expect(
      (await env.app.inject(as(admin, { method: 'POST', url: `/api/v1/services/${resourceId}/query`, payload: {} })))
        .statusCode,
    ).toBe(403);
    await env.rt.kernel.pool.query(`UPDATE share.grant SET expires_at = now() - interval '1 day' WHERE id = $1`, [
      grantId,
    ]);
    await env.rt.kernel.cache.sync(); // a change made behind the platform's back is heard within milliseconds
    expect((await env.app.inject(signed('query', {}))).json().code).toBe('SHARE_GRANT_EXPIRED');
    await env.rt.kernel.pool.query(`UPDATE share.grant SET expires_at = now() + interval '1 year' WHERE id = $1`, [
      grantId,
    ]);
    await env.rt.kernel.cache.sync(); // a change made behind the platform's back is heard within milliseconds
    const zrzy = await loginAs(env.app, 'zrzy_officer', DEMO_PASSWORD);
    expect(
      (
        await env.app.inject(
          as(zrzy, { method: 'POST', url: `/api/v1/share/grants/${grantId}/revoke`, payload: { reason: '停止使用' } }),
        )
      ).statusCode,
    ).toBe(204);
    expect((await env.app.inject(signed('query', {}))).json().code).toBe('SHARE_GRANT_REVOKED');
  });
});
