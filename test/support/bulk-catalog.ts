/**
 * Many published resources at once, for tests at catalog scale (a harvest of 5 000 open datasets):
 * rows of catalog.resource, .resource_version and .entry written in batches with the production
 * search vectors, as publishing would leave them (without dataset tables).
 */
import { sql } from 'kysely';
import type { Kernel } from '../../src/kernel/kernel.js';
import { entryVectors } from '../../src/modules/catalog/tokens.js';
import { ITEMS, meta } from './catalog.js';

export async function bulkPublish(
  k: Kernel,
  n: number,
  opts: { departments: { id: string; name: string }[]; categoryId: string; categoryCode: string; prefix: string },
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < n; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, n - start) }, (_, j) => {
      const i = start + j;
      const d = opts.departments[i % opts.departments.length]!;
      const m = meta(opts.categoryId, {
        name: `${opts.prefix}数据集${i}`,
        openType: i % 4 === 0 ? 'conditional' : 'unconditional',
        openCondition: i % 4 === 0 ? '注册用户可下载' : null,
        updateCycle: i % 2 ? 'daily' : 'monthly',
      });
      const code = `${opts.categoryCode}/B${String(i).padStart(6, '0')}`;
      const v = entryVectors({ name: m.name, code, items: ITEMS, summary: m.summary, department: d.name });
      const at = new Date(Date.UTC(2025, 0, 1) + (i % 500) * 3600_000); // ties on purpose: paging must still be stable
      return { id: crypto.randomUUID(), code, d, m, v, at };
    });
    const col = <T>(f: (r: (typeof batch)[number]) => T) => batch.map(f);
    await k.db.transaction().execute(async (tx) => {
      await sql`INSERT INTO catalog.resource (id, code, department_id, status, published_version, first_published_at)
        SELECT id, code, dept, 'published', 1, at FROM unnest(${col((r) => r.id)}::uuid[], ${col((r) => r.code)}::text[],
          ${col((r) => r.d.id)}::uuid[], ${col((r) => r.at)}::timestamptz[]) AS t (id, code, dept, at)`.execute(tx);
      await sql`INSERT INTO catalog.resource_version (resource_id, version, state, meta, items, grade, published_at)
        SELECT id, 1, 'published', meta::jsonb, ${JSON.stringify(ITEMS)}::jsonb, 1, at
        FROM unnest(${col((r) => r.id)}::uuid[], ${col((r) => JSON.stringify(r.m))}::text[], ${col((r) => r.at)}::timestamptz[]) AS t (id, meta, at)`.execute(
        tx,
      );
      await sql`INSERT INTO catalog.entry (resource_id, code, name, summary, department_id, category_id, category_code, category_top,
          share_type, open_type, grade, update_cycle, format_class, item_count, published_at, modified_at, version, name_search, search, tokens_version)
        SELECT id, code, name, ${batch[0]!.m.summary}, dept, ${opts.categoryId}::uuid, ${opts.categoryCode}, left(${opts.categoryCode}, 1),
          'unconditional', open, 1, cycle, 3, ${ITEMS.length}, at, at, 1, nv::tsvector, av::tsvector, 2
        FROM unnest(${col((r) => r.id)}::uuid[], ${col((r) => r.code)}::text[], ${col((r) => r.m.name)}::text[], ${col((r) => r.d.id)}::uuid[],
          ${col((r) => r.m.openType)}::text[], ${col((r) => r.m.updateCycle)}::text[], ${col((r) => r.at)}::timestamptz[],
          ${col((r) => r.v.name)}::text[], ${col((r) => r.v.all)}::text[]) AS t (id, code, name, dept, open, cycle, at, nv, av)`.execute(
        tx,
      );
    });
    ids.push(...batch.map((r) => r.id));
  }
  return ids;
}
