import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { as, loginAs } from '../../../test/support/http.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { IP_MAX_FAILURES, LOCKOUT_THRESHOLD } from './sessions.js';

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
});
afterAll(async () => env.close());

const login = (username: string, password: string, ip = '10.0.0.1') =>
  env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress: ip });

describe('log-in and sessions', () => {
  it('logs in with a JSON body and sets an HttpOnly SameSite session cookie', async () => {
    const res = await login('admin', ADMIN_PASSWORD);
    expect(res.statusCode).toBe(200);
    const session = res.cookies.find((c) => c.name === 'gs_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Strict');
    expect(session.path).toBe('/');
    const body = res.json();
    expect(body.user.username).toBe('admin');
    expect(body.node).toMatchObject({ name: '淄博市', level: 'city', regionCode: '370300' });
    const me = await env.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: `gs_session=${session.value}` },
    });
    expect(me.json().user.roles).toEqual(['admin']);
  });

  it('stores passwords with argon2id and never the session token', async () => {
    const u = await env.rt.kernel.db
      .selectFrom('kernel.app_user')
      .select('password_hash')
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow();
    expect(u.password_hash).toMatch(/^\$argon2id\$/);
    const res = await login('admin', ADMIN_PASSWORD);
    const token = res.cookies.find((c) => c.name === 'gs_session')!.value;
    const hit = await env.rt.kernel.db
      .selectFrom('kernel.session')
      .select('id')
      .where('id', '=', token)
      .executeTakeFirst();
    expect(hit).toBeUndefined();
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const a = await login('admin', 'wrong-password-1');
    const b = await login('nobody', 'wrong-password-1');
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json().code).toBe('AUTH_INVALID_CREDENTIALS');
    expect(b.json().code).toBe('AUTH_INVALID_CREDENTIALS');
  });

  it('locks an account after repeated failures, even against the right password', async () => {
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++)
      expect((await login('mzj_officer', 'nope-nope-1', `10.1.0.${i}`)).json().code).toBe('AUTH_INVALID_CREDENTIALS');
    const last = await login('mzj_officer', 'nope-nope-1', '10.1.0.9');
    expect(last.statusCode).toBe(423);
    expect(last.json().code).toBe('AUTH_ACCOUNT_LOCKED');
    const right = await login('mzj_officer', DEMO_PASSWORD, '10.1.0.10');
    expect(right.statusCode).toBe(423);
    const audit = await env.rt.kernel.db
      .selectFrom('kernel.audit_log')
      .select('action')
      .where('action', '=', 'auth.lockout')
      .execute();
    expect(audit.length).toBe(1);
    // an administrator's reset unlocks it
    const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const u = await env.rt.kernel.db
      .selectFrom('kernel.app_user')
      .select('id')
      .where('username', '=', 'mzj_officer')
      .executeTakeFirstOrThrow();
    const reset = await env.app.inject(
      as(admin, { method: 'POST', url: `/api/v1/users/${u.id}/reset-password`, payload: { password: 'NewPass2026x' } }),
    );
    expect(reset.statusCode).toBe(200);
    const again = await login('mzj_officer', 'NewPass2026x', '10.1.0.11');
    expect(again.statusCode).toBe(200);
    expect(again.json().user.mustChangePassword).toBe(true);
  });

  it('throttles a client IP that keeps failing', async () => {
    for (let i = 0; i < IP_MAX_FAILURES; i++) await login(`ghost${i}`, 'x1234567', '10.9.9.9');
    const res = await login('admin', ADMIN_PASSWORD, '10.9.9.9');
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe('AUTH_TOO_MANY_ATTEMPTS');
    expect((await login('admin', ADMIN_PASSWORD, '10.9.9.10')).statusCode).toBe(200);
  });

  it('refuses unsafe requests without the CSRF token', async () => {
    const s = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const body = { name: '淄博市测试局', uscc: '11370300MB0000000X', regionCode: '370300' };
    const no = await env.app.inject({
      method: 'POST',
      url: '/api/v1/departments',
      headers: { cookie: s.cookie },
      payload: body,
    });
    expect(no.statusCode).toBe(403);
    expect(no.json().code).toBe('AUTH_CSRF');
    const wrong = await env.app.inject({
      method: 'POST',
      url: '/api/v1/departments',
      headers: { cookie: s.cookie, 'x-csrf-token': 'forged' },
      payload: body,
    });
    expect(wrong.json().code).toBe('AUTH_CSRF');
    const get = await env.app.inject({ method: 'GET', url: '/api/v1/departments', headers: { cookie: s.cookie } });
    expect(get.statusCode).toBe(200);
  });

  it('expires sessions and says so', async () => {
    const s = await loginAs(env.app, 'auditor', DEMO_PASSWORD);
    await env.rt.kernel.db
      .updateTable('kernel.session')
      .set({ expires_at: sql`now() - interval '1 second'` })
      .where('user_id', '=', s.user.id)
      .execute();
    const res = await env.app.inject(as(s, { method: 'GET', url: '/api/v1/auth/me' }));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('AUTH_SESSION_EXPIRED');
  });

  it('logs out', async () => {
    const s = await loginAs(env.app, 'auditor', DEMO_PASSWORD);
    expect((await env.app.inject(as(s, { method: 'POST', url: '/api/v1/auth/logout' }))).statusCode).toBe(200);
    expect((await env.app.inject(as(s, { method: 'GET', url: '/api/v1/auth/me' }))).json().code).toBe(
      'AUTH_SESSION_EXPIRED',
    );
  });

  it('changes the own password with the current one, under the policy', async () => {
    const s = await loginAs(env.app, 'zjj_officer', DEMO_PASSWORD);
    const wrong = await env.app.inject(
      as(s, {
        method: 'POST',
        url: '/api/v1/auth/password',
        payload: { currentPassword: 'bad', newPassword: 'Better2026x' },
      }),
    );
    expect(wrong.json()).toMatchObject({ code: 'AUTH_WRONG_PASSWORD', field: 'currentPassword' });
    const weak = await env.app.inject(
      as(s, {
        method: 'POST',
        url: '/api/v1/auth/password',
        payload: { currentPassword: DEMO_PASSWORD, newPassword: 'short' },
      }),
    );
    expect(weak.json()).toMatchObject({ code: 'AUTH_WEAK_PASSWORD', field: 'newPassword' });
    const ok = await env.app.inject(
      as(s, {
        method: 'POST',
        url: '/api/v1/auth/password',
        payload: { currentPassword: DEMO_PASSWORD, newPassword: 'Better2026x' },
      }),
    );
    expect(ok.statusCode).toBe(200);
    expect((await login('zjj_officer', 'Better2026x')).statusCode).toBe(200);
  });

  it('disabling a user ends their sessions at once', async () => {
    const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const s = await loginAs(env.app, 'jtj_officer', DEMO_PASSWORD);
    const res = await env.app.inject(
      as(admin, { method: 'PATCH', url: `/api/v1/users/${s.user.id}`, payload: { status: 'disabled' } }),
    );
    expect(res.json().status).toBe('disabled');
    expect((await env.app.inject(as(s, { method: 'GET', url: '/api/v1/auth/me' }))).statusCode).toBe(401);
    expect((await login('jtj_officer', DEMO_PASSWORD)).json().code).toBe('AUTH_ACCOUNT_DISABLED');
  });
});

