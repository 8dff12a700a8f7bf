import ExcelJS from '../../kernel/xlsx.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { ITEMS, meta } from '../../../test/support/catalog.js';
import { systemCtx } from '../../kernel/http/context.js';
import { inTx } from '../../kernel/http/tx.js';
import { createResource, listCategories, reviewResource, submitResource } from './service.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let env: TestEnv;
let scjg: Session;
let scjgId: string;

beforeAll(async () => {
  env = await testEnv();
  const { dept } = await seeded(env);
  scjgId = dept('淄博市市场监督管理局');
  scjg = await loginAs(env.app, 'scjg_officer', DEMO_PASSWORD);
  const ctx = systemCtx('test');
  const cats = await listCategories(ctx, env.rt.kernel.db);
  const c = (code: string) => cats.find((x) => x.fullCode === code)!.id;
  await inTx(env.rt.kernel.db, async (tx) => {
    for (const m of [
      meta(c('102'), { shandong: { identifier: 'ZB-SCJG-001', metadataVersion: '1.0' } }),
      meta(c('204'), {
        name: '食品经营许可信息',
        shareType: 'conditional',
        shareCondition: '用于监管执法',
        shareBasis: '《食品安全法》',
        shareMethods: ['interface', 'file'],
        openType: 'none',
        openCondition: null,
        updateCycle: 'weekly',
        relatedCodes: ['102/000001'],
      }),
    ]) {
      const r = await createResource(ctx, tx, { departmentId: scjgId, meta: m, items: ITEMS });
      await submitResource(ctx, tx, r.id);
      await reviewResource(ctx, tx, r.id, 'approve', undefined);
    }
  });
});
afterAll(async () => env.close());

async function download(url: string) {
  const res = await env.app.inject(as(scjg, { method: 'GET', url }));
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe(XLSX);
  return res.rawPayload;
}
async function book(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}
const upload = (buf: Buffer, validOnly = false) =>
  env.app.inject(
    as(scjg, {
      method: 'POST',
      url: `/api/v1/catalog/import?validOnly=${validOnly}`,
      headers: { 'content-type': XLSX },
      payload: buf,
    }),
  );

