import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, TEST_MASTER_KEY, type TestEnv } from '../../../test/support/db.js';
import { inTx } from '../http/tx.js';
import { appendInTx } from './append.js';
import { entryHash, GENESIS_HASH, type AuditInput } from './chain.js';
import { writeCheckpoint } from './checkpoint.js';
import { verifyChain } from './verify.js';
import { AuditWriter } from './writer.js';
import { PACKAGE_ROOT } from '../paths.js';

const entry = (i: number): AuditInput => ({
  action: 'test.read',
  actorType: 'user',
  actorId: `u${i % 7}`,
  actorName: '测试用户',
  departmentId: null,
  targetType: 'row',
  targetId: String(i),
  clientIp: '127.0.0.1',
  detail: { i, fields: ['姓名', '公民身份号码'], nested: { z: 1, a: [1, { y: 2, b: 3 }] } },
});

async function chainOf(env: TestEnv, n: number) {
  await Promise.all(Array.from({ length: n }, (_, i) => env.rt.kernel.audit.record(entry(i))));
}

async function verify(env: TestEnv) {
  return verifyChain(env.rt.kernel.pool, env.rt.kernel.signer.publicKey, 37); // small batches cross batch edges
}

/** Runs SQL as psql would, with the append-only triggers bypassed (a superuser tampering). */
async function tamper(env: TestEnv, ...statements: string[]) {
  const c = new pg.Client({ connectionString: env.dbUrl });
  await c.connect();
  await c.query('SET session_replication_role = replica');
  for (const s of statements) await c.query(s);
  await c.end();
}

