/**
 * What a run does inside its transaction, along its seams: the shared plan of one load
 * (`LoadPlan`), the fresh-table load for an empty table, and the staged merge into a table that
 * has rows (with full mode's deletion of what the source no longer has). engine.ts strings them
 * together; each phase's rejects go to the run's record.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import type { Kernel } from '../../kernel/kernel.js';
import { AppError } from '../../kernel/http/errors.js';
import type { DataItem } from '../catalog/schema.js';
import { copyField, type Reason } from './clean.js';
import type { EncodeSink, Encoder, PlanItem } from './encode.js';
import type { RunRecord } from './run-record.js';
import { dropBlocked, ensureHistory, rowOfStored, swapIn, typeOf } from './tables.js';

export const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Row rules that reject at ingest (governance supplies them): SQL over a row `t` giving a reason code or NULL. */
export interface BlockingRules {
  params: unknown[];
  checks: { item: string; sql: string }[];
  reason: (code: string) => Reason;
}

export interface LoadPlan {
  k: Kernel;
  client: pg.PoolClient;
  rec: RunRecord;
  /** ds.r_… and its history table ds_hist.r_… */
  table: string;
  hist: string;
  items: DataItem[];
  /** the items in the order they are typed and copied: key items first */
  plan: PlanItem[];
  keyCount: number;
  source: string;
  encode: Encoder;
  blocking: BlockingRules | null;
  /** keys of rows rejected for a non-key field: full mode must not delete what the source still has */
  keptKeys: string[][];
  phase: (name: string) => void;
}

const names = (p: LoadPlan) => p.items.map((i) => q(i.name));
const orderNames = (p: LoadPlan) => p.plan.map((x) => q(x.it.name));
const keyNames = (p: LoadPlan) => p.items.filter((i) => i.primaryKey).map((i) => q(i.name));
const keyItem = (p: LoadPlan) => p.items.find((i) => i.primaryKey)!.name;
const repeated = (k: string, last: number | string): Reason => ({
  zh: `业务主键“${k}”重复，以第 ${last} 行为准`,
  en: `business key "${k}" repeats; row ${last} is kept`,
});

function sinkOf(p: LoadPlan, rejectedRows: number[] | null): EncodeSink {
  return {
    reject: (row, field, reason, raw) => {
      p.rec.reject(row, field, reason, raw);
      if (rejectedRows && rejectedRows.length < 10_000_000) rejectedRows.push(row);
    },
    keep: (key) => {
      if (p.keptKeys.length < 1_000_000) p.keptKeys.push(key);
    },
    read: (n) => (p.rec.read += n),
  };
}

export interface Loaded {
  inserted: number;
  updated: number;
  /** rows of the source that reached the table (inserted, updated or unchanged) */
  staged: number;
}

/**
 * An empty table (a first load) is filled by a fresh table copied straight from the source, which
 * gets its key index once (by sorting) and takes the empty one's place.
 */
export async function loadFresh(p: LoadPlan, run: number): Promise<Loaded> {
  const { client, table, rec } = p;
  const load = `${table}_load`;
  /** row numbers of rejected rows, in order (stored rows' numbers are told from them) */
  const rejectedRows: number[] = [];
  await client.query(`CREATE TABLE ${load} (LIKE ${table} INCLUDING ALL EXCLUDING INDEXES)`);
  const suffix = `\t${run}\t${copyField(p.source)}`;
  const copy = client.query(copyFrom(`COPY ${load} (${orderNames(p).join(', ')}, _run_id, _source) FROM STDIN`));
  await pipeline(
    Readable.from(p.encode({ plan: p.plan, keyCount: p.keyCount, rowPrefix: false, suffix }, sinkOf(p, rejectedRows))),
    copy,
  );
  await rec.flush();
  p.phase('parse + type + COPY into a fresh table');
  if (p.blocking) {
    const blocked = await dropBlocked(client, load, true, p.blocking, keyNames(p));
    const known = [...rejectedRows];
    for (const x of blocked) {
      const row = rowOfStored(x.pos, known);
      rec.reject(row, x.field, x.reason, x.value);
      rejectedRows.push(row);
    }
    rejectedRows.sort((a, b) => a - b);
    await rec.flush();
    p.phase('blocking rules');
  }
  const staged = await swapIn(client, table, load, keyNames(p), copy.rowCount, rejectedRows, (row, k, last) =>
    rec.reject(row, keyItem(p), repeated(k, rec.lineOf(last)), k, true),
  );
  await rec.flush();
  p.phase('key index, swap');
  return { inserted: staged, updated: 0, staged };
}

