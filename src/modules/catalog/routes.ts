/** The catalog API: thin handlers over service.ts. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import { access } from '../../kernel/http/access.js';
import { inTx } from '../../kernel/http/tx.js';
import { pageOf, pageQuery } from '../../kernel/http/pagination.js';
import * as svc from './service.js';
import { importCatalog } from './excel.js';
import { catalogTemplate, exportCatalog, overviewWorkbook } from './excel-export.js';
import { AppError } from '../../kernel/http/errors.js';
import {
  category,
  categoryCreate,
  diffDto,
  eventDto,
  itemSuggestion,
  resourceDto,
  resourceInput,
  resourceMeta,
  dataItem,
  resourceSummary,
  reviewBody,
  versionDto,
  searchQuery,
  searchResult,
  overviewDto,
  catalogSettings,
  importResult,
} from './schema.js';

const idParam = z.object({ id: z.uuid() });
const OFFICER = access.roles('officer');

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const IMPORT_LIMIT = 20 * 1024 * 1024;

export function catalogRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['catalog'];
  app.addContentTypeParser(XLSX, { parseAs: 'buffer', bodyLimit: IMPORT_LIMIT }, (req, body: Buffer, done) => {
    req.rawBody = body;
    done(null, body);
  });
  const sendXlsx = (reply: import('fastify').FastifyReply, file: Buffer, name: string) =>
    reply
      .type(XLSX)
      .header(
        'content-disposition',
        `attachment; filename="catalog.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`,
      )
      .send(file);

  r.get(
    '/api/v1/catalog/export.xlsx',
    {
      config: { access: access.anyUser },
      schema: {
        tags,
        summary: '导出目录（Excel）/ Export the published catalog (.xlsx)',
        querystring: z.object({ departmentId: z.uuid().optional() }),
      },
    },
    async (req, reply) =>
      sendXlsx(
        reply,
        await exportCatalog(req.ctx, k.db, req.query.departmentId),
        `数据目录-${new Date().toISOString().slice(0, 10)}.xlsx`,
      ),
  );

  r.get(
    '/api/v1/catalog/overview.xlsx',
    {
      config: { access: access.anyUser },
      schema: { tags, summary: '目录总览（Excel）/ The overview as .xlsx' },
    },
    async (req, reply) =>
      sendXlsx(reply, await overviewWorkbook(req.ctx, k.db), `目录总览-${new Date().toISOString().slice(0, 10)}.xlsx`),
  );

  r.get(
    '/api/v1/catalog/template.xlsx',
    {
      config: { access: access.anyUser },
      schema: { tags, summary: '目录编制模板（含下拉选项）/ Blank template with drop-down lists' },
    },
    async (req, reply) => sendXlsx(reply, await catalogTemplate(req.ctx), '数据目录编制模板.xlsx'),
  );

  r.post(
    '/api/v1/catalog/import',
    {
      config: { access: OFFICER },
      bodyLimit: IMPORT_LIMIT,
      schema: {
        tags,
        summary: '导入目录（Excel，成为本部门草稿）/ Import a filled template as drafts',
        description: `Body: the .xlsx file itself (Content-Type: ${XLSX}). With errors nothing is imported (422, each error with sheet, row and column), unless validOnly=true. Idempotent: a row matches the department's resource by 资源代码, else by name; an unchanged row is reported unchanged, a changed one edits the open draft or opens a change version.`,
        querystring: z.object({
          validOnly: z
            .enum(['true', 'false'])
            .default('false')
            .transform((v) => v === 'true'),
        }),
        response: { 200: importResult },
      },
    },
    async (req) => {
      if (!Buffer.isBuffer(req.body))
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', {
          zh: `请以 ${XLSX} 上传 .xlsx 文件`,
          en: `Upload the .xlsx file as ${XLSX}`,
        });
      return inTx(k.db, (tx) => importCatalog(req.ctx, tx, req.body as Buffer, { validOnly: req.query.validOnly }));
    },
  );

  r.get(
    '/api/v1/catalog/search',
    {
      config: { access: access.anyUser },
      schema: {
        tags,
        summary: '一本账检索 / Search the catalog',
        querystring: searchQuery,
        response: { 200: searchResult },
      },
    },
    async (req) => svc.searchCatalog(req.ctx, k.db, req.query),
  );

  r.get(
    '/api/v1/catalog/overview',
    {
      config: { access: access.anyUser },
      schema: { tags, summary: '目录总览 / Totals by department and classification', response: { 200: overviewDto } },
    },
    async (req) => svc.catalogOverview(req.ctx, k.db),
  );

  const settings = catalogSettings;
  r.get(
    '/api/v1/catalog/settings',
    {
      config: { access: access.anyUser },
      schema: {
        tags,
        summary: '目录设置（资源代码格式）/ Catalog settings (resource code format)',
        response: { 200: settings },
      },
    },
    async (req) => svc.getSettings(req.ctx, k.db),
  );

  r.put(
    '/api/v1/catalog/settings',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: '修改资源代码格式 / Set the resource code format',
        body: settings,
        response: { 200: settings },
      },
    },
    async (req) => inTx(k.db, (tx) => svc.updateSettings(req.ctx, tx, req.body)),
  );

  r.get(
    '/api/v1/catalog/categories',
    {
      config: { access: access.anyUser },
      schema: { tags, summary: '资源分类树 / The classification tree', response: { 200: z.array(category) } },
    },
    async (req) => svc.listCategories(req.ctx, k.db),
  );

  r.post(
    '/api/v1/catalog/categories',
    {
      config: { access: access.roles('admin') },
      schema: { tags, summary: '新增分类 / Add a category', body: categoryCreate, response: { 201: category } },
    },
    async (req, reply) => reply.code(201).send(await inTx(k.db, (tx) => svc.createCategory(req.ctx, tx, req.body))),
  );

  r.patch(
    '/api/v1/catalog/categories/:id',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: '重命名分类 / Rename a category',
        params: idParam,
        body: z.object({ name: z.string().trim().min(1).max(100) }),
        response: { 200: category },
      },
    },
    async (req) => inTx(k.db, (tx) => svc.renameCategory(req.ctx, tx, req.params.id, req.body.name)),
  );

  r.post(
    '/api/v1/catalog/suggest-item',
    {
      config: { access: access.anyUser },
      schema: {
        tags,
        summary: "按名称建议信息项属性 / Suggest an item's type, grade and masking from its name",
        body: z.object({ name: z.string().max(100).default(''), label: z.string().max(100).default('') }),
        response: { 200: itemSuggestion },
      },
    },
    async (req) => svc.suggestItem(req.body.name, req.body.label),
  );

  r.get(
    '/api/v1/catalog/resources',
    {
      config: { access: access.roles('admin', 'auditor', 'officer') },
      schema: {
        tags,
        summary: '资源管理列表 / Resources (own department for officers)',
        querystring: pageQuery.extend({
          q: z.string().max(100).optional(),
          departmentId: z.uuid().optional(),
          status: z.enum(['draft', 'published', 'retired']).optional(),
          openState: z.enum(['draft', 'submitted', 'returned']).optional(),
        }),
        response: { 200: pageOf(resourceSummary) },
      },
    },
    async (req) => svc.listResources(req.ctx, k.db, req.query),
  );

  r.get(
    '/api/v1/catalog/review-queue',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: '待审核 / The review queue',
        querystring: pageQuery,
        response: { 200: pageOf(resourceSummary) },
      },
    },
    async (req) => svc.reviewQueue(req.ctx, k.db, req.query),
  );

  r.post(
    '/api/v1/catalog/resources',
    {
      config: { access: OFFICER },
      schema: {
        tags,
        summary: '编制资源（草稿）/ Create a resource (draft)',
        body: resourceInput,
        response: { 201: resourceDto },
      },
    },
    async (req, reply) => reply.code(201).send(await inTx(k.db, (tx) => svc.createResource(req.ctx, tx, req.body))),
  );

  r.get(
    '/api/v1/catalog/resources/:id',
    {
      config: { access: access.anyUser },
      schema: { tags, summary: '资源详情 / A resource', params: idParam, response: { 200: resourceDto } },
    },
    async (req) => svc.getResource(req.ctx, k.db, req.params.id),
  );

  r.put(
    '/api/v1/catalog/resources/:id',
    {
      config: { access: OFFICER },
      schema: {
        tags,
        summary: '编辑草稿 / Edit the open version',
        params: idParam,
        body: z.object({ meta: resourceMeta, items: z.array(dataItem).min(1).max(500) }),
        response: { 200: resourceDto },
      },
    },
    async (req) => inTx(k.db, (tx) => svc.updateResource(req.ctx, tx, req.params.id, req.body)),
  );

  for (const [path, fn, summary] of [
    ['submit', svc.submitResource, '提交审核 / Submit for review'],
    ['withdraw', svc.withdrawSubmission, '撤回提交 / Withdraw a submission'],
    ['change', svc.startChange, '变更（新版本）/ Start a new version'],
  ] as const) {
    r.post(
      `/api/v1/catalog/resources/:id/${path}`,
      {
        config: { access: OFFICER },
        schema: { tags, summary, params: idParam, response: { 200: resourceDto } },
      },
      async (req) => inTx(k.db, (tx) => fn(req.ctx, tx, req.params.id)),
    );
  }

  r.post(
    '/api/v1/catalog/resources/:id/review',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: '审核：通过发布或退回修改 / Review: approve (publish) or return',
        params: idParam,
        body: reviewBody,
        response: { 200: resourceDto },
      },
    },
    async (req) =>
      inTx(k.db, (tx) => svc.reviewResource(req.ctx, tx, req.params.id, req.body.decision, req.body.comment)),
  );

  r.post(
    '/api/v1/catalog/resources/:id/retire',
    {
      config: { access: access.roles('admin', 'officer') },
      schema: {
        tags,
        summary: '撤销/下线 / Retire',
        params: idParam,
        body: z.object({ reason: z.string().trim().min(1).max(1000) }),
        response: { 200: resourceDto },
      },
    },
    async (req) => inTx(k.db, (tx) => svc.retireResource(req.ctx, tx, req.params.id, req.body.reason)),
  );

  r.get(
    '/api/v1/catalog/resources/:id/versions',
    {
      config: { access: access.anyUser },
      schema: { tags, summary: '全部版本 / Every version', params: idParam, response: { 200: z.array(versionDto) } },
    },
    async (req) => svc.listVersions(req.ctx, k.db, req.params.id),
  );

  r.get(
    '/api/v1/catalog/resources/:id/diff',
    {
      config: { access: access.anyUser },
      schema: {
        tags,
        summary: '两个版本的差异 / Diff of two versions',
        params: idParam,
        querystring: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }),
        response: { 200: diffDto },
      },
    },
    async (req) => svc.diffVersions(req.ctx, k.db, req.params.id, req.query.from, req.query.to),
  );

  r.get(
    '/api/v1/catalog/resources/:id/history',
    {
      config: { access: access.anyUser },
      schema: {
        tags,
        summary: '流转记录 / History of every step',
        params: idParam,
        response: { 200: z.array(eventDto) },
      },
    },
    async (req) => svc.resourceHistory(req.ctx, k.db, req.params.id),
  );
}
