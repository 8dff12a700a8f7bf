/**
 * 一人一档 / 一企一档: for one 公民身份号码 or 统一社会信用代码, the rows of every published resource whose
 * item is marked as that identity key, which source says what, and where sources disagree (values
 * of items with the same label — 姓名, 出生日期, 法定代表人 … — that differ). Only administrators and
 * auditors may open a profile, each opening is audited with the purpose stated.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import type { Tx } from '../../kernel/db/pool.js';
import { resourcesWithIdentity } from '../catalog/service.js';
import { validate } from './validators.js';

export const profileQuery = z.object({
  kind: z.enum(['ric', 'uscc']),
  id: z.string().trim().min(1).max(40),
  purpose: z.string().trim().min(4, '请说明查阅目的 / state the purpose').max(500),
});

/** labels compared across sources once spaces and brackets are dropped */
const labelKey = (label: string) => label.replace(/[\s（）()]/g, '');

export async function openProfile(ctx: Ctx, tx: Tx, input: z.infer<typeof profileQuery>) {
  requireRole(ctx, 'admin', 'auditor');
  const verdict = validate(input.kind, input.id);
  const id = verdict.normalized || input.id.trim().toUpperCase();
  const sources = [];
  for (const res of await resourcesWithIdentity(tx, input.kind)) {
    const keyItems = res.items.filter((i) => i.identityKind === input.kind);
    const found = await sql<Record<string, unknown>>`SELECT * FROM ${sql.raw(res.table)} WHERE ${sql.join(
      keyItems.map((i) => sql`${sql.ref(i.name)}::text = ${id}`),
      sql` OR `,
    )} LIMIT 100`.execute(tx);
    for (const row of found.rows) {
      sources.push({
        resourceId: res.id,
        resourceName: res.name,
        departmentName: res.departmentName,
        matchedBy: keyItems.filter((i) => row[i.name] === id).map((i) => i.label),
        updatedAt: row._updated_at instanceof Date ? row._updated_at.toISOString() : null,
        source: (row._source as string) ?? null,
        values: res.items.map((i) => ({
          name: i.name,
          label: i.label,
          value:
            row[i.name] === null || row[i.name] === undefined
              ? null
              : row[i.name] instanceof Date
                ? (row[i.name] as Date).toISOString().slice(0, 10)
                : String(row[i.name]),
        })),
      });
    }
  }
  // the same label told differently by two sources is a conflict (the identity items themselves agree by construction)
  const byLabel = new Map<string, { label: string; values: Map<string, string[]> }>();
  for (const s of sources) {
    for (const v of s.values) {
      if (v.value === null || v.value === '') continue;
      const key = labelKey(v.label);
      const e = byLabel.get(key) ?? { label: v.label, values: new Map<string, string[]>() };
      e.values.set(v.value, [...(e.values.get(v.value) ?? []), s.resourceName]);
      byLabel.set(key, e);
    }
  }
  const conflicts = [...byLabel.values()]
    .filter((e) => e.values.size > 1)
    .map((e) => ({ label: e.label, values: [...e.values].map(([value, resources]) => ({ value, resources })) }));
  await appendInTx(tx, [
    auditOf(ctx, 'governance.profile.open', input.kind === 'ric' ? 'person' : 'enterprise', id, {
      purpose: input.purpose,
      sources: sources.length,
      conflicts: conflicts.length,
    }),
  ]);
  return { kind: input.kind, id, valid: verdict.valid, reason: verdict.reason, sources, conflicts };
}
