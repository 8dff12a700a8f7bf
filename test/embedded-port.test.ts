/**
 * The embedded PostgreSQL remembers its port between starts. When the HTTP port is later set to that
 * number, the database must move to another port: it starts first, and would otherwise take the HTTP
 * port and make `gongshu start` fail with EADDRINUSE.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedHandle } from '../src/kernel/db/embedded.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gongshu-port-'));
let running: EmbeddedHandle | undefined;

afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function select1(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n;
  } finally {
    await c.end();
  }
}

describe('the embedded PostgreSQL port', () => {
  it('is remembered, but never one the caller will bind itself', async () => {
    running = await startEmbedded(dataDir);
    const remembered = running.port;
    await running.stop();
    running = await startEmbedded(dataDir);
    expect(running.port).toBe(remembered);
    await running.stop();

    running = await startEmbedded(dataDir, { avoidPorts: [remembered] });
    expect(running.port).not.toBe(remembered);
    expect(running.port).not.toBe(5432);
    expect(await select1(running.url)).toBe(1);
    await running.stop();
    running = undefined;
  }, 120_000);
});
