/**
 * Open data, readable by existing tools: a read-only CKAN-compatible Action API (CKAN 2.11's dicts:
 * packages, resources, organizations, groups, tags, licences) in CKAN's envelope. Only published
 * resources whose open type is not 不予开放 are visible. A package's resources are its anonymous
 * downloads (CSV, with the DataStore behind it, and XLSX); its url is the public portal page.
 * Organizations are the departments (named by their USCC), groups the classification's second level.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import { cat } from './repo.js';
import { OPEN_TYPE_ZH, SHARE_TYPE_ZH, UPDATE_CYCLE_ZH, type DataItem, type ResourceMeta } from './schema.js';

/** An error in CKAN's terms: its `__type`, status, and either a message or field errors (Validation Error). */
export class CkanError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly fields?: Record<string, string[]>,
  ) {
    super(message);
  }
}
export const notFound = (what: string) => new CkanError(404, 'Not Found Error', `Not found: ${what}`);
export const searchError = (why: string) => new CkanError(409, 'Search Error', `Search error: ('${why}',)`);

/** The licences a node may publish under (CKAN's ids), with their DCAT IRIs. */
export const LICENCES = {
  'cc-by': {
    title: 'Creative Commons Attribution',
    url: 'http://www.opendefinition.org/licenses/cc-by',
    iri: 'http://publications.europa.eu/resource/authority/licence/CC_BY_4_0',
  },
  'cc-by-sa': {
    title: 'Creative Commons Attribution Share-Alike',
    url: 'http://www.opendefinition.org/licenses/cc-by-sa',
    iri: 'http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0',
  },
  'cc-zero': {
    title: 'Creative Commons CCZero',
    url: 'http://www.opendefinition.org/licenses/cc-zero',
    iri: 'http://publications.europa.eu/resource/authority/licence/CC0',
  },
  'odc-by': {
    title: 'Open Data Commons Attribution License',
    url: 'http://www.opendefinition.org/licenses/odc-by',
    iri: 'http://publications.europa.eu/resource/authority/licence/ODC_BY',
  },
  'odc-odbl': {
    title: 'Open Data Commons Open Database License (ODbL)',
    url: 'http://www.opendefinition.org/licenses/odc-odbl',
    iri: 'http://publications.europa.eu/resource/authority/licence/ODC_BL',
  },
  'other-at': {
    title: 'Other (Attribution)',
    url: '',
    iri: 'http://publications.europa.eu/resource/authority/licence/OP_DATPRO',
  },
} as const;
export type LicenceId = keyof typeof LICENCES;

export interface CkanEnv {
  /** the node's public address, no trailing slash */
  base: string;
  licence: LicenceId;
}

