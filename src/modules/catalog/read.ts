/** Reading the catalog: a resource, lists, the review queue, versions and their diff, history, categories. */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import { hasRole, type Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { ALL_ROLES } from '../../kernel/http/access.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { fail } from '../../kernel/http/errors.js';
import { parseSort, type PageQuery } from '../../kernel/http/pagination.js';
import { cat, loadResource, loadVersion, toResourceDto, toVersionDto } from './repo.js';
import type { DataItem, ResourceDto, VersionDto } from './schema.js';

/** Who sees unpublished versions: the provider department, administrators and auditors. */
function seesDrafts(ctx: Ctx, departmentId: string): boolean {
  return hasRole(ctx, 'admin', 'auditor') || ctx.actor.departmentId === departmentId;
}

export async function getResource(ctx: Ctx, tx: Tx, id: string): Promise<ResourceDto> {
  requireRole(ctx, ...ALL_ROLES);
  const r = await loadResource(tx, id);
  if (!r) fail('NOT_FOUND');
  const insider = seesDrafts(ctx, r.department_id);
  if (!insider && r.status !== 'published') fail('NOT_FOUND'); // another department's drafts do not exist for you
  return toResourceDto(tx, r, insider);
}

export interface ListQuery extends PageQuery {
  q?: string | undefined;
  departmentId?: string | undefined;
  status?: 'draft' | 'published' | 'retired' | undefined;
  openState?: 'draft' | 'submitted' | 'returned' | undefined;
}

/** The management list: an officer's own department, everything for administrators and auditors. */
export async function listResources(ctx: Ctx, tx: Tx, q: ListQuery) {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  let base = cat(tx)
    .selectFrom('catalog.resource as r')
    .innerJoin('kernel.department as d', 'd.id', 'r.department_id')
    .leftJoin('catalog.resource_version as v', (j) =>
      j.onRef('v.resource_id', '=', 'r.id').on(sql<boolean>`v.version = coalesce(r.open_version, r.published_version)`),
    );
  if (!hasRole(ctx, 'admin', 'auditor'))
    base = base.where('r.department_id', '=', ctx.actor.departmentId ?? '00000000-0000-0000-0000-000000000000');
  if (q.departmentId) base = base.where('r.department_id', '=', q.departmentId);
  if (q.status) base = base.where('r.status', '=', q.status);
  if (q.openState) base = base.where('v.state', '=', q.openState).where(sql<boolean>`r.open_version IS NOT NULL`);
  if (q.q)
    base = base.where((eb) =>
      eb.or([eb(sql<string>`v.meta->>'name'`, 'ilike', `%${q.q}%`), eb('r.code', 'ilike', `%${q.q}%`)]),
    );
  const sort = parseSort(
    q.sort,
    { updatedAt: 'r.updated_at', code: 'r.code', name: sql<string>`v.meta->>'name'` as never } as const,
    { column: 'r.updated_at', desc: true },
  );
  const [rows, total] = await Promise.all([
    base
      .select([
        'r.id',
        'r.code',
        'r.department_id',
        'd.name as department_name',
        'r.status',
        'r.open_version',
        'r.updated_at',
        'v.state',
        'v.grade',
        sql<string>`v.meta->>'name'`.as('name'),
      ])
      .orderBy(sort.column, sort.desc ? 'desc' : 'asc')
      .orderBy('r.id')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      code: r.code,
      name: r.name ?? '',
      departmentId: r.department_id,
      departmentName: r.department_name,
      status: r.status,
      openState: r.open_version ? (r.state ?? null) : null,
      grade: r.grade ?? 1,
      updatedAt: r.updated_at.toISOString(),
    })),
    total: total.n,
    page: q.page,
    pageSize: q.pageSize,
  };
}

/** The bureau's review queue: submitted versions, oldest first. */
export async function reviewQueue(ctx: Ctx, tx: Tx, q: PageQuery) {
  requireRole(ctx, 'admin');
  return listResources(ctx, tx, { ...q, openState: 'submitted', sort: q.sort ?? 'updatedAt' });
}

async function visible(ctx: Ctx, tx: Tx, id: string) {
  requireRole(ctx, ...ALL_ROLES);
  const r = await loadResource(tx, id);
  if (!r) fail('NOT_FOUND');
  const insider = seesDrafts(ctx, r.department_id);
  if (!insider && r.status !== 'published') fail('NOT_FOUND');
  return { r, insider };
}

