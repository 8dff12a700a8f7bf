/**
 * The objection module's contracts (数据异议): every request and response body of its API, shared by
 * the routes, the OpenAPI document and the console.
 */
import { z } from 'zod';
import { pageOf } from '../../kernel/http/pagination.js';

export const raiseInput = z.object({
  resourceId: z.uuid(),
  /** the record's business key: every key item and nothing else */
  recordKey: z.record(z.string().max(63), z.string().max(200)).optional(),
  field: z.string().max(63).optional(),
  seenValue: z.string().max(2000).optional(),
  proposedValue: z.string().max(2000).optional(),
  description: z.string().trim().min(4).max(2000),
  channel: z.enum(['service', 'console', 'open', 'profile']).default('console'),
});
export type RaiseInput = z.infer<typeof raiseInput>;

export const acceptInput = z.object({ accept: z.boolean(), reason: z.string().trim().max(1000).optional() });

export const handleInput = z.object({
  decision: z.enum(['correct', 'reject']),
  /** item → the right value (null empties it); business key items cannot change */
  changes: z.record(z.string().max(63), z.string().max(4000).nullable()).default({}),
  reason: z.string().trim().min(2).max(1000),
});

export const respondInput = z.object({
  decision: z.enum(['accept', 'contest']),
  comment: z.string().trim().max(1000).optional(),
});

export const reviewInput = z.object({
  decision: z.enum(['uphold', 'reopen']),
  reason: z.string().trim().min(2).max(1000),
});

export const listQuery = z.object({
  scope: z.enum(['mine', 'inbox', 'all']).default('mine'),
  status: z.string().max(20).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  q: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

export const OBJECTION_STATES = [
  'submitted',
  'not_accepted',
  'flagged',
  'corrected',
  'rejected',
  'contested',
  'archived',
] as const;

export const objectionDto = z.object({
  id: z.number().int(),
  resourceId: z.uuid(),
  resourceName: z.string().nullable(),
  providerDepartmentId: z.uuid(),
  provider: z.string(),
  recordKey: z.record(z.string(), z.string()).nullable(),
  field: z.string().nullable(),
  seenValue: z.string().nullable(),
  proposedValue: z.string().nullable(),
  description: z.string(),
  channel: z.string(),
  raiserType: z.string(),
  raiserName: z.string(),
  raiserDepartment: z.string().nullable(),
  status: z.enum(OBJECTION_STATES),
  outcome: z.string().nullable(),
  reason: z.string().nullable(),
  contested: z.boolean(),
  flagged: z.boolean(),
  due: z.string().nullable(),
  overdue: z.boolean(),
  /** working days left to the due date (negative: overdue by) */
  daysLeft: z.number().int().nullable(),
  waitingFor: z.enum(['accept', 'provider', 'bureau', 'raiser']).nullable(),
  sourceReminded: z.boolean(),
  attachments: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  archivedAt: z.string().nullable(),
});
export type ObjectionDto = z.infer<typeof objectionDto>;
export const objectionPage = pageOf(objectionDto);
export const correction = z.object({
  field: z.string(),
  oldValue: z.string().nullable(),
  newValue: z.string().nullable(),
});
export const attachmentDto = z.object({
  id: z.number().int(),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sm3: z.string(),
});
export const objectionDetail = objectionDto.extend({
  /** what the reader may do here: answer as the raiser, act as the provider */
  viewer: z.object({ raiser: z.boolean(), provider: z.boolean() }),
  trail: z.array(
    z.object({
      step: z.string(),
      by: z.string(),
      comment: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()).nullable(),
      at: z.string(),
    }),
  ),
  corrections: z.array(correction.extend({ reason: z.string(), by: z.string(), at: z.string() })),
  attachments: z.array(attachmentDto.extend({ uploadedBy: z.string(), at: z.string() })),
});
/** The answer of each step: where the objection now is, and its next due date. */
export const objectionStep = z.object({
  id: z.number().int(),
  status: z.enum(OBJECTION_STATES),
  due: z.string().optional(),
  corrections: z.array(correction).optional(),
  sourceReminded: z.boolean().optional(),
});
export const objectionCreated = z.object({ id: z.number().int(), status: z.string(), due: z.string() });
export const objectionStatsAnswer = z.object({
  items: z.array(
    z.object({
      departmentId: z.uuid(),
      department: z.string(),
      total: z.number().int(),
      open: z.number().int(),
      overdue: z.number().int(),
      corrected: z.number().int(),
      rejected: z.number().int(),
      avgDays: z.number().nullable(),
    }),
  ),
});
