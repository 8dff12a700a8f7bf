/**
 * Re-walks the audit chain and its signed checkpoints. Reports the first entry that was altered,
 * removed or inserted, or the first checkpoint whose signature or hash does not hold.
 */
import type pg from 'pg';
import { sm2Verify } from '../crypto/sm.js';
import { checkpointMessage, entryHash, GENESIS_HASH } from './chain.js';

export type ProblemKind =
  'altered' | 'removed' | 'inserted' | 'checkpoint_forged' | 'checkpoint_mismatch' | 'truncated';

export interface VerifyProblem {
  kind: ProblemKind;
  seq: number;
  messageZh: string;
  messageEn: string;
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  checkpoints: number;
  lastSeq: number;
  problem?: VerifyProblem;
}

interface Row {
  seq: number;
  ts: Date;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  department_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  client_ip: string | null;
  request_id: string | null;
  detail: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

function problem(kind: ProblemKind, seq: number, zh: string, en: string): VerifyProblem {
  return { kind, seq, messageZh: zh, messageEn: en };
}

/**
 * @param trustedPublicKey the node's SM2 public key as derived from its (sealed) private key, so a
 *   public key swapped in the database is not trusted.
 */
export async function verifyChain(pool: pg.Pool, trustedPublicKey: string, batchSize = 20000): Promise<VerifyResult> {
  const cps = (
    await pool.query<{ id: number; seq: number; hash: string; ts: Date; public_key: string; signature: string }>(
      'SELECT id, seq, hash, ts, public_key, signature FROM kernel.audit_checkpoint ORDER BY id',
    )
  ).rows;
  const cpBySeq = new Map<number, (typeof cps)[number][]>();
  for (const cp of cps) {
    if (
      cp.public_key !== trustedPublicKey ||
      !sm2Verify(checkpointMessage(cp.seq, cp.hash, cp.ts), cp.signature, trustedPublicKey)
    ) {
      const r: VerifyResult = { ok: false, entries: 0, checkpoints: cps.length, lastSeq: 0 };
      r.problem = problem(
        'checkpoint_forged',
        cp.seq,
        `检查点 #${cp.id}（第 ${cp.seq} 条）的 SM2 签名无效，检查点被伪造或篡改`,
        `checkpoint #${cp.id} (at entry #${cp.seq}) has an invalid SM2 signature: it was forged or altered`,
      );
      return r;
    }
    const list = cpBySeq.get(cp.seq) ?? [];
    list.push(cp);
    cpBySeq.set(cp.seq, list);
  }

  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  let count = 0;
  const fail = (p: VerifyProblem): VerifyResult => ({
    ok: false,
    entries: count,
    checkpoints: cps.length,
    lastSeq: prevSeq,
    problem: p,
  });
  for (;;) {
    const { rows } = await pool.query<Row>('SELECT * FROM kernel.audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [
      prevSeq,
      batchSize,
    ]);
    if (rows.length === 0) break;
    for (const r of rows) {
      const expected = prevSeq + 1;
      if (r.seq > expected) {
        const range = r.seq - 1 > expected ? `${expected}–${r.seq - 1}` : `${expected}`;
        return fail(problem('removed', expected, `第 ${range} 条审计记录被删除`, `audit entry #${range} was removed`));
      }
      const computed = entryHash(r.prev_hash, {
        seq: r.seq,
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
      const linked = r.prev_hash === prevHash;
      const selfOk = computed === r.hash;
      if (!linked && !selfOk) {
        return fail(
          problem(
            'inserted',
            r.seq,
            `第 ${r.seq} 条审计记录不属于审计链（被插入或替换）`,
            `audit entry #${r.seq} does not belong to the chain (inserted or replaced)`,
          ),
        );
      }
      if (!linked) {
        return fail(
          problem(
            'altered',
            prevSeq,
            `第 ${prevSeq} 条审计记录被修改（哈希被重算，链在第 ${r.seq} 条处断开）`,
            `audit entry #${prevSeq} was altered (its hash was recomputed; the chain breaks at #${r.seq})`,
          ),
        );
      }
      if (!selfOk) {
        return fail(
          problem(
            'altered',
            r.seq,
            `第 ${r.seq} 条审计记录被修改（${r.action}）`,
            `audit entry #${r.seq} was altered (${r.action})`,
          ),
        );
      }
      for (const cp of cpBySeq.get(r.seq) ?? []) {
        if (cp.hash !== r.hash) {
          return fail(
            problem(
              'checkpoint_mismatch',
              r.seq,
              `第 ${r.seq} 条及之前的审计记录与已签名检查点 #${cp.id} 不符（记录被修改、删除或插入后重算了哈希）`,
              `audit entries up to #${r.seq} do not match signed checkpoint #${cp.id} (entries were altered, removed or inserted and the chain rehashed)`,
            ),
          );
        }
      }
      prevHash = r.hash;
      prevSeq = r.seq;
      count++;
    }
  }
  const beyond = cps.filter((cp) => cp.seq > prevSeq);
  if (beyond.length > 0) {
    const cp = beyond[0]!;
    return fail(
      problem(
        'truncated',
        prevSeq + 1,
        `第 ${prevSeq + 1} 条起的审计记录被删除（已签名检查点 #${cp.id} 覆盖至第 ${cp.seq} 条）`,
        `audit entries from #${prevSeq + 1} on were removed (signed checkpoint #${cp.id} covers up to #${cp.seq})`,
      ),
    );
  }
  return { ok: true, entries: count, checkpoints: cps.length, lastSeq: prevSeq };
}
