/**
 * Serves the web console (web/dist, built by `npm run build:web`) at `/`, with the single-page
 * fallback: any other GET that is not under /api and wants HTML gets index.html. Without a build,
 * `/` says how to make one.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { PACKAGE_ROOT } from './kernel/paths.js';

export const CONSOLE_DIR = path.join(PACKAGE_ROOT, 'web', 'dist');

export async function registerConsole(
  app: FastifyInstance,
): Promise<(req: FastifyRequest, reply: FastifyReply) => boolean> {
  const index = path.join(CONSOLE_DIR, 'index.html');
  if (!existsSync(index)) {
    app.get('/', { config: { access: { public: true } }, schema: { hide: true } }, async (_req, reply) => {
      reply.type('text/html; charset=utf-8');
      return `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>公数 Gongshu</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>公数 Gongshu</h1>
<p>控制台尚未构建：请运行 <code>npm run build:web</code>（<code>npm start</code> 会自动构建）。现在可查看 <a href="/api/docs">API 文档</a>。</p>
<p>The console is not built: run <code>npm run build:web</code> (<code>npm start</code> does it for you). Meanwhile see the <a href="/api/docs">API docs</a>.</p></body></html>`;
    });
    return () => false;
  }
  const html = readFileSync(index);
  await app.register(fastifyStatic, {
    root: CONSOLE_DIR,
    prefix: '/',
    index: false,
    wildcard: false,
    setHeaders: (res, file) => {
      res.setHeader(
        'cache-control',
        file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  const sendIndex = (reply: FastifyReply) =>
    reply.code(200).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  app.get('/', { config: { access: { public: true } }, schema: { hide: true } }, async (_req, reply) =>
    sendIndex(reply),
  );
  // the single-page fallback, used by the not-found handler
  return (req, reply) => {
    const accept = req.headers.accept ?? '';
    if (req.method !== 'GET' || req.url.startsWith('/api') || req.url === '/metrics' || !accept.includes('text/html'))
      return false;
    void sendIndex(reply);
    return true;
  };
}
