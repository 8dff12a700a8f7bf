/**
 * Losing the database (hardening item 2): `kill -9` of the embedded postmaster while signed service
 * calls run. Gongshu must stay up, answer 503 DATABASE_UNAVAILABLE (and say so in /api/health) while
 * the database is away, restart the embedded server itself and serve again without a restart of its
 * own; afterwards the audit chain verifies and every call that was answered 200 has its audit entry.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { GongshuClient } from '../src/client/index.js';
import { PACKAGE_ROOT } from '../src/kernel/paths.js';
import { freePort, startGongshu, waitHealthy, webCall, webLogin, type Started } from './support/process.js';
import { cleanUp } from './support/process.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gongshu-dbloss-'));
let started: Started | undefined;

afterAll(() => cleanUp(dataDir, [started?.child]));

function withoutDatabaseUrl(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  return env;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the embedded PostgreSQL dies under load', () => {
  it('Gongshu stays up, answers 503 with a code, serves again by itself, and loses no audit entry', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    started = startGongshu(dataDir, port, { GONGSHU_SHARE_AUTO_UNCONDITIONAL: 'true' });
    const { child, output } = started;
    await waitHealthy(base, child, output);

    // a grant for 公安局's demo app on 企业登记信息 (无条件共享: granted on application)
    const state = JSON.parse(readFileSync(path.join(dataDir, 'pg.json'), 'utf8')) as { port: number; password: string };
    const dbUrl = `postgres://gongshu:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/gongshu`;
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    db.on('error', () => {});
    const resourceId = (
      await db.query<{ id: string }>(
        "SELECT r.id FROM catalog.resource r JOIN catalog.resource_version v ON v.resource_id = r.id AND v.version = r.published_version WHERE v.meta->>'name' = '企业登记信息'",
      )
    ).rows[0]!.id;
    const cred = (
      await db.query<{ id: string; department_id: string }>(
        "SELECT id, department_id FROM kernel.app_credential WHERE name = '市公安局业务系统' OR name LIKE '%公安%' LIMIT 1",
      )
    ).rows[0]!;
    await db.end();
    const apps = JSON.parse(readFileSync(path.join(dataDir, 'demo-apps.json'), 'utf8')) as {
      name: string;
      appKey: string;
      appSecret: string;
    }[];
    const keys = apps.find((a) => a.name.includes('公安'))!;
    const gaj = await webLogin(base, 'gaj_officer', 'Zibo2026demo');
    const applied = await webCall(base, gaj, 'POST', '/api/v1/share/applications', {
      resourceId,
      appCredentialId: cred.id,
      fields: ['tyshxydm', 'qymc'],
      services: ['query'],
      purpose: '企业身份核查',
      legalBasis: '《优化营商环境条例》',
      scenario: '窗口办件核对企业信息',
      periodFrom: '2026-01-01',
      periodTo: '2030-12-31',
      expectedCalls: 100_000_000,
    });
    expect(applied.status, JSON.stringify(applied.json)).toBe(201);
    const gs = new GongshuClient({ baseUrl: base, appKey: keys.appKey, appSecret: keys.appSecret });
    const call = async () => {
      const req = gs.prepare('POST', `/api/v1/services/${resourceId}/query`, { filters: {}, limit: 5 });
      try {
        const res = await fetch(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          signal: AbortSignal.timeout(20_000),
        });
        const body = (await res.json()) as { code?: string };
        return {
          status: res.status,
          code: body.code,
          requestId: res.headers.get('x-request-id') ?? '',
          retryAfter: res.headers.get('retry-after'),
        };
      } catch (e) {
        return { status: 0, code: (e as Error).message, requestId: '', retryAfter: null };
      }
    };
    expect((await call()).status).toBe(200);

    // load: 8 callers without pause, the whole time
    const results: Awaited<ReturnType<typeof call>>[] = [];
    let running = true;
    const callers = Array.from({ length: 8 }, async () => {
      while (running) {
        const r = await call();
        results.push(r);
        if (r.status !== 200) await sleep(50);
      }
    });
    await sleep(1500);
    const postmaster = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(postmaster, 'SIGKILL');
    const killedAt = results.length;

    // while the database is away: 503 with a code, and health says so
    let sawDown = false;
    let healthDown = false;
    let back = false;
    for (const until = Date.now() + 90_000; Date.now() < until && !back; await sleep(100)) {
      const h = await fetch(`${base}/api/health`).catch(() => null);
      if (h && h.status === 503) healthDown = true;
      sawDown ||= results.slice(killedAt).some((r) => r.status === 503);
      back = sawDown && h?.status === 200 && results.slice(-8).some((r) => r.status === 200);
    }
    await sleep(1500); // serving again, under load
    running = false;
    await Promise.all(callers);

    expect(child.exitCode, `gongshu exited:\n${output().slice(-3000)}`).toBeNull();
    expect(sawDown, 'calls answered 503 while the database was away').toBe(true);
    expect(healthDown, '/api/health answered 503').toBe(true);
    expect(back, `served again without a restart:\n${output().slice(-3000)}`).toBe(true);
    const after = results.slice(killedAt);
    const unexpected = after.filter(
      (r) => r.status !== 200 && !(r.status === 503 && r.code === 'DATABASE_UNAVAILABLE'),
    );
    expect(unexpected, 'every call was served or refused with DATABASE_UNAVAILABLE').toEqual([]);
    expect(after.filter((r) => r.status === 503).every((r) => Number(r.retryAfter) > 0)).toBe(true);
    expect(after.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    expect(output()).toContain('restarting it');

    // every answered call has its audit entry; the chain verifies
    const answered = results.filter((r) => r.status === 200).map((r) => r.requestId);
    const db2 = new pg.Client({ connectionString: dbUrl });
    db2.on('error', () => {});
    await db2.connect();
    const logged = new Set(
      (
        await db2.query<{ request_id: string }>(
          "SELECT request_id FROM kernel.audit_log WHERE action = 'service.query' AND request_id = ANY($1)",
          [answered],
        )
      ).rows.map((r) => r.request_id),
    );
    await db2.end();
    expect(answered.filter((id) => !logged.has(id))).toEqual([]);
    const verify = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(PACKAGE_ROOT, 'src/cli.ts'), 'audit', 'verify', '--data-dir', dataDir],
      { encoding: 'utf8', env: withoutDatabaseUrl() },
    );
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    console.log(
      `[db-loss] ${results.length} calls: ${results.filter((r) => r.status === 200).length} answered (each with its audit entry), ${results.filter((r) => r.status === 503).length} refused 503 while the database was away`,
    );

    child.kill('SIGTERM');
    expect(await new Promise((r) => child.once('exit', r))).toBe(0);
  }, 240_000);
});
