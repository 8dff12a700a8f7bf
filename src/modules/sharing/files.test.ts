/**
 * The file service over real HTTP with a large file: a download cut by the client leaves its
 * delivery incomplete (no size, no digest), returns the database connection, and the next file is
 * whole; a complete download's digest matches its bytes.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { seeded } from '../../../test/support/seed.js';
import { publishResource } from '../../../test/support/publish.js';
import { approvedGrant } from '../../../test/support/share.js';
import { systemCtx } from '../../kernel/http/context.js';
import { GongshuClient } from '../../client/index.js';
import type { DataItem } from '../catalog/schema.js';
import { runIngest } from '../aggregation/service.js';
import { newDeliveryId } from './files.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';

const ITEMS: DataItem[] = [
  {
    name: 'bdcqzh',
    label: '不动产权证号',
    type: 'string',
    length: 40,
    primaryKey: true,
    incremental: false,
    grade: 2,
    masking: 'none',
  },
  {
    name: 'zl',
    label: '坐落',
    type: 'string',
    length: 200,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
];
const N = 40_000;
let env: TestEnv;
let base: string;
let client: GongshuClient;
let resourceId: string;

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  resourceId = (
    await publishResource(env.rt.kernel, {
      department: '淄博市自然资源和规划局',
      name: '不动产登记信息',
      items: ITEMS,
      shareType: 'conditional',
    })
  ).id;
  await runIngest(env.rt.kernel, systemCtx('test'), {
    resourceId,
    mode: 'full',
    source: 'test',
    columns: ['bdcqzh', 'zl'],
    rows: (async function* () {
      yield Array.from({ length: N }, (_, i) => ({
        row: i + 1,
        values: [`BDC${String(i).padStart(8, '0')}`, `淄博市张店区人民西路${i}号院${i % 30}号楼${i % 6}单元`],
      }));
    })(),
  });
  const g = await approvedGrant(env, { resourceId, fields: ['bdcqzh', 'zl'], services: ['file'] });
  base = await env.app.listen({ port: 0, host: '127.0.0.1' });
  client = new GongshuClient({ baseUrl: base, ...g.keys });
}, 60_000);
afterAll(async () => env.close());

function download(cutAfter?: number): Promise<{ id: string; bytes: Buffer; cut: boolean }> {
  const s = client.prepare('POST', `/api/v1/services/${resourceId}/file`, { format: 'csv' });
  return new Promise((resolve, reject) => {
    const req = http.request(s.url, { method: 'POST', headers: s.headers }, (res) => {
      const chunks: Buffer[] = [];
      let n = 0;
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        n += c.length;
        if (cutAfter !== undefined && n >= cutAfter) {
          req.destroy();
          resolve({ id: res.headers['x-gs-delivery-id'] as string, bytes: Buffer.concat(chunks), cut: true });
        }
      });
      res.on('end', () =>
        resolve({ id: res.headers['x-gs-delivery-id'] as string, bytes: Buffer.concat(chunks), cut: false }),
      );
      res.on('error', () => {});
    });
    req.on('error', (e) => (cutAfter === undefined ? reject(e) : undefined));
    req.end(s.body);
  });
}

const delivery = async (id: string) =>
  (await env.rt.kernel.pool.query('SELECT rows, bytes, sm3, completed_at FROM share.delivery WHERE id = $1', [id]))
    .rows[0];

describe('file service over HTTP', () => {
  it('a cut download stays incomplete and frees its connection; a whole one matches its digest', async () => {
    const cut = await download(64 * 1024);
    expect(cut.cut).toBe(true);
    // the connection comes back to the pool once the writer notices the reader is gone
    for (let i = 0; i < 100 && env.rt.kernel.pool.totalCount - env.rt.kernel.pool.idleCount > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(env.rt.kernel.pool.totalCount - env.rt.kernel.pool.idleCount).toBe(0);
    expect(await delivery(cut.id)).toMatchObject({ rows: N, bytes: null, sm3: null, completed_at: null });

    const whole = await download();
    expect(whole.cut).toBe(false);
    const lines = whole.bytes.toString('utf8').split('\r\n');
    expect(lines).toHaveLength(N + 2); // header, rows, the empty string after the last line break
    for (let i = 0; i < 100 && !(await delivery(whole.id)).completed_at; i++)
      await new Promise((r) => setTimeout(r, 50));
    const d = await delivery(whole.id);
    // the delivery id carries the node's own code (the demo's 淄博 node is "zibo", not the default) and Beijing's day
    expect(whole.id).toMatch(new RegExp(`^zibo-${shanghaiDate().replace(/-/g, '')}-[2-9A-HJKMNP-TV-Z]{12}$`));
    expect(Number(d.bytes)).toBe(whole.bytes.length);
    expect(d.sm3).toBe(createHash('sm3').update(whole.bytes).digest('hex'));
  }, 60_000);
});

describe('delivery ids (hardening item 25)', () => {
  it('use the node code given and the day in Asia/Shanghai', () => {
    expect(newDeliveryId('zibo', new Date('2026-11-23T23:30:00Z'))).toMatch(/^zibo-20261124-/);
    expect(newDeliveryId('zibo', new Date('2026-11-23T15:59:00Z'))).toMatch(/^zibo-20261123-/);
  });
});
