/**
 * Excel exchange: departments write catalogs in Excel. Sheet 资源目录 has one row per resource,
 * sheet 信息项 one row per data item (tied to its resource by 资源名称), and a hidden sheet holds the
 * value lists behind the template's drop-downs. Import checks every cell and reports each error
 * with sheet, row, column and reason; nothing is imported when any row is wrong, unless the user
 * asks for the valid resources only. Import is idempotent: a row matches the department's resource
 * with the same 资源代码 (or, without a code, the same name); an unchanged row changes nothing, a
 * changed one edits the open draft or opens a change version of the published resource.
 */
import ExcelJS from '../../kernel/xlsx.js';
import { checkXlsx } from '../../kernel/xlsx-guard.js';
import type { CellValue, Worksheet } from 'exceljs';
import type { Tx } from '../../kernel/db/pool.js';
import type { Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { ALL_ROLES } from '../../kernel/http/access.js';
import { AppError, fail } from '../../kernel/http/errors.js';
import { cat } from './repo.js';
import { isDeepStrictEqual } from 'node:util';
import { createResource, startChange, updateResource } from './lifecycle.js';
import {
  compact,
  dataItem,
  resourceMeta,
  metaRuleIssues,
  FORMAT_CLASSES,
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

const RES = '资源目录';
const ITEMS = '信息项';
const LISTS = '代码表';

const RES_COLS = [
  ['code', '资源代码（新资源留空）', 22],
  ['name', '资源名称*', 28],
  ['department', '提供部门*', 26],
  ['category', '资源分类代码*', 14],
  ['summary', '资源摘要*', 50],
  ['formatClass', '资源格式*', 12],
  ['formatDetail', '格式说明', 12],
  ['shareType', '共享类型*', 14],
  ['shareCondition', '共享条件', 24],
  ['shareBasis', '共享依据', 24],
  ['shareMethods', '共享方式*（逗号分隔）', 18],
  ['openType', '开放类型*', 14],
  ['openCondition', '开放条件', 24],
  ['updateCycle', '更新周期*', 10],
  ['relatedCodes', '关联资源代码（逗号分隔）', 24],
  ['identifier', '标识符', 16],
  ['managementMode', '管理方式', 14],
  ['serviceInfo', '服务信息', 20],
  ['onlineUrl', '在线资源链接地址', 24],
  ['metadataMaintainer', '元数据维护方', 16],
  ['metadataVersion', '元数据版本', 12],
] as const;
const ITEM_COLS = [
  ['resource', '资源名称*', 28],
  ['name', '字段名*', 16],
  ['label', '信息项名称*', 20],
  ['type', '数据类型*', 12],
  ['length', '长度', 8],
  ['precision', '精度', 8],
  ['scale', '小数位', 8],
  ['codeTable', '代码表', 14],
  ['primaryKey', '是否主键', 10],
  ['incremental', '是否增量字段', 12],
  ['identityKind', '身份标识类型', 16],
  ['grade', '分级*', 16],
  ['masking', '脱敏规则', 22],
] as const;

const FORMAT_ZH: Record<string, string> = Object.fromEntries(Object.entries(FORMAT_CLASSES).map(([k, v]) => [k, v]));
const invert = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k]));
const YES = '是';
const NO = '否';

export interface ImportError {
  sheet: string;
  row: number;
  column: string;
  reason: string;
}

function lists(): Record<string, string[]> {
  return {
    formatClass: Object.values(FORMAT_ZH),
    shareType: Object.values(SHARE_TYPE_ZH),
    openType: Object.values(OPEN_TYPE_ZH),
    updateCycle: Object.values(UPDATE_CYCLE_ZH),
    type: Object.values(ITEM_TYPE_ZH),
    yesNo: [YES, NO],
    identityKind: Object.values(IDENTITY_KIND_ZH),
    grade: Object.values(GRADE_ZH),
    masking: Object.values(MASK_ZH),
  };
}

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

function text(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'richText' in v)
    return v.richText
      .map((t) => t.text)
      .join('')
      .trim();
  if (typeof v === 'object' && 'text' in v) return String(v.text).trim();
  if (typeof v === 'object' && 'result' in v) return String(v.result ?? '').trim();
  return String(v).trim();
}