describe('audit writer', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv();
  });
  afterAll(async () => env.close());

  it('acknowledges each entry once committed, in one gap-free chain', async () => {
    const acks = await Promise.all(Array.from({ length: 3000 }, (_, i) => env.rt.kernel.audit.record(entry(i))));
    const seqs = acks.map((a) => a.seq).sort((a, b) => a - b);
    expect(seqs[0]).toBe(1);
    expect(seqs.at(-1)).toBe(3000);
    expect(new Set(seqs).size).toBe(3000);
    const { rows } = await env.rt.kernel.pool.query('SELECT count(*)::int AS n FROM kernel.audit_log');
    expect(rows[0].n).toBe(3000);
    const r = await verify(env);
    expect(r).toMatchObject({ ok: true, entries: 3000, lastSeq: 3000 });
    // only the first batch had to read the end of the chain under the lock; later ones append after the end remembered
    for (let i = 0; i < 5; i++) await env.rt.kernel.audit.record(entry(i));
    expect(env.rt.kernel.audit.batches).toEqual({ locked: 1, oneStatement: 5 });
    expect((await verify(env)).ok).toBe(true);
  });

  it('keeps one chain when two processes write at once', async () => {
    const other = new pg.Pool({ connectionString: env.dbUrl, max: 4 });
    const w2 = new AuditWriter(other, { maxBatch: 50 });
    const before = (await env.rt.kernel.pool.query('SELECT count(*)::int AS n FROM kernel.audit_log')).rows[0]
      .n as number;
    await Promise.all([
      ...Array.from({ length: 1000 }, (_, i) => env.rt.kernel.audit.record(entry(i))),
      ...Array.from({ length: 1000 }, (_, i) => w2.record(entry(i + 5000))),
      ...Array.from({ length: 20 }, (_, i) => inTx(env.rt.kernel.db, (tx) => appendInTx(tx, [entry(i + 9000)]))),
    ]);
    await w2.close();
    await other.end();
    expect(w2.batches.locked).toBeGreaterThan(1); // each writer's remembered end went stale and was read again
    const after = (await env.rt.kernel.pool.query('SELECT count(*)::int AS n FROM kernel.audit_log')).rows[0]
      .n as number;
    expect(after - before).toBe(2020);
    expect((await verify(env)).ok).toBe(true);
  });

  it('stores entries whose text holds lone surrogates (made U+FFFD), without failing the others of the batch', async () => {
    const odd = { ...entry(1), actorName: '张\ud800三', detail: { q: 'a\udfffb', ['k\ud83d']: 1, ok: '😀' } };
    const acks = await Promise.all([
      env.rt.kernel.audit.record(entry(1)),
      env.rt.kernel.audit.record(odd),
      env.rt.kernel.audit.record(entry(2)),
    ]);
    const stored = (
      await env.rt.kernel.pool.query('SELECT actor_name, detail FROM kernel.audit_log WHERE seq = $1', [acks[1]!.seq])
    ).rows[0];
    expect(stored).toEqual({ actor_name: '张\ufffd三', detail: { q: 'a\ufffdb', 'k\ufffd': 1, ok: '😀' } });
    expect((await verify(env)).ok).toBe(true);
  });

  it('lists entries by time range', async () => {
    const { listAudit } = await import('./service.js');
    const { systemCtx } = await import('../http/context.js');
    const before = new Date(Date.now() - 1000).toISOString();
    const mine = await env.rt.kernel.audit.record({ ...entry(7), action: 'test.range' });
    const after = new Date(Date.now() + 1000).toISOString();
    const ctx = systemCtx('test');
    const inRange = await listAudit(ctx, env.rt.kernel.db, {
      action: 'test.range',
      from: before,
      to: after,
      page: 1,
      pageSize: 10,
    });
    expect(inRange.items.map((e) => e.seq)).toEqual([mine.seq]);
    expect(
      (await listAudit(ctx, env.rt.kernel.db, { action: 'test.range', to: before, page: 1, pageSize: 10 })).total,
    ).toBe(0);
  });

  it('writes nothing when the change it records rolls back', async () => {
    const before = (await env.rt.kernel.pool.query('SELECT max(seq) AS m FROM kernel.audit_log')).rows[0].m as number;
    await expect(
      inTx(env.rt.kernel.db, async (tx) => {
        await appendInTx(tx, [entry(1)]);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await env.rt.kernel.pool.query('SELECT max(seq) AS m FROM kernel.audit_log')).rows[0].m).toBe(before);
    expect((await verify(env)).ok).toBe(true);
  });

  it('rejects the callers of a batch that failed, and goes on', async () => {
    const bad = env.rt.kernel.audit.record({ ...entry(1), departmentId: 'not-a-uuid' });
    await expect(bad).rejects.toThrow();
    const good = await env.rt.kernel.audit.record(entry(2));
    expect(good.seq).toBeGreaterThan(0);
    expect((await verify(env)).ok).toBe(true);
  });

  it('is refused UPDATE, DELETE and TRUNCATE by the database', async () => {
    const p = env.rt.kernel.pool;
    await expect(p.query(`UPDATE kernel.audit_log SET action = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(p.query('DELETE FROM kernel.audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(p.query('TRUNCATE kernel.audit_log')).rejects.toThrow(/append-only/);
    await writeCheckpoint(env.rt.kernel.db, env.rt.kernel.signer);
    await expect(p.query('DELETE FROM kernel.audit_checkpoint')).rejects.toThrow(/append-only/);
  });
});

describe('audit verification finds tampering', () => {
  const envs: TestEnv[] = [];
  async function fresh(n = 120) {
    const env = await testEnv();
    envs.push(env);
    await chainOf(env, n);
    return env;
  }
  afterAll(async () => {
    for (const e of envs) await e.close();
  });

  it('an edited row is named as altered', async () => {
    const env = await fresh();
    await tamper(env, `UPDATE kernel.audit_log SET detail = jsonb_set(detail, '{i}', '999') WHERE seq = 57`);
    const r = await verify(env);
    expect(r.ok).toBe(false);
    expect(r.problem).toMatchObject({ kind: 'altered', seq: 57 });
    expect(r.problem!.messageZh).toContain('第 57 条');
  });

  it('a deleted row is named as removed', async () => {
    const env = await fresh();
    await tamper(env, 'DELETE FROM kernel.audit_log WHERE seq = 80');
    expect((await verify(env)).problem).toMatchObject({ kind: 'removed', seq: 80 });
  });

  it('a row inserted into the chain is named', async () => {
    const env = await fresh();
    await tamper(
      env,
      `INSERT INTO kernel.audit_log (seq, ts, actor_type, action, prev_hash, hash)
       VALUES (121, now(), 'user', 'forged.entry', repeat('a', 64), repeat('b', 64))`,
    );
    expect((await verify(env)).problem).toMatchObject({ kind: 'inserted', seq: 121 });
  });

  it('an edit whose hash was recomputed breaks the link to the next entry', async () => {
    const env = await fresh();
    const row = (await env.rt.kernel.pool.query('SELECT * FROM kernel.audit_log WHERE seq = 30')).rows[0];
    const forged = entryHash(row.prev_hash, {
      seq: 30,
      ts: row.ts,
      actorType: row.actor_type,
      actorId: row.actor_id,
      actorName: row.actor_name,
      departmentId: row.department_id,
      action: 'something.else',
      targetType: row.target_type,
      targetId: row.target_id,
      clientIp: row.client_ip,
      requestId: row.request_id,
      detail: row.detail,
    });
    await tamper(env, `UPDATE kernel.audit_log SET action = 'something.else', hash = '${forged}' WHERE seq = 30`);
    expect((await verify(env)).problem).toMatchObject({ kind: 'altered', seq: 30 });
  });

  it('a whole chain rewritten after a deletion is caught by the signed checkpoint', async () => {
    const env = await fresh(60);
    await writeCheckpoint(env.rt.kernel.db, env.rt.kernel.signer);
    await chainOf(env, 20);
    // the attacker deletes entry 10 and renumbers and rehashes everything after it
    const rows = (await env.rt.kernel.pool.query('SELECT * FROM kernel.audit_log WHERE seq <> 10 ORDER BY seq')).rows;
    let prev = GENESIS_HASH;
    const stmts = ['DELETE FROM kernel.audit_log'];
    rows.forEach((r, i) => {
      const seq = i + 1;
      const h = entryHash(prev, {
        seq,
        ts: r.ts,
        actorType: r.actor_type,
        actorId: r.actor_id,
        actorName: r.actor_name,
        departmentId: r.department_id,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        clientIp: r.client_ip,
        requestId: r.request_id,
        detail: r.detail,
      });
      stmts.push(
        `INSERT INTO kernel.audit_log (seq, ts, actor_type, actor_id, actor_name, action, target_type, target_id, client_ip, detail, prev_hash, hash)
         VALUES (${seq}, '${r.ts.toISOString()}', '${r.actor_type}', '${r.actor_id}', '${r.actor_name}', '${r.action}', '${r.target_type}', '${r.target_id}', '${r.client_ip}', '${JSON.stringify(r.detail)}', '${prev}', '${h}')`,
      );
      prev = h;
    });
    await tamper(env, ...stmts);
    expect((await verify(env)).problem).toMatchObject({ kind: 'checkpoint_mismatch', seq: 60 });
  });

  it('a forged checkpoint signature is caught', async () => {
    const env = await fresh(30);
    await writeCheckpoint(env.rt.kernel.db, env.rt.kernel.signer);
    await tamper(env, `UPDATE kernel.audit_checkpoint SET signature = regexp_replace(signature, '.{8}$', '00000000')`);
    expect((await verify(env)).problem).toMatchObject({ kind: 'checkpoint_forged' });
  });

  it('entries removed from the tail past a checkpoint are caught', async () => {
    const env = await fresh(50);
    await writeCheckpoint(env.rt.kernel.db, env.rt.kernel.signer);
    await tamper(env, 'DELETE FROM kernel.audit_log WHERE seq > 45');
    expect((await verify(env)).problem).toMatchObject({ kind: 'truncated', seq: 46 });
  });

  it('`gongshu audit verify` exits 0 when intact and 1 naming the entry', async () => {
    const env = await fresh(40);
    const run = () =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(PACKAGE_ROOT, 'src/cli.ts'), 'audit', 'verify', '--data-dir', env.dataDir],
        {
          env: { ...process.env, DATABASE_URL: env.dbUrl, GONGSHU_MASTER_KEY: TEST_MASTER_KEY },
          encoding: 'utf8',
        },
      );
    const ok = run();
    expect(ok.stdout + ok.stderr).toContain('audit chain intact');
    expect(ok.status).toBe(0);
    await tamper(env, `UPDATE kernel.audit_log SET actor_name = '篡改者' WHERE seq = 17`);
    const bad = run();
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('#17');
    expect(bad.stdout).toContain('altered');
  });
});