describe('throttling that cannot be turned against a user (hardening items 8, 9)', () => {
  const deviceOf = (res: { cookies: { name: string; value: string }[] }) =>
    res.cookies.find((c) => c.name === 'gs_device')!.value;
  const loginWith = (
    username: string,
    password: string,
    ip: string,
    device?: string,
    headers: Record<string, string> = {},
  ) =>
    env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
      remoteAddress: ip,
      headers: { ...headers, ...(device && { cookie: `gs_device=${device}` }) },
    });

  it('counts simultaneous attempts one by one: of 12 wrong passwords sent at once, at most the threshold are checked', async () => {
    const res = await Promise.all(
      Array.from({ length: 12 }, (_, i) => loginWith('rsj_officer', `wrong-pass-${i}`, `10.3.0.${i}`)),
    );
    const checked = res.filter((r) => r.json().code === 'AUTH_INVALID_CREDENTIALS').length;
    expect(checked, res.map((r) => r.statusCode).join(',')).toBeLessThanOrEqual(LOCKOUT_THRESHOLD);
    expect(res.filter((r) => r.statusCode === 423).length).toBeGreaterThanOrEqual(12 - LOCKOUT_THRESHOLD);
    const checks = await env.rt.kernel.db
      .selectFrom('kernel.audit_log')
      .select('detail')
      .where('action', 'in', ['auth.login_failed', 'auth.lockout'])
      .where('actor_name', '=', 'rsj_officer')
      .execute();
    expect(
      checks.filter((c) => (c.detail as { reason?: string }).reason === 'wrong_password').length,
    ).toBeLessThanOrEqual(LOCKOUT_THRESHOLD);
    expect(res.filter((r) => r.statusCode === 423).every((r) => Number(r.headers['retry-after']) > 0)).toBe(true);
    // and the right password after them finds the account locked (for strangers)
    expect((await loginWith('rsj_officer', DEMO_PASSWORD, '10.3.0.99')).statusCode).toBe(423);
  });

  it('failures by an anonymous caller lock out other strangers, not the browser the officer logged in from', async () => {
    const officer = 'mzj_user';
    const first = await loginWith(officer, DEMO_PASSWORD, '10.4.0.1');
    expect(first.statusCode).toBe(200);
    const device = deviceOf(first);
    for (let i = 0; i < LOCKOUT_THRESHOLD + 2; i++) await loginWith(officer, 'attacker-guess-1', '198.51.100.7');
    expect((await loginWith(officer, DEMO_PASSWORD, '10.4.0.2')).statusCode).toBe(423); // a stranger's browser, even with the password
    const mine = await loginWith(officer, DEMO_PASSWORD, '10.4.0.1', device);
    expect(mine.statusCode, mine.body).toBe(200);
    // a forged or another account's device cookie counts as none
    expect((await loginWith(officer, DEMO_PASSWORD, '10.4.0.1', `${device.split('.')[0]}.forged`)).statusCode).toBe(
      423,
    );
  });

  it('the per-address throttle does not stop a browser that logged in before from that address', async () => {
    const first = await loginWith('xzsp_user', DEMO_PASSWORD, '10.6.6.6');
    const device = deviceOf(first);
    for (let i = 0; i < IP_MAX_FAILURES; i++) await loginWith(`nobody${i}`, 'x1234567', '10.6.6.6');
    expect((await loginWith('xzsp_user', DEMO_PASSWORD, '10.6.6.6')).statusCode).toBe(429);
    expect((await loginWith('xzsp_user', DEMO_PASSWORD, '10.6.6.6', device)).statusCode).toBe(200);
  });

  it('/metrics stays closed to a request forwarded by a proxy on this host', async () => {
    const direct = await env.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(direct.statusCode).toBe(200);
    const proxied = await env.app.inject({
      method: 'GET',
      url: '/metrics',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(proxied.statusCode).toBe(401);
  });
});

