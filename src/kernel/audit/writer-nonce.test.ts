/**
 * The batched writer with request nonces (signed reads): a batch's nonces go in with its entries in
 * one statement; a batch holding a nonce used before falls back to the locked way, which refuses
 * just that call (APP_NONCE_REUSED, no entry) and writes the others; the chain stays whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { verifyChain } from './verify.js';

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(async () => env.close());

const entry = (n: number) => ({
  actorType: 'app' as const,
  action: 'test.read',
  targetType: 'test',
  targetId: String(n),
});
const nonce = (n: string) => ({ appKey: 'ak_writer_test', nonce: `nonce-${n}-0123456789abcdef` });

describe('audit entries with nonces', () => {
  it('records nonces with their entries; a replay in a later batch is refused alone', async () => {
    const w = env.rt.kernel.audit;
    await Promise.all([w.record(entry(1), nonce('a')), w.record(entry(2), nonce('b')), w.record(entry(3))]);
    const stored = (
      await env.rt.kernel.pool.query(
        `SELECT nonce FROM kernel.app_nonce WHERE app_key = 'ak_writer_test' ORDER BY nonce`,
      )
    ).rows.map((r) => r.nonce);
    expect(stored).toEqual([nonce('a').nonce, nonce('b').nonce]);
    const locked = w.batches.locked;
    const results = await Promise.allSettled([
      w.record(entry(4), nonce('c')),
      w.record(entry(5), nonce('a')),
      w.record(entry(6)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.code).toBe('APP_NONCE_REUSED');
    expect(w.batches.locked).toBe(locked + 1);
    const written = (
      await env.rt.kernel.pool.query(`SELECT target_id FROM kernel.audit_log WHERE action = 'test.read' ORDER BY seq`)
    ).rows.map((r) => r.target_id);
    expect(written).toEqual(['1', '2', '3', '4', '6']);
    // the writer goes back to one statement per batch afterwards
    const one = w.batches.oneStatement;
    await w.record(entry(7), nonce('d'));
    expect(w.batches.oneStatement).toBe(one + 1);
    expect((await verifyChain(env.rt.kernel.pool, env.rt.kernel.signer.publicKey)).ok).toBe(true);
  });

  it('the same nonce twice in one batch: the second is refused', async () => {
    const w = env.rt.kernel.audit;
    const results = await Promise.allSettled([w.record(entry(8), nonce('e')), w.record(entry(9), nonce('e'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });
});
