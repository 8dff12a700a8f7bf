/**
 * The catalog as a workbook: the published catalog (or one department's) in the layout the import
 * reads, the empty template, and the overview (totals by department and by classification).
 */
import ExcelJS from '../../kernel/xlsx.js';
import type { Worksheet } from 'exceljs';
import type { Tx } from '../../kernel/db/pool.js';
import type { Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { ALL_ROLES } from '../../kernel/http/access.js';
import { cat } from './repo.js';
import {
  GRADE_ZH,
  IDENTITY_KIND_ZH,
  ITEM_TYPE_ZH,
  MASK_ZH,
  OPEN_TYPE_ZH,
  SHARE_METHOD_ZH,
  SHARE_TYPE_ZH,
  UPDATE_CYCLE_ZH,
  type DataItem,
  type ResourceMeta,
} from './schema.js';
import { FORMAT_ZH, ITEMS, ITEM_COLS, LISTS, NO, RES, RES_COLS, YES, lists } from './excel-layout.js';

async function workbook(
  rows: { meta: ResourceMeta & { code: string | null; department: string; category: string }; items: DataItem[] }[],
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Gongshu';
  const rs = wb.addWorksheet(RES, { views: [{ state: 'frozen', ySplit: 1 }] });
  const is = wb.addWorksheet(ITEMS, { views: [{ state: 'frozen', ySplit: 1 }] });
  const ls = wb.addWorksheet(LISTS, { state: 'hidden' });
  rs.columns = RES_COLS.map(([key, header, width]) => ({ key, header, width }));
  is.columns = ITEM_COLS.map(([key, header, width]) => ({ key, header, width }));
  for (const ws of [rs, is]) ws.getRow(1).font = { bold: true };
  const L = lists();
  const ranges: Record<string, string> = {};
  Object.entries(L).forEach(([key, values], n) => {
    const col = String.fromCharCode(65 + n);
    ls.getCell(`${col}1`).value = key;
    values.forEach((v, i) => (ls.getCell(`${col}${i + 2}`).value = v));
    ranges[key] = `${LISTS}!$${col}$2:$${col}$${values.length + 1}`;
  });
  const list = (ws: Worksheet, key: string, listKey: string, cols: readonly (readonly [string, string, number])[]) => {
    const idx = cols.findIndex((c) => c[0] === key);
    const col = String.fromCharCode(65 + idx);
    (ws as unknown as { dataValidations: { add(r: string, v: object): void } }).dataValidations.add(
      `${col}2:${col}2000`,
      {
        type: 'list',
        allowBlank: true,
        formulae: [ranges[listKey]],
        showErrorMessage: true,
        errorTitle: '取值无效',
        error: `请从下拉列表中选择`,
      },
    );
  };
  for (const k of ['formatClass', 'shareType', 'openType', 'updateCycle'] as const) list(rs, k, k, RES_COLS);
  for (const [k, l] of [
    ['type', 'type'],
    ['primaryKey', 'yesNo'],
    ['incremental', 'yesNo'],
    ['identityKind', 'identityKind'],
    ['grade', 'grade'],
    ['masking', 'masking'],
  ] as const)
    list(is, k, l, ITEM_COLS);
  for (const r of rows) {
    const m = r.meta;
    rs.addRow({
      code: m.code ?? '',
      name: m.name,
      department: m.department,
      category: m.category,
      summary: m.summary,
      formatClass: FORMAT_ZH[String(m.formatClass)],
      formatDetail: m.formatDetail ?? '',
      shareType: SHARE_TYPE_ZH[m.shareType],
      shareCondition: m.shareCondition ?? '',
      shareBasis: m.shareBasis ?? '',
      shareMethods: m.shareMethods.map((x) => SHARE_METHOD_ZH[x]).join('，'),
      openType: OPEN_TYPE_ZH[m.openType],
      openCondition: m.openCondition ?? '',
      updateCycle: UPDATE_CYCLE_ZH[m.updateCycle],
      relatedCodes: m.relatedCodes.join('，'),
      identifier: m.shandong.identifier ?? '',
      managementMode: m.shandong.managementMode ?? '',
      serviceInfo: m.shandong.serviceInfo ?? '',
      onlineUrl: m.shandong.onlineUrl ?? '',
      metadataMaintainer: m.shandong.metadataMaintainer ?? '',
      metadataVersion: m.shandong.metadataVersion ?? '',
    });
    for (const i of r.items) {
      is.addRow({
        resource: m.name,
        name: i.name,
        label: i.label,
        type: ITEM_TYPE_ZH[i.type],
        length: i.length ?? null,
        precision: i.precision ?? null,
        scale: i.scale ?? null,
        codeTable: i.codeTable ?? '',
        primaryKey: i.primaryKey ? YES : NO,
        incremental: i.incremental ? YES : NO,
        identityKind: i.identityKind ? IDENTITY_KIND_ZH[i.identityKind] : '',
        grade: GRADE_ZH[i.grade as 1 | 2 | 3 | 4],
        masking: MASK_ZH[i.masking],
      });
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The published catalog (or one department's), as the same workbook the import reads. */
export async function exportCatalog(ctx: Ctx, tx: Tx, departmentId?: string): Promise<Buffer> {
  requireRole(ctx, ...ALL_ROLES);
  let q = cat(tx)
    .selectFrom('catalog.resource as r')
    .innerJoin('catalog.resource_version as v', (j) =>
      j.onRef('v.resource_id', '=', 'r.id').onRef('v.version', '=', 'r.published_version'),
    )
    .innerJoin('kernel.department as d', 'd.id', 'r.department_id')
    .select(['r.code', 'd.name as department', 'v.meta', 'v.items'])
    .where('r.status', '=', 'published');
  if (departmentId) q = q.where('r.department_id', '=', departmentId);
  const rows = await q.orderBy('r.code').execute();
  const cats = new Map(
    (await cat(tx).selectFrom('catalog.category').select(['id', 'full_code']).execute()).map((c) => [
      c.id,
      c.full_code,
    ]),
  );
  return workbook(
    rows.map((r) => ({
      meta: { ...r.meta, code: r.code, department: r.department, category: cats.get(r.meta.categoryId) ?? '' },
      items: r.items,
    })),
  );
}

export async function catalogTemplate(ctx: Ctx): Promise<Buffer> {
  requireRole(ctx, ...ALL_ROLES);
  return workbook([]);
}

/** The overview (totals by department and by classification) as a workbook. */
export async function overviewWorkbook(ctx: Ctx, tx: Tx): Promise<Buffer> {
  const { catalogOverview } = await import('./entry.js');
  const o = await catalogOverview(ctx, tx);
  const wb = new ExcelJS.Workbook();
  const en = ctx.lang === 'en-US';
  const d = wb.addWorksheet(en ? 'By department' : '按部门');
  d.columns = [
    { header: en ? 'Department' : '部门', width: 32 },
    { header: en ? 'Resources' : '资源数', width: 10 },
    { header: en ? 'Data items' : '信息项数', width: 10 },
  ];
  for (const r of o.byDepartment) d.addRow([r.name, r.resources, r.items]);
  d.addRow([en ? 'Total' : '合计', o.totals.resources, o.totals.items]).font = { bold: true };
  const c = wb.addWorksheet(en ? 'By classification' : '按分类');
  c.columns = [
    { header: en ? 'Code' : '分类代码', width: 10 },
    { header: en ? 'Classification' : '分类名称', width: 24 },
    { header: en ? 'Level' : '级别', width: 8 },
    { header: en ? 'Resources' : '资源数', width: 10 },
  ];
  for (const r of o.byCategory) c.addRow([r.fullCode, r.name, r.level, r.resources]);
  for (const ws of [d, c]) ws.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