describe('behind a reverse proxy (GONGSHU_TRUST_PROXY)', () => {
  let proxied: TestEnv;
  beforeAll(async () => {
    proxied = await testEnv({ trustProxy: ['127.0.0.1'] });
    await seeded(proxied);
  });
  afterAll(async () => proxied.close());

  it('audit, throttles and sessions see the real caller, not the proxy', async () => {
    const res = await proxied.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(res.statusCode).toBe(200);
    const entry = await proxied.rt.kernel.db
      .selectFrom('kernel.audit_log')
      .select('client_ip as ip')
      .where('action', '=', 'auth.login')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(entry.ip).toBe('203.0.113.9');
    // a client cannot claim an address through a proxy it is not
    const spoof = await proxied.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
      remoteAddress: '198.51.100.1',
      headers: { 'x-forwarded-for': '10.0.0.1' },
    });
    expect(spoof.statusCode).toBe(200);
    const second = await proxied.rt.kernel.db
      .selectFrom('kernel.audit_log')
      .select('client_ip as ip')
      .where('action', '=', 'auth.login')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(second.ip).toBe('198.51.100.1');
  });
});

describe('passwords and sessions (hardening item 12)', () => {
  it('refuses common and guessable passwords and the current one', async () => {
    const s = await loginAs(env.app, 'wjw_officer', DEMO_PASSWORD);
    const change = (currentPassword: string, newPassword: string) =>
      env.app.inject(
        as(s, { method: 'POST', url: '/api/v1/auth/password', payload: { currentPassword, newPassword } }),
      );
    for (const weak of ['password1', 'Password123', 'Qwerty12345', 'wjw_officer2026'])
      expect((await change(DEMO_PASSWORD, weak)).json(), weak).toMatchObject({
        code: 'AUTH_WEAK_PASSWORD',
        field: 'newPassword',
      });
    expect((await change(DEMO_PASSWORD, DEMO_PASSWORD)).json()).toMatchObject({ code: 'AUTH_SAME_PASSWORD' });
    const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const made = await env.app.inject(
      as(admin, {
        method: 'POST',
        url: '/api/v1/users',
        payload: {
          username: 'weakling',
          displayName: 'x',
          departmentId: s.user.departmentId,
          roles: ['officer'],
          password: 'password1',
        },
      }),
    );
    expect(made.json().code).toBe('AUTH_WEAK_PASSWORD');
  });

  it("a password change ends the user's other sessions and keeps this one", async () => {
    const here = await loginAs(env.app, 'sthj_officer', DEMO_PASSWORD);
    const elsewhere = await loginAs(env.app, 'sthj_officer', DEMO_PASSWORD);
    const ok = await env.app.inject(
      as(here, {
        method: 'POST',
        url: '/api/v1/auth/password',
        payload: { currentPassword: DEMO_PASSWORD, newPassword: 'Huanbao2026cj' },
      }),
    );
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await env.app.inject(as(here, { method: 'GET', url: '/api/v1/auth/me' }))).statusCode).toBe(200);
    expect((await env.app.inject(as(elsewhere, { method: 'GET', url: '/api/v1/auth/me' }))).json().code).toBe(
      'AUTH_SESSION_EXPIRED',
    );
  });

  it('guesses of the current password are limited', async () => {
    const s = await loginAs(env.app, 'jyj_officer', DEMO_PASSWORD);
    const codes: string[] = [];
    for (let i = 0; i < 7; i++)
      codes.push(
        (
          await env.app.inject(
            as(s, {
              method: 'POST',
              url: '/api/v1/auth/password',
              payload: { currentPassword: `guess-${i}-2026`, newPassword: 'Shuiwu2026xk' },
            }),
          )
        ).json().code,
      );
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('AUTH_WRONG_PASSWORD'));
    expect(codes.slice(5)).toEqual(['AUTH_TOO_MANY_ATTEMPTS', 'AUTH_TOO_MANY_ATTEMPTS']);
    // even the right one, until the window passes
    expect(
      (
        await env.app.inject(
          as(s, {
            method: 'POST',
            url: '/api/v1/auth/password',
            payload: { currentPassword: DEMO_PASSWORD, newPassword: 'Shuiwu2026xk' },
          }),
        )
      ).statusCode,
    ).toBe(429);
  });

  it('"must change password" is enforced by the API, not only the console', async () => {
    const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const u = await env.rt.kernel.db
      .selectFrom('kernel.app_user')
      .select('id')
      .where('username', '=', 'gaj_user')
      .executeTakeFirstOrThrow();
    await env.app.inject(
      as(admin, {
        method: 'POST',
        url: `/api/v1/users/${u.id}/reset-password`,
        payload: { password: 'Reset2026gongan' },
      }),
    );
    const s = await loginAs(env.app, 'gaj_user', 'Reset2026gongan');
    expect(s.user).toBeDefined();
    const blocked = await env.app.inject(as(s, { method: 'GET', url: '/api/v1/notifications' }));
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('AUTH_PASSWORD_CHANGE_REQUIRED');
    expect(
      (await env.app.inject(as(s, { method: 'GET', url: '/api/v1/auth/me' }))).json().user.mustChangePassword,
    ).toBe(true);
    expect(
      (
        await env.app.inject(
          as(s, {
            method: 'POST',
            url: '/api/v1/auth/password',
            payload: { currentPassword: 'Reset2026gongan', newPassword: 'Gongan2026new' },
          }),
        )
      ).statusCode,
    ).toBe(200);
    const after = await env.app.inject(as(s, { method: 'GET', url: '/api/v1/notifications' }));
    expect(after.statusCode, after.body).toBe(200);
  });
});
