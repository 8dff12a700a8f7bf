/**
 * The open data API (public, no login; a registered key in X-Gs-Open-Key for 有条件开放 data), the
 * review of open-data applications (officers, the bureau), and CKAN's datastore_search over open data.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import { inTx } from '../../kernel/http/tx.js';
import { access } from '../../kernel/http/access.js';
import { pageQuery } from '../../kernel/http/pagination.js';
import { ckanParam, defineAction, registerActions } from '../catalog/service.js';
import { datastoreSearch } from './datastore.js';
import { publicObjections, raisePublic, respondPublic } from './objections.js';
import { respondInput } from '../objection/service.js';
import { keyOf, listOpen, openDownload, openResource, openRows, OPEN_PAGE_MAX, OPEN_PREVIEW_ROWS } from './data.js';
import { applyOpen, decideOpen, myOpenApplications, registerKey, reviewOpenApplications } from './applications.js';
import {
  keyInput,
  openApplicationCreated,
  openApplicationInput,
  byKeyQuery,
  openApplicationPage,
  openDataset,
  openDatasetPage,
  openDecided,
  openDecisionInput,
  openKeyCreated,
  openRowsAnswer,
  datastoreResult,
  publicObjectionCreated,
  publicObjectionInput,
  publicObjectionPage,
  publicResponded,
} from './schema.js';

const presented = (req: FastifyRequest) => {
  const h = req.headers['x-gs-open-key'] ?? req.headers.authorization;
  return Array.isArray(h) ? h[0] : h;
};

const filtersParam = z
  .string()
  .max(4000)
  .optional()
  .transform((s, c) => {
    if (!s) return undefined;
    try {
      const v: unknown = JSON.parse(s);
      const ok =
        v &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        Object.values(v).every(
          (x) =>
            typeof x === 'string' ||
            typeof x === 'number' ||
            (Array.isArray(x) && x.every((y) => typeof y === 'string' || typeof y === 'number')),
        );
      if (ok)
        return Object.fromEntries(
          Object.entries(v as Record<string, unknown>).map(([f, x]) => [
            f,
            Array.isArray(x) ? x.map(String) : String(x),
          ]),
        ) as Record<string, string | string[]>;
    } catch {
      /* reported below */
    }
    c.addIssue({ code: 'custom', message: 'filters must be a JSON object of field → value or [values]' });
    return z.NEVER;
  });

