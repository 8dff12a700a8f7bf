/**
 * Demo rows for a few open resources, so that the open data portal and the data services show
 * something on first start: synthetic enterprises (valid 统一社会信用代码) in 企业登记信息, and
 * household-registration counts by county in 户籍人口统计. Loaded through the ordinary ingest run.
 */
import type { Kernel } from '../kernel/kernel.js';
import { systemCtx } from '../kernel/http/context.js';
import { Synth } from '../kernel/synth/index.js';
import { runIngest } from '../modules/aggregation/service.js';

const COUNTIES = ['370302', '370303', '370304', '370305', '370306', '370321', '370322', '370323'];

async function load(k: Kernel, name: string, columns: string[], rows: string[][]): Promise<number> {
  const r = (
    await k.pool.query<{ id: string }>(
      `SELECT r.id FROM catalog.resource r JOIN catalog.resource_version v ON v.resource_id = r.id AND v.version = r.published_version WHERE v.meta->>'name' = $1 AND r.dataset_table IS NOT NULL LIMIT 1`,
      [name],
    )
  ).rows[0];
  if (!r) return 0;
  const run = await runIngest(k, systemCtx('seed-demo'), {
    resourceId: r.id,
    mode: 'full',
    source: 'demo',
    columns,
    rows: (async function* () {
      yield rows.map((values, i) => ({ row: i + 1, values }));
    })(),
  });
  return run.inserted;
}

export async function seedDemoData(k: Kernel): Promise<number> {
  const synth = new Synth({ seed: 2026 });
  const now = '2026-11-01 09:00:00';
  const firms = synth
    .enterprises(300)
    .map((e) => [
      e.uscc,
      e.name,
      e.legalRepresentative,
      String(e.registeredCapital),
      e.establishedDate,
      e.address,
      `${e.industry}相关经营`,
      '存续',
      now,
    ]);
  let n = await load(
    k,
    '企业登记信息',
    ['tyshxydm', 'qymc', 'fddbr', 'zczb', 'clrq', 'zs', 'jyfw', 'djzt', 'gxsj'],
    firms,
  );
  const people: string[][] = [];
  COUNTIES.forEach((c, i) => {
    for (const year of [2023, 2024, 2025])
      people.push([
        String(year),
        c,
        String(300_000 + i * 61_237 + (year - 2023) * 1_512),
        String(110_000 + i * 20_411 + (year - 2023) * 733),
      ]);
  });
  n += await load(k, '户籍人口统计', ['tjnd', 'xzqh', 'hjrks', 'hs'], people);
  return n;
}
