/** The aggregation API: sources, runs, rejects. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import { access } from '../../kernel/http/access.js';
import {
  previewAnswer,
  pushAnswer,
  rejectPage,
  runDto,
  runPage,
  runQueued,
  sourceCreated,
  sourcePage,
  sourceTest,
} from './schema.js';
import { inTx } from '../../kernel/http/tx.js';
import { pageQuery } from '../../kernel/http/pagination.js';
import { fail } from '../../kernel/http/errors.js';
import {
  createSource,
  deleteSource,
  previewSource,
  sourceChanges,
  sourceInput,
  testSource,
  updateSource,
} from './sources.js';
import { Readable } from 'node:stream';
import { UPLOAD_TYPES, uploadAndIngest } from './upload.js';
import { runIngest } from './engine.js';
import { checkSourceAccess, getRun, listRejects, listRuns, listSources, rejectsWorkbook } from './read.js';

export const RUN_SOURCE_JOB = 'ingest-source-run';
const readers = access.roles('admin', 'auditor', 'officer');

export function aggregationRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['aggregation'];
  // uploads arrive as the file itself, of any size up to the configured limit, streamed to disk by
  // the handler and never buffered: this one route has its own body parsing (the app's parsers for
  // JSON and .xlsx buffer, with their body limits)
  void app.register(async (upload) => {
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser('*', { bodyLimit: Number.MAX_SAFE_INTEGER }, (_req, payload, done) =>
      done(null, payload),
    );
    upload.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/ingest/upload',
      {
        config: { access: access.roles('officer') },
        bodyLimit: Number.MAX_SAFE_INTEGER,
        schema: {
          tags,
          summary: '上传文件归集 / Upload a file into a published resource',
          description:
            'Body: the file itself (text/csv, text/tab-separated-values, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/json, application/x-ndjson), streamed to disk up to GONGSHU_UPLOAD_LIMIT_MB. Answers 202 with the run id; progress and rejects are read from the run.',
          querystring: z.object({
            resourceId: z.uuid(),
            mode: z.enum(['full', 'upsert']).default('upsert'),
            fileName: z.string().max(200).default('upload'),
            confirmDeletions: z
              .enum(['true', 'false'])
              .default('false')
              .transform((v) => v === 'true'),
            encoding: z.enum(['auto', 'utf8', 'gbk', 'gb18030']).default('auto'),
            headerRow: z.coerce.number().int().min(1).optional(),
            sheet: z.coerce.number().int().min(1).optional(),
          }),
          response: { 202: z.object({ run: z.number().int() }) },
        },
      },
      async (req, reply) => {
        const type = String(req.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim() as keyof typeof UPLOAD_TYPES;
        const kind = UPLOAD_TYPES[type];
        if (!kind) fail('UNSUPPORTED_MEDIA_TYPE');
        const { run } = await uploadAndIngest(k, req.ctx, req.body as Readable, {
          ...req.query,
          kind: kind === 'csv' && /\.tsv$/i.test(req.query.fileName) ? 'tsv' : kind,
        });
        return reply.code(202).send({ run });
      },
    );
  });

  const idParam = z.object({ id: z.uuid() });
  const runParam = z.object({ id: z.coerce.number().int().min(1) });

  r.post(
    '/api/v1/ingest/push/:resourceId',
    {
      config: { access: access.apps },
      bodyLimit: 10 * 1024 * 1024,
      schema: {
        tags,
        summary:
          '推送数据（应用签名调用，按业务主键插入或更新）/ Push records (signed app call; upserted by business key)',
        params: z.object({ resourceId: z.uuid() }),
        body: z.object({ records: z.array(z.record(z.string(), z.unknown())).min(1).max(10_000) }),
        response: { 200: pushAnswer },
      },
    },
    async (req) => {
      const { records } = req.body;
      const columns = [...new Set(records.flatMap((o) => Object.keys(o)))];
      const text = (v: unknown) =>
        v === null || v === undefined
          ? null
          : typeof v === 'string'
            ? v
            : typeof v === 'boolean'
              ? v
                ? '是'
                : '否'
              : typeof v === 'object'
                ? JSON.stringify(v)
                : String(v);
      const rows = (async function* () {
        yield records.map((o, i) => ({ row: i + 1, values: columns.map((c) => text(o[c])) }));
      })();
      const res = await runIngest(k, req.ctx, {
        resourceId: req.params.resourceId,
        mode: 'upsert',
        source: `push:${req.ctx.actor.name}`,
        columns,
        rows,
      });
      const rejects = (
        await k.pool.query(
          'SELECT row_no, field, reason_zh, reason_en, raw_value FROM ingest.reject WHERE run_id = $1 ORDER BY row_no LIMIT 1000',
          [res.run],
        )
      ).rows;
      return {
        ...res,
        rejects: rejects.map((x) => ({
          row: Number(x.row_no),
          field: x.field,
          reason: req.ctx.lang === 'en-US' ? x.reason_en : x.reason_zh,
          value: x.raw_value,
        })),
      };
    },
  );

  r.get(
    '/api/v1/sources',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: '数据源（分页，可按名称搜索）/ Sources, a page at a time, searchable by name',
        querystring: pageQuery.extend({ q: z.string().trim().max(100).optional(), resourceId: z.uuid().optional() }),
        response: { 200: sourcePage },
      },
    },
    async (req) => listSources(req.ctx, k.db, req.query),
  );
  r.post(
    '/api/v1/sources',
    {
      config: { access: access.roles('officer') },
      schema: {
        tags,
        summary: '新建数据源（密码加密保存）/ Create a source (the password is stored sealed)',
        body: sourceInput,
        response: { 201: sourceCreated },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await inTx(k.db, (tx) => createSource(req.ctx, tx, k.masterKey, req.body))),
  );
  r.post(
    '/api/v1/sources/:id/test',
    {
      config: { access: access.roles('officer', 'admin') },
      schema: { tags, summary: '测试连接 / Test the connection', params: idParam, response: { 200: sourceTest } },
    },
    async (req) => testSource(k, req.ctx, req.params.id),
  );
  r.patch(
    '/api/v1/sources/:id',
    {
      config: { access: access.roles('officer') },
      schema: {
        tags,
        summary: "修改数据源的映射、清洗规则和调度 / Change a source's mapping, cleaning and schedule",
        params: idParam,
        body: sourceChanges,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await inTx(k.db, (tx) => updateSource(req.ctx, tx, req.params.id, req.body));
      return reply.code(204).send(null);
    },
  );
  r.delete(
    '/api/v1/sources/:id',
    {
      config: { access: access.roles('officer') },
      schema: {
        tags,
        summary: '删除数据源（归集记录保留）/ Remove a source (its runs stay on record)',
        params: idParam,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await inTx(k.db, (tx) => deleteSource(req.ctx, tx, req.params.id));
      return reply.code(204).send(null);
    },
  );
  r.post(
    '/api/v1/sources/:id/preview',
    {
      config: { access: access.roles('officer', 'admin') },
      schema: {
        tags,
        summary:
          '预览前 20 行入库后的样子（可带未保存的映射）/ The first 20 rows as they would be stored (with an unsaved mapping, if given)',
        params: idParam,
        body: sourceChanges.omit({ schedule: true }).nullish(),
        response: { 200: previewAnswer },
      },
    },
    async (req) => previewSource(k, req.ctx, req.params.id, req.body ?? {}),
  );
  r.post(
    '/api/v1/sources/:id/run',
    {
      config: { access: access.roles('officer', 'admin') },
      schema: {
        tags,
        summary: '立即归集（交给任务进程）/ Run now (queued for a worker)',
        params: idParam,
        response: { 202: runQueued },
      },
    },
    async (req, reply) => {
      await checkSourceAccess(req.ctx, k.db, req.params.id);
      if (!k.enqueue) fail('JOBS_UNAVAILABLE');
      const job = await k.enqueue(RUN_SOURCE_JOB, { sourceId: req.params.id, actor: req.ctx.actor });
      return reply.code(202).send({ job: job ?? '' });
    },
  );

  r.get(
    '/api/v1/ingest/runs',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: '归集记录 / Runs',
        querystring: pageQuery.extend({
          resourceId: z.uuid().optional(),
          status: z.enum(['running', 'succeeded', 'failed']).optional(),
        }),
        response: { 200: runPage },
      },
    },
    async (req) => listRuns(req.ctx, k.db, req.query),
  );
  r.get(
    '/api/v1/ingest/runs/:id',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: '一次归集（含进度）/ One run, with its progress',
        params: runParam,
        response: { 200: runDto },
      },
    },
    async (req) => getRun(req.ctx, k.db, req.params.id),
  );
  r.get(
    '/api/v1/ingest/runs/:id/rejects',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: '问题数据 / Rejected rows',
        params: runParam,
        querystring: pageQuery,
        response: { 200: rejectPage },
      },
    },
    async (req) => listRejects(req.ctx, k.db, req.params.id, req.query),
  );
  r.get(
    '/api/v1/ingest/runs/:id/rejects.xlsx',
    {
      config: { access: readers },
      schema: { tags, summary: '问题数据（Excel）/ Rejected rows as .xlsx', params: runParam },
    },
    async (req, reply) =>
      reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="rejects-${req.params.id}.xlsx"`)
        .send(await rejectsWorkbook(req.ctx, k.db, req.params.id)),
  );
}
