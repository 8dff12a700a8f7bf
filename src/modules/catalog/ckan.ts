/**
 * Open data, readable by existing tools: a read-only CKAN-compatible Action API (package_list,
 * package_show, package_search, organization_list, organization_show) in CKAN's envelope, and a
 * DCAT JSON-LD feed. Only published resources whose open type is not 不予开放 are visible.
 */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import { cat } from './repo.js';
import { searchCatalog } from './search.js';
import {
  FORMAT_CLASSES,
  OPEN_TYPE_ZH,
  SHARE_TYPE_ZH,
  UPDATE_CYCLE_ZH,
  type DataItem,
  type ResourceMeta,
} from './schema.js';

export class CkanError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const packageName = (code: string) => code.toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
const orgName = (d: { id: string; uscc: string | null }) => (d.uscc ? d.uscc.toLowerCase() : d.id);

async function openRows(tx: Tx) {
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
type OpenRow = Awaited<ReturnType<Awaited<ReturnType<typeof openRows>>['execute']>>[number];

function organization(d: { id: string; name: string; uscc: string | null }, count?: number) {
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
    ...(count !== undefined && { package_count: count }),
  };
}

function packageDict(r: OpenRow, baseUrl: string) {
  const m = r.meta as ResourceMeta;
  const items = r.items as DataItem[];
  const name = packageName(r.code!);
  return {
    id: r.id,
    name,
    title: m.name,
    notes: m.summary,
    type: 'dataset',
    state: 'active',
    private: false,
    license_id: 'notspecified',
    metadata_created: r.first_published_at?.toISOString() ?? null,
    metadata_modified: r.published_at?.toISOString() ?? null,
    version: String(r.version),
    url: `${baseUrl}/catalog/${r.id}`,
    owner_org: r.dept_id,
    organization: organization({ id: r.dept_id, name: r.dept_name, uscc: r.dept_uscc }),
    tags: [{ name: OPEN_TYPE_ZH[m.openType] }, { name: UPDATE_CYCLE_ZH[m.updateCycle] }],
    num_tags: 2,
    num_resources: 1,
    resources: [
      {
        id: `${r.id}-api`,
        package_id: r.id,
        name: m.name,
        description: items.map((i) => i.label).join('、'),
        format: m.formatDetail ?? FORMAT_CLASSES[m.formatClass as keyof typeof FORMAT_CLASSES],
        url: `${baseUrl}/api/v1/catalog/resources/${r.id}`,
        state: 'active',
        position: 0,
      },
    ],
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

export async function packageList(tx: Tx): Promise<string[]> {
  const rows = await (await openRows(tx)).orderBy('r.code').execute();
  return rows.map((r) => packageName(r.code!));
}

export async function packageShow(tx: Tx, id: string, baseUrl: string) {
  const rows = await (
    await openRows(tx)
  )
    .where((eb) =>
      eb.or([
        eb(sql<string>`r.id::text`, '=', id),
        eb(sql<string>`lower(regexp_replace(r.code, '[^A-Za-z0-9_-]+', '-', 'g'))`, '=', id),
      ]),
    )
    .execute();
  if (!rows[0]) throw new CkanError(404, 'Not Found Error', 'Not found');
  return packageDict(rows[0], baseUrl);
}

export async function packageSearch(
  tx: Tx,
  p: { q?: string | undefined; fq?: string | undefined; rows: number; start: number },
  baseUrl: string,
) {
  let departmentId: string | undefined;
  if (p.fq) {
    const m = /organization:"?([^"\s]+)"?/.exec(p.fq);
    if (!m) throw new CkanError(409, 'Validation Error', 'fq supports organization:<name> only');
    const org = await tx
      .selectFrom('kernel.department')
      .select('id')
      .where((eb) =>
        eb.or([eb(sql<string>`lower(uscc)`, '=', m[1]!.toLowerCase()), eb(sql<string>`id::text`, '=', m[1]!)]),
      )
      .executeTakeFirst();
    if (!org)
      return { count: 0, results: [], sort: 'score desc, metadata_modified desc', facets: {}, search_facets: {} };
    departmentId = org.id;
  }
  const pageSize = Math.min(Math.max(p.rows, 0), 1000);
  // CKAN pages by row offset; the catalog search pages by page number: read enough pages to cover [start, start + rows)
  const found = await searchCatalog(null, tx, {
    q: p.q && p.q !== '*:*' ? p.q : undefined,
    departmentId,
    openOnly: true,
    page: 1,
    pageSize: Math.min(p.start + pageSize, 1000) || 1,
  });
  const ids = found.items.slice(p.start, p.start + pageSize).map((i) => i.id);
  const rows = ids.length ? await (await openRows(tx)).where('r.id', 'in', ids).execute() : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    count: found.total,
    sort: 'score desc, metadata_modified desc',
    results: ids
      .map((id) => byId.get(id))
      .filter((r): r is OpenRow => Boolean(r))
      .map((r) => packageDict(r, baseUrl)),
    facets: {},
    search_facets: {},
  };
}

