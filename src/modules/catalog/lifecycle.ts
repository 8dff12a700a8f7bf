/**
 * The lifecycle of a resource: draft → submitted → reviewed by the bureau (approve / return with
 * comments) → published → change (a new version goes through review again while the published one
 * stays in force) → retired. Every version is kept. Only the provider department's data officers
 * edit; administrators review. Every step is audited in the same transaction.
 */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import { hasRole, type Ctx } from '../../kernel/http/context.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { fail } from '../../kernel/http/errors.js';
import { cat, loadResource, loadVersion, toResourceDto } from './repo.js';
import { gradeOf } from './items.js';
import { createDatasetTable, migrateDatasetTable, migrationSql, tableNameOf } from './dataset.js';
import { removeEntry, upsertEntry } from './entry.js';
import { compact, type DataItem, type ResourceDto, type ResourceInput, type ResourceMeta } from './schema.js';

/** Run in the publishing transaction (governance: adopt the identity rules of the published items). */
export type PublishHook = (
  tx: Tx,
  ctx: Ctx,
  published: { resourceId: string; version: number; items: DataItem[] },
) => Promise<void>;
const publishHooks: PublishHook[] = [];
export function onPublish(h: PublishHook): void {
  publishHooks.push(h);
}

type Resource = NonNullable<Awaited<ReturnType<typeof loadResource>>>;

function requireEditor(ctx: Ctx, departmentId: string): void {
  if (ctx.actor.type === 'anonymous') fail('AUTH_REQUIRED');
  if (ctx.actor.type === 'system') return;
  if (!ctx.actor.roles.includes('officer') || ctx.actor.departmentId !== departmentId) fail('CATALOG_NOT_EDITABLE');
}

async function mustLoad(tx: Tx, id: string): Promise<Resource> {
  const r = await loadResource(tx, id);
  if (!r) fail('NOT_FOUND');
  return r;
}

async function event(
  tx: Tx,
  ctx: Ctx,
  r: { id: string },
  version: number,
  action: string,
  comment: string | null = null,
) {
  await cat(tx)
    .insertInto('catalog.resource_event')
    .values({
      resource_id: r.id,
      version,
      action,
      actor_id: ctx.actor.type === 'user' ? ctx.actor.id : null,
      actor_name: ctx.actor.name,
      comment,
    })
    .execute();
}

async function checkContent(tx: Tx, meta: ResourceMeta, items: DataItem[]): Promise<void> {
  const seen = new Set<string>();
  items.forEach((i, n) => {
    if (seen.has(i.name))
      fail('CATALOG_DUPLICATE_ITEM', {
        field: `items.${n}.name`,
        zh: `信息项字段名“${i.name}”重复`,
        en: `Item name "${i.name}" appears twice`,
      });
    seen.add(i.name);
  });
  const c = await cat(tx)
    .selectFrom('catalog.category')
    .select('id')
    .where('id', '=', meta.categoryId)
    .executeTakeFirst();
  if (!c) fail('CATALOG_CATEGORY_UNKNOWN', { field: 'meta.categoryId' });
}

/** What a published version's table would have to undergo; throws when a change would lose data. */
async function checkAgainstPublished(tx: Tx, r: Resource, items: DataItem[]): Promise<void> {
  if (!r.published_version || !r.dataset_table) return;
  const pub = (await loadVersion(tx, r.id, r.published_version))!;
  migrationSql(r.dataset_table, pub.items, items);
}