export async function listVersions(ctx: Ctx, tx: Tx, id: string): Promise<VersionDto[]> {
  const { insider } = await visible(ctx, tx, id);
  const rows = await cat(tx)
    .selectFrom('catalog.resource_version')
    .selectAll()
    .where('resource_id', '=', id)
    .orderBy('version', 'desc')
    .execute();
  return rows.filter((v) => insider || ['published', 'superseded'].includes(v.state)).map(toVersionDto);
}

export async function resourceHistory(ctx: Ctx, tx: Tx, id: string) {
  const { insider } = await visible(ctx, tx, id);
  if (!insider) fail('FORBIDDEN_DEPARTMENT');
  const rows = await cat(tx)
    .selectFrom('catalog.resource_event')
    .selectAll()
    .where('resource_id', '=', id)
    .orderBy('id')
    .execute();
  return rows.map((e) => ({
    version: e.version,
    action: e.action,
    actorName: e.actor_name,
    comment: e.comment,
    at: e.at.toISOString(),
  }));
}

type Change = { path: string; kind: 'added' | 'removed' | 'changed'; before?: unknown; after?: unknown };

function diffValues(path: string, a: unknown, b: unknown, out: Change[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort())
      diffValues(path ? `${path}.${k}` : k, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], out);
    return;
  }
  if (a === undefined || a === null) out.push({ path, kind: 'added', after: b });
  else if (b === undefined || b === null) out.push({ path, kind: 'removed', before: a });
  else out.push({ path, kind: 'changed', before: a, after: b });
}

/** Field by field: metadata by key, data items by their name. */
export function diff(a: { meta: unknown; items: DataItem[] }, b: { meta: unknown; items: DataItem[] }): Change[] {
  const out: Change[] = [];
  diffValues('meta', a.meta, b.meta, out);
  const before = new Map(a.items.map((i) => [i.name, i]));
  const after = new Map(b.items.map((i) => [i.name, i]));
  for (const [name, i] of before) if (!after.has(name)) out.push({ path: `items.${name}`, kind: 'removed', before: i });
  for (const [name, i] of after) {
    const old = before.get(name);
    if (!old) out.push({ path: `items.${name}`, kind: 'added', after: i });
    else diffValues(`items.${name}`, old, i, out);
  }
  return out;
}

export async function diffVersions(ctx: Ctx, tx: Tx, id: string, from: number, to: number) {
  const { insider } = await visible(ctx, tx, id);
  const [a, b] = await Promise.all([loadVersion(tx, id, from), loadVersion(tx, id, to)]);
  const shown = (v: typeof a) => v && (insider || ['published', 'superseded'].includes(v.state));
  if (!shown(a)) fail('NOT_FOUND', { field: 'from' });
  if (!shown(b)) fail('NOT_FOUND', { field: 'to' });
  return { from, to, changes: diff(a!, b!) };
}

export async function listCategories(ctx: Ctx, tx: Tx) {
  requireRole(ctx, ...ALL_ROLES);
  const rows = await cat(tx).selectFrom('catalog.category').selectAll().orderBy('full_code').execute();
  return rows.map((c) => ({
    id: c.id,
    parentId: c.parent_id,
    code: c.code,
    fullCode: c.full_code,
    name: c.name,
    level: c.level,
    sort: c.sort,
  }));
}