export function openRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['open data'];
  const open = { access: access.public };
  const idParam = z.object({ id: z.string().min(1).max(64) });

  r.get(
    '/api/v1/open/resources',
    {
      config: open,
      schema: {
        tags,
        summary: '开放数据目录（检索、分页）/ Open datasets (search, pages)',
        querystring: z.object({
          q: z.string().max(100).optional(),
          openType: z.enum(['unconditional', 'conditional']).optional(),
          page: z.coerce.number().int().min(1).max(10_000).default(1),
          pageSize: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: openDatasetPage },
      },
    },
    async (req) => listOpen(k.db, req.query),
  );
  r.get(
    '/api/v1/open/resources/:id',
    {
      config: open,
      schema: { tags, summary: '开放数据集详情 / One open dataset', params: idParam, response: { 200: openDataset } },
    },
    async (req) => {
      const { table: _t, ...res } = await openResource(k.db, req.params.id);
      return res;
    },
  );
  r.get(
    '/api/v1/open/resources/:id/rows',
    {
      config: open,
      schema: {
        tags,
        summary:
          '开放数据（无条件开放：任何人；有条件开放：获准的密钥）/ Rows (unconditional: anyone; conditional: an approved key)',
        params: idParam,
        querystring: z.object({
          q: z.string().max(100).optional(),
          filters: filtersParam,
          limit: z.coerce.number().int().min(1).max(OPEN_PAGE_MAX).default(OPEN_PREVIEW_ROWS),
          offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
        }),
        response: { 200: openRowsAnswer },
      },
    },
    async (req) => {
      const res = await openResource(k.db, req.params.id);
      const out = await openRows(k, req.ctx, k.db, res, await keyOf(k.db, presented(req)), req.query);
      return { fields: res.items, ...out, limit: req.query.limit, offset: req.query.offset };
    },
  );
  r.get(
    '/api/v1/open/resources/:id/download',
    {
      config: {
        ...open,
        produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/json'],
      },
      schema: {
        tags,
        summary: '下载（CSV / .xlsx / JSON）/ Download (CSV / .xlsx / JSON)',
        params: idParam,
        querystring: z.object({ format: z.enum(['csv', 'xlsx', 'json']).default('csv') }),
      },
    },
    async (req, reply) => {
      const res = await openResource(k.db, req.params.id);
      const f = await openDownload(k, req.ctx, res, await keyOf(k.db, presented(req)), req.query.format);
      return reply
        .header('content-type', f.contentType)
        .header('content-disposition', `attachment; filename="${f.filename}"`)
        .send(f.stream);
    },
  );
  r.post(
    '/api/v1/open/keys',
    {
      config: open,
      schema: {
        tags,
        summary: '注册开放数据密钥（只显示一次）/ Register a key (shown once)',
        body: keyInput,
        response: { 201: openKeyCreated },
      },
    },
    async (req, reply) => reply.code(201).send(await inTx(k.db, (tx) => registerKey(k, req.ctx, tx, req.body))),
  );
  r.post(
    '/api/v1/open/applications',
    {
      config: open,
      schema: {
        tags,
        summary: '申请有条件开放数据（须带密钥）/ Apply for conditionally open data (with a key)',
        body: openApplicationInput,
        response: { 201: openApplicationCreated },
      },
    },
    async (req, reply) => {
      const key = await keyOf(k.db, presented(req));
      return reply.code(201).send(await inTx(k.db, (tx) => applyOpen(k, req.ctx, tx, key, req.body)));
    },
  );
  r.get(
    '/api/v1/open/applications',
    {
      config: open,
      schema: {
        tags,
        summary:
          "本密钥的申请（分页，可按资源）/ This key's applications, a page at a time, optionally for one resource",
        querystring: byKeyQuery,
        response: { 200: openApplicationPage },
      },
    },
    async (req) => myOpenApplications(k.db, await keyOf(k.db, presented(req)), req.query),
  );

  r.post(
    '/api/v1/open/objections',
    {
      config: open,
      schema: {
        tags,
        summary: '对开放数据纠错（须带密钥）/ Report wrong open data (with a key)',
        body: publicObjectionInput,
        response: { 201: publicObjectionCreated },
      },
    },
    async (req, reply) => {
      const key = await keyOf(k.db, presented(req));
      return reply.code(201).send(await inTx(k.db, (tx) => raisePublic(k, req.ctx, tx, key, req.body)));
    },
  );
  r.get(
    '/api/v1/open/objections',
    {
      config: open,
      schema: {
        tags,
        summary: "本密钥提出的纠错及其结果（分页，可按资源）/ This key's reports and their outcome, a page at a time",
        querystring: byKeyQuery,
        response: { 200: publicObjectionPage },
      },
    },
    async (req) => publicObjections(k.db, await keyOf(k.db, presented(req)), req.query),
  );
  r.post(
    '/api/v1/open/objections/:id/respond',
    {
      config: open,
      schema: {
        tags,
        summary: '确认或申诉处理结果（一次）/ Confirm or contest the outcome (once)',
        params: z.object({ id: z.coerce.number().int().min(1) }),
        body: respondInput,
        response: { 200: publicResponded },
      },
    },
    async (req) => {
      const key = await keyOf(k.db, presented(req));
      return inTx(k.db, (tx) => respondPublic(k, req.ctx, tx, key, req.params.id, req.body));
    },
  );

  r.get(
    '/api/v1/share/open-applications',
    {
      config: { access: access.roles('officer', 'admin', 'auditor') },
      schema: {
        tags,
        summary: '开放申请审核队列（剩余时间）/ Open-data applications to review',
        querystring: pageQuery
          .omit({ sort: true })
          .extend({ status: z.enum(['submitted', 'approved', 'rejected']).optional() }),
        response: { 200: openApplicationPage },
      },
    },
    async (req) => reviewOpenApplications(req.ctx, k.db, req.query),
  );
  r.post(
    '/api/v1/share/open-applications/:id/decide',
    {
      config: { access: access.roles('officer', 'admin') },
      schema: {
        tags,
        summary: '审核开放申请（SM2 签名）/ Decide (SM2-signed)',
        params: z.object({ id: z.coerce.number().int().min(1) }),
        body: openDecisionInput,
        response: { 200: openDecided },
      },
    },
    async (req) => inTx(k.db, (tx) => decideOpen(k, req.ctx, tx, req.params.id, req.body)),
  );

  // CKAN DataStore: datastore_search over open data, in CKAN's envelope (GET and POST, /api/3/action/ and /api/action/)
  const filters = z.union([z.record(z.string(), z.unknown()), z.string()]).transform((v, c) => {
    const parsed = filtersParam.safeParse(typeof v === 'string' ? v : JSON.stringify(v));
    if (parsed.success) return parsed.data;
    c.addIssue({ code: 'custom', message: 'filters must be a JSON object of field → value or [values]' });
    return z.NEVER;
  });
  registerActions(app, k, [
    defineAction({
      name: 'datastore_search',
      doc:
        "Reads an open resource's rows. Parameters: resource_id, q, filters ({field: value or [values]}), fields, " +
        'sort ("field asc, field desc"), distinct, records_format (objects, lists, csv), include_total, limit ' +
        `(≤ ${OPEN_PAGE_MAX}), offset. 有条件开放 data needs an approved key (X-Gs-Open-Key or Authorization).`,
      params: z.object({
        resource_id: z.string().trim().min(1).max(64),
        q: z.string().max(200).optional(),
        filters: filters.optional(),
        fields: z
          .union([z.array(z.string()), z.string()])
          .transform((v) =>
            Array.isArray(v)
              ? v
              : v
                  .split(',')
                  .map((f) => f.trim())
                  .filter(Boolean),
          )
          .optional(),
        sort: z.string().max(500).optional(),
        distinct: ckanParam.bool.default(false),
        records_format: z.enum(['objects', 'lists', 'csv']).default('objects'),
        include_total: ckanParam.bool.default(true),
        limit: ckanParam.int(0, OPEN_PAGE_MAX).default(100),
        offset: ckanParam.int(0, 10_000_000).default(0),
      }),
      result: datastoreResult,
      run: async (p, req) => {
        const res = await openResource(k.db, p.resource_id);
        const out = await datastoreSearch(k, req.ctx, k.db, res, await keyOf(k.db, presented(req)), p);
        const link = (offset: number) => {
          const u = new URLSearchParams({ resource_id: p.resource_id });
          if (p.q) u.set('q', p.q);
          if (p.filters) u.set('filters', JSON.stringify(p.filters));
          if (p.fields) u.set('fields', p.fields.join(','));
          if (p.sort) u.set('sort', p.sort);
          if (p.distinct) u.set('distinct', 'true');
          if (p.records_format !== 'objects') u.set('records_format', p.records_format);
          if (!p.include_total) u.set('include_total', 'false');
          u.set('limit', String(p.limit));
          u.set('offset', String(offset));
          return `/api/3/action/datastore_search?${u.toString()}`;
        };
        return {
          include_total: p.include_total,
          resource_id: p.resource_id,
          records_format: p.records_format,
          fields: out.fields,
          records: out.records,
          limit: p.limit,
          offset: p.offset,
          ...(out.total !== null && { total: out.total }),
          _links: { start: link(0), next: link(p.offset + p.limit) },
          ...(p.q && { q: p.q }),
          ...(p.filters && { filters: p.filters }),
          ...(p.sort && { sort: p.sort }),
          ...(p.distinct && { distinct: true }),
        };
      },
    }),
  ]);
}