export async function createResource(ctx: Ctx, tx: Tx, input: ResourceInput): Promise<ResourceDto> {
  const departmentId = input.departmentId ?? ctx.actor.departmentId;
  if (!departmentId) fail('VALIDATION_FAILED', { field: 'departmentId' });
  requireEditor(ctx, departmentId);
  await checkContent(tx, input.meta, input.items);
  const r = await cat(tx)
    .insertInto('catalog.resource')
    .values({
      department_id: departmentId,
      open_version: 1,
      created_by: ctx.actor.type === 'user' ? ctx.actor.id : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await cat(tx)
    .insertInto('catalog.resource_version')
    .values({
      resource_id: r.id,
      version: 1,
      state: 'draft',
      meta: JSON.stringify(compact(input.meta)),
      items: JSON.stringify(input.items.map(compact)),
      grade: gradeOf(input.items),
      created_by: ctx.actor.type === 'user' ? ctx.actor.id : null,
    })
    .execute();
  await event(tx, ctx, r, 1, 'create');
  await appendInTx(tx, [
    auditOf(ctx, 'catalog.resource.create', 'resource', r.id, { name: input.meta.name, departmentId }),
  ]);
  return toResourceDto(tx, (await loadResource(tx, r.id))!, true);
}

/** Edits the open version (a draft, or one returned for changes). */
export async function updateResource(
  ctx: Ctx,
  tx: Tx,
  id: string,
  input: { meta: ResourceMeta; items: DataItem[] },
): Promise<ResourceDto> {
  const r = await mustLoad(tx, id);
  requireEditor(ctx, r.department_id);
  const v = r.open_version ? await loadVersion(tx, id, r.open_version) : undefined;
  if (!v || !['draft', 'returned'].includes(v.state))
    fail('CATALOG_STATE', {
      zh: '只有草稿或退回修改的版本可以编辑',
      en: 'Only a draft or a returned version can be edited',
    });
  await checkContent(tx, input.meta, input.items);
  await checkAgainstPublished(tx, r, input.items);
  await cat(tx)
    .updateTable('catalog.resource_version')
    .set({
      meta: JSON.stringify(compact(input.meta)),
      items: JSON.stringify(input.items.map(compact)),
      grade: gradeOf(input.items),
      state: 'draft',
      updated_at: new Date(),
    })
    .where('resource_id', '=', id)
    .where('version', '=', v.version)
    .execute();
  await cat(tx).updateTable('catalog.resource').set({ updated_at: new Date() }).where('id', '=', id).execute();
  await event(tx, ctx, r, v.version, 'update');
  await appendInTx(tx, [
    auditOf(ctx, 'catalog.resource.update', 'resource', id, { version: v.version, name: input.meta.name }),
  ]);
  return toResourceDto(tx, (await loadResource(tx, id))!, true);
}

async function openVersionIn(tx: Tx, r: Resource, states: string[], zh: string, en: string) {
  const v = r.open_version ? await loadVersion(tx, r.id, r.open_version) : undefined;
  if (!v || !states.includes(v.state)) fail('CATALOG_STATE', { zh, en });
  return v;
}

export async function submitResource(ctx: Ctx, tx: Tx, id: string): Promise<ResourceDto> {
  const r = await mustLoad(tx, id);
  requireEditor(ctx, r.department_id);
  const v = await openVersionIn(tx, r, ['draft', 'returned'], '没有可提交的草稿', 'There is no draft to submit');
  if (!v.items.some((i) => i.primaryKey)) fail('CATALOG_NO_KEY', { field: 'items' });
  await checkAgainstPublished(tx, r, v.items);
  await cat(tx)
    .updateTable('catalog.resource_version')
    .set({ state: 'submitted', submitted_at: new Date() })
    .where('resource_id', '=', id)
    .where('version', '=', v.version)
    .execute();
  await event(tx, ctx, r, v.version, 'submit');
  await appendInTx(tx, [auditOf(ctx, 'catalog.resource.submit', 'resource', id, { version: v.version })]);
  return toResourceDto(tx, (await loadResource(tx, id))!, true);
}

/** Takes a submitted version back to draft (before the bureau decided). */
export async function withdrawSubmission(ctx: Ctx, tx: Tx, id: string): Promise<ResourceDto> {
  const r = await mustLoad(tx, id);
  requireEditor(ctx, r.department_id);
  const v = await openVersionIn(tx, r, ['submitted'], '没有待审核的版本', 'No version is waiting for review');
  await cat(tx)
    .updateTable('catalog.resource_version')
    .set({ state: 'draft', submitted_at: null })
    .where('resource_id', '=', id)
    .where('version', '=', v.version)
    .execute();
  await event(tx, ctx, r, v.version, 'withdraw');
  await appendInTx(tx, [auditOf(ctx, 'catalog.resource.withdraw', 'resource', id, { version: v.version })]);
  return toResourceDto(tx, (await loadResource(tx, id))!, true);
}

async function nextCode(tx: Tx, categoryId: string): Promise<string> {
  const c = await cat(tx)
    .selectFrom('catalog.category')
    .select('full_code')
    .where('id', '=', categoryId)
    .executeTakeFirstOrThrow();
  const fmt = (await cat(tx).selectFrom('catalog.settings').select('resource_code_format').executeTakeFirstOrThrow())
    .resource_code_format;
  const seq = await cat(tx)
    .insertInto('catalog.code_seq')
    .values({ category_code: c.full_code, last: 1 })
    .onConflict((oc) => oc.column('category_code').doUpdateSet({ last: sql<number>`catalog.code_seq.last + 1` }))
    .returning('last')
    .executeTakeFirstOrThrow();
  return fmt
    .replace('{category}', c.full_code)
    .replace(/\{seq:(\d+)\}/, (_m, w: string) => String(seq.last).padStart(Number(w), '0'));
}

/** The bureau's decision on a submitted version. Approving publishes it (and makes or migrates its table). */
export async function reviewResource(
  ctx: Ctx,
  tx: Tx,
  id: string,
  decision: 'approve' | 'return',
  comment: string | undefined,
): Promise<ResourceDto> {
  requireRole(ctx, 'admin');
  const r = await mustLoad(tx, id);
  const v = await openVersionIn(tx, r, ['submitted'], '没有待审核的版本', 'No version is waiting for review');
  const now = new Date();
  if (decision === 'return') {
    if (!comment?.trim())
      fail('VALIDATION_FAILED', { field: 'comment', zh: '退回修改须填写意见', en: 'A return needs a comment' });
    await cat(tx)
      .updateTable('catalog.resource_version')
      .set({ state: 'returned', reviewed_at: now, reviewed_by: ctx.actor.id, review_comment: comment })
      .where('resource_id', '=', id)
      .where('version', '=', v.version)
      .execute();
    await event(tx, ctx, r, v.version, 'return', comment);
    await appendInTx(tx, [auditOf(ctx, 'catalog.resource.return', 'resource', id, { version: v.version, comment })]);
    return toResourceDto(tx, (await loadResource(tx, id))!, true);
  }
  const table = r.dataset_table ?? tableNameOf(r.id);
  if (r.published_version) {
    const pub = (await loadVersion(tx, id, r.published_version))!;
    await migrateDatasetTable(tx, table, pub.items, v.items);
    await cat(tx)
      .updateTable('catalog.resource_version')
      .set({ state: 'superseded' })
      .where('resource_id', '=', id)
      .where('version', '=', r.published_version)
      .execute();
  } else {
    await createDatasetTable(tx, table, v.items);
  }
  const code = r.code ?? (await nextCode(tx, v.meta.categoryId));
  await cat(tx)
    .updateTable('catalog.resource_version')
    .set({
      state: 'published',
      reviewed_at: now,
      reviewed_by: ctx.actor.id,
      review_comment: comment ?? null,
      published_at: now,
    })
    .where('resource_id', '=', id)
    .where('version', '=', v.version)
    .execute();
  await cat(tx)
    .updateTable('catalog.resource')
    .set({
      status: 'published',
      code,
      published_version: v.version,
      open_version: null,
      dataset_table: table,
      first_published_at: r.first_published_at ?? now,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
  await upsertEntry(
    tx,
    {
      id,
      code,
      departmentId: r.department_id,
      departmentName: r.department_name,
      version: v.version,
      publishedAt: r.first_published_at ?? now,
      modifiedAt: now,
    },
    v.meta,
    v.items,
    v.grade,
  );
  await event(tx, ctx, r, v.version, 'approve', comment ?? null);
  await appendInTx(tx, [
    auditOf(ctx, 'catalog.resource.publish', 'resource', id, { version: v.version, code, table: `ds.${table}` }),
  ]);
  for (const h of publishHooks) await h(tx, ctx, { resourceId: id, version: v.version, items: v.items });
  return toResourceDto(tx, (await loadResource(tx, id))!, true);
}

/** Opens a new version of a published resource; the published one stays in force meanwhile. */
export async function startChange(ctx: Ctx, tx: Tx, id: string): Promise<ResourceDto> {
  const r = await mustLoad(tx, id);
  requireEditor(ctx, r.department_id);
  if (r.status !== 'published' || !r.published_version)
    fail('CATALOG_STATE', { zh: '只有已发布的资源可以变更', en: 'Only a published resource can be changed' });
  if (r.open_version)
    fail('CATALOG_STATE', {
      zh: `已有正在编辑或审核的版本 v${r.open_version}`,
      en: `Version ${r.open_version} is already open`,
    });
  const pub = (await loadVersion(tx, id, r.published_version))!;
  const last = await cat(tx)
    .selectFrom('catalog.resource_version')
    .select(sql<number>`max(version)`.as('v'))
    .where('resource_id', '=', id)
    .executeTakeFirstOrThrow();
  const version = last.v + 1;
  await cat(tx)
    .insertInto('catalog.resource_version')
    .values({
      resource_id: id,
      version,
      state: 'draft',
      meta: JSON.stringify(pub.meta),
      items: JSON.stringify(pub.items),
      grade: pub.grade,
      created_by: ctx.actor.type === 'user' ? ctx.actor.id : null,
    })
    .execute();
  await cat(tx)
    .updateTable('catalog.resource')
    .set({ open_version: version, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
  await event(tx, ctx, r, version, 'change');
  await appendInTx(tx, [auditOf(ctx, 'catalog.resource.change', 'resource', id, { version })]);
  return toResourceDto(tx, (await loadResource(tx, id))!, true);
}

/** 撤销/下线: the resource leaves the catalog (its versions and dataset table are kept). */
export async function retireResource(ctx: Ctx, tx: Tx, id: string, reason: string): Promise<ResourceDto> {
  const r = await mustLoad(tx, id);
  if (!hasRole(ctx, 'admin')) requireEditor(ctx, r.department_id);
  if (r.status === 'retired') fail('CATALOG_STATE', { zh: '资源已下线', en: 'The resource is already retired' });
  if (!reason.trim()) fail('VALIDATION_FAILED', { field: 'reason' });
  if (r.open_version) {
    await cat(tx)
      .updateTable('catalog.resource_version')
      .set({ state: 'withdrawn' })
      .where('resource_id', '=', id)
      .where('version', '=', r.open_version)
      .execute();
  }
  await cat(tx)
    .updateTable('catalog.resource')
    .set({
      status: 'retired',
      open_version: null,
      retired_at: new Date(),
      retire_reason: reason,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
  await removeEntry(tx, id);
  await event(tx, ctx, r, r.published_version ?? r.open_version ?? 1, 'retire', reason);
  await appendInTx(tx, [auditOf(ctx, 'catalog.resource.retire', 'resource', id, { reason })]);
  return toResourceDto(tx, (await loadResource(tx, id))!, true);
}
