/**
 * The DCAT feed: /api/v1/open/catalog.jsonld, .ttl and .rdf, and /api/v1/open/catalog by Accept
 * (application/ld+json, text/turtle, application/rdf+xml; JSON-LD otherwise). Paged: ?page=&pageSize=.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import { access } from '../../kernel/http/access.js';
import { getNode } from '../../kernel/auth/node.js';
import { envOf } from './ckan-action.js';
import { DCAT_PAGE_MAX, dcatFeed } from './dcat.js';
import { toRdfXml, toTurtle, type JsonLdDoc } from './rdf.js';

const FORMATS = {
  jsonld: 'application/ld+json',
  ttl: 'text/turtle',
  rdf: 'application/rdf+xml',
} as const;
type Format = keyof typeof FORMATS;

function negotiated(accept: string | undefined): Format {
  const a = accept ?? '';
  if (/text\/turtle/.test(a)) return 'ttl';
  if (/application\/rdf\+xml/.test(a)) return 'rdf';
  return 'jsonld';
}

export function dcatRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const querystring = z.object({
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(DCAT_PAGE_MAX).default(1000),
  });
  const answer = async (req: FastifyRequest, reply: FastifyReply, format: Format, path: string) => {
    const env = envOf(k, req);
    const node = (await getNode(k.db))!;
    const { page, pageSize } = req.query as z.infer<typeof querystring>;
    const doc = (await dcatFeed(k.db, env, node, k.config.openContactEmail, {
      page,
      pageSize,
      self: (n) => `${env.base}${path}?page=${n}&pageSize=${pageSize}`,
    })) as unknown as JsonLdDoc;
    reply.header('vary', 'accept').type(`${FORMATS[format]}; charset=utf-8`);
    if (format === 'ttl') return reply.send(await toTurtle(doc));
    if (format === 'rdf') return reply.send(toRdfXml(doc));
    return reply.send(JSON.stringify(doc));
  };
  const schema = (summary: string) => ({ tags: ['open data'], summary, querystring });
  for (const f of Object.keys(FORMATS) as Format[])
    r.get(
      `/api/v1/open/catalog.${f}`,
      {
        config: { access: access.public, produces: [FORMATS[f]] },
        schema: schema(`DCAT 开放目录 / The open catalog as DCAT (${FORMATS[f]})`),
      },
      (req, reply) => answer(req, reply, f, `/api/v1/open/catalog.${f}`),
    );
  r.get(
    '/api/v1/open/catalog',
    {
      config: { access: access.public, produces: Object.values(FORMATS) },
      schema: schema('DCAT 开放目录（按 Accept）/ The open catalog as DCAT, by Accept'),
    },
    (req, reply) => answer(req, reply, negotiated(req.headers.accept), '/api/v1/open/catalog'),
  );
}
