/**
 * The demand module's contracts (供需对接): every request and response body of its API, shared by the
 * routes, the OpenAPI document and the console.
 */
import { z } from 'zod';
import { pageOf } from '../../kernel/http/pagination.js';
import { SERVICES } from '../sharing/schema.js';

export const demandInput = z.object({
  title: z.string().trim().min(2).max(200),
  description: z.string().trim().min(4).max(2000),
  purpose: z.string().trim().min(4).max(1000),
  fields: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
  legalBasis: z.string().trim().min(2).max(1000),
  scenario: z.string().trim().min(2).max(1000),
});

export const answerInput = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('matched'), resourceId: z.uuid(), comment: z.string().trim().max(1000).optional() }),
  z.object({ outcome: z.literal('assigned'), departmentId: z.uuid(), comment: z.string().trim().max(1000).optional() }),
  z.object({ outcome: z.literal('rejected'), reason: z.string().trim().min(2).max(1000) }),
]);

export const demandApplyInput = z.object({
  appCredentialId: z.uuid(),
  fields: z.array(z.string().max(63)).min(1).max(500).optional(),
  services: z.array(z.enum(SERVICES)).min(1).default(['query']),
  periodFrom: z.iso.date(),
  periodTo: z.iso.date(),
  expectedCalls: z.number().int().min(1).max(100_000_000),
});

export const rateInput = z.object({
  rating: z.number().int().min(1).max(5),
  comment: z.string().trim().max(1000).optional(),
});

export const demandListQuery = z.object({
  scope: z.enum(['mine', 'assigned', 'all']).default('mine'),
  status: z.string().max(20).optional(),
  q: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

export const demandDto = z.object({
  id: z.number().int(),
  departmentId: z.uuid(),
  department: z.string(),
  requester: z.string(),
  title: z.string(),
  description: z.string(),
  purpose: z.string(),
  fields: z.array(z.string()),
  legalBasis: z.string(),
  scenario: z.string(),
  status: z.enum(['submitted', 'matched', 'assigned', 'provided', 'rejected']),
  /** the answer is due (working days) */
  due: z.string(),
  overdue: z.boolean(),
  resourceId: z.uuid().nullable(),
  resourceName: z.string().nullable(),
  assignedDepartmentId: z.uuid().nullable(),
  assignedDepartment: z.string().nullable(),
  reason: z.string().nullable(),
  answeredAt: z.string().nullable(),
  answeredBy: z.string().nullable(),
  onTime: z.boolean().nullable(),
  applicationId: z.number().int().nullable(),
  rating: z.number().int().nullable(),
  ratingComment: z.string().nullable(),
  createdAt: z.string(),
});
export type DemandDto = z.infer<typeof demandDto>;
export const demandPage = pageOf(demandDto);
export const demandDetail = demandDto.extend({
  trail: z.array(
    z.object({
      step: z.string(),
      by: z.string(),
      comment: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()).nullable(),
      at: z.string(),
    }),
  ),
  /** catalog resources that may answer it (for the bureau, while it waits) */
  suggestions: z.array(
    z.object({ id: z.uuid(), name: z.string(), departmentName: z.string(), hits: z.number().int() }),
  ),
  /** the share application it becomes, prefilled (for the demanding department, once matched) */
  draft: z
    .object({
      resourceId: z.uuid(),
      resourceName: z.string(),
      fields: z.array(z.string()),
      services: z.array(z.enum(SERVICES)),
      purpose: z.string(),
      legalBasis: z.string(),
      scenario: z.string(),
    })
    .nullable(),
});
export const demandCreated = z.object({ id: z.number().int(), status: z.literal('submitted'), due: z.string() });
export const demandStep = z.object({
  id: z.number().int(),
  status: z.enum(['matched', 'assigned', 'provided', 'rejected']),
});
export const demandApplied = z.object({ id: z.number().int(), applicationId: z.number().int(), status: z.string() });
export const demandRated = z.object({ id: z.number().int(), rating: z.number().int() });
export const demandStatsAnswer = z.object({
  items: z.array(
    z.object({
      department: z.string(),
      raised: z.number().int(),
      open: z.number().int(),
      overdue: z.number().int(),
      assigned: z.number().int(),
      provided: z.number().int(),
      avgRating: z.number().nullable(),
    }),
  ),
});