/** Staging: the source's rows typed into `_stage`; a business key twice keeps the last row (the earlier ones are rejected). */
async function stage(p: LoadPlan): Promise<void> {
  const { client, rec } = p;
  const key = keyNames(p);
  await client.query(
    `CREATE TEMP TABLE _stage (_row bigint, ${p.items.map((i) => `${q(i.name)} ${typeOf(i)}`).join(', ')}) ON COMMIT DROP`,
  );
  await pipeline(
    Readable.from(p.encode({ plan: p.plan, keyCount: p.keyCount, rowPrefix: true, suffix: '' }, sinkOf(p, null))),
    client.query(copyFrom(`COPY _stage (_row, ${orderNames(p).join(', ')}) FROM STDIN`)),
  );
  await rec.flush();
  p.phase('parse + type + COPY into staging');
  if (p.blocking) {
    for (const x of await dropBlocked(client, '_stage', false, p.blocking, key)) {
      rec.reject(x.pos, x.field, x.reason, x.value);
      if (p.keptKeys.length < 1_000_000) p.keptKeys.push(x.key); // full mode keeps the stored row: the source still has it
    }
    await rec.flush();
    p.phase('blocking rules');
  }
  // The staging table's unique index finds repeats (and serves the joins); only when it cannot be
  // built are the repeats looked for.
  await client.query('SAVEPOINT stage_key');
  try {
    await client.query(`CREATE UNIQUE INDEX _stage_key ON _stage (${key.join(', ')})`);
  } catch (e) {
    if ((e as { code?: string }).code !== '23505') throw e;
    await client.query('ROLLBACK TO SAVEPOINT stage_key');
    const dupes = await client.query<{ _row: number; k: string; last: number }>(
      `SELECT _row, concat_ws('|', ${key.join(', ')}) AS k, last FROM (SELECT _row, ${key.join(', ')}, max(_row) OVER (PARTITION BY ${key.join(', ')}) AS last FROM _stage) s WHERE _row < last`,
    );
    for (const d of dupes.rows) rec.reject(d._row, keyItem(p), repeated(d.k, rec.lineOf(d.last)), d.k, true);
    await client.query(
      `DELETE FROM _stage s USING (SELECT _row FROM (SELECT _row, max(_row) OVER (PARTITION BY ${key.join(', ')}) AS last FROM _stage) x WHERE _row < last) d WHERE s._row = d._row`,
    );
    await rec.flush();
    await client.query(`CREATE UNIQUE INDEX _stage_key ON _stage (${key.join(', ')})`);
  }
  await client.query('RELEASE SAVEPOINT stage_key');
  await client.query('ANALYZE _stage'); // a temporary table has no statistics until asked: the plans below need them
  p.phase('staging key');
}

/**
 * A table with rows is brought up to date from the staged rows: the rows that change are found once
 * (one hash join), keep their previous values in the history table and are updated; new rows are
 * inserted. Unchanged rows are not touched at all (an INSERT … ON CONFLICT would lock, and so write,
 * every one of them). The run's advisory lock keeps other writers of this table out meanwhile.
 */
