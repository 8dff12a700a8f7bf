/**
 * The open data module's contracts (数据开放): the request and response bodies of the portal's API and
 * of the review of open-data applications, shared by the routes, the OpenAPI document and the portal.
 */
import { z } from 'zod';
import { pageOf, pageQuery } from '../../kernel/http/pagination.js';

export const keyInput = z.object({
  name: z.string().trim().min(2).max(100),
  organization: z.string().trim().max(200).optional(),
  email: z.email().max(200),
  purpose: z.string().trim().min(4).max(1000),
});

export const openApplicationInput = z.object({
  resourceId: z.uuid(),
  purpose: z.string().trim().min(4).max(1000),
  scenario: z.string().trim().min(4).max(1000),
});

export const openDecisionInput = z.object({
  decision: z.enum(['approve', 'reject']),
  reason: z.string().trim().max(500).optional(),
});

export const publicObjectionInput = z.object({
  resourceId: z.uuid(),
  recordKey: z.record(z.string().max(63), z.string().max(200)),
  field: z.string().max(63).optional(),
  proposedValue: z.string().max(2000).optional(),
  description: z.string().trim().min(4).max(2000),
});

export const openItem = z.object({ name: z.string(), label: z.string(), type: z.string(), primaryKey: z.boolean() });
/** An open dataset: only its grade-1 items are open (the others are counted, not shown). */
export const openDataset = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  summary: z.string(),
  departmentId: z.uuid(),
  departmentName: z.string(),
  openType: z.enum(['unconditional', 'conditional']),
  openCondition: z.string().nullable(),
  updateCycle: z.string(),
  publishedAt: z.string().nullable(),
  items: z.array(openItem),
  itemsWithheld: z.number().int(),
});
export type OpenDataset = z.infer<typeof openDataset>;
export const openDatasetPage = pageOf(openDataset);
/** Rows of an open dataset, with the records under objection (标注) where the key identifies them. */
export const openRowsAnswer = z.object({
  fields: z.array(openItem),
  records: z.array(z.record(z.string(), z.string().nullable())),
  total: z.number().int(),
  flags: z.array(
    z.object({
      row: z.number().int().nullable(),
      field: z.string().nullable(),
      objectionId: z.number().int(),
      since: z.string(),
    }),
  ),
  limit: z.number().int(),
  offset: z.number().int(),
});
export const openKeyCreated = z.object({ id: z.number().int(), key: z.string(), prefix: z.string() });
export const openApplicationCreated = z.object({
  id: z.number().int(),
  status: z.literal('submitted'),
  due: z.string(),
});
export type OpenApplicationStatus = 'submitted' | 'approved' | 'rejected';
export const openApplicationDto = z.object({
  id: z.number().int(),
  resourceId: z.uuid(),
  resourceName: z.string(),
  provider: z.string(),
  applicant: z.string(),
  organization: z.string().nullable(),
  keyPrefix: z.string(),
  purpose: z.string(),
  scenario: z.string(),
  status: z.enum(['submitted', 'approved', 'rejected']),
  due: z.string(),
  overdue: z.boolean(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  reason: z.string().nullable(),
  signed: z.boolean(),
});
export type OpenApplicationDto = z.infer<typeof openApplicationDto>;
export const openApplicationPage = pageOf(openApplicationDto);
export const openDecided = z.object({ id: z.number().int(), status: z.enum(['approved', 'rejected']) });
export const publicObjectionCreated = z.object({ id: z.number().int(), status: z.string(), due: z.string() });
export const publicObjectionDto = z.object({
  id: z.number().int(),
  resourceId: z.uuid(),
  resourceName: z.string(),
  recordKey: z.record(z.string(), z.string()),
  field: z.string().nullable(),
  proposedValue: z.string().nullable(),
  status: z.string(),
  reason: z.string().nullable(),
  contested: z.boolean(),
  due: z.string().nullable(),
  createdAt: z.string(),
  corrections: z.array(
    z.object({ field: z.string(), oldValue: z.string().nullable(), newValue: z.string().nullable() }),
  ),
});
export const publicObjectionPage = pageOf(publicObjectionDto);
/** a page of what one open key asked for or reported, optionally for one resource */
export const byKeyQuery = pageQuery.extend({ resourceId: z.uuid().optional() });
export const publicResponded = z.object({ id: z.number().int(), status: z.string(), due: z.string().optional() });
/** CKAN DataStore's datastore_search result (the envelope around it is CKAN's) */
export const datastoreResult = z.object({
  include_total: z.boolean(),
  resource_id: z.string(),
  records_format: z.enum(['objects', 'lists', 'csv']),
  fields: z.array(z.object({ id: z.string(), type: z.string(), info: z.object({ label: z.string() }) })),
  records: z.union([
    z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
    z.array(z.array(z.union([z.string(), z.number(), z.boolean(), z.null()]))),
    z.string(),
  ]),
  limit: z.number().int(),
  offset: z.number().int(),
  total: z.number().int().optional(),
  _links: z.object({ start: z.string(), next: z.string() }),
  q: z.string().optional(),
  filters: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  sort: z.string().optional(),
  distinct: z.boolean().optional(),
});
