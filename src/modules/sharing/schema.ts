/**
 * The sharing module's contracts: the request and response bodies of its data services, shared by
 * the routes, the OpenAPI document (and the clients generated from it) and the console.
 */
import { z } from 'zod';
import { pageOf } from '../../kernel/http/pagination.js';

/** The data services a grant may name. */
export const SERVICES = ['query', 'verify', 'statistics', 'file', 'push'] as const;

export const queryBody = z.object({
  filters: z.record(z.string(), z.string().max(200)).default({}),
  limit: z.number().int().min(1).max(100).default(20),
  offset: z.number().int().min(0).max(100_000).default(0),
});
export const verifyBody = z.object({ values: z.record(z.string(), z.string().max(500)) });
export const statsBody = z.object({
  groupBy: z.array(z.string().max(63)).max(3).default([]),
  measures: z
    .array(z.object({ fn: z.enum(['count', 'sum', 'avg', 'min', 'max']), item: z.string().max(63).optional() }))
    .min(1)
    .max(10)
    .default([{ fn: 'count' }]),
});

/** A record under objection, as consumers see it: the row of this answer (null: the whole resource), the item if one, since when. */
export const flag = z.object({
  row: z.number().int().nullable(),
  field: z.string().nullable(),
  objectionId: z.number().int(),
  since: z.string(),
  note: z.string(),
});
export type FlagDto = z.infer<typeof flag>;

export const queryAnswer = z.object({
  /** granted fields only, each masked as granted; values as text (null when empty) */
  rows: z.array(z.record(z.string(), z.string().nullable())),
  limit: z.number().int(),
  offset: z.number().int(),
  flags: z.array(flag),
});
export const verifyAnswer = z.object({
  found: z.boolean(),
  fields: z.record(z.string(), z.enum(['match', 'no_match'])),
  flags: z.array(flag),
});
export const statisticsAnswer = z.object({
  /** groups of fewer than k subjects are not returned */
  k: z.number().int(),
  suppressedGroups: z.number().int(),
  groups: z.array(
    z
      .object({
        subjects: z.number().int(),
        values: z.array(
          z.object({
            fn: z.enum(['count', 'sum', 'avg', 'min', 'max']),
            item: z.string().optional(),
            value: z.number().nullable(),
          }),
        ),
      })
      .catchall(z.unknown().describe("the group's value of each groupBy item, by item name")),
  ),
});
export const appObjectionCreated = z.object({ id: z.number().int(), status: z.string(), due: z.string() });

export const APPLICATION_STATES = [
  'provider_review',
  'bureau_review',
  'returned',
  'approved',
  'rejected',
  'withdrawn',
] as const;
export const rowScope = z.object({ item: z.string(), values: z.array(z.string()) });

/** One application as listed: what was asked, where it stands, and the time left in its step. */
export const applicationDto = z.object({
  id: z.number().int(),
  resourceId: z.uuid(),
  resourceName: z.string(),
  applicantDepartment: z.string(),
  providerDepartment: z.string(),
  applicant: z.string(),
  fields: z.array(z.string()),
  services: z.array(z.string()),
  purpose: z.string(),
  status: z.string(),
  /** what a reviewer decides on */
  legalBasis: z.string(),
  scenario: z.string(),
  expectedCalls: z.number().int(),
  rowFilter: rowScope.nullable(),
  applicantDepartmentId: z.uuid(),
  providerDepartmentId: z.uuid(),
  periodFrom: z.string(),
  periodTo: z.string(),
  /** the current step is due (working days); negative daysLeft: overdue by */
  due: z.string().nullable(),
  daysLeft: z.number().int().nullable(),
  grantId: z.number().int().nullable(),
  grantStatus: z.enum(['active', 'revoked', 'not_started', 'expired']).nullable(),
  escalated: z.boolean(),
  renews: z.number().int().nullable(),
  submittedAt: z.string(),
});
export type ApplicationDto = z.infer<typeof applicationDto>;
export const applicationPage = pageOf(applicationDto);
export const grantDto = z.object({
  id: z.number().int(),
  fields: z.array(z.string()),
  masks: z.record(z.string(), z.string()),
  services: z.array(z.string()),
  rowFilter: rowScope.nullable(),
  ratePerMinute: z.number().int(),
  expiresAt: z.string(),
  startsAt: z.string().nullable(),
  status: z.string(),
  state: z.enum(['active', 'revoked', 'not_started', 'expired']),
});
export const applicationDetail = applicationDto.extend({
  /** each decision with the exact message the node signed (SM2, DER hex), and whether it verifies */
  decisions: z.array(
    z.object({
      step: z.string(),
      decision: z.string(),
      comment: z.string().nullable(),
      by: z.string(),
      at: z.string(),
      message: z.string(),
      signature: z.string(),
      authentic: z.boolean(),
    }),
  ),
  grant: grantDto.nullable(),
});
export const applicationState = z.object({ status: z.enum(APPLICATION_STATES) });
export const grantStatsAnswer = z.object({
  grantId: z.number().int(),
  total: z.number().int(),
  byService: z.record(z.string(), z.number().int()),
  byDay: z.array(
    z.object({ day: z.string(), service: z.string(), calls: z.number().int(), rows: z.number().int().nullable() }),
  ),
  deliveries: z.array(
    z.object({
      id: z.string(),
      format: z.string(),
      rows: z.number().int(),
      createdAt: z.string(),
      completed: z.boolean(),
      failed: z.boolean(),
      sm3: z.string().nullable(),
    }),
  ),
});
export const pushTargetDto = z
  .object({
    kind: z.enum(['postgres', 'mysql']),
    host: z.string(),
    port: z.number().int(),
    database: z.string(),
    user: z.string(),
    table: z.string(),
    schedule: z.string().nullable(),
    watermark: z.number(),
    lastPushAt: z.string().nullable(),
    lastError: z.string().nullable(),
  })
  .nullable();
export const pushTargetSaved = z.object({ id: z.number().int() });
export const pushResult = z.object({
  deliveryId: z.string().nullable(),
  rows: z.number().int(),
  watermark: z.number(),
});
export const deliveryDto = z.object({
  id: z.string(),
  grantId: z.number().int(),
  resourceId: z.uuid(),
  resourceCode: z.string(),
  departmentId: z.uuid(),
  departmentName: z.string(),
  app: z.string(),
  actorName: z.string(),
  format: z.string(),
  rows: z.number().int(),
  fields: z.array(z.string()),
  masks: z.record(z.string(), z.string()),
  /** what the consumer asked for (a file's filters; a push: the run it pushed from) */
  filters: z.record(z.string(), z.unknown()),
  requestId: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  bytes: z.number().int().nullable(),
  sm3: z.string().nullable(),
  failedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export const applicationCreated = z.object({ id: z.number().int(), status: z.string() });
export const decisionAnswer = z.object({
  status: z.string(),
  decision: z.object({ message: z.string(), signature: z.string() }),
});
