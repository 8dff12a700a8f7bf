/** The CKAN-compatible Action API's answers (CKAN 2.11's dicts), in CKAN's envelope; `ckan.ts` builds them. */
import { z } from 'zod';

export const ckanOrganization = z.object({
  id: z.string(),
  name: z.string().describe("the department's USCC in lower case"),
  title: z.string(),
  display_name: z.string(),
  type: z.string(),
  is_organization: z.boolean(),
  state: z.string(),
  approval_status: z.string(),
  description: z.string(),
  image_url: z.string(),
  image_display_url: z.string(),
  created: z.string().nullable().optional(),
  package_count: z.number().int().optional(),
});
export const ckanGroup = ckanOrganization.extend({
  name: z.string().describe('cat-<the category full code>, a second-level category of the classification'),
});
export const ckanTag = z.object({
  id: z.string(),
  name: z.string(),
  display_name: z.string(),
  state: z.string(),
  vocabulary_id: z.null(),
});
export const ckanResource = z.object({
  id: z.string(),
  package_id: z.uuid(),
  name: z.string(),
  description: z.string(),
  format: z.string(),
  mimetype: z.string().nullable(),
  mimetype_inner: z.null(),
  url: z.string().describe('the anonymous download (有条件开放: with an approved open key)'),
  url_type: z.null(),
  resource_type: z.null(),
  size: z.number().int().nullable(),
  hash: z.string(),
  state: z.string(),
  position: z.number().int(),
  created: z.string().nullable(),
  last_modified: z.string().nullable(),
  metadata_modified: z.string().nullable(),
  cache_url: z.null(),
  cache_last_updated: z.null(),
  datastore_active: z.boolean(),
});
export const ckanPackage = z.object({
  id: z.uuid(),
  name: z.string(),
  title: z.string(),
  notes: z.string(),
  type: z.string(),
  state: z.string(),
  private: z.boolean(),
  isopen: z.boolean(),
  license_id: z.string(),
  license_title: z.string(),
  license_url: z.string(),
  author: z.string().nullable(),
  author_email: z.string().nullable(),
  maintainer: z.string().nullable(),
  maintainer_email: z.string().nullable(),
  creator_user_id: z.string().nullable(),
  metadata_created: z.string().nullable(),
  metadata_modified: z.string().nullable(),
  version: z.string(),
  url: z.string().describe('the public portal page'),
  owner_org: z.uuid(),
  organization: ckanOrganization,
  groups: z.array(ckanGroup),
  tags: z.array(ckanTag),
  num_tags: z.number().int(),
  resources: z.array(ckanResource),
  num_resources: z.number().int(),
  relationships_as_object: z.array(z.unknown()),
  relationships_as_subject: z.array(z.unknown()),
  extras: z.array(z.object({ key: z.string(), value: z.string().nullable() })),
});
const facetItem = z.object({ name: z.string(), display_name: z.string(), count: z.number().int() });
export const ckanSearch = z.object({
  count: z.number().int().describe('exact, at any size'),
  sort: z.string(),
  results: z.array(z.union([ckanPackage, z.record(z.string(), z.unknown())])).describe('with fl: only those keys'),
  facets: z.record(z.string(), z.record(z.string(), z.number().int())),
  search_facets: z.record(z.string(), z.object({ title: z.string(), items: z.array(facetItem) })),
});
export const ckanLicence = z.object({
  id: z.string(),
  title: z.string(),
  url: z.string(),
  status: z.string(),
  maintainer: z.string(),
  family: z.string(),
  is_generic: z.boolean(),
  is_okd_compliant: z.boolean(),
  is_osi_compliant: z.boolean(),
  od_conformance: z.string(),
  osd_conformance: z.string(),
  domain_content: z.boolean(),
  domain_data: z.boolean(),
  domain_software: z.boolean(),
});
export const ckanStatus = z.object({
  ckan_version: z.string(),
  site_url: z.string(),
  site_title: z.string(),
  site_description: z.string(),
  locale_default: z.string(),
  error_emails_to: z.null(),
  extensions: z.array(z.string()),
});

/** `{ help, success: true, result }` */
export const ckanOk = <T extends z.ZodType>(result: T) =>
  z.object({ help: z.string(), success: z.literal(true), result });
/** `{ help, success: false, error: { __type, message } }`; a Validation Error lists each field's messages instead */
export const ckanFailure = z.object({
  help: z.string(),
  success: z.literal(false),
  error: z
    .object({ __type: z.string(), message: z.union([z.string(), z.array(z.string())]).optional() })
    .catchall(z.array(z.string())),
});
