/** The search dictionary's routes: anyone signed in reads it, the administrator edits it. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import { access } from '../../kernel/http/access.js';
import { inTx } from '../../kernel/http/tx.js';
import { pageOf, pageQuery } from '../../kernel/http/pagination.js';
import { createSynonym, deleteSynonym, listSynonyms, updateSynonym } from './synonyms.js';
import { synonymDto, synonymInput } from './schema.js';

export function synonymRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['catalog'];
  const admin = { access: access.roles('admin') };
  const idParam = z.object({ id: z.coerce.number().int().positive() });

  r.get(
    '/api/v1/catalog/synonyms',
    {
      config: { access: access.anyUser },
      schema: {
        tags,
        summary: '检索同义词与简称 / The search dictionary (synonyms and abbreviations)',
        querystring: pageQuery.extend({ q: z.string().max(50).optional() }),
        response: { 200: pageOf(synonymDto) },
      },
    },
    async (req) => listSynonyms(req.ctx, k.db, req.query),
  );
  r.post(
    '/api/v1/catalog/synonyms',
    {
      config: admin,
      schema: { tags, summary: '新增同义词组 / Add a group', body: synonymInput, response: { 201: synonymDto } },
    },
    async (req, reply) => reply.code(201).send(await inTx(k.db, (tx) => createSynonym(req.ctx, tx, req.body))),
  );
  r.put(
    '/api/v1/catalog/synonyms/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: '修改同义词组 / Change a group',
        params: idParam,
        body: synonymInput,
        response: { 200: synonymDto },
      },
    },
    async (req) => inTx(k.db, (tx) => updateSynonym(req.ctx, tx, req.params.id, req.body)),
  );
  r.delete(
    '/api/v1/catalog/synonyms/:id',
    {
      config: admin,
      schema: { tags, summary: '删除同义词组 / Delete a group', params: idParam, response: { 204: z.null() } },
    },
    async (req, reply) => {
      await inTx(k.db, (tx) => deleteSynonym(req.ctx, tx, req.params.id));
      return reply.code(204).send(null);
    },
  );
}
