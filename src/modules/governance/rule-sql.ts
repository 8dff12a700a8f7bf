/**
 * Row rules as SQL: each rule becomes an expression over a row `t` that gives its reason code or
 * NULL, with numbered parameters. The same expressions scan the stored rows in a check and, for the
 * blocking rules, drop rows as an ingest run loads them.
 */
import type { Tx } from '../../kernel/db/pool.js';
import { systemCtx } from '../../kernel/http/context.js';
import { getResource, resourceFacts } from '../catalog/service.js';
import { RESOURCE_KINDS, rulesOf, type Rule } from './rules.js';
import { REASONS } from './validators.js';

export const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Builds SQL text with numbered parameters. */
export class Params {
  values: unknown[] = [];
  add(v: unknown, cast = ''): string {
    this.values.push(v);
    return `$${this.values.length}${cast}`;
  }
}

const FEMALE = ['2', '女', 'F', 'f'];
const MALE = ['1', '男', 'M', 'm'];

/**
 * The SQL expression giving a rule's reason code for row `t` (NULL when the row passes), or null for
 * rules judged on the whole resource. `unique` rules read a window count `_u<n>` computed beside.
 */
export function reasonSql(
  rule: Rule,
  p: Params,
  col: (item: string) => string,
  tableOf: (resourceId: string) => string | undefined,
  n = 0,
  typeOf: (item: string) => string | undefined = () => undefined,
  /** when given, lookups become joins added here (a hash join instead of a query per row) */
  joins?: string[],
): string | null {
  if (RESOURCE_KINDS.includes(rule.kind)) return null;
  const c = col(rule.item!);
  // text items holding dates or numbers are read without raising on what is neither
  const asDate = (item: string) =>
    typeOf(item) === 'date' || typeOf(item) === 'datetime' ? `${col(item)}::date` : `gov.safe_date(${col(item)}::text)`;
  const asNum = (item: string) =>
    typeOf(item) === 'integer' || typeOf(item) === 'decimal'
      ? `${col(item)}::numeric`
      : `gov.safe_num(${col(item)}::text)`;
  const txt = `${c}::text`;
  const nn = (expr: string) => `CASE WHEN ${c} IS NOT NULL THEN ${expr} END`;
  const pr = rule.params;
  switch (rule.kind) {
    case 'not_null':
      return `CASE WHEN ${c} IS NULL OR btrim(${txt}) = '' THEN 'not_null' END`;
    case 'unique':
      return `CASE WHEN ${c} IS NOT NULL AND _u${n} > 1 THEN 'duplicate' END`;
    case 'length':
      return nn(
        `CASE ${pr.max !== undefined ? `WHEN char_length(${txt}) > ${p.add(pr.max, '::int')} THEN 'too_long' ` : ''}${pr.min !== undefined ? `WHEN char_length(${txt}) < ${p.add(pr.min, '::int')} THEN 'too_short' ` : ''}END`,
      );
    case 'pattern':
      return nn(`CASE WHEN ${txt} !~ ${p.add(pr.regex, '::text')} THEN 'pattern' END`);
    case 'code':
      return nn(`CASE WHEN ${txt} <> ALL (${p.add(pr.values ?? [], '::text[]')}) THEN 'not_in_code_table' END`);
    case 'range':
      return nn(
        `CASE WHEN ${asNum(rule.item!)} IS NULL THEN 'format' WHEN ${[pr.min !== undefined ? `${asNum(rule.item!)} < ${p.add(pr.min, '::numeric')}` : '', pr.max !== undefined ? `${asNum(rule.item!)} > ${p.add(pr.max, '::numeric')}` : ''].filter(Boolean).join(' OR ')} THEN 'out_of_range' END`,
      );
    case 'date':
      return nn(
        `CASE WHEN ${asDate(rule.item!)} IS NULL THEN 'format'${pr.notFuture ? ` WHEN ${asDate(rule.item!)} > current_date THEN 'future_date'` : ''} END`,
      );
    case 'region':
      if (joins) {
        joins.push(
          `LEFT JOIN gov.region _r${n} ON _r${n}.code = btrim(translate(${txt}, '０１２３４５６７８９', '0123456789'))`,
        );
        return nn(
          `CASE WHEN btrim(translate(${txt}, '０１２３４５６７８９', '0123456789')) !~ '^[0-9]{6}$' THEN 'format' WHEN _r${n}.code IS NULL THEN 'unknown_region' WHEN _r${n}.last_year IS NOT NULL THEN 'abolished_region' END`,
        );
      }
      return nn(`gov.region_problem(${txt})`);
    case 'ric':
      if (joins) {
        // canonical values take the inlined expression and a join for the region; others the full function
        joins.push(`LEFT JOIN gov.region _r${n} ON _r${n}.code = substr(${txt}, 1, 6)`);
        return nn(
          `CASE WHEN ${txt} ~ '^[0-9]{17}[0-9X]$' THEN coalesce(gov.ric_check(${txt}), CASE WHEN _r${n}.code IS NULL OR _r${n}.last_year < substr(${txt}, 7, 4)::int THEN 'region' END) ELSE gov.ric_problem(${txt}) END`,
        );
      }
      return nn(`gov.ric_problem(${txt})`);
    case 'uscc':
    case 'mobile':
    case 'landline':
    case 'email':
      return nn(`gov.${rule.kind}_problem(${txt})`);
    case 'ric_consistency': {
      // only numbers of the right shape whose date part is a real date are compared (the ric rule
      // reports the others); stored identity numbers were normalised at ingest
      const born = `gov.safe_date(substr(${txt}, 7, 4) || '-' || substr(${txt}, 11, 2) || '-' || substr(${txt}, 13, 2))`;
      const checks: string[] = [];
      if (pr.birth) checks.push(`WHEN ${asDate(pr.birth)} <> ${born} THEN 'birth_mismatch'`);
      if (pr.sex) {
        const s = `${col(pr.sex)}::text`;
        checks.push(
          `WHEN ${s} = ANY (${p.add(MALE, '::text[]')}) AND substr(${txt}, 17, 1)::int % 2 = 0 THEN 'sex_mismatch'`,
        );
        checks.push(
          `WHEN ${s} = ANY (${p.add(FEMALE, '::text[]')}) AND substr(${txt}, 17, 1)::int % 2 = 1 THEN 'sex_mismatch'`,
        );
      }
      return `CASE WHEN ${txt} ~ '^[0-9]{17}[0-9X]$' THEN CASE ${checks.join(' ')} END END`;
    }
    case 'reference': {
      const other = tableOf(pr.resourceId!);
      if (!other) return `NULL::text`;
      return nn(
        `CASE WHEN NOT EXISTS (SELECT 1 FROM ${other} o WHERE o.${q(pr.refItem!)}::text = ${txt}) THEN 'no_reference' END`,
      );
    }
    default:
      return null;
  }
}