export async function createCategory(
  ctx: Ctx,
  tx: Tx,
  input: { parentId: string | null; code: string; name: string; sort?: number | undefined },
) {
  requireRole(ctx, 'admin');
  const parent = input.parentId
    ? await cat(tx).selectFrom('catalog.category').selectAll().where('id', '=', input.parentId).executeTakeFirst()
    : undefined;
  if (input.parentId && !parent) fail('CATALOG_CATEGORY_UNKNOWN', { field: 'parentId' });
  const level = parent ? parent.level + 1 : 1;
  if (level > 4)
    fail('VALIDATION_FAILED', {
      field: 'parentId',
      zh: '分类最多四级（类/项/目/细目）',
      en: 'At most four levels (类/项/目/细目)',
    });
  const width = [1, 2, 3, 4][level - 1]!;
  if (input.code.length !== width)
    fail('VALIDATION_FAILED', {
      field: 'code',
      zh: `第 ${level} 级分类码为 ${width} 位数字`,
      en: `A level-${level} code has ${width} digits`,
    });
  const fullCode = (parent?.full_code ?? '') + input.code;
  if (await cat(tx).selectFrom('catalog.category').select('id').where('full_code', '=', fullCode).executeTakeFirst()) {
    fail('CONFLICT', { field: 'code', zh: `分类码 ${fullCode} 已存在`, en: `Category ${fullCode} exists` });
  }
  const c = await cat(tx)
    .insertInto('catalog.category')
    .values({
      parent_id: input.parentId,
      code: input.code,
      full_code: fullCode,
      name: input.name,
      level,
      sort: input.sort ?? 0,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendInTx(tx, [auditOf(ctx, 'catalog.category.create', 'category', c.id, { fullCode, name: input.name })]);
  return {
    id: c.id,
    parentId: c.parent_id,
    code: c.code,
    fullCode: c.full_code,
    name: c.name,
    level: c.level,
    sort: c.sort,
  };
}

export async function renameCategory(ctx: Ctx, tx: Tx, id: string, name: string) {
  requireRole(ctx, 'admin');
  const c = await cat(tx)
    .updateTable('catalog.category')
    .set({ name })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!c) fail('NOT_FOUND');
  await appendInTx(tx, [auditOf(ctx, 'catalog.category.rename', 'category', id, { name })]);
  return {
    id: c.id,
    parentId: c.parent_id,
    code: c.code,
    fullCode: c.full_code,
    name: c.name,
    level: c.level,
    sort: c.sort,
  };
}

export async function getSettings(ctx: Ctx, tx: Tx) {
  requireRole(ctx, ...ALL_ROLES);
  const s = await cat(tx).selectFrom('catalog.settings').select('resource_code_format').executeTakeFirstOrThrow();
  return { resourceCodeFormat: s.resource_code_format };
}

/** The node's resource code format: `{category}` and `{seq:N}` (N digits), e.g. `{category}/{seq:6}` → 3070100100/000123. */
export async function updateSettings(ctx: Ctx, tx: Tx, input: { resourceCodeFormat: string }) {
  requireRole(ctx, 'admin');
  const f = input.resourceCodeFormat.trim();
  if (
    !f.includes('{category}') ||
    !/\{seq:[1-9]\d?\}/.test(f) ||
    /[^\w{}:/.-]/.test(f.replace(/\{category\}|\{seq:\d+\}/g, ''))
  ) {
    fail('VALIDATION_FAILED', {
      field: 'resourceCodeFormat',
      zh: '格式须含 {category} 和 {seq:N}，其余只能是字母、数字和 / . - _',
      en: 'The format needs {category} and {seq:N}; anything else may only be letters, digits and / . - _',
    });
  }
  await cat(tx).updateTable('catalog.settings').set({ resource_code_format: f }).execute();
  await appendInTx(tx, [auditOf(ctx, 'catalog.settings.update', 'catalog_settings', null, { resourceCodeFormat: f })]);
  return { resourceCodeFormat: f };
}

/**
 * Published resources with a data item holding an identity key of that kind (公民身份号码 / 统一社会信用代码),
 * for 一人一档 / 一企一档. The caller checks who may see them.
 */
export async function resourcesWithIdentity(
  tx: Tx,
  kind: 'ric' | 'uscc',
): Promise<{ id: string; name: string; departmentName: string; table: string; items: DataItem[] }[]> {
  const r = await sql<{ id: string; name: string; department_name: string; dataset_table: string; items: DataItem[] }>`
    SELECT r.id, v.meta->>'name' AS name, d.name AS department_name, r.dataset_table, v.items
    FROM catalog.resource r JOIN catalog.resource_version v ON v.resource_id = r.id AND v.version = r.published_version
    JOIN kernel.department d ON d.id = r.department_id
    WHERE r.status = 'published' AND r.dataset_table IS NOT NULL
      AND EXISTS (SELECT 1 FROM jsonb_array_elements(v.items) i WHERE i->>'identityKind' = ${kind})
    ORDER BY d.name, name`.execute(tx);
  return r.rows.map((x) => ({
    id: x.id,
    name: x.name,
    departmentName: x.department_name,
    table: `ds.${x.dataset_table}`,
    items: x.items,
  }));
}

/** The published names of resources, by id (for other modules' lists). */
export async function publishedNames(tx: Tx, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await cat(tx)
    .selectFrom('catalog.resource as r')
    .innerJoin('catalog.resource_version as v', (j) =>
      j.onRef('v.resource_id', '=', 'r.id').onRef('v.version', '=', 'r.published_version'),
    )
    .select(['r.id', 'v.meta'])
    .where('r.id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.meta.name]));
}