function sheetRows(ws: Worksheet, cols: readonly (readonly [string, string, number])[], errors: ImportError[]) {
  const header = (ws.getRow(1).values as CellValue[]).slice(1).map(text);
  const idx = new Map<string, number>();
  cols.forEach(([key, title]) => {
    const i = header.findIndex((h) => h.replace(/[*（(].*$/, '') === title.replace(/[*（(].*$/, ''));
    if (i < 0 && title.includes('*')) errors.push({ sheet: ws.name, row: 1, column: title, reason: '缺少这一列' });
    if (i >= 0) idx.set(key, i + 1);
  });
  const out: { row: number; get: (k: string) => string; column: (k: string) => string }[] = [];
  ws.eachRow((r, n) => {
    if (n === 1) return;
    const get = (k: string) => (idx.has(k) ? text(r.getCell(idx.get(k)!).value) : '');
    if (cols.every(([k]) => get(k) === '')) return;
    out.push({ row: n, get, column: (k) => cols.find((c) => c[0] === k)![1].replace(/[*（(].*$/, '') });
  });
  return out;
}

/** Parses and checks a filled workbook, then creates each valid resource as a draft of the importer's department. */
export async function importCatalog(ctx: Ctx, tx: Tx, file: Buffer, opts: { validOnly: boolean }) {
  requireRole(ctx, 'officer');
  // a decompression bomb is refused before exceljs inflates anything
  await checkXlsx(file).catch((e: unknown) => {
    throw e instanceof AppError && e.code === 'XLSX_INVALID' ? new AppError('CATALOG_IMPORT_FILE') : e;
  });
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(file as unknown as ArrayBuffer);
  } catch {
    fail('CATALOG_IMPORT_FILE', { zh: '文件不是有效的 .xlsx 工作簿', en: 'The file is not a valid .xlsx workbook' });
  }
  const rs = wb.getWorksheet(RES);
  const is = wb.getWorksheet(ITEMS);
  if (!rs || !is)
    fail('CATALOG_IMPORT_FILE', {
      zh: `工作簿须包含“${RES}”和“${ITEMS}”两个工作表（请使用导出的模板）`,
      en: `The workbook needs the sheets "${RES}" and "${ITEMS}" (use the template)`,
    });
  const errors: ImportError[] = [];
  const dept = await tx
    .selectFrom('kernel.department')
    .select(['id', 'name'])
    .where('id', '=', ctx.actor.departmentId ?? '00000000-0000-0000-0000-000000000000')
    .executeTakeFirstOrThrow();
  const cats = new Map(
    (await cat(tx).selectFrom('catalog.category').select(['id', 'full_code']).execute()).map((c) => [
      c.full_code,
      c.id,
    ]),
  );
  const inv = (o: object): Record<string, string | undefined> => invert(o as Record<string, string>);
  const SHARE = inv(SHARE_TYPE_ZH),
    OPEN = inv(OPEN_TYPE_ZH),
    CYCLE = inv(UPDATE_CYCLE_ZH),
    TYPE = inv(ITEM_TYPE_ZH),
    IDK = inv(IDENTITY_KIND_ZH);
  const GRADE = inv(GRADE_ZH),
    MASK = inv(MASK_ZH),
    FORMAT = inv(FORMAT_ZH),
    METHOD = inv(SHARE_METHOD_ZH);

  type Draft = {
    row: number;
    code: string;
    meta: ResourceMeta;
    items: { row: number; item: DataItem }[];
    bad: boolean;
  };
  const drafts = new Map<string, Draft>();
  for (const r of sheetRows(rs, RES_COLS, errors)) {
    const err = (k: string, reason: string) => errors.push({ sheet: RES, row: r.row, column: r.column(k), reason });
    const before = errors.length;
    const enumOf = (k: string, map: Record<string, string | undefined>) => {
      const v = r.get(k);
      if (!v) return undefined;
      if (!map[v]) err(k, `“${v}”不是可选值（${Object.keys(map).join('、')}）`);
      return map[v];
    };
    if (r.get('department') && r.get('department') !== dept.name)
      err('department', `只能导入本部门（${dept.name}）的资源，而不是“${r.get('department')}”`);
    const categoryId = cats.get(r.get('category'));
    if (r.get('category') && !categoryId) err('category', `分类代码“${r.get('category')}”不存在`);
    const methods = r
      .get('shareMethods')
      .split(/[,，、\s]+/)
      .filter(Boolean)
      .map((m) => {
        if (!METHOD[m]) err('shareMethods', `“${m}”不是共享方式（${Object.keys(METHOD).join('、')}）`);
        return METHOD[m];
      });
    const candidate = {
      name: r.get('name'),
      summary: r.get('summary'),
      categoryId,
      formatClass: Number(enumOf('formatClass', FORMAT)),
      formatDetail: r.get('formatDetail') || null,
      shareType: enumOf('shareType', SHARE),
      shareCondition: r.get('shareCondition') || null,
      shareBasis: r.get('shareBasis') || null,
      shareMethods: methods,
      openType: enumOf('openType', OPEN),
      openCondition: r.get('openCondition') || null,
      updateCycle: enumOf('updateCycle', CYCLE),
      relatedCodes: r
        .get('relatedCodes')
        .split(/[,，、\s]+/)
        .filter(Boolean),
      shandong: {
        identifier: r.get('identifier') || null,
        managementMode: r.get('managementMode') || null,
        serviceInfo: r.get('serviceInfo') || null,
        onlineUrl: r.get('onlineUrl') || null,
        metadataMaintainer: r.get('metadataMaintainer') || null,
        metadataVersion: r.get('metadataVersion') || null,
      },
    };
    const parsed = resourceMeta.safeParse(compact(candidate));
    if (!parsed.success) {
      for (const issue of [...parsed.error.issues, ...metaRuleIssues(candidate)]) {
        const key = String(issue.path[0] ?? 'name');
        const col = RES_COLS.some((c) => c[0] === key)
          ? key
          : key === 'categoryId'
            ? 'category'
            : key === 'shandong'
              ? String(issue.path[1] ?? 'name')
              : 'name';
        // a cell already reported (an unknown value, say) is not reported twice
        if (!errors.slice(before).some((e) => e.column === r.column(col))) err(col, issue.message);
      }
    }
    if (drafts.has(candidate.name)) err('name', `资源名称“${candidate.name}”在本表中重复`);
    else
      drafts.set(candidate.name, {
        row: r.row,
        code: r.get('code'),
        meta: parsed.success ? parsed.data : (candidate as unknown as ResourceMeta),
        items: [],
        bad: errors.length > before,
      });
  }
  for (const r of sheetRows(is, ITEM_COLS, errors)) {
    const err = (k: string, reason: string) => errors.push({ sheet: ITEMS, row: r.row, column: r.column(k), reason });
    const before = errors.length;
    const d = drafts.get(r.get('resource'));
    if (!d) err('resource', `资源“${r.get('resource')}”不在“${RES}”表中`);
    const enumOf = (k: string, map: Record<string, string | undefined>, required = false) => {
      const v = r.get(k);
      if (!v) {
        if (required) err(k, '必填');
        return undefined;
      }
      if (!map[v]) err(k, `“${v}”不是可选值`);
      return map[v];
    };
    const num = (k: string) => {
      const v = r.get(k);
      if (!v) return null;
      if (!/^\d+$/.test(v)) err(k, `“${v}”不是整数`);
      return Number(v);
    };
    const yes = (k: string) => {
      const v = r.get(k);
      if (v && v !== YES && v !== NO) err(k, `请填“${YES}”或“${NO}”`);
      return v === YES;
    };
    const candidate = {
      name: r.get('name'),
      label: r.get('label'),
      type: enumOf('type', TYPE, true),
      length: num('length'),
      precision: num('precision'),
      scale: num('scale'),
      codeTable: r.get('codeTable') || null,
      primaryKey: yes('primaryKey'),
      incremental: yes('incremental'),
      identityKind: enumOf('identityKind', IDK) ?? null,
      grade: Number(enumOf('grade', GRADE, true)),
      masking: enumOf('masking', MASK) ?? 'none',
    };
    const parsed = dataItem.safeParse(compact(candidate));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const col = ITEM_COLS.some((c) => c[0] === String(issue.path[0])) ? String(issue.path[0]) : 'name';
        if (!errors.slice(before).some((e) => e.column === r.column(col))) err(col, issue.message);
      }
    }
    if (d) {
      if (errors.length > before) d.bad = true;
      else if (d.items.some((x) => x.item.name === parsed.data!.name)) {
        err('name', `字段名“${candidate.name}”在资源“${d.meta.name}”中重复`);
        d.bad = true;
      } else d.items.push({ row: r.row, item: parsed.data! });
    }
  }
  for (const d of drafts.values()) {
    if (d.items.length === 0) {
      errors.push({
        sheet: RES,
        row: d.row,
        column: '资源名称',
        reason: `资源“${d.meta.name}”在“${ITEMS}”表中没有信息项`,
      });
      d.bad = true;
    }
  }
  errors.sort((a, b) => (a.sheet === b.sheet ? a.row - b.row : a.sheet === RES ? -1 : 1));
  if (errors.length > 0 && !opts.validOnly) {
    throw new AppError('CATALOG_IMPORT_INVALID', {
      errors: errors.map((e) => ({ field: `${e.sheet}!${e.row}:${e.column}`, message: e.reason })),
      zh: `导入文件有 ${errors.length} 处错误，未导入任何资源`,
      en: `The file has ${errors.length} errors; nothing was imported`,
    });
  }
  const existing = await existingResources(tx, dept.id);
  const created: { id: string; name: string }[] = [];
  const updated: { id: string; name: string; version: number }[] = [];
  const unchanged: { id: string; name: string }[] = [];
  const busy: ImportError[] = [];
  for (const d of drafts.values()) {
    if (d.bad) continue;
    const items = d.items.map((x) => x.item);
    const match = (d.code ? existing.byCode.get(d.code) : undefined) ?? existing.byName.get(d.meta.name);
    if (d.code && !existing.byCode.has(d.code)) {
      busy.push({
        sheet: RES,
        row: d.row,
        column: '资源代码',
        reason: `资源代码“${d.code}”不是本部门的资源（新资源请留空）`,
      });
      continue;
    }
    if (!match) {
      const r = await createResource(ctx, tx, { departmentId: dept.id, meta: d.meta, items });
      created.push({ id: r.id, name: d.meta.name });
      continue;
    }
    const same = (a: unknown, b: unknown) => isDeepStrictEqual(JSON.parse(JSON.stringify(a)), b);
    if (same(compact(d.meta), match.meta) && same(items.map(compact), match.items)) {
      unchanged.push({ id: match.id, name: d.meta.name });
      continue;
    }
    if (match.state === 'submitted') {
      busy.push({
        sheet: RES,
        row: d.row,
        column: '资源名称',
        reason: `资源“${match.name}”正在审核中，撤回后才能通过导入修改`,
      });
      continue;
    }
    if (match.state === 'published') await startChange(ctx, tx, match.id);
    const r = await updateResource(ctx, tx, match.id, { meta: d.meta, items });
    updated.push({ id: match.id, name: d.meta.name, version: r.open!.version });
  }
  if (busy.length > 0 && !opts.validOnly) {
    throw new AppError('CATALOG_IMPORT_INVALID', {
      errors: busy.map((e) => ({ field: `${e.sheet}!${e.row}:${e.column}`, message: e.reason })),
      zh: `导入文件有 ${busy.length} 处错误，未导入任何资源`,
      en: `The file has ${busy.length} errors; nothing was imported`,
    });
  }
  return { created, updated, unchanged, errors: [...errors, ...busy] };
}