export async function tablesOf(tx: Tx, rules: Rule[]): Promise<Map<string, string>> {
  const ids = [
    ...new Set(rules.filter((r) => r.kind === 'reference' && r.params.resourceId).map((r) => r.params.resourceId!)),
  ];
  if (!ids.length) return new Map();
  const facts = await resourceFacts(tx, ids);
  return new Map([...facts.values()].filter((x) => x.datasetTable).map((x) => [x.id, `ds.${x.datasetTable}`]));
}

/** Blocking row rules of a resource, as SQL for the ingest engine (see aggregation's setBlockingRules). */
export async function blockingRules(tx: Tx, resourceId: string) {
  const rules = (await rulesOf(tx, resourceId, true)).filter(
    (r) => r.severity === 'blocking' && !RESOURCE_KINDS.includes(r.kind) && r.kind !== 'unique',
  );
  if (!rules.length) return null;
  const tables = await tablesOf(tx, rules);
  const p = new Params();
  const res = await getResource(systemCtx('governance'), tx, resourceId);
  const types = new Map((res.published?.items ?? []).map((i) => [i.name, i.type]));
  const exprs = rules.map((r) => ({
    rule: r,
    sql: reasonSql(
      r,
      p,
      (i) => `t.${q(i)}`,
      (id) => tables.get(id),
      0,
      (i) => types.get(i),
    )!,
  }));
  return {
    params: p.values,
    checks: exprs.map((e) => ({ item: e.rule.item!, sql: e.sql })),
    reason: (code: string) => REASONS[code] ?? { zh: code, en: code },
  };
}
