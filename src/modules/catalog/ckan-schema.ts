/** The CKAN-compatible Action API's answers, in CKAN's envelope (documented for CKAN clients; `ckan.ts` builds them). */
import { z } from 'zod';

export const ckanOrganization = z.object({
  id: z.uuid(),
  name: z.string().describe("the department's USCC in lower case"),
  title: z.string(),
  display_name: z.string(),
  type: z.string(),
  is_organization: z.boolean(),
  state: z.string(),
  approval_status: z.string(),
  description: z.string(),
  image_url: z.string(),
  package_count: z.number().int().optional(),
});
export const ckanPackage = z.object({
  id: z.uuid(),
  name: z.string(),
  title: z.string(),
  notes: z.string(),
  type: z.string(),
  state: z.string(),
  private: z.boolean(),
  license_id: z.string(),
  metadata_created: z.string().nullable(),
  metadata_modified: z.string().nullable(),
  version: z.string(),
  url: z.string(),
  owner_org: z.uuid(),
  organization: ckanOrganization,
  tags: z.array(z.object({ name: z.string() })),
  num_tags: z.number().int(),
  num_resources: z.number().int(),
  resources: z.array(
    z.object({
      id: z.string(),
      package_id: z.uuid(),
      name: z.string(),
      description: z.string(),
      format: z.string(),
      url: z.string(),
      state: z.string(),
      position: z.number().int(),
    }),
  ),
  extras: z.array(z.object({ key: z.string(), value: z.string().nullable() })),
});
export const ckanSearch = z.object({
  count: z.number().int(),
  sort: z.string(),
  results: z.array(ckanPackage),
  facets: z.record(z.string(), z.unknown()),
  search_facets: z.record(z.string(), z.unknown()),
});

/** `{ help, success: true, result }` */
export const ckanOk = <T extends z.ZodType>(result: T) =>
  z.object({ help: z.string(), success: z.literal(true), result });
/** `{ help, success: false, error: { __type, message } }` */
export const ckanFailure = z.object({
  help: z.string(),
  success: z.literal(false),
  error: z.object({ __type: z.string(), message: z.string() }),
});
