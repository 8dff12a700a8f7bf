/** gov.region: the GB/T 2260 codes the SQL identity rules know, loaded from data/ whenever it changes. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { DATA_DIR } from '../../kernel/paths.js';

export async function syncRegions(client: pg.PoolClient, log: (m: string) => void = () => {}): Promise<void> {
  const current = readFileSync(path.join(DATA_DIR, 'regions.json'), 'utf8');
  const historical = readFileSync(path.join(DATA_DIR, 'regions-historical.json'), 'utf8');
  const checksum = createHash('sha256').update(current).update(historical).digest('hex');
  const had = (await client.query<{ checksum: string }>('SELECT checksum FROM gov.region_source')).rows[0];
  if (had?.checksum === checksum) return;
  const rows = new Map<string, number | null>();
  for (const h of JSON.parse(historical) as { code: string; last: string }[])
    rows.set(h.code, h.last === 'current' ? null : Number(h.last.slice(0, 4)));
  for (const r of JSON.parse(current) as { code: string }[]) rows.set(r.code, null);
  await client.query('BEGIN');
  try {
    await client.query('DELETE FROM gov.region');
    await client.query('INSERT INTO gov.region (code, last_year) SELECT * FROM unnest($1::text[], $2::int[])', [
      [...rows.keys()],
      [...rows.values()],
    ]);
    await client.query('DELETE FROM gov.region_source');
    await client.query('INSERT INTO gov.region_source (checksum) VALUES ($1)', [checksum]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  }
  log(`governance: ${rows.size} region codes loaded`);
}
