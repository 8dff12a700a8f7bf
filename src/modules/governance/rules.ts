/**
 * Quality rules as data: attached to a resource's data items (or to the whole resource), blocking
 * (the row is rejected at ingest) or flagging (the row is stored and the problem recorded), each
 * counted under one quality dimension. Rules are suggested from the items' type, label and identity
 * kind; officers of the provider department keep them.
 */
import { sql } from 'kysely';
import type { Ctx } from '../../kernel/http/context.js';
import { requireDepartment, requireRole } from '../../kernel/auth/authz.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { fail } from '../../kernel/http/errors.js';
import { gov, rulesRows, type RuleRow } from './repo.js';
import { fitSuggestions } from './fit.js';
import type { Tx } from '../../kernel/db/pool.js';
import { getResource } from '../catalog/service.js';
import type { DataItem, ResourceDto } from '../catalog/schema.js';

import {
  DIMENSIONS,
  KINDS,
  RESOURCE_KINDS,
  ruleInput,
  ruleParams,
  WEIGHTS,
  type Dimension,
  type Kind,
  type RuleInput,
  type RuleParams,
} from './schema.js';
export {
  DIMENSIONS,
  KINDS,
  RESOURCE_KINDS,
  ruleInput,
  ruleParams,
  WEIGHTS,
  type Dimension,
  type Kind,
  type RuleInput,
  type RuleParams,
};

export interface Rule extends RuleInput {
  id: string;
  resourceId: string;
  dimension: Dimension;
}

/** GB/T 2261.1 性别代码: the codes and their names (departments store either) */
const SEX_CODES = ['0', '1', '2', '9', '未知的性别', '男', '女', '未说明的性别'];
const PAST_DATE = /出生|成立|登记|注册|发证|签发|开业|核准/;

/** What a careful officer would attach to these items. */
export function suggestRules(res: Pick<ResourceDto, 'published'>): RuleInput[] {
  const items = res.published?.items ?? [];
  const out: RuleInput[] = [];
  const add = (item: string | null, kind: Kind, params: RuleParams = {}) =>
    out.push({ item, kind, params, severity: 'flagging', enabled: true });
  const find = (re: RegExp, type?: DataItem['type']) =>
    items.find((i) => re.test(i.label) && (!type || i.type === type));
  for (const it of items) {
    if (!it.primaryKey) add(it.name, 'not_null');
    if (it.identityKind === 'ric' || /公民身份号码|身份证号/.test(it.label)) add(it.name, 'ric');
    else if (it.identityKind === 'uscc' || /统一社会信用代码/.test(it.label)) add(it.name, 'uscc');
    else if (/行政区划/.test(it.label)) add(it.name, 'region');
    else if (/手机/.test(it.label)) add(it.name, 'mobile');
    else if (/固定电话|办公电话|座机/.test(it.label)) add(it.name, 'landline');
    else if (/邮箱|电子邮件|e-?mail/i.test(it.label)) add(it.name, 'email');
    else if ((it.type === 'date' || it.type === 'datetime') && PAST_DATE.test(it.label))
      add(it.name, 'date', { notFuture: true });
    else if (it.codeTable === 'xb' || /^性别/.test(it.label)) add(it.name, 'code', { values: SEX_CODES });
  }
  const ric = items.find((i) => i.identityKind === 'ric');
  const birth = find(/出生日期/, 'date');
  const sex = find(/^性别/);
  if (ric && (birth || sex))
    add(ric.name, 'ric_consistency', { ...(birth && { birth: birth.name }), ...(sex && { sex: sex.name }) });
  add(null, 'freshness');
  add(null, 'volume', { maxChangePct: 50 });
  return out;
}

/** The identity rules (公民身份号码, 统一社会信用代码) a published version's items call for. */
export const IDENTITY_KINDS: Kind[] = ['ric', 'uscc'];

/**
 * On publish, inside the publishing transaction: the identity items' check rules are adopted
 * (flagging), so invalid identifiers raise problems from the first run. A rule already there —
 * enabled, disabled or made blocking by an officer — is left as it is.
 */
export async function adoptIdentityRules(tx: Tx, ctx: Ctx, resourceId: string, items: DataItem[]): Promise<number> {
  const rules = suggestRules({ published: { items } as ResourceDto['published'] }).filter((r) =>
    IDENTITY_KINDS.includes(r.kind),
  );
  let adopted = 0;
  for (const r of rules) {
    const row = (
      await sql<{
        id: string;
      }>`INSERT INTO gov.rule (resource_id, item, kind, params, severity, dimension, enabled, created_by)
      VALUES (${resourceId}, ${r.item}, ${r.kind}, '{}'::jsonb, 'flagging', ${KINDS[r.kind]}, true, ${ctx.actor.name})
      ON CONFLICT (resource_id, item, kind) DO NOTHING RETURNING id`.execute(tx)
    ).rows[0];
    if (!row) continue;
    adopted++;
    await appendInTx(tx, [
      auditOf(ctx, 'governance.rule.save', 'resource', resourceId, {
        rule: row.id,
        item: r.item,
        kind: r.kind,
        severity: 'flagging',
        enabled: true,
        onPublish: true,
      }),
    ]);
  }
  return adopted;
}

const toRule = (r: RuleRow): Rule => ({
  id: r.id,
  resourceId: r.resource_id,
  item: r.item,
  kind: r.kind,
  params: r.params,
  severity: r.severity,
  dimension: r.dimension,
  enabled: r.enabled,
});

export async function rulesOf(tx: Tx, resourceId: string, enabledOnly = false): Promise<Rule[]> {
  return (await rulesRows(tx, resourceId, enabledOnly)).map(toRule);
}

