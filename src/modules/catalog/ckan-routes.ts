/** CKAN-compatible read-only Action API and the DCAT feed (public, no credentials). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import { access } from '../../kernel/http/access.js';
import { getNode } from '../../kernel/auth/node.js';
import { ckanFailure, ckanOk, ckanOrganization, ckanPackage, ckanSearch } from './ckan-schema.js';
import {
  CkanError,
  dcatFeed,
  organizationList,
  organizationShow,
  packageList,
  packageSearch,
  packageShow,
} from './ckan.js';

function baseUrl(k: Kernel, req: FastifyRequest): string {
  return (k.config.publicUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`).replace(/\/$/, '');
}

/** CKAN's envelope: `{ help, success, result }`, or `{ help, success: false, error }`. */
export async function envelope<T>(
  req: FastifyRequest,
  reply: FastifyReply,
  action: string,
  fn: () => Promise<T>,
): Promise<{ help: string; success: true; result: T } | FastifyReply> {
  const help = `${req.protocol}://${req.headers.host ?? 'localhost'}/api/3/action/help_show?name=${action}`;
  try {
    return { help, success: true as const, result: await fn() };
  } catch (e) {
    if (e instanceof CkanError)
      return reply.code(e.status).send({ help, success: false, error: { __type: e.type, message: e.message } });
    throw e;
  }
}

export function ckanRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['open data (CKAN API)'];
  const open = { access: access.public };
  const idQuery = z.object({ id: z.string().min(1).max(200) });

  r.get(
    '/api/3/action/package_list',
    { config: open, schema: { tags, summary: 'CKAN package_list', response: { 200: ckanOk(z.array(z.string())) } } },
    async (req, reply) => envelope(req, reply, 'package_list', () => packageList(k.db)),
  );
  r.get(
    '/api/3/action/package_show',
    {
      config: open,
      schema: {
        tags,
        summary: 'CKAN package_show',
        querystring: idQuery,
        response: { 200: ckanOk(ckanPackage), 404: ckanFailure },
      },
    },
    async (req, reply) => envelope(req, reply, 'package_show', () => packageShow(k.db, req.query.id, baseUrl(k, req))),
  );
  r.get(
    '/api/3/action/package_search',
    {
      config: open,
      schema: {
        tags,
        summary: 'CKAN package_search (q, fq=organization:<name>, rows, start)',
        querystring: z.object({
          q: z.string().max(200).optional(),
          fq: z.string().max(200).optional(),
          rows: z.coerce.number().int().min(0).max(1000).default(10),
          start: z.coerce.number().int().min(0).max(10000).default(0),
        }),
        response: { 200: ckanOk(ckanSearch), 409: ckanFailure },
      },
    },
    async (req, reply) => envelope(req, reply, 'package_search', () => packageSearch(k.db, req.query, baseUrl(k, req))),
  );
  r.get(
    '/api/3/action/organization_list',
    {
      config: open,
      schema: { tags, summary: 'CKAN organization_list', response: { 200: ckanOk(z.array(z.string())) } },
    },
    async (req, reply) => envelope(req, reply, 'organization_list', () => organizationList(k.db)),
  );
  r.get(
    '/api/3/action/organization_show',
    {
      config: open,
      schema: {
        tags,
        summary: 'CKAN organization_show',
        querystring: idQuery.extend({ include_datasets: z.enum(['true', 'false', 'True', 'False']).optional() }),
        response: {
          200: ckanOk(ckanOrganization.extend({ packages: z.array(ckanPackage).optional() })),
          404: ckanFailure,
        },
      },
    },
    async (req, reply) =>
      envelope(req, reply, 'organization_show', () =>
        organizationShow(k.db, req.query.id, req.query.include_datasets?.toLowerCase() === 'true', baseUrl(k, req)),
      ),
  );

  r.get(
    '/api/v1/open/catalog.jsonld',
    {
      config: open,
      schema: { tags: ['open data'], summary: 'DCAT 开放目录（JSON-LD）/ The open catalog as DCAT JSON-LD' },
    },
    async (req, reply) => {
      const node = (await getNode(k.db))!;
      reply.type('application/ld+json; charset=utf-8');
      return dcatFeed(k.db, baseUrl(k, req), node);
    },
  );
}
