/**
 * The governance module's contracts (数据治理): the rule vocabulary and every request and response
 * body of its API, shared by the routes, the OpenAPI document and the console.
 */
import { z } from 'zod';
import { pageOf } from '../../kernel/http/pagination.js';

export const DIMENSIONS = ['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
/** the score's weights (README: Governance) */
export const WEIGHTS: Record<Dimension, number> = {
  completeness: 0.25,
  validity: 0.3,
  uniqueness: 0.15,
  consistency: 0.15,
  timeliness: 0.15,
};

export const KINDS = {
  not_null: 'completeness',
  unique: 'uniqueness',
  length: 'validity',
  pattern: 'validity',
  code: 'validity',
  range: 'validity',
  date: 'validity',
  ric: 'validity',
  uscc: 'validity',
  region: 'validity',
  mobile: 'validity',
  landline: 'validity',
  email: 'validity',
  ric_consistency: 'consistency',
  reference: 'consistency',
  freshness: 'timeliness',
  volume: 'consistency',
} as const satisfies Record<string, Dimension>;
export type Kind = keyof typeof KINDS;
/** kinds judged on the whole resource, not row by row */
export const RESOURCE_KINDS: Kind[] = ['freshness', 'volume'];

const name = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*$/)
  .max(63);
export const ruleParams = z.object({
  min: z.number().optional(),
  max: z.number().optional(),
  regex: z.string().max(500).optional(),
  values: z.array(z.string().max(200)).max(1000).optional(),
  notFuture: z.boolean().optional(),
  birth: name.optional(),
  sex: name.optional(),
  resourceId: z.uuid().optional(),
  refItem: name.optional(),
  maxChangePct: z.number().min(0).max(10000).optional(),
});
export type RuleParams = z.infer<typeof ruleParams>;

export const ruleInput = z.object({
  item: name.nullable(),
  kind: z.enum(Object.keys(KINDS) as [Kind, ...Kind[]]),
  params: ruleParams.default({}),
  severity: z.enum(['blocking', 'flagging']).default('flagging'),
  enabled: z.boolean().default(true),
});
export type RuleInput = z.infer<typeof ruleInput>;

export const ruleDto = ruleInput.extend({ id: z.uuid(), resourceId: z.uuid(), dimension: z.enum(DIMENSIONS) });
/** a suggestion, with how the stored rows fared against it (a sample of up to 1 000) */
export type RuleDto = z.infer<typeof ruleDto>;
export const suggestionDto = ruleInput.extend({
  sample: z.object({ rows: z.number().int(), failing: z.number().int() }).optional(),
});
export const rulesAnswer = z.object({ rules: z.array(ruleDto), suggestions: z.array(suggestionDto) });
export const adoptAnswer = z.object({ adopted: z.number().int(), suggested: z.number().int() });
export const checkResult = z.object({
  check: z.number().int(),
  rows: z.number().int(),
  failingRows: z.number().int(),
  metrics: z.record(z.string(), z.number()),
  score: z.number().nullable(),
  opened: z.number().int(),
  fixed: z.number().int(),
  tasksCreated: z.number().int(),
  tasksDone: z.number().int(),
});
export const checkDto = z.object({
  id: z.number().int(),
  resourceId: z.uuid(),
  ingestRunId: z.number().int().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  rows: z.number().int().nullable(),
  failingRows: z.number().int().nullable(),
  metrics: z.record(z.string(), z.number()),
  score: z.number().nullable(),
});
export const problemDto = z.object({
  id: z.number().int(),
  resourceId: z.uuid(),
  resourceName: z.string(),
  ruleId: z.uuid(),
  item: z.string().nullable(),
  kind: z.string(),
  severity: z.string(),
  dimension: z.string(),
  rowKey: z.string(),
  value: z.string().nullable(),
  reason: z.string(),
  reasonZh: z.string(),
  reasonEn: z.string(),
  status: z.enum(['open', 'fixed', 'confirmed']),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  closedAt: z.string().nullable(),
  confirmedBy: z.string().nullable(),
  confirmedReason: z.string().nullable(),
});
export type ProblemDto = z.infer<typeof problemDto>;
export const problemPage = pageOf(problemDto);
export const taskDto = z.object({
  id: z.number().int(),
  resourceId: z.uuid(),
  resourceName: z.string(),
  departmentId: z.uuid(),
  departmentName: z.string(),
  ruleId: z.uuid(),
  item: z.string().nullable(),
  kind: z.string(),
  status: z.enum(['open', 'done']),
  due: z.string(),
  overdue: z.boolean(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  open: z.number().int(),
  problems: z.number().int(),
});
export type TaskDto = z.infer<typeof taskDto>;
export const taskPage = pageOf(taskDto);
export const profileAnswer = z.object({
  kind: z.enum(['ric', 'uscc']),
  id: z.string(),
  valid: z.boolean(),
  reason: z.string(),
  sources: z.array(
    z.object({
      resourceId: z.uuid(),
      resourceName: z.string(),
      departmentName: z.string(),
      matchedBy: z.array(z.string()),
      updatedAt: z.string().nullable(),
      source: z.string().nullable(),
      values: z.array(z.object({ name: z.string(), label: z.string(), value: z.string().nullable() })),
    }),
  ),
  /** labels on which sources disagree */
  conflicts: z.array(
    z.object({ label: z.string(), values: z.array(z.object({ value: z.string(), resources: z.array(z.string()) })) }),
  ),
});
export const trendAnswer = z.array(
  z.object({ day: z.string(), departmentId: z.uuid(), departmentName: z.string(), score: z.number() }),
);
export const scoreBoard = z.object({
  resources: z.array(
    checkDto.extend({
      resourceName: z.string(),
      departmentId: z.uuid(),
      departmentName: z.string(),
      openProblems: z.number().int(),
    }),
  ),
  departments: z.array(
    z.object({
      departmentId: z.uuid(),
      departmentName: z.string(),
      resources: z.number().int(),
      score: z.number(),
      openProblems: z.number().int(),
    }),
  ),
});
export const checkFailure = z.object({
  resourceId: z.uuid(),
  run: z.number().int().nullable(),
  attempts: z.number().int(),
  error: z.string(),
  failedAt: z.string(),
  retryAt: z.string().nullable(),
});
export type CheckFailure = z.infer<typeof checkFailure>;
export const checkFailurePage = pageOf(checkFailure);