export async function stageAndMerge(p: LoadPlan, run: number): Promise<Loaded> {
  await stage(p);
  const { client, table, hist } = p;
  const n = names(p);
  const all = n.join(', ');
  await ensureHistory(client, table, hist);
  const onKey = keyNames(p)
    .map((c) => `t.${c} = s.${c}`)
    .join(' AND ');
  await client.query(
    `CREATE TEMP TABLE _changed ON COMMIT DROP AS SELECT s.* FROM _stage s JOIN ${table} t ON ${onKey}
     WHERE (${n.map((x) => `t.${x}`).join(', ')}) IS DISTINCT FROM (${n.map((x) => `s.${x}`).join(', ')})`,
  );
  await client.query(
    `INSERT INTO ${hist} (${all}, _run_id, _source, _updated_at, _hist_run_id, _hist_op)
     SELECT ${n.map((x) => `t.${x}`).join(', ')}, t._run_id, t._source, t._updated_at, $1, 'update' FROM ${table} t JOIN _changed s ON ${onKey}`,
    [run],
  );
  const upd = await client.query(
    `UPDATE ${table} t SET ${n.map((x) => `${x} = s.${x}`).join(', ')}, _run_id = $1, _source = $2, _updated_at = now()
     FROM _changed s WHERE ${onKey}`,
    [run, p.source],
  );
  p.phase('changed rows');
  const ins = await client.query(
    `INSERT INTO ${table} (${all}, _run_id, _source, _updated_at)
     SELECT ${n.map((x) => `s.${x}`).join(', ')}, $1, $2, now() FROM _stage s WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE ${onKey})`,
    [run, p.source],
  );
  p.phase('new rows');
  const staged = (await client.query<{ n: number }>('SELECT count(*) AS n FROM _stage')).rows[0]!.n;
  return { inserted: ins.rowCount ?? 0, updated: upd.rowCount ?? 0, staged };
}

/**
 * Full mode after a merge: what the source no longer has goes, into the history table first
 * (skipped when every row of the table was in the source). A run that would delete more than the
 * node allows (a header-only or truncated file) needs the caller's word.
 */
export async function deleteMissing(p: LoadPlan, run: number, staged: number, confirmed: boolean): Promise<number> {
  const { client, table, hist, keptKeys, k } = p;
  const tableRows = (await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n;
  if (tableRows <= staged) return 0;
  const keyItems = p.plan.slice(0, p.keyCount).map((x) => x.it);
  if (keptKeys.length) {
    await client.query(
      `CREATE TEMP TABLE _kept (${keyItems.map((i) => `${q(i.name)} ${typeOf(i)}`).join(', ')}) ON COMMIT DROP`,
    );
    await client.query(
      `INSERT INTO _kept SELECT * FROM unnest(${keyItems.map((i, n) => `$${n + 1}::${typeOf(i)}[]`).join(', ')})`,
      keyItems.map((_, n) => keptKeys.map((key) => key[n])),
    );
  }
  const onKey = keyNames(p)
    .map((c) => `t.${c} = s.${c}`)
    .join(' AND ');
  const keep = keptKeys.length ? ` AND NOT EXISTS (SELECT 1 FROM _kept s WHERE ${onKey})` : '';
  const missing = `NOT EXISTS (SELECT 1 FROM _stage s WHERE ${onKey})${keep}`;
  const gone = (await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${table} t WHERE ${missing}`)).rows[0]!.n;
  const pct = k.config.fullRunMaxDeletePct;
  if (gone > 0 && gone > (tableRows * pct) / 100 && !confirmed) {
    throw new AppError('INGEST_MASS_DELETE', {
      field: 'confirmDeletions',
      zh: `全量归集将删除已存 ${tableRows} 行中的 ${gone} 行（超过 ${pct}%），原有数据保持不变；确认无误请带 confirmDeletions 重新提交`,
      en: `This full run would delete ${gone} of the ${tableRows} stored rows (over ${pct}%); nothing was changed. Run it again with confirmDeletions if that is right`,
    });
  }
  const n = names(p);
  await client.query(
    `INSERT INTO ${hist} (${n.join(', ')}, _run_id, _source, _updated_at, _hist_run_id, _hist_op)
     SELECT ${n.map((x) => `t.${x}`).join(', ')}, t._run_id, t._source, t._updated_at, $1, 'delete' FROM ${table} t WHERE ${missing}`,
    [run],
  );
  return (await client.query(`DELETE FROM ${table} t WHERE ${missing}`)).rowCount ?? 0;
}
