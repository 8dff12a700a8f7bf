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
import { AppError } from '../../kernel/http/errors.js';
import { CkanError, ckanEnvelope as envelope, ckanFailure, ckanOk } from '../catalog/service.js';
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

  // CKAN DataStore: datastore_search over open data, in CKAN's envelope
  r.get(
    '/api/3/action/datastore_search',
    {
      config: open,
      schema: {
        tags: ['open data (CKAN API)'],
        summary: 'CKAN datastore_search (resource_id, q, filters, limit, offset)',
        // filters stay raw here: a malformed one is answered in CKAN's envelope, not as problem+json
        querystring: z.object({
          resource_id: z.string().max(64),
          q: z.string().max(100).optional(),
          filters: z.string().max(4000).optional(),
          limit: z.coerce.number().int().min(0).max(OPEN_PAGE_MAX).default(100),
          offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
        }),
        response: { 200: ckanOk(datastoreResult), 403: ckanFailure, 404: ckanFailure, 409: ckanFailure },
      },
    },
    async (req, reply) =>
      envelope(req, reply, 'datastore_search', async () => {
        const qy = req.query;
        const parsed = filtersParam.safeParse(qy.filters);
        if (!parsed.success)
          throw new CkanError(409, 'Validation Error', 'filters must be a JSON object of field → value or [values]');
        const filters = parsed.data;
        try {
          const res = await openResource(k.db, qy.resource_id);
          const { records, total } = await openRows(k, req.ctx, k.db, res, await keyOf(k.db, presented(req)), {
            q: qy.q,
            filters,
            limit: Math.max(1, qy.limit),
            offset: qy.offset,
          });
          const link = (offset: number) =>
            `/api/3/action/datastore_search?resource_id=${encodeURIComponent(qy.resource_id)}${qy.q ? `&q=${encodeURIComponent(qy.q)}` : ''}&limit=${qy.limit}&offset=${offset}`;
          const type = (t: string) =>
            t === 'integer'
              ? 'int'
              : t === 'decimal'
                ? 'numeric'
                : t === 'date'
                  ? 'date'
                  : t === 'datetime'
                    ? 'timestamp'
                    : 'text';
          return {
            include_total: true,
            resource_id: qy.resource_id,
            records_format: 'objects',
            fields: res.items.map((i) => ({ id: i.name, type: type(i.type), info: { label: i.label } })),
            records: qy.limit === 0 ? [] : records,
            limit: qy.limit,
            offset: qy.offset,
            total,
            _links: { start: link(0), next: link(qy.offset + qy.limit) },
            ...(qy.q && { q: qy.q }),
            ...(filters && { filters }),
          };
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          if (e.status === 404) throw new CkanError(404, 'Not Found Error', e.en);
          if (e.status === 401 || e.status === 403) throw new CkanError(403, 'Authorization Error', e.en);
          throw new CkanError(409, 'Validation Error', e.en);
        }
      }),
  );
}
