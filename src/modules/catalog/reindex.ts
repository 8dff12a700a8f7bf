/**
 * Rebuilds the search entries that an older tokeniser wrote (catalog.entry.tokens_version below
 * TOKENS_VERSION), after migrating and under the migration lock, a thousand at a time. A node
 * upgraded to a better search finds its whole catalog with it at the next start.
 */
import type pg from 'pg';
import { entryVectors, TOKENS_VERSION } from './tokens.js';
import type { DataItem, ResourceMeta } from './schema.js';

export async function reindexEntries(client: pg.PoolClient, log: (m: string) => void): Promise<void> {
  let done = 0;
  for (;;) {
    const { rows } = await client.query<{
      id: string;
      code: string;
      meta: ResourceMeta;
      items: DataItem[];
      department: string;
    }>(
      `SELECT e.resource_id AS id, e.code, v.meta, v.items, d.name AS department
         FROM catalog.entry e
         JOIN catalog.resource r ON r.id = e.resource_id
         JOIN catalog.resource_version v ON v.resource_id = r.id AND v.version = e.version
         JOIN kernel.department d ON d.id = e.department_id
        WHERE e.tokens_version < $1
        LIMIT 1000`,
      [TOKENS_VERSION],
    );
    if (!rows.length) break;
    const vectors = rows.map((r) =>
      entryVectors({
        name: r.meta.name,
        code: r.code,
        items: r.items,
        summary: r.meta.summary,
        department: r.department,
      }),
    );
    await client.query(
      `UPDATE catalog.entry e SET name_search = u.name::tsvector, search = u.all_::tsvector, tokens_version = $4
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u (id, name, all_) WHERE e.resource_id = u.id`,
      [rows.map((r) => r.id), vectors.map((v) => v.name), vectors.map((v) => v.all), TOKENS_VERSION],
    );
    done += rows.length;
  }
  if (done) log(`catalog: rebuilt the search entries of ${done} resources (tokens v${TOKENS_VERSION})`);
}