describe('Excel exchange', () => {
  it('the template has the two sheets and drop-down lists', async () => {
    const wb = await book(await download('/api/v1/catalog/template.xlsx'));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['资源目录', '信息项', '代码表']);
    expect(wb.getWorksheet('代码表')!.state).toBe('hidden');
    const dv = (
      wb.getWorksheet('资源目录') as unknown as {
        dataValidations: { model: Record<string, { type: string; formulae: string[] }> };
      }
    ).dataValidations.model;
    expect(Object.values(dv).some((v) => v.type === 'list' && v.formulae[0]!.startsWith('代码表!'))).toBe(true);
  });

  it('round-trips: export → import finds the same catalog and changes nothing; a changed row opens a change version', async () => {
    const exported = await download(`/api/v1/catalog/export.xlsx?departmentId=${scjgId}`);
    const wb = await book(exported);
    expect(wb.getWorksheet('资源目录')!.rowCount).toBe(3);
    expect(wb.getWorksheet('信息项')!.rowCount).toBe(1 + 2 * ITEMS.length);
    const versions = async () =>
      Number(
        (await sql<{ n: string }>`SELECT count(*) AS n FROM catalog.resource_version`.execute(env.rt.kernel.db))
          .rows[0]!.n,
      );
    const before = await versions();
    for (let i = 0; i < 2; i++) {
      const res = await upload(exported);
      expect(res.statusCode, res.body).toBe(200);
      const { created, updated, unchanged, errors } = res.json();
      expect(errors).toEqual([]);
      expect([created, updated]).toEqual([[], []]);
      expect(unchanged.map((c: { name: string }) => c.name).sort()).toEqual(['企业登记信息', '食品经营许可信息']);
    }
    expect(await versions()).toBe(before);

    // one summary edited in Excel: a change version (v2) opens as a draft, v1 stays published
    const rs = wb.getWorksheet('资源目录')!;
    const row = [2, 3].map((n) => rs.getRow(n)).find((r) => r.getCell(2).value === '企业登记信息')!;
    row.getCell(5).value = '企业登记信息（含变更记录）';
    const edited = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await upload(edited);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().updated).toEqual([expect.objectContaining({ name: '企业登记信息', version: 2 })]);
    expect(res.json().unchanged.map((c: { name: string }) => c.name)).toEqual(['食品经营许可信息']);
    const id = res.json().updated[0].id as string;
    const r = (await env.app.inject(as(scjg, { method: 'GET', url: `/api/v1/catalog/resources/${id}` }))).json();
    expect([r.status, r.published.version, r.open.version, r.open.state, r.open.meta.summary]).toEqual([
      'published',
      1,
      2,
      'draft',
      '企业登记信息（含变更记录）',
    ]);
    // the same file again edits nothing more
    const again = (await upload(edited)).json();
    expect(again.unchanged.map((c: { name: string }) => c.name).sort()).toEqual(['企业登记信息', '食品经营许可信息']);
    expect(await versions()).toBe(before + 1);

    // a version under review is not edited behind the reviewer's back
    expect(
      (await env.app.inject(as(scjg, { method: 'POST', url: `/api/v1/catalog/resources/${id}/submit` }))).statusCode,
    ).toBe(200);
    row.getCell(5).value = '又改了一次';
    const busy = await upload(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(busy.statusCode).toBe(422);
    expect(busy.json().errors[0].message).toContain('正在审核中');
    // a code that is not the department's is named
    row.getCell(1).value = '999/999999';
    const foreign = await upload(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().errors[0].field).toMatch(/^资源目录!\d+:资源代码$/);
  });

  it('reports every error with sheet, row, column and reason, and imports nothing', async () => {
    const wb = await book(await download('/api/v1/catalog/template.xlsx'));
    const rs = wb.getWorksheet('资源目录')!;
    rs.addRow([
      '',
      '排污许可信息',
      '淄博市市场监督管理局',
      '999',
      '排污许可证发放情况',
      '数据库',
      '',
      '有条件共享',
      '',
      '',
      '接口',
      '不予开放',
      '',
      '每月',
    ]);
    rs.addRow([
      '',
      '广告登记信息',
      '淄博市公安局',
      '204',
      '广告经营登记',
      '数据库',
      '',
      '无条件共享',
      '',
      '',
      '接口，邮件',
      '不予开放',
      '',
      '每年',
    ]);
    rs.addRow([
      '',
      '合格的资源',
      '淄博市市场监督管理局',
      '204',
      '一条没有错误的资源',
      '电子表格',
      '',
      '无条件共享',
      '',
      '',
      '文件',
      '无条件开放',
      '',
      '每日',
    ]);
    const is = wb.getWorksheet('信息项')!;
    is.addRow([
      '排污许可信息',
      'xkzh',
      '许可证号',
      '字符型',
      '40',
      '',
      '',
      '',
      '是',
      '否',
      '',
      '一级（一般）',
      '不脱敏',
    ]);
    is.addRow(['广告登记信息', 'Bad Name', '名称', '文本', '', '', '', '', '是', '否', '', '五级', '']);
    is.addRow(['不存在的资源', 'x', 'x', '字符型', '', '', '', '', '否', '否', '', '一级（一般）', '']);
    is.addRow(['合格的资源', 'bh', '编号', '字符型', '20', '', '', '', '是', '否', '', '一级（一般）', '不脱敏']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await upload(buf);
    expect(res.statusCode).toBe(422);
    const p = res.json();
    expect(p.code).toBe('CATALOG_IMPORT_INVALID');
    const fields = p.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        '资源目录!2:资源分类代码',
        '资源目录!2:共享依据',
        '资源目录!3:提供部门',
        '资源目录!3:共享方式',
        '信息项!3:数据类型',
        '信息项!3:分级',
        '信息项!4:资源名称',
      ]),
    );
    expect(p.errors.find((e: { field: string }) => e.field === '资源目录!3:提供部门').message).toContain(
      '只能导入本部门',
    );
    // every message in the reader's language, Zod's own ones too
    const english = (
      await env.app.inject(
        as(scjg, {
          method: 'POST',
          url: '/api/v1/catalog/import',
          headers: { 'content-type': XLSX, 'accept-language': 'en-US' },
          payload: buf,
        }),
      )
    ).json();
    expect(english.errors.map((e: { field: string }) => e.field)).toEqual(fields);
    const en = (f: string) => english.errors.find((e: { field: string }) => e.field === f).message;
    expect(en('资源目录!3:提供部门')).toMatch(/^Only resources of your own department \(淄博市市场监督管理局\)/);
    expect(en('信息项!4:资源名称')).toBe('The resource "不存在的资源" is not in the sheet "资源目录"');
    expect(en('资源目录!2:共享依据')).toBe('conditional or no sharing must cite its basis');
    expect(p.errors.find((e: { field: string }) => e.field === '资源目录!2:共享依据').message).toBe(
      '有条件共享和不予共享须注明依据',
    );
    expect(en('资源目录!3:共享方式')).toBe('"邮件" is not a way of sharing (接口, 文件, 库表)');
    const count = async () =>
      (await env.app.inject(as(scjg, { method: 'GET', url: '/api/v1/catalog/resources?pageSize=200' }))).json().total;
    const before = await count();
    expect(before).toBe(2);
    // asked for the valid rows only: the one good resource is imported, the errors still reported
    const partial = await upload(buf, true);
    expect(partial.statusCode).toBe(200);
    expect(partial.json().created.map((c: { name: string }) => c.name)).toEqual(['合格的资源']);
    expect(partial.json().errors.length).toBe(p.errors.length);
    expect(partial.json().errors[0]).not.toHaveProperty('reasonEn');
    expect(await count()).toBe(before + 1);
    // importing it again creates no second draft
    const second = (await upload(buf, true)).json();
    expect([second.created, second.unchanged.map((c: { name: string }) => c.name)]).toEqual([[], ['合格的资源']]);
    expect(await count()).toBe(before + 1);
  });

  it('refuses a file that is not a workbook, clearly', async () => {
    const res = await upload(Buffer.from('not a zip file at all'));
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('CATALOG_IMPORT_FILE');
  });
});
