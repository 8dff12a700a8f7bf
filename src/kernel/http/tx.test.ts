/** The route's transaction and what a service asks to run once it committed. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { afterCommit, inTx } from './tx.js';

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(async () => env.close());

describe('afterCommit', () => {
  it('runs after the commit, in order, and sees what was committed', async () => {
    await sql`CREATE TABLE public.t_after (n int)`.execute(env.rt.kernel.db);
    const seen: number[] = [];
    const out = await inTx(env.rt.kernel.db, async (tx) => {
      await sql`INSERT INTO public.t_after VALUES (1)`.execute(tx);
      afterCommit(tx, () => seen.push(1));
      afterCommit(tx, () => seen.push(2));
      expect(seen).toEqual([]);
      return 'done';
    });
    expect(out).toBe('done');
    expect(seen).toEqual([1, 2]);
  });

  it('does not run when the transaction rolls back', async () => {
    const seen: number[] = [];
    await expect(
      inTx(env.rt.kernel.db, async (tx) => {
        afterCommit(tx, () => seen.push(1));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(seen).toEqual([]);
  });

  it('runs at once outside a transaction', () => {
    const seen: number[] = [];
    afterCommit(env.rt.kernel.db, () => seen.push(1));
    expect(seen).toEqual([1]);
  });
});
