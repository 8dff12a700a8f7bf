/**
 * E-mailed notices against a real SMTP server on 127.0.0.1 (smtp-server): off by default — nothing
 * is sent without GONGSHU_SMTP_URL; on, each notice goes once to each recipient with an address,
 * with its link on the node's public URL; a refused recipient is recorded on the notice, not retried.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { ADMIN_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs } from '../../../test/support/http.js';
import { inTx } from '../http/tx.js';
import { notify } from './notify.js';
import { sendDueEmails } from './email.js';

let env: TestEnv;
let server: SMTPServer;
let port: number;
let dept: (name: string) => string;
const mails: { to: string[]; raw: string }[] = [];

beforeAll(async () => {
  env = await testEnv();
  ({ dept } = await seeded(env));
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      cb(address.address.startsWith('refused') ? new Error('550 no such mailbox') : undefined);
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.server.address() as AddressInfo).port;
  const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
  const users = (
    await env.app.inject(
      as(admin, { method: 'GET', url: `/api/v1/users?departmentId=${dept('淄博市自然资源和规划局')}` }),
    )
  ).json().items as { id: string; username: string }[];
  const officer = users.find((u) => u.username === 'zrzy_officer')!;
  const r = await env.app.inject(
    as(admin, { method: 'PATCH', url: `/api/v1/users/${officer.id}`, payload: { email: 'zrzy.officer@zibo.gov.cn' } }),
  );
  expect(r.json().email).toBe('zrzy.officer@zibo.gov.cn');
  expect(
    (
      await env.app.inject(
        as(admin, { method: 'PATCH', url: `/api/v1/users/${officer.id}`, payload: { email: 'not-an-address' } }),
      )
    ).statusCode,
  ).toBe(400);
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await env.close();
});

const tell = (title: string) =>
  inTx(env.rt.kernel.db, (tx) =>
    notify(
      tx,
      { officersOf: [dept('淄博市自然资源和规划局')] },
      { kind: 'objection.submitted', title, body: '请在 2026-12-01 前受理', link: '/objections?id=7' },
    ),
  );

describe('e-mailed notices', () => {
  it('are off by default', async () => {
    await tell('收到数据异议：关闭时');
    expect(await sendDueEmails(env.rt.kernel)).toEqual({ sent: 0, failed: 0 });
    expect(mails).toEqual([]);
  });

  it('once on, each notice goes once to each recipient with an address, with its link', async () => {
    env.rt.kernel.config.smtpUrl = `smtp://127.0.0.1:${port}`;
    env.rt.kernel.config.publicUrl = 'https://data.zibo.gov.cn';
    await tell('收到数据异议：不动产登记信息');
    // the earlier notice (off at the time) is within the day and goes too: the officer has not read it
    expect(await sendDueEmails(env.rt.kernel)).toEqual({ sent: 2, failed: 0 });
    expect(await sendDueEmails(env.rt.kernel)).toEqual({ sent: 0, failed: 0 });
    expect(mails.map((m) => m.to)).toEqual([['zrzy.officer@zibo.gov.cn'], ['zrzy.officer@zibo.gov.cn']]);
    const raw = mails[1]!.raw;
    expect(raw).toMatch(/^Subject: =\?UTF-8\?/m); // the Chinese subject, encoded
    // the body, quoted-printable decoded
    const body = Buffer.from(
      raw
        .split(/\r?\n\r?\n/)
        .slice(1)
        .join('\n')
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
    expect(body).toContain('请在 2026-12-01 前受理');
    expect(body).toContain('https://data.zibo.gov.cn/objections?id=7');
  });

  it('a refused recipient is recorded on the notice and not retried', async () => {
    await env.rt.kernel.pool.query(
      `UPDATE kernel.app_user SET email = 'refused@zibo.gov.cn' WHERE username = 'zrzy_officer'`,
    );
    await tell('收到数据异议：退信');
    expect(await sendDueEmails(env.rt.kernel)).toEqual({ sent: 0, failed: 1 });
    expect(await sendDueEmails(env.rt.kernel)).toEqual({ sent: 0, failed: 0 });
    const n = (
      await env.rt.kernel.pool.query(`SELECT email_error FROM kernel.notification WHERE title = '收到数据异议：退信'`)
    ).rows[0];
    expect(n.email_error).toMatch(/550|mailbox/);
  });
});
