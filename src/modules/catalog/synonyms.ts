/**
 * The search dictionary (同义词与简称): groups of terms that mean the same to the people who search
 * (社保 = 社会保险, 营业执照 = 企业登记). A query holding one term of a group also finds the others.
 * Anyone signed in reads it; the administrator edits it, audited.
 */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import type { Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { ALL_ROLES } from '../../kernel/http/access.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { fail } from '../../kernel/http/errors.js';
import { cat } from './repo.js';
import type { SynonymDto, SynonymInput } from './schema.js';

const dto = (r: { id: number; terms: string[]; note: string; updated_at: Date }): SynonymDto => ({
  id: r.id,
  terms: r.terms,
  note: r.note,
  updatedAt: r.updated_at.toISOString(),
});

export async function listSynonyms(ctx: Ctx, tx: Tx, q: { q?: string | undefined; page: number; pageSize: number }) {
  requireRole(ctx, ...ALL_ROLES);
  let b = cat(tx).selectFrom('catalog.synonym');
  if (q.q) b = b.where(sql<boolean>`EXISTS (SELECT 1 FROM unnest(terms) t WHERE strpos(t, ${q.q}) > 0)`);
  const [rows, n] = await Promise.all([
    b
      .selectAll()
      .orderBy('updated_at', 'desc') // what was changed last first
      .orderBy('id', 'desc')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    b.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(dto), total: n.n, page: q.page, pageSize: q.pageSize };
}

/** Terms trimmed, unique, none in another group (a term meaning two things would join unrelated searches). */
async function checked(tx: Tx, input: SynonymInput, id: number | null): Promise<string[]> {
  const terms = [...new Set(input.terms.map((t) => t.normalize('NFKC').trim()).filter(Boolean))];
  if (terms.length < 2)
    fail('VALIDATION_FAILED', { field: 'terms', zh: '至少要有两个不同的词', en: 'At least two different terms' });
  const clash = await cat(tx)
    .selectFrom('catalog.synonym')
    .select(['id', 'terms'])
    .where(sql<boolean>`terms && ${terms}::text[]`)
    .$if(id !== null, (b) => b.where('id', '!=', id!))
    .executeTakeFirst();
  if (clash) {
    const t = terms.find((x) => clash.terms.includes(x))!;
    fail('VALIDATION_FAILED', {
      field: 'terms',
      zh: `“${t}”已在另一组（${clash.terms.join('、')}）中`,
      en: `"${t}" is already in another group (${clash.terms.join(', ')})`,
    });
  }
  return terms;
}

export async function createSynonym(ctx: Ctx, tx: Tx, input: SynonymInput): Promise<SynonymDto> {
  requireRole(ctx, 'admin');
  const terms = await checked(tx, input, null);
  const r = await cat(tx)
    .insertInto('catalog.synonym')
    .values({ terms, note: input.note ?? '', updated_by: ctx.actor.type === 'user' ? ctx.actor.id : null })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendInTx(tx, [auditOf(ctx, 'catalog.synonym.create', 'synonym', String(r.id), { terms })]);
  return dto(r);
}

export async function updateSynonym(ctx: Ctx, tx: Tx, id: number, input: SynonymInput): Promise<SynonymDto> {
  requireRole(ctx, 'admin');
  const terms = await checked(tx, input, id);
  const r = await cat(tx)
    .updateTable('catalog.synonym')
    .set({
      terms,
      note: input.note ?? '',
      updated_by: ctx.actor.type === 'user' ? ctx.actor.id : null,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!r) fail('NOT_FOUND');
  await appendInTx(tx, [auditOf(ctx, 'catalog.synonym.update', 'synonym', String(id), { terms })]);
  return dto(r);
}

export async function deleteSynonym(ctx: Ctx, tx: Tx, id: number): Promise<void> {
  requireRole(ctx, 'admin');
  const r = await cat(tx).deleteFrom('catalog.synonym').where('id', '=', id).returning('terms').executeTakeFirst();
  if (!r) fail('NOT_FOUND');
  await appendInTx(tx, [auditOf(ctx, 'catalog.synonym.delete', 'synonym', String(id), { terms: r.terms })]);
}
