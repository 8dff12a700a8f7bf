/**
 * Parameterised SQL text run on a Kysely connection or transaction, for the queries a builder
 * would only obscure (DISTINCT ON, window functions, dynamic dataset tables). Values go in `params`
 * as `$1…$n`; identifiers are quoted by the caller.
 */
import { CompiledQuery } from 'kysely';
import type { Tx } from './pool.js';

export async function query<R>(tx: Tx, text: string, params: readonly unknown[] = []): Promise<R[]> {
  return (await tx.executeQuery<R>(CompiledQuery.raw(text, [...params]))).rows;
}
