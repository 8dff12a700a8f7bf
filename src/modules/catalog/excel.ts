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
import { AppError, fail } from '../../kernel/http/errors.js';
import { bilingual, issuesOf } from '../../kernel/http/issue-text.js';
import { cat } from './repo.js';
import { isDeepStrictEqual } from 'node:util';
import { createResource, startChange, updateResource } from './lifecycle.js';
import {
  compact,
  dataItem,
  resourceMeta,
  metaRuleIssues,
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
import { FORMAT_ZH, ITEMS, ITEM_COLS, NO, RES, RES_COLS, YES, invert, type ImportError } from './excel-layout.js';

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

const fieldError = (e: ImportError) => ({
  field: `${e.sheet}!${e.row}:${e.column}`,
  message: e.reason,
  en: e.reasonEn,
});

function sheetRows(ws: Worksheet, cols: readonly (readonly [string, string, number])[], errors: ImportError[]) {
  const header = (ws.getRow(1).values as CellValue[]).slice(1).map(text);
  const idx = new Map<string, number>();
  cols.forEach(([key, title]) => {
    const i = header.findIndex((h) => h.replace(/[*（(].*$/, '') === title.replace(/[*（(].*$/, ''));
    if (i < 0 && title.includes('*'))
      errors.push({ sheet: ws.name, row: 1, column: title, reason: '缺少这一列', reasonEn: 'This column is missing' });
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
    const err = (k: string, reason: string, reasonEn: string) =>
      errors.push({ sheet: RES, row: r.row, column: r.column(k), reason, reasonEn });
    const before = errors.length;
    const enumOf = (k: string, map: Record<string, string | undefined>) => {
      const v = r.get(k);
      if (!v) return undefined;
      if (!map[v])
        err(
          k,
          `“${v}”不是可选值（${Object.keys(map).join('、')}）`,
          `"${v}" is not one of the choices (${Object.keys(map).join(', ')})`,
        );
      return map[v];
    };
    if (r.get('department') && r.get('department') !== dept.name)
      err(
        'department',
        `只能导入本部门（${dept.name}）的资源，而不是“${r.get('department')}”`,
        `Only resources of your own department (${dept.name}) can be imported, not of "${r.get('department')}"`,
      );
    const categoryId = cats.get(r.get('category'));
    if (r.get('category') && !categoryId)
      err('category', `分类代码“${r.get('category')}”不存在`, `There is no category "${r.get('category')}"`);
    const methods = r
      .get('shareMethods')
      .split(/[,，、\s]+/)
      .filter(Boolean)
      .map((m) => {
        if (!METHOD[m])
          err(
            'shareMethods',
            `“${m}”不是共享方式（${Object.keys(METHOD).join('、')}）`,
            `"${m}" is not a way of sharing (${Object.keys(METHOD).join(', ')})`,
          );
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
      const rules = metaRuleIssues(candidate).map((i) => ({ path: i.path, ...bilingual(i.message) }));
      for (const issue of [...issuesOf(resourceMeta, compact(candidate)), ...rules]) {
        const key = String(issue.path[0] ?? 'name');
        const col = RES_COLS.some((c) => c[0] === key)
          ? key
          : key === 'categoryId'
            ? 'category'
            : key === 'shandong'
              ? String(issue.path[1] ?? 'name')
              : 'name';
        // a cell already reported (an unknown value, say) is not reported twice
        if (!errors.slice(before).some((e) => e.column === r.column(col))) err(col, issue.zh, issue.en);
      }
    }
    if (drafts.has(candidate.name))
      err('name', `资源名称“${candidate.name}”在本表中重复`, `The resource name "${candidate.name}" appears twice`);
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
    const err = (k: string, reason: string, reasonEn: string) =>
      errors.push({ sheet: ITEMS, row: r.row, column: r.column(k), reason, reasonEn });
    const before = errors.length;
    const d = drafts.get(r.get('resource'));
    if (!d)
      err(
        'resource',
        `资源“${r.get('resource')}”不在“${RES}”表中`,
        `The resource "${r.get('resource')}" is not in the sheet "${RES}"`,
      );
    const enumOf = (k: string, map: Record<string, string | undefined>, required = false) => {
      const v = r.get(k);
      if (!v) {
        if (required) err(k, '必填', 'Required');
        return undefined;
      }
      if (!map[v]) err(k, `“${v}”不是可选值`, `"${v}" is not one of the choices`);
      return map[v];
    };
    const num = (k: string) => {
      const v = r.get(k);
      if (!v) return null;
      if (!/^\d+$/.test(v)) err(k, `“${v}”不是整数`, `"${v}" is not a whole number`);
      return Number(v);
    };
    const yes = (k: string) => {
      const v = r.get(k);
      if (v && v !== YES && v !== NO) err(k, `请填“${YES}”或“${NO}”`, `Write "${YES}" (yes) or "${NO}" (no)`);
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
      for (const issue of issuesOf(dataItem, compact(candidate))) {
        const col = ITEM_COLS.some((c) => c[0] === String(issue.path[0])) ? String(issue.path[0]) : 'name';
        if (!errors.slice(before).some((e) => e.column === r.column(col))) err(col, issue.zh, issue.en);
      }
    }
    if (d) {
      if (errors.length > before) d.bad = true;
      else if (d.items.some((x) => x.item.name === parsed.data!.name)) {
        err(
          'name',
          `字段名“${candidate.name}”在资源“${d.meta.name}”中重复`,
          `The item name "${candidate.name}" appears twice in "${d.meta.name}"`,
        );
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
        reasonEn: `The resource "${d.meta.name}" has no items in the sheet "${ITEMS}"`,
      });
      d.bad = true;
    }
  }
  errors.sort((a, b) => (a.sheet === b.sheet ? a.row - b.row : a.sheet === RES ? -1 : 1));
  if (errors.length > 0 && !opts.validOnly) {
    throw new AppError('CATALOG_IMPORT_INVALID', {
      errors: errors.map(fieldError),
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
        reasonEn: `The resource code "${d.code}" is not one of your department's (leave it empty for a new resource)`,
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
        reasonEn: `The resource "${match.name}" is under review: withdraw it before changing it by import`,
      });
      continue;
    }
    if (match.state === 'published') await startChange(ctx, tx, match.id);
    const r = await updateResource(ctx, tx, match.id, { meta: d.meta, items });
    updated.push({ id: match.id, name: d.meta.name, version: r.open!.version });
  }
  if (busy.length > 0 && !opts.validOnly) {
    throw new AppError('CATALOG_IMPORT_INVALID', {
      errors: busy.map(fieldError),
      zh: `导入文件有 ${busy.length} 处错误，未导入任何资源`,
      en: `The file has ${busy.length} errors; nothing was imported`,
    });
  }
  const en = ctx.lang === 'en-US';
  return {
    created,
    updated,
    unchanged,
    errors: [...errors, ...busy].map(({ reasonEn, ...e }) => ({ ...e, reason: en ? reasonEn : e.reason })),
  };
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
