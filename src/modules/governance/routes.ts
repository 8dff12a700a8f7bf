/** The governance API: rules, checks, problems, scores. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import { access } from '../../kernel/http/access.js';
import { pageQuery } from '../../kernel/http/pagination.js';
import { adoptRules, ruleInput, listRules, saveRule, deleteRule } from './rules.js';
import { checkResource } from './checks.js';
import { checkFailures } from './check-requests.js';
import { inTx } from '../../kernel/http/tx.js';
import { confirmProblem, departmentTrend, listChecks, listProblems, scores } from './read.js';
import { listTasks, problemsWorkbook } from './tasks.js';
import { openProfile, profileQuery } from './profiles.js';
import {
  adoptAnswer,
  checkDto,
  checkFailurePage,
  checkResult,
  problemPage,
  profileAnswer,
  ruleDto,
  rulesAnswer,
  scoreBoard,
  taskPage,
  trendAnswer,
} from './schema.js';

const readers = access.roles('admin', 'auditor', 'officer');

export function governanceRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['governance'];
  const idParam = z.object({ id: z.uuid() });

  r.get(
    '/api/v1/governance/resources/:id/rules',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: '质量规则（已设置的和建议的）/ Quality rules, saved and suggested',
        params: idParam,
        response: { 200: rulesAnswer },
      },
    },
    async (req) => listRules(req.ctx, k.db, req.params.id),
  );
  r.put(
    '/api/v1/governance/resources/:id/rules',
    {
      config: { access: access.roles('officer') },
      schema: {
        tags,
        summary: '设置一条质量规则（同一数据项同类规则替换）/ Set a rule (replaces the same kind on the same item)',
        params: idParam,
        body: ruleInput,
        response: { 200: ruleDto },
      },
    },
    async (req) => inTx(k.db, (tx) => saveRule(req.ctx, tx, req.params.id, req.body)),
  );
  r.post(
    '/api/v1/governance/resources/:id/rules/adopt',
    {
      config: { access: access.roles('officer') },
      schema: {
        tags,
        summary: '采用全部建议规则 / Adopt every suggested rule',
        params: idParam,
        response: { 200: adoptAnswer },
      },
    },
    async (req) => inTx(k.db, (tx) => adoptRules(req.ctx, tx, req.params.id)),
  );
  r.delete(
    '/api/v1/governance/rules/:id',
    {
      config: { access: access.roles('officer') },
      schema: { tags, summary: '删除规则 / Delete a rule', params: idParam, response: { 204: z.null() } },
    },
    async (req, reply) => {
      await inTx(k.db, (tx) => deleteRule(req.ctx, tx, req.params.id));
      return reply.code(204).send(null);
    },
  );
  r.post(
    '/api/v1/governance/resources/:id/check',
    {
      config: { access: access.roles('officer', 'admin') },
      schema: {
        tags,
        summary: '立即检查已入库数据 / Check the stored rows now',
        params: idParam,
        response: { 200: checkResult },
      },
    },
    async (req) => checkResource(k, req.ctx, req.params.id),
  );
  r.get(
    '/api/v1/governance/resources/:id/checks',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: '检查记录与评分趋势 / Checks and the score trend',
        params: idParam,
        response: { 200: z.array(checkDto) },
      },
    },
    async (req) => listChecks(req.ctx, k.db, req.params.id),
  );
  r.get(
    '/api/v1/governance/problems',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: '问题数据 / Problem rows',
        querystring: pageQuery.extend({
          resourceId: z.uuid().optional(),
          status: z.enum(['open', 'fixed', 'confirmed']).optional(),
          ruleId: z.uuid().optional(),
        }),
        response: { 200: problemPage },
      },
    },
    async (req) => listProblems(req.ctx, k.db, req.query),
  );
  r.post(
    '/api/v1/governance/problems/:id/confirm',
    {
      config: { access: access.roles('officer') },
      schema: {
        tags,
        summary: '确认数据无误（说明理由）/ Confirm the value is correct, with a reason',
        params: z.object({ id: z.coerce.number().int().min(1) }),
        body: z.object({ reason: z.string().trim().min(2).max(500) }),
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await inTx(k.db, (tx) => confirmProblem(req.ctx, tx, req.params.id, req.body.reason));
      return reply.code(204).send(null);
    },
  );
  r.get(
    '/api/v1/governance/tasks',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: '整改任务 / Rectification tasks',
        querystring: pageQuery.extend({
          status: z.enum(['open', 'done', 'overdue']).optional(),
          resourceId: z.uuid().optional(),
        }),
        response: { 200: taskPage },
      },
    },
    async (req) => listTasks(req.ctx, k.db, req.query),
  );
  r.get(
    '/api/v1/governance/problems.xlsx',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: '问题数据清单（按部门，Excel）/ Open problems of a department as .xlsx',
        querystring: z.object({ departmentId: z.uuid().optional() }),
      },
    },
    async (req, reply) =>
      reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', 'attachment; filename="problems.xlsx"')
        .send(await problemsWorkbook(req.ctx, k.db, req.query.departmentId)),
  );
  r.post(
    '/api/v1/governance/profiles',
    {
      config: { access: access.roles('admin', 'auditor') },
      schema: {
        tags,
        summary:
          "一人一档 / 一企一档（须说明目的，每次查阅均记审计）/ A person's or enterprise's profile (purpose required, every opening audited)",
        body: profileQuery,
        response: { 200: profileAnswer },
      },
    },
    async (req) => inTx(k.db, (tx) => openProfile(req.ctx, tx, req.body)),
  );
  r.get(
    '/api/v1/governance/trend',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: "各部门质量评分按日趋势 / Each department's score by day",
        querystring: z.object({ days: z.coerce.number().int().min(1).max(730).default(90) }),
        response: { 200: trendAnswer },
      },
    },
    async (req) => departmentTrend(req.ctx, k.db, req.query.days),
  );
  r.get(
    '/api/v1/governance/check-failures',
    {
      config: { access: access.roles('admin', 'auditor') },
      schema: {
        tags,
        summary: '失败的质量检查（保留待重试，分页）/ Requested checks that failed, kept for retry, a page at a time',
        querystring: pageQuery,
        response: { 200: checkFailurePage },
      },
    },
    async (req) => checkFailures(req.ctx, k.db, req.query),
  );
  r.get(
    '/api/v1/governance/scores',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: '质量评分（资源与部门）/ Quality scores of resources and departments',
        response: { 200: scoreBoard },
      },
    },
    async (req) => scores(req.ctx, k.db),
  );
}
