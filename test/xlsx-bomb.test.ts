/**
 * Decompression bombs (hardening item 1), uploaded to a real `gongshu start`: a workbook whose shared
 * strings inflate to 4.5 GB while the zip declares 1 MB, and one whose sheet holds a single 400 MB
 * cell. Both are refused with XLSX_TOO_LARGE naming the part; /api/health answers throughout; the
 * server's peak resident memory (VmHWM) stays under 500 MB.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startGongshu, waitHealthy, webLogin, type Started } from './support/process.js';
import { cleanUp } from './support/process.js';
import { repeatedDeflate, workbookParts, zipOf } from './support/zip.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gongshu-bomb-'));
let started: Started | undefined;
afterAll(() => cleanUp(dataDir, [started?.child]));

const MiB = 1024 * 1024;
const SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">';
const WS = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';

/** shared strings of 4.5 GB (declared as 1 MB), a sheet that uses two of them */
function sharedStringsBomb(): Buffer {
  const si = Buffer.from('<si><t>淄博市某某有限公司重复的企业名称</t></si>', 'utf8');
  const unit = Buffer.concat(Array.from({ length: Math.floor(MiB / si.length) }, () => si));
  const strings = repeatedDeflate(unit, 4500, Buffer.from(SST), Buffer.from('</sst>'));
  const sheet = Buffer.from(
    `${WS}<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row></sheetData></worksheet>`,
  );
  return zipOf(workbookParts(sheet, { name: 'xl/sharedStrings.xml', ...strings, declaredSize: MiB }));
}

/** one inline cell of 400 MB, declared truthfully */
function oneCellBomb(): Buffer {
  const unit = Buffer.alloc(MiB, 'A');
  const sheet = repeatedDeflate(
    unit,
    400,
    Buffer.from(`${WS}<row r="1"><c r="A1" t="inlineStr"><is><t>`),
    Buffer.from('</t></is></c><c r="B1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'),
  );
  return zipOf(workbookParts({ name: 'xl/worksheets/sheet1.xml', ...sheet }));
}

function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

describe('xlsx decompression bombs', () => {
  it('are refused, naming the part, while the server stays up within 500 MB', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    started = startGongshu(dataDir, port);
    await waitHealthy(base, started.child, started.output);
    const server = Number(readFileSync(path.join(dataDir, 'owner.pid'), 'utf8'));

    const state = JSON.parse(readFileSync(path.join(dataDir, 'pg.json'), 'utf8')) as { port: number; password: string };
    const db = new pg.Client({
      connectionString: `postgres://gongshu:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/gongshu`,
    });
    await db.connect();
    const resourceId = (
      await db.query<{ id: string }>(
        "SELECT r.id FROM catalog.resource r JOIN catalog.resource_version v ON v.resource_id = r.id AND v.version = r.published_version WHERE v.meta->>'name' = '企业登记信息'",
      )
    ).rows[0]!.id;
    await db.end();
    const officer = await webLogin(base, 'scjg_officer', 'Zibo2026demo');

    // health is asked all along
    let polling = true;
    const health: number[] = [];
    const poller = (async () => {
      while (polling) {
        const h = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5000) })
          .then((r) => r.status)
          .catch(() => 0);
        health.push(h);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const before = peakRss(server);
    const answers: {
      name: string;
      bytes: number;
      status: number;
      body: { code?: string; field?: string; detail?: string };
    }[] = [];
    for (const [name, file] of [
      ['shared strings 4.5 GB', sharedStringsBomb()],
      ['one 400 MB cell', oneCellBomb()],
    ] as const) {
      const res = await fetch(`${base}/api/v1/ingest/upload?resourceId=${resourceId}&fileName=bomb.xlsx`, {
        method: 'POST',
        body: file,
        headers: {
          cookie: officer.cookie,
          'x-csrf-token': officer.csrf,
          'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        },
        signal: AbortSignal.timeout(120_000),
      });
      answers.push({ name, bytes: file.length, status: res.status, body: (await res.json()) as { code?: string } });
    }
    polling = false;
    await poller;
    const peak = peakRss(server);
    console.log(
      `[xlsx-bomb] ${answers.map((a) => `${a.name} (${(a.bytes / MiB).toFixed(1)} MB file): ${a.status} ${a.body.code} ${a.body.field}`).join('; ')}; server peak RSS ${(before / MiB).toFixed(0)} MB before, ${(peak / MiB).toFixed(0)} MB after; ${health.length} health checks`,
    );

    expect(started.child.exitCode, started.output().slice(-2000)).toBeNull();
    expect(answers[0]).toMatchObject({ status: 413, body: { code: 'XLSX_TOO_LARGE', field: 'xl/sharedStrings.xml' } });
    expect(answers[1]).toMatchObject({
      status: 413,
      body: { code: 'XLSX_TOO_LARGE', field: 'xl/worksheets/sheet1.xml' },
    });
    expect(answers[1]!.body.detail).toContain('32767');
    expect(health.length).toBeGreaterThan(0);
    expect(
      health.every((h) => h === 200),
      `health answered ${[...new Set(health)].join(', ')}`,
    ).toBe(true);
    expect(peak).toBeLessThan(500 * MiB);
    started.child.kill('SIGTERM');
    await new Promise((r) => started!.child.once('exit', r));
  }, 300_000);
});