/** The saved rules and the suggestions not saved yet, each tried on a sample of the stored rows (those most rows fail are left out). */
export async function listRules(ctx: Ctx, tx: Tx, resourceId: string) {
  requireRole(ctx, 'officer', 'admin', 'auditor');
  const res = await getResource(ctx, tx, resourceId);
  const rules = await rulesOf(tx, resourceId);
  const have = new Set(rules.map((r) => `${r.item}|${r.kind}`));
  const suggestions = suggestRules(res).filter((s) => !have.has(`${s.item}|${s.kind}`));
  return { rules, suggestions: await fitSuggestions(tx, res, suggestions) };
}

/** 采用: saves every suggestion that fits the stored rows; answers how many were adopted of how many suggested. */
export async function adoptRules(ctx: Ctx, tx: Tx, resourceId: string) {
  const res = await getResource(ctx, tx, resourceId);
  const { suggestions } = await listRules(ctx, tx, resourceId);
  for (const { sample: _, ...s } of suggestions) await saveRule(ctx, tx, res.id, s);
  return { adopted: suggestions.length, suggested: suggestRules(res).length };
}

/** Checks what a rule refers to: the item exists, a regex compiles in PostgreSQL, a referenced resource is published. */
async function checkRule(ctx: Ctx, tx: Tx, res: ResourceDto, r: RuleInput): Promise<void> {
  const items = res.published?.items ?? [];
  const isItem = (n: string | null | undefined) => n && items.some((i) => i.name === n);
  const bad = (zh: string, en: string, field = 'item') => fail('VALIDATION', { field, zh, en });
  if (RESOURCE_KINDS.includes(r.kind)) {
    if (r.item !== null) bad('此规则针对整个资源，不指定数据项', 'This rule is on the whole resource: no item');
  } else if (!isItem(r.item)) bad(`资源没有数据项“${r.item}”`, `The resource has no item "${r.item}"`);
  if (r.kind === 'pattern') {
    if (!r.params.regex) bad('请给出正则表达式', 'Give a regular expression', 'params.regex');
    // PostgreSQL compiles it; a refused one fails the call (and so its transaction) with the reason
    try {
      await sql`SELECT '' ~ ${r.params.regex}`.execute(tx);
    } catch (e) {
      bad(
        `正则表达式无效：${(e as Error).message}`,
        `Invalid regular expression: ${(e as Error).message}`,
        'params.regex',
      );
    }
  }
  if (r.kind === 'code' && !r.params.values?.length) bad('请给出代码值', 'Give the allowed codes', 'params.values');
  if (r.kind === 'range' && r.params.min === undefined && r.params.max === undefined)
    bad('请给出最小值或最大值', 'Give a minimum or a maximum', 'params.min');
  if (r.kind === 'length' && r.params.min === undefined && r.params.max === undefined)
    bad('请给出最小或最大长度', 'Give a minimum or a maximum length', 'params.min');
  if (r.kind === 'ric_consistency' && !isItem(r.params.birth) && !isItem(r.params.sex))
    bad('请给出出生日期或性别数据项', 'Name the birth date or sex item', 'params.birth');
  if (r.kind === 'reference') {
    if (!r.params.resourceId || !r.params.refItem)
      bad('请给出引用的资源和数据项', 'Name the referenced resource and item', 'params.resourceId');
    const other = await getResource(ctx, tx, r.params.resourceId!);
    if (!other.datasetTable || !(other.published?.items ?? []).some((i) => i.name === r.params.refItem))
      bad(
        '引用的资源未发布或没有该数据项',
        'The referenced resource is not published or has no such item',
        'params.refItem',
      );
  }
}

/** Adds or replaces the rule of that kind on that item. */
export async function saveRule(ctx: Ctx, tx: Tx, resourceId: string, r: RuleInput): Promise<Rule> {
  requireRole(ctx, 'officer');
  const res = await getResource(ctx, tx, resourceId);
  requireDepartment(ctx, res.departmentId);
  await checkRule(ctx, tx, res, r);
  {
    const row = await gov(tx)
      .insertInto('gov.rule')
      .values({
        resource_id: resourceId,
        item: r.item,
        kind: r.kind,
        params: JSON.stringify(r.params),
        severity: r.severity,
        dimension: KINDS[r.kind],
        enabled: r.enabled,
        created_by: ctx.actor.name,
      })
      .onConflict((c) =>
        c.columns(['resource_id', 'item', 'kind']).doUpdateSet((eb) => ({
          params: eb.ref('excluded.params'),
          severity: eb.ref('excluded.severity'),
          enabled: eb.ref('excluded.enabled'),
          updated_at: new Date(),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendInTx(tx, [
      auditOf(ctx, 'governance.rule.save', 'resource', resourceId, {
        rule: row.id,
        item: r.item,
        kind: r.kind,
        severity: r.severity,
        enabled: r.enabled,
      }),
    ]);
    return toRule(row);
  }
}

export async function deleteRule(ctx: Ctx, tx: Tx, ruleId: string): Promise<void> {
  requireRole(ctx, 'officer');
  const r = await gov(tx).selectFrom('gov.rule').select('resource_id').where('id', '=', ruleId).executeTakeFirst();
  if (!r) fail('NOT_FOUND');
  const res = await getResource(ctx, tx, r.resource_id);
  requireDepartment(ctx, res.departmentId);
  await gov(tx).deleteFrom('gov.rule').where('id', '=', ruleId).execute();
  await appendInTx(tx, [auditOf(ctx, 'governance.rule.delete', 'resource', r.resource_id, { rule: ruleId })]);
}
