/**
 * The shared cache and the nonce book across two runtimes on one database (two Gongshu processes):
 * a change committed by one drops the other's cached rows; a process that made a change answers
 * from fresh rows at once; a value read while its topic changed is not kept; with the listening
 * connection gone nothing is served from the cache; a nonce is granted once across processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { as, loginAs } from '../../../test/support/http.js';
import { ADMIN_PASSWORD, seeded } from '../../../test/support/seed.js';
import { openRuntime, type Runtime } from '../../runtime.js';
import { buildApp } from '../../app.js';
import { GongshuClient, GongshuError } from '../../client/index.js';
import type { FastifyInstance } from 'fastify';
import { purgeNonces } from '../auth/signature.js';

let env: TestEnv;
let other: Runtime;
let otherApp: FastifyInstance;
let base: string;
let otherBase: string;

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  other = await openRuntime(env.config, () => {}, { poolSize: 4, migrate: false });
  otherApp = await buildApp(other.kernel, { logger: false });
  base = await env.app.listen({ port: 0, host: '127.0.0.1' });
  otherBase = await otherApp.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await otherApp.close();
  await other.close();
  await env.close();
});

async function newApp(on: FastifyInstance) {
  const admin = await loginAs(on, 'admin', ADMIN_PASSWORD);
  const dept = (
    await env.rt.kernel.db
      .selectFrom('kernel.department')
      .select('id')
      .where('name', '=', '淄博市公安局')
      .executeTakeFirstOrThrow()
  ).id;
  const b = (
    await on.inject(
      as(admin, {
        method: 'POST',
        url: '/api/v1/app-credentials',
        payload: { name: `缓存测试${Math.random()}`, departmentId: dept },
      }),
    )
  ).json();
  return {
    admin,
    id: b.credential.id as string,
    keys: { appKey: b.credential.appKey as string, appSecret: b.appSecret as string },
  };
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: unknown) => (e instanceof GongshuError ? e.code : Promise.reject(e)),
  );

describe('shared cache', () => {
  it('a credential revoked in one process is refused by the other, which had it cached', async () => {
    const a = await newApp(env.app);
    const viaOther = new GongshuClient({ baseUrl: otherBase, ...a.keys });
    expect(await codeOf(viaOther.request('GET', '/api/v1/apps/ping'))).toBe('OK'); // now cached there
    expect(await codeOf(viaOther.request('GET', '/api/v1/apps/ping'))).toBe('OK');
    await env.app.inject(as(a.admin, { method: 'POST', url: `/api/v1/app-credentials/${a.id}/revoke` }));
    // the other process hears of it when the revocation commits (well under a second)
    let code = '';
    for (let i = 0; i < 40 && code !== 'APP_KEY_REVOKED'; i++) {
      code = await codeOf(viaOther.request('GET', '/api/v1/apps/ping'));
      if (code !== 'APP_KEY_REVOKED') await new Promise((r) => setTimeout(r, 50));
    }
    expect(code).toBe('APP_KEY_REVOKED');
  });

  it('the process that revoked refuses the very next call', async () => {
    for (let n = 0; n < 5; n++) {
      const a = await newApp(env.app);
      const c = new GongshuClient({ baseUrl: base, ...a.keys });
      expect(await codeOf(c.request('GET', '/api/v1/apps/ping'))).toBe('OK');
      await env.app.inject(as(a.admin, { method: 'POST', url: `/api/v1/app-credentials/${a.id}/revoke` }));
      expect(await codeOf(c.request('GET', '/api/v1/apps/ping'))).toBe('APP_KEY_REVOKED');
    }
  });

  it('keeps a value only when its topic did not change while it was read, and serves nothing cached without a listener', async () => {
    const cache = env.rt.kernel.cache;
    let loads = 0;
    const load = async () => ++loads;
    await cache.get('credential', 'x', load);
    expect(await cache.get('credential', 'x', load)).toBe(1); // cached
    // a change committed while the value is being read: the read value is not kept
    await cache.get('credential', 'y', async () => {
      await env.rt.kernel.pool.query(`UPDATE kernel.app_credential SET name = name WHERE false`); // no row, but the statement trigger fires
      await cache.sync();
      return 'stale';
    });
    expect(await cache.get('credential', 'y', async () => 'fresh')).toBe('fresh');
    // an update elsewhere drops the topic once heard
    await other.kernel.pool.query(`UPDATE kernel.app_credential SET name = name WHERE false`);
    await cache.sync();
    expect(await cache.get('credential', 'x', load)).toBe(2);
    // the listening connection killed: every get loads until it is back
    await env.rt.kernel.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gongshu-cache' AND datname = current_database() AND pid <> pg_backend_pid()`,
    );
    await new Promise((r) => setTimeout(r, 200));
    const before = loads;
    await cache.get('credential', 'x', load);
    await cache.get('credential', 'x', load);
    expect(loads).toBe(before + 2); // not served from the cache while no one listens
    // the listener is back within about a second, and values are kept again
    let cachedAgain = false;
    for (let i = 0; i < 50 && !cachedAgain; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const v = await cache.get('credential', 'z', load);
      cachedAgain = (await cache.get('credential', 'z', load)) === v;
    }
    expect(cachedAgain).toBe(true);
  });
});

describe('nonce book', () => {
  it('grants a nonce once, within a batch and across processes', async () => {
    const books = [env.rt.kernel.nonces, other.kernel.nonces];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => books[i % 2]!.take('cache-test-key', `nonce-${i % 10}-abcdefghijkl`)),
    );
    // ten distinct nonces, each taken four times over two processes: granted exactly ten times, once each
    expect(results.filter(Boolean)).toHaveLength(10);
    const granted = new Set(results.map((r, i) => (r ? i % 10 : -1)).filter((x) => x >= 0));
    expect(granted.size).toBe(10);
    expect(await books[0]!.take('cache-test-key', 'nonce-3-abcdefghijkl')).toBe(false);
    expect(await books[1]!.take('another-key', 'nonce-3-abcdefghijkl')).toBe(true);
    // nonces older than twice the allowed clock skew are purged (a time range on the BRIN index)
    await env.rt.kernel.pool.query(
      `UPDATE kernel.app_nonce SET seen_at = now() - interval '1 hour' WHERE app_key = 'another-key'`,
    );
    expect(await purgeNonces(env.rt.kernel.db)).toBe(1);
    expect(await books[0]!.take('another-key', 'nonce-3-abcdefghijkl')).toBe(true);
    expect(await books[0]!.take('cache-test-key', 'nonce-3-abcdefghijkl')).toBe(false);
  });
});
