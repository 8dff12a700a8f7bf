/** Log-in, log-out, the current user, own password, and the node. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kernel } from '../kernel.js';
import { access } from '../http/access.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../http/authenticate.js';
import { inTx } from '../http/tx.js';
import { fail } from '../http/errors.js';
import {
  DEVICE_COOKIE,
  deviceKey,
  login,
  logout,
  resolveSession,
  throttlePasswordChange,
  tokenId,
} from './sessions.js';
import { changeOwnPassword, findUser } from './users.js';
import { getNode, updateNode } from './node.js';
import { changePasswordBody, loginBody, me, nodeInfo, nodePatch, okAnswer } from './schema.js';

const ok = okAnswer;

export function authRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const cookieOpts = (expires: Date) => ({
    path: '/',
    sameSite: 'strict' as const,
    secure: k.config.secureCookies,
    expires,
  });

  r.post(
    '/api/v1/auth/login',
    {
      config: { access: access.public },
      schema: { tags: ['auth'], summary: '登录 / Log in', body: loginBody, response: { 200: me } },
    },
    async (req, reply) => {
      const res = await login(k.db, req.ctx, req.body.username, req.body.password, {
        ttlMinutes: k.config.sessionTtlMinutes,
        userAgent: req.headers['user-agent'] ?? null,
        device: req.cookies[DEVICE_COOKIE],
        deviceKey: deviceKey(k.masterKey),
      });
      reply.setCookie(SESSION_COOKIE, res.token, { ...cookieOpts(res.expiresAt), httpOnly: true });
      reply.setCookie(DEVICE_COOKIE, res.device.value, {
        ...cookieOpts(res.device.expires),
        path: '/api/v1/auth/login',
        httpOnly: true,
      });
      reply.setCookie(CSRF_COOKIE, res.csrfToken, { ...cookieOpts(res.expiresAt), httpOnly: false });
      const node = (await getNode(k.db))!;
      return {
        user: res.user,
        csrfToken: res.csrfToken,
        node: { code: node.code, name: node.name, level: node.level, regionCode: node.regionCode },
      };
    },
  );

  r.post(
    '/api/v1/auth/logout',
    {
      config: { access: access.anyUser },
      schema: { tags: ['auth'], summary: '退出登录 / Log out', response: { 200: ok } },
    },
    async (req, reply) => {
      if (req.sessionToken) await logout(k.db, req.ctx, req.sessionToken);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.clearCookie(CSRF_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/auth/me',
    {
      config: { access: access.anyUser },
      schema: { tags: ['auth'], summary: '当前用户 / Current user', response: { 200: me } },
    },
    async (req) => {
      if (!req.sessionToken) fail('AUTH_REQUIRED');
      const s = await resolveSession(k.db, req.sessionToken, k.config.sessionTtlMinutes);
      const user = await findUser(k.db, req.ctx.actor.id!);
      const node = (await getNode(k.db))!;
      return {
        user: user!,
        csrfToken: s.csrfToken,
        node: { code: node.code, name: node.name, level: node.level, regionCode: node.regionCode },
      };
    },
  );

  r.post(
    '/api/v1/auth/password',
    {
      config: { access: access.anyUser },
      schema: {
        tags: ['auth'],
        summary: '修改本人密码 / Change own password',
        body: changePasswordBody,
        response: { 200: ok },
      },
    },
    async (req) => {
      const keep = req.sessionToken ? tokenId(req.sessionToken) : undefined;
      await throttlePasswordChange(k.db, req.ctx, () =>
        inTx(k.db, (tx) => changeOwnPassword(req.ctx, tx, req.body.currentPassword, req.body.newPassword, keep)),
      );
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/node',
    {
      config: { access: access.anyUser },
      schema: { tags: ['node'], summary: '本节点信息 / This node', response: { 200: nodeInfo } },
    },
    async () => (await getNode(k.db))!,
  );

  r.patch(
    '/api/v1/node',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags: ['node'],
        summary: '修改节点信息 / Update the node',
        body: nodePatch,
        response: { 200: nodeInfo },
      },
    },
    async (req) => inTx(k.db, (tx) => updateNode(req.ctx, tx, req.body)),
  );
}