async function orgCounts(tx: Tx) {
  const rows = await (await openRows(tx)).execute();
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.dept_id, (counts.get(r.dept_id) ?? 0) + 1);
  return counts;
}

export async function organizationList(tx: Tx): Promise<string[]> {
  const depts = await tx
    .selectFrom('kernel.department')
    .select(['id', 'uscc'])
    .where('status', '=', 'active')
    .orderBy('name')
    .execute();
  return depts.map(orgName);
}

export async function organizationShow(tx: Tx, id: string, includeDatasets: boolean, baseUrl: string) {
  const d = await tx
    .selectFrom('kernel.department')
    .select(['id', 'name', 'uscc'])
    .where((eb) => eb.or([eb(sql<string>`lower(uscc)`, '=', id.toLowerCase()), eb(sql<string>`id::text`, '=', id)]))
    .executeTakeFirst();
  if (!d) throw new CkanError(404, 'Not Found Error', 'Not found');
  const counts = await orgCounts(tx);
  const org = organization(d, counts.get(d.id) ?? 0);
  if (!includeDatasets) return org;
  const rows = await (await openRows(tx)).where('r.department_id', '=', d.id).orderBy('r.code').limit(1000).execute();
  return { ...org, packages: rows.map((r) => packageDict(r, baseUrl)) };
}

const FREQUENCY: Record<string, string> = {
  realtime: 'CONT',
  daily: 'DAILY',
  weekly: 'WEEKLY',
  monthly: 'MONTHLY',
  quarterly: 'QUARTERLY',
  semiannual: 'BIANNUAL',
  yearly: 'ANNUAL',
  irregular: 'IRREG',
};

/** The open catalog as DCAT (JSON-LD). */
export async function dcatFeed(tx: Tx, baseUrl: string, node: { name: string }) {
  const rows = await (await openRows(tx)).orderBy('r.code').limit(10_000).execute();
  return {
    '@context': {
      dcat: 'http://www.w3.org/ns/dcat#',
      dct: 'http://purl.org/dc/terms/',
      foaf: 'http://xmlns.com/foaf/0.1/',
      xsd: 'http://www.w3.org/2001/XMLSchema#',
      vcard: 'http://www.w3.org/2006/vcard/ns#',
    },
    '@id': `${baseUrl}/api/v1/open/catalog.jsonld`,
    '@type': 'dcat:Catalog',
    'dct:title': { '@language': 'zh', '@value': `${node.name}公共数据开放目录` },
    'dct:description': { '@language': 'zh', '@value': `${node.name}向社会开放的公共数据资源` },
    'dct:publisher': { '@type': 'foaf:Organization', 'foaf:name': node.name },
    'dcat:dataset': rows.map((r) => {
      const m = r.meta as ResourceMeta;
      return {
        '@id': `${baseUrl}/catalog/${r.id}`,
        '@type': 'dcat:Dataset',
        'dct:identifier': r.code,
        'dct:title': { '@language': 'zh', '@value': m.name },
        'dct:description': { '@language': 'zh', '@value': m.summary },
        'dct:publisher': { '@type': 'foaf:Organization', 'foaf:name': r.dept_name },
        'dct:issued': { '@type': 'xsd:dateTime', '@value': r.first_published_at?.toISOString() },
        'dct:modified': { '@type': 'xsd:dateTime', '@value': r.published_at?.toISOString() },
        'dct:accrualPeriodicity': {
          '@id': `http://publications.europa.eu/resource/authority/frequency/${FREQUENCY[m.updateCycle]}`,
        },
        'dcat:keyword': [OPEN_TYPE_ZH[m.openType], ...(r.items as DataItem[]).slice(0, 10).map((i) => i.label)],
        'dcat:distribution': [
          {
            '@type': 'dcat:Distribution',
            'dcat:accessURL': { '@id': `${baseUrl}/api/v1/catalog/resources/${r.id}` },
            'dct:format': m.formatDetail ?? FORMAT_CLASSES[m.formatClass as keyof typeof FORMAT_CLASSES],
          },
        ],
      };
    }),
  };
}
