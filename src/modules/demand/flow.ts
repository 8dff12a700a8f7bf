/**
 * 数据需求 (供需对接). A department describes data it needs (what, why, which items, legal basis,
 * scenario); the bureau answers within GONGSHU_DEMAND_DAYS working days (default 3): matched to a
 * catalog resource (the catalog's search suggests some), assigned to the department that should
 * provide it, or rejected with a reason. A match becomes a share application prefilled from the
 * demand; an assigned department links the new resource it catalogued and published; the demander
 * rates the answer. Every step is audited, kept in the trail and notified.
 */
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import { hasRole, systemCtx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { AppError, fail } from '../../kernel/http/errors.js';
import { afterCommit } from '../../kernel/http/tx.js';
import type { Tx } from '../../kernel/db/pool.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { notify, type Audience } from '../../kernel/notify/notify.js';
import { kickWebhooks } from '../../kernel/notify/webhooks.js';
import { getResource, searchCatalog } from '../catalog/service.js';
import type { DataItem } from '../catalog/schema.js';
import { apply, SERVICES } from '../sharing/service.js';
import type { answerInput, demandApplyInput, demandInput, rateInput } from './schema.js';
import { addEvent, insertDemand, lockDemand, updateDemand, type DemandRow } from './repo.js';

type Row = DemandRow;

const link = (id: number) => `/demands?id=${id}`;
const demander = (d: Row): Audience => ({ users: [d.requester_user_id], officersOf: [d.department_id] });

async function event(
  tx: Tx,
  ctx: Ctx,
  id: number,
  step: string,
  comment: string | null,
  detail: Record<string, unknown> = {},
) {
  await addEvent(tx, id, step, ctx.actor.name, comment, detail);
  await appendInTx(tx, [auditOf(ctx, `demand.${step}`, 'demand', String(id), { comment, ...detail })]);
}

export async function submitDemand(k: Kernel, ctx: Ctx, tx: Tx, input: z.infer<typeof demandInput>) {
  requireRole(ctx, 'consumer', 'officer');
  if (!ctx.actor.departmentId) fail('FORBIDDEN');
  const due = (await loadCalendar(tx)).addWorkingDays(shanghaiDate(), k.config.demandDays);
  const id = await insertDemand(tx, {
    department_id: ctx.actor.departmentId!,
    requester: ctx.actor.name,
    requester_user_id: ctx.actor.id,
    title: input.title,
    description: input.description,
    purpose: input.purpose,
    fields: input.fields,
    legal_basis: input.legalBasis,
    scenario: input.scenario,
    status: 'submitted',
    due,
  });
  await event(tx, ctx, id, 'submit', null, { title: input.title, fields: input.fields });
  await notify(
    tx,
    { admins: true },
    {
      kind: 'demand.submitted',
      params: { title: input.title, name: ctx.actor.name, due },
      link: link(id),
      subject: { type: 'demand', id },
    },
    k.config.node.code,
  );
  afterCommit(tx, () => kickWebhooks(k));
  return { id, status: 'submitted' as const, due };
}

/** One step on the demand under its row lock: checks the state, then `fn`; the notices' webhooks go after commit. */
async function step<T>(k: Kernel, tx: Tx, id: number, states: string[], fn: (d: Row) => Promise<T>): Promise<T> {
  const d = await lockDemand(tx, id);
  if (!d) fail('NOT_FOUND');
  if (!states.includes(d.status))
    fail('DEMAND_STATE', { zh: `需求当前为“${d.status}”`, en: `The demand is ${d.status}` });
  afterCommit(tx, () => kickWebhooks(k));
  return fn(d);
}

/** A published resource of the catalog (through its service), or the error naming resourceId. */
async function publishedOf(tx: Tx, resourceId: string) {
  const r = await getResource(systemCtx('demand'), tx, resourceId).catch((e: unknown) => {
    if (e instanceof AppError && e.code === 'NOT_FOUND') return null;
    throw e;
  });
  if (!r || r.status !== 'published' || !r.published)
    fail('VALIDATION', { field: 'resourceId', zh: '须是已发布的目录资源', en: 'Must be a published catalog resource' });
  return { department_id: r.departmentId, name: r.published.meta.name, items: r.published.items };
}

/** The bureau's answer: matched to a resource, assigned to a providing department, or rejected. */
export async function answerDemand(k: Kernel, ctx: Ctx, tx: Tx, id: number, input: z.infer<typeof answerInput>) {
  if (!hasRole(ctx, 'admin')) fail('FORBIDDEN');
  return step(k, tx, id, ['submitted'], async (d) => {
    const done = { answered_at: new Date(), answered_by: ctx.actor.name };
    if (input.outcome === 'matched') {
      const res = await publishedOf(tx, input.resourceId);
      if (res.department_id === d.department_id)
        fail('VALIDATION', {
          field: 'resourceId',
          zh: '这是需求部门自己的资源',
          en: "This is the demanding department's own resource",
        });
      await updateDemand(tx, id, {
        status: 'matched',
        resource_id: input.resourceId,
        reason: input.comment ?? null,
        ...done,
      });
      await event(tx, ctx, id, 'match', input.comment ?? null, { resource: input.resourceId });
      await notify(
        tx,
        demander(d),
        {
          kind: 'demand.matched',
          params: { resource: res.name },
          link: link(id),
          subject: { type: 'demand', id },
        },
        k.config.node.code,
      );
      return { id, status: 'matched' as const };
    }
    if (input.outcome === 'assigned') {
      const dept = await tx
        .selectFrom('kernel.department')
        .select('name')
        .where('id', '=', input.departmentId)
        .executeTakeFirst();
      if (!dept) fail('VALIDATION', { field: 'departmentId', zh: '部门不存在', en: 'No such department' });
      if (input.departmentId === d.department_id)
        fail('VALIDATION', {
          field: 'departmentId',
          zh: '不能交由需求部门自己提供',
          en: 'Cannot assign to the demanding department itself',
        });
      await updateDemand(tx, id, {
        status: 'assigned',
        assigned_department_id: input.departmentId,
        reason: input.comment ?? null,
        ...done,
      });
      await event(tx, ctx, id, 'assign', input.comment ?? null, { department: input.departmentId });
      await notify(
        tx,
        { officersOf: [input.departmentId] },
        {
          kind: 'demand.assigned',
          params: { id, title: d.title },
          link: link(id),
          subject: { type: 'demand', id },
        },
        k.config.node.code,
      );
      await notify(
        tx,
        demander(d),
        {
          kind: 'demand.forwarded',
          params: { id, title: d.title, department: dept.name },
          link: link(id),
          subject: { type: 'demand', id },
        },
        k.config.node.code,
      );
      return { id, status: 'assigned' as const };
    }
    await updateDemand(tx, id, { status: 'rejected', reason: input.reason, ...done });
    await event(tx, ctx, id, 'reject', input.reason);
    await notify(
      tx,
      demander(d),
      { kind: 'demand.rejected', params: { id }, body: input.reason, link: link(id), subject: { type: 'demand', id } },
      k.config.node.code,
    );
    return { id, status: 'rejected' as const };
  });
}

/** The assigned department links the resource it catalogued, aggregated and published for the demand. */
export async function provideDemand(k: Kernel, ctx: Ctx, tx: Tx, id: number, resourceId: string) {
  requireRole(ctx, 'officer', 'admin');
  return step(k, tx, id, ['assigned'], async (d) => {
    if (!hasRole(ctx, 'admin') && ctx.actor.departmentId !== d.assigned_department_id) fail('FORBIDDEN_DEPARTMENT');
    const res = await publishedOf(tx, resourceId);
    if (res.department_id !== d.assigned_department_id)
      fail('VALIDATION', {
        field: 'resourceId',
        zh: '须是承办部门的资源',
        en: 'Must be a resource of the assigned department',
      });
    await updateDemand(tx, id, { status: 'provided', resource_id: resourceId });
    await event(tx, ctx, id, 'provide', null, { resource: resourceId });
    await notify(
      tx,
      demander(d),
      {
        kind: 'demand.provided',
        params: { resource: res.name },
        link: link(id),
        subject: { type: 'demand', id },
      },
      k.config.node.code,
    );
    return { id, status: 'provided' as const };
  });
}

/** Items of the resource that the demand asked for (by name or label, either containing the other). */
export function matchItems(wanted: string[], items: DataItem[]): string[] {
  const norm = (s: string) => s.replace(/\s+/g, '').toLowerCase();
  return items
    .filter((i) =>
      wanted.some((w) => {
        const a = norm(w);
        return a.length > 0 && (norm(i.name) === a || norm(i.label).includes(a) || a.includes(norm(i.label)));
      }),
    )
    .map((i) => i.name);
}

/** The share application a matched or provided demand becomes, prefilled from the demand. */
export async function draftOf(tx: Tx, d: Row) {
  if (!d.resource_id || !['matched', 'provided'].includes(d.status)) return null;
  const res = await publishedOf(tx, d.resource_id);
  return {
    resourceId: d.resource_id,
    resourceName: res.name,
    fields: matchItems(d.fields, res.items),
    services: ['query'] as (typeof SERVICES)[number][],
    purpose: d.purpose,
    legalBasis: d.legal_basis,
    scenario: d.scenario,
  };
}

/** 落实: the demand becomes a share application, prefilled (purpose, legal basis, scenario, the items asked for). */
export async function applyFromDemand(
  k: Kernel,
  ctx: Ctx,
  tx: Tx,
  id: number,
  input: z.infer<typeof demandApplyInput>,
) {
  requireRole(ctx, 'consumer', 'officer');
  const d = await lockDemand(tx, id);
  if (!d || d.department_id !== ctx.actor.departmentId) fail('NOT_FOUND');
  if (d.application_id)
    fail('DEMAND_STATE', { zh: '已据此需求发起过共享申请', en: 'An application was already made from this demand' });
  const draft = await draftOf(tx, d);
  if (!draft) fail('DEMAND_STATE', { zh: '需求尚未匹配到资源', en: 'The demand has no resource yet' });
  const fields = input.fields ?? draft.fields;
  if (!fields.length)
    fail('VALIDATION', { field: 'fields', zh: '须选择申请的数据项', en: 'Choose the items to apply for' });
  const made = await apply(k, ctx, tx, {
    resourceId: draft.resourceId,
    appCredentialId: input.appCredentialId,
    fields,
    services: input.services,
    purpose: d.purpose,
    legalBasis: d.legal_basis,
    scenario: d.scenario,
    periodFrom: input.periodFrom,
    periodTo: input.periodTo,
    expectedCalls: input.expectedCalls,
  });
  await updateDemand(tx, id, { application_id: String(made.id) });
  await event(tx, ctx, id, 'apply', null, { application: made.id });
  return { id, applicationId: made.id, status: made.status };
}

export async function rateDemand(k: Kernel, ctx: Ctx, tx: Tx, id: number, input: z.infer<typeof rateInput>) {
  requireRole(ctx, 'consumer', 'officer');
  return step(k, tx, id, ['matched', 'assigned', 'provided', 'rejected'], async (d) => {
    if (d.department_id !== ctx.actor.departmentId) fail('NOT_FOUND');
    if (d.rating !== null) fail('DEMAND_STATE', { zh: '已评价', en: 'Already rated' });
    await updateDemand(tx, id, { rating: input.rating, rating_comment: input.comment ?? null, rated_at: new Date() });
    await event(tx, ctx, id, 'rate', input.comment ?? null, { rating: input.rating });
    return { id, rating: input.rating };
  });
}

/** Catalog resources that may answer the demand: searched by its title and each item it asks for. */
export async function suggestionsFor(ctx: Ctx, tx: Tx, d: { title: string; fields: string[]; department_id: string }) {
  const seen = new Map<string, { id: string; name: string; departmentName: string; hits: number }>();
  for (const q of [d.title, ...d.fields].slice(0, 10)) {
    const found = await searchCatalog(ctx, tx, { q, page: 1, pageSize: 5 });
    for (const r of found.items) {
      if (r.departmentId === d.department_id) continue;
      const s = seen.get(r.id) ?? { id: r.id, name: r.name, departmentName: r.departmentName, hits: 0 };
      s.hits++;
      seen.set(r.id, s);
    }
  }
  return [...seen.values()].sort((a, b) => b.hits - a.hits).slice(0, 8);
}