export const packageName = (code: string) => code.toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
export const orgName = (d: { id: string; uscc: string | null }) => (d.uscc ? d.uscc.toLowerCase() : d.id);
/** a group per second-level category: cat-<full code> */
export const groupName = (fullCode: string) => `cat-${fullCode}`;
/** a stable id for a tag (CKAN gives tags UUIDs): the UUID-shaped SM-free hash of its name */
const tagId = (name: string) => {
  const h = createHash('sha1').update(`gongshu-tag:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** Published open resources with their version, department and data table. */
export function openRows(tx: Tx) {
  return cat(tx)
    .selectFrom('catalog.resource as r')
    .innerJoin('catalog.resource_version as v', (j) =>
      j.onRef('v.resource_id', '=', 'r.id').onRef('v.version', '=', 'r.published_version'),
    )
    .innerJoin('kernel.department as d', 'd.id', 'r.department_id')
    .where('r.status', '=', 'published')
    .where(sql<boolean>`v.meta->>'openType' <> 'none'`)
    .select([
      'r.id',
      'r.code',
      'r.dataset_table',
      'r.first_published_at',
      'v.published_at',
      'v.meta',
      'v.items',
      'v.version',
      'd.id as dept_id',
      'd.name as dept_name',
      'd.uscc as dept_uscc',
    ]);
}
export type OpenRow = Awaited<ReturnType<ReturnType<typeof openRows>['execute']>>[number];

export interface Group {
  id: string;
  fullCode: string;
  name: string;
}
/** The second-level categories, by full code (the groups). */
export async function groupsByCode(tx: Tx): Promise<Map<string, Group>> {
  const rows = await cat(tx)
    .selectFrom('catalog.category')
    .select(['id', 'full_code', 'name'])
    .where('level', '=', 2)
    .orderBy('full_code')
    .execute();
  return new Map(rows.map((c) => [c.full_code, { id: c.id, fullCode: c.full_code, name: c.name }]));
}
/** Full code of each category id (for the group of a resource's category). */
export async function categoryCodes(tx: Tx): Promise<Map<string, string>> {
  const rows = await cat(tx).selectFrom('catalog.category').select(['id', 'full_code']).execute();
  return new Map(rows.map((c) => [c.id, c.full_code]));
}

export function organizationDict(d: { id: string; name: string; uscc: string | null }, count?: number) {
  return {
    id: d.id,
    name: orgName(d),
    title: d.name,
    display_name: d.name,
    type: 'organization',
    is_organization: true,
    state: 'active',
    approval_status: 'approved',
    description: '',
    image_url: '',
    image_display_url: '',
    created: null,
    ...(count !== undefined && { package_count: count }),
  };
}

export function groupDict(g: Group, count?: number) {
  return {
    id: g.id,
    name: groupName(g.fullCode),
    title: g.name,
    display_name: g.name,
    type: 'group',
    is_organization: false,
    state: 'active',
    approval_status: 'approved',
    description: '',
    image_url: '',
    image_display_url: '',
    ...(count !== undefined && { package_count: count }),
  };
}

export function tagDict(name: string) {
  return { id: tagId(name), name, display_name: name, state: 'active', vocabulary_id: null };
}
/** A package's tags: its open type and update cycle (both filterable as tags:…). */
export const tagsOf = (m: Pick<ResourceMeta, 'openType' | 'updateCycle'>) => [
  OPEN_TYPE_ZH[m.openType],
  UPDATE_CYCLE_ZH[m.updateCycle],
];

/** The formats a package's resources come in (none while it has no data table). */
export const FORMATS = [
  { suffix: 'csv', format: 'CSV', mimetype: 'text/csv', datastore: true },
  {
    suffix: 'xlsx',
    format: 'XLSX',
    mimetype: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    datastore: false,
  },
] as const;

/** The public portal page of an open dataset. */
export const portalPage = (base: string, id: string) => `${base}/open/${id}`;
export const downloadUrl = (base: string, id: string, format: string) =>
  `${base}/api/v1/open/resources/${id}/download?format=${format}`;

function resourceDicts(r: OpenRow, env: CkanEnv) {
  if (!r.dataset_table) return [];
  const m = r.meta as ResourceMeta;
  const items = (r.items as DataItem[]).filter((i) => i.grade === 1);
  const when = (r.published_at ?? r.first_published_at)?.toISOString().replace('Z', '') ?? null;
  return FORMATS.map((f, position) => ({
    id: `${r.id}-${f.suffix}`,
    package_id: r.id,
    name: `${m.name}（${f.format}）`,
    description: `${items.map((i) => i.label).join('、')}${m.openType === 'conditional' ? '。有条件开放：须持已获批准的开放密钥（X-Gs-Open-Key）' : ''}`,
    format: f.format,
    mimetype: f.mimetype,
    mimetype_inner: null,
    url: downloadUrl(env.base, r.id, f.suffix),
    url_type: null,
    resource_type: null,
    size: null,
    hash: '',
    state: 'active',
    position,
    created: r.first_published_at?.toISOString().replace('Z', '') ?? null,
    last_modified: when,
    metadata_modified: when,
    cache_url: null,
    cache_last_updated: null,
    datastore_active: f.datastore,
  }));
}

/** CKAN writes times as naive ISO strings in UTC (2024-05-01T08:00:00.123456); so does this API. */
const ckanTime = (d: Date | null | undefined) => d?.toISOString().replace('Z', '') ?? null;

export function packageDict(r: OpenRow, env: CkanEnv, groups: Map<string, Group>, codes: Map<string, string>) {
  const m = r.meta as ResourceMeta;
  const items = r.items as DataItem[];
  const lic = LICENCES[env.licence];
  const code = codes.get(m.categoryId) ?? '';
  const group = groups.get(code.slice(0, 3));
  const tags = tagsOf(m);
  const resources = resourceDicts(r, env);
  const maintainer = m.shandong?.metadataMaintainer ?? r.dept_name;
  return {
    id: r.id,
    name: packageName(r.code!),
    title: m.name,
    notes: m.summary,
    type: 'dataset',
    state: 'active',
    private: false,
    isopen: env.licence !== 'other-at',
    license_id: env.licence,
    license_title: lic.title,
    license_url: lic.url,
    author: r.dept_name,
    author_email: null,
    maintainer,
    maintainer_email: null,
    creator_user_id: null,
    metadata_created: ckanTime(r.first_published_at),
    metadata_modified: ckanTime(r.published_at),
    version: String(r.version),
    url: portalPage(env.base, r.id),
    owner_org: r.dept_id,
    organization: organizationDict({ id: r.dept_id, name: r.dept_name, uscc: r.dept_uscc }),
    groups: group ? [groupDict(group)] : [],
    tags: tags.map(tagDict),
    num_tags: tags.length,
    resources,
    num_resources: resources.length,
    relationships_as_object: [],
    relationships_as_subject: [],
    extras: [
      { key: 'identifier', value: r.code },
      { key: 'share_type', value: SHARE_TYPE_ZH[m.shareType] },
      { key: 'open_type', value: OPEN_TYPE_ZH[m.openType] },
      ...(m.openCondition ? [{ key: 'open_condition', value: m.openCondition }] : []),
      { key: 'update_cycle', value: UPDATE_CYCLE_ZH[m.updateCycle] },
      { key: 'data_items', value: items.map((i) => `${i.label}(${i.name})`).join(', ') },
    ],
  };
}
export type PackageDict = ReturnType<typeof packageDict>;

/** Package dicts of the given resources, in that order. */
export async function packagesByIds(tx: Tx, ids: string[], env: CkanEnv): Promise<PackageDict[]> {
  if (!ids.length) return [];
  const [rows, groups, codes] = await Promise.all([
    openRows(tx).where('r.id', 'in', ids).execute(),
    groupsByCode(tx),
    categoryCodes(tx),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [packageDict(r, env, groups, codes)] : [];
  });
}

export async function packageList(tx: Tx, p: { limit?: number | undefined; offset: number }): Promise<string[]> {
  const rows = await openRows(tx)
    .orderBy('r.code')
    .$if(p.limit !== undefined, (b) => b.limit(p.limit!))
    .offset(p.offset)
    .execute();
  return rows.map((r) => packageName(r.code!));
}

async function openIdOf(tx: Tx, id: string): Promise<string> {
  const r = await openRows(tx)
    .where((eb) =>
      eb.or([
        eb(sql<string>`r.id::text`, '=', id),
        eb(sql<string>`lower(regexp_replace(r.code, '[^A-Za-z0-9_-]+', '-', 'g'))`, '=', id.toLowerCase()),
      ]),
    )
    .executeTakeFirst();
  if (!r) throw notFound('Dataset not found');
  return r.id;
}

export async function packageShow(tx: Tx, id: string, env: CkanEnv) {
  return (await packagesByIds(tx, [await openIdOf(tx, id)], env))[0]!;
}

/** A resource by its id (`<package id>-csv` / `-xlsx`). */
export async function resourceShow(tx: Tx, id: string, env: CkanEnv) {
  const m = /^([0-9a-f-]{36})-([a-z]+)$/i.exec(id);
  const pkg = m ? (await packagesByIds(tx, [m[1]!.toLowerCase()], env))[0] : undefined;
  const res = pkg?.resources.find((r) => r.id === id.toLowerCase());
  if (!res) throw notFound('Resource was not found.');
  return res;
}