/** The department's resources that an imported row may match: by code and by the name of their current version. */
async function existingResources(tx: Tx, departmentId: string) {
  const rows = await cat(tx)
    .selectFrom('catalog.resource as r')
    .innerJoin('catalog.resource_version as v', (j) =>
      j
        .onRef('v.resource_id', '=', 'r.id')
        .on((eb) => eb('v.version', '=', eb.fn.coalesce('r.open_version', 'r.published_version'))),
    )
    .select(['r.id', 'r.code', 'v.state', 'v.meta', 'v.items'])
    .where('r.department_id', '=', departmentId)
    .where('r.status', '!=', 'retired')
    .execute();
  const byCode = new Map<string, Existing>();
  const byName = new Map<string, Existing>();
  for (const r of rows) {
    const e: Existing = { id: r.id, name: r.meta.name, state: r.state, meta: r.meta, items: r.items };
    if (r.code) byCode.set(r.code, e);
    byName.set(r.meta.name, e);
  }
  return { byCode, byName };
}
type Existing = { id: string; name: string; state: string; meta: unknown; items: unknown };

/** The overview (totals by department and by classification) as a workbook. */
export async function overviewWorkbook(ctx: Ctx, tx: Tx): Promise<Buffer> {
  const { catalogOverview } = await import('./search.js');
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
