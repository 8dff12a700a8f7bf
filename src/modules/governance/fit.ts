/**
 * A suggested rule is tried on a sample of the stored rows before it is offered: a suggestion that
 * most of the sample fails (a 性别 code rule over data holding something else, a mobile rule over
 * landlines) describes the rule, not the data, and adopting it would open false problems. Identity
 * and not-null suggestions are always offered (failing them is what they exist to find); each
 * suggestion carries the sample's figures so the officer sees what adopting it would raise.
 */
import type { Tx } from '../../kernel/db/pool.js';
import { query } from '../../kernel/db/raw.js';
import type { ResourceDto } from '../catalog/schema.js';
import { Params, reasonSql } from './rule-sql.js';
import type { Rule, RuleInput } from './rules.js';

const SAMPLE = 1000;
/** a suggestion failed by more than this share of the sampled values is not offered */
const MAX_FAILING = 0.5;
const ALWAYS: RuleInput['kind'][] = ['ric', 'uscc', 'not_null'];
const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

export type Fitted = RuleInput & { sample?: { rows: number; failing: number } };

export async function fitSuggestions(tx: Tx, res: ResourceDto, suggestions: RuleInput[]): Promise<Fitted[]> {
  if (!res.datasetTable || !suggestions.length) return suggestions;
  const items = res.published?.items ?? [];
  const typeOf = (n: string) => items.find((i) => i.name === n)?.type;
  const p = new Params();
  const exprs = suggestions.map((s, n) =>
    reasonSql(
      { ...s, id: '', resourceId: res.id, dimension: 'validity' } as Rule,
      p,
      (i) => `t.${q(i)}`,
      () => undefined,
      n,
      typeOf,
    ),
  );
  const cols = exprs.flatMap((e, n) =>
    e ? [`count(${e}) AS f${n}`, `count(${q(suggestions[n]!.item ?? '')}) AS v${n}`] : [],
  );
  if (!cols.length) return suggestions;
  const row = (
    await query<Record<string, string>>(
      tx,
      `SELECT ${cols.join(', ')} FROM (SELECT * FROM ${res.datasetTable} LIMIT ${SAMPLE}) t`,
      p.values,
    )
  )[0]!;
  const out: Fitted[] = [];
  suggestions.forEach((s, n) => {
    if (!exprs[n]) return void out.push(s);
    const rows = Number(row[`v${n}`]);
    const failing = Number(row[`f${n}`]);
    if (!ALWAYS.includes(s.kind) && rows > 0 && failing / rows > MAX_FAILING) return;
    out.push({ ...s, sample: { rows, failing } });
  });
  return out;
}
