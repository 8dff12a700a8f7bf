/** The catalog's CKAN actions (read-only, public). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import { getNode } from '../../kernel/auth/node.js';
import {
  ckanGroup,
  ckanLicence,
  ckanOrganization,
  ckanPackage,
  ckanResource,
  ckanSearch,
  ckanStatus,
  ckanTag,
} from './ckan-schema.js';
import { packageList, packageShow, resourceShow } from './ckan.js';
import { groupList, groupShow, licenseList, organizationList, organizationShow, tagList } from './ckan-lists.js';
import { packageSearch } from './ckan-search.js';
import { defineAction, registerActions, registerHelp } from './ckan-action.js';

/** CKAN's parameter types, as they arrive in a query string or a JSON body. */
export const ckanParam = {
  int: (min: number, max: number) => z.coerce.number().int().min(min).max(max),
  bool: z
    .union([z.boolean(), z.enum(['true', 'false', 'True', 'False', '1', '0', ''])])
    .transform((v) => v === true || v === 'true' || v === 'True' || v === '1'),
  /** a list: a JSON array, or in a query string its JSON text */
  list: z.union([z.array(z.string()), z.string()]).transform((v, c) => {
    if (Array.isArray(v)) return v;
    try {
      const parsed: unknown = JSON.parse(v);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed as string[];
    } catch {
      /* reported below */
    }
    c.addIssue({ code: 'custom', message: 'must be a JSON list of strings, e.g. ["organization","tags"]' });
    return z.NEVER;
  }),
  id: z.string().trim().min(1).max(200),
};
const paging = { limit: ckanParam.int(0, 100_000).optional(), offset: ckanParam.int(0, 10_000_000).default(0) };

export function ckanRoutes(app: FastifyInstance, k: Kernel): void {
  registerHelp(app, k);
  registerActions(app, k, [
    defineAction({
      name: 'package_list',
      doc: 'The names of the open datasets, by code. Parameters: limit, offset.',
      params: z.object(paging),
      result: z.array(z.string()),
      run: (p) => packageList(k.db, p),
    }),
    defineAction({
      name: 'package_show',
      doc: 'One open dataset by id or name. Parameters: id.',
      params: z.object({ id: ckanParam.id }),
      result: ckanPackage,
      run: (p, _req, env) => packageShow(k.db, p.id, env),
    }),
    defineAction({
      name: 'package_search',
      doc:
        'Searches the open datasets. Parameters: q (free text, or Solr syntax with fields), fq (organization, owner_org, tags, ' +
        'res_format, license_id, groups, name, id, identifier, title, text, metadata_modified, metadata_created, state, ' +
        'type; + - NOT AND OR, parentheses, field:(a OR b), [a TO b], *), sort (score, metadata_modified, ' +
        'metadata_created, name, title, id; asc/desc), rows (≤ 1000), start (any), facet, facet.field (organization, ' +
        'groups, tags, res_format, license_id), facet.limit, facet.mincount, fl, include_private. count is exact.',
      params: z.object({
        q: z.string().max(1000).optional(),
        fq: z.string().max(4000).optional(),
        sort: z.string().max(200).optional(),
        rows: ckanParam.int(0, 1000).default(10),
        start: ckanParam.int(0, 10_000_000).default(0),
        facet: ckanParam.bool.default(true),
        'facet.field': ckanParam.list.optional(),
        'facet.limit': ckanParam.int(-1, 10_000).default(50),
        'facet.mincount': ckanParam.int(0, 10_000_000).default(1),
        fl: z
          .union([z.array(z.string()), z.string()])
          .transform((v) => (Array.isArray(v) ? v : v.split(/[\s,]+/).filter(Boolean)))
          .optional(),
        include_private: ckanParam.bool.default(false),
        include_drafts: ckanParam.bool.default(false),
      }),
      result: ckanSearch,
      run: (p, _req, env) => packageSearch(k.db, p, env),
    }),
    defineAction({
      name: 'resource_show',
      doc: 'One resource (a download of an open dataset) by id. Parameters: id.',
      params: z.object({ id: ckanParam.id }),
      result: ckanResource,
      run: (p, _req, env) => resourceShow(k.db, p.id, env),
    }),
    defineAction({
      name: 'organization_list',
      doc: 'The departments (named by USCC). Parameters: all_fields, limit, offset.',
      params: z.object({ all_fields: ckanParam.bool.default(false), ...paging }),
      result: z.union([z.array(z.string()), z.array(ckanOrganization)]),
      run: (p) => organizationList(k.db, p),
    }),
    defineAction({
      name: 'organization_show',
      doc: 'One department by id or name. Parameters: id, include_datasets.',
      params: z.object({ id: ckanParam.id, include_datasets: ckanParam.bool.default(false) }),
      result: ckanOrganization.extend({ packages: z.array(ckanPackage).optional() }),
      run: (p, _req, env) => organizationShow(k.db, p.id, p.include_datasets, env),
    }),
    defineAction({
      name: 'group_list',
      doc: 'The second-level categories of the classification (cat-<code>). Parameters: all_fields, limit, offset.',
      params: z.object({ all_fields: ckanParam.bool.default(false), ...paging }),
      result: z.union([z.array(z.string()), z.array(ckanGroup)]),
      run: (p) => groupList(k.db, p),
    }),
    defineAction({
      name: 'group_show',
      doc: 'One group by id or name. Parameters: id.',
      params: z.object({ id: ckanParam.id }),
      result: ckanGroup,
      run: (p) => groupShow(k.db, p.id),
    }),
    defineAction({
      name: 'tag_list',
      doc: 'The tags in use (open types and update cycles). Parameters: query, all_fields.',
      params: z.object({ query: z.string().max(100).optional(), all_fields: ckanParam.bool.default(false) }),
      result: z.union([z.array(z.string()), z.array(ckanTag)]),
      run: (p) => tagList(k.db, p),
    }),
    defineAction({
      name: 'license_list',
      doc: 'The licences a node may publish under; the node uses one (GONGSHU_OPEN_LICENSE).',
      params: z.object({}),
      result: z.array(ckanLicence),
      run: async () => licenseList(),
    }),
    defineAction({
      name: 'status_show',
      doc: "The site's status: the CKAN API version it follows, its address and name.",
      params: z.object({}),
      result: ckanStatus,
      run: async (_p, _req, env) => {
        const node = (await getNode(k.db))!;
        return {
          ckan_version: '2.11.0',
          site_url: env.base,
          site_title: `${node.name}公共数据开放平台`,
          site_description: `${node.name}向社会开放的公共数据（Gongshu）`,
          locale_default: 'zh_Hans_CN',
          error_emails_to: null,
          extensions: ['datastore', 'dcat'],
        };
      },
    }),
  ]);
}
