/**
 * The open catalog as DCAT (JSON-LD), towards DCAT-AP 3.0: each dataset with its landing page (the
 * public portal page), download distributions (formats and media types as IRIs of the EU file-type
 * vocabulary and IANA), licence, access rights (无条件开放 → PUBLIC, 有条件开放 → RESTRICTED), contact
 * point, publisher (one agent per department, its USCC as identifier) and theme (the classification).
 * Large catalogs come in pages (Hydra's PartialCollectionView, as DCAT-AP harvesters page).
 */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import { OPEN_TYPE_ZH, type DataItem, type ResourceMeta } from './schema.js';
import {
  categoryCodes,
  downloadUrl,
  FORMATS,
  groupsByCode,
  LICENCES,
  openRows,
  orgName,
  portalPage,
  type CkanEnv,
} from './ckan.js';

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
const EU = 'http://publications.europa.eu/resource/authority';
const ACCESS = { unconditional: `${EU}/access-right/PUBLIC`, conditional: `${EU}/access-right/RESTRICTED` } as const;
const lit = (v: string) => ({ '@language': 'zh', '@value': v });

export const DCAT_PAGE_MAX = 5_000;

export async function dcatFeed(
  tx: Tx,
  env: CkanEnv,
  node: { name: string },
  contactEmail: string | undefined,
  paging: { page: number; pageSize: number; self: (page: number) => string },
) {
  const [rows, total, groups, codes] = await Promise.all([
    openRows(tx)
      .orderBy('r.code')
      .limit(paging.pageSize)
      .offset((paging.page - 1) * paging.pageSize)
      .execute(),
    openRows(tx)
      .clearSelect()
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => r.n),
    groupsByCode(tx),
    categoryCodes(tx),
  ]);
  const last = Math.max(1, Math.ceil(total / paging.pageSize));
  const agents = new Map<string, { '@id': string; '@type': string; 'foaf:name': unknown; 'dct:identifier'?: string }>();
  const agentOf = (r: (typeof rows)[number]) => {
    const id = `${env.base}/api/3/action/organization_show?id=${orgName({ id: r.dept_id, uscc: r.dept_uscc })}`;
    if (!agents.has(id))
      agents.set(id, {
        '@id': id,
        '@type': 'foaf:Agent',
        'foaf:name': lit(r.dept_name),
        ...(r.dept_uscc && { 'dct:identifier': r.dept_uscc }),
      });
    return { '@id': id };
  };
  const scheme = `${env.base}/api/3/action/group_list`;
  return {
    '@context': {
      dcat: 'http://www.w3.org/ns/dcat#',
      dct: 'http://purl.org/dc/terms/',
      foaf: 'http://xmlns.com/foaf/0.1/',
      xsd: 'http://www.w3.org/2001/XMLSchema#',
      vcard: 'http://www.w3.org/2006/vcard/ns#',
      skos: 'http://www.w3.org/2004/02/skos/core#',
      hydra: 'http://www.w3.org/ns/hydra/core#',
    },
    '@graph': [
      {
        '@id': `${env.base}/api/v1/open/catalog.jsonld`,
        '@type': 'dcat:Catalog',
        'dct:title': lit(`${node.name}公共数据开放目录`),
        'dct:description': lit(`${node.name}向社会开放的公共数据资源`),
        'dct:publisher': { '@id': `${env.base}/` },
        'foaf:homepage': { '@id': `${env.base}/open`, '@type': 'foaf:Document' },
        'dct:license': { '@id': LICENCES[env.licence].iri },
        'dcat:themeTaxonomy': { '@id': scheme },
        'dcat:dataset': rows.map((r) => ({ '@id': portalPage(env.base, r.id) })),
        ...(last > 1 && {
          'hydra:view': {
            '@id': paging.self(paging.page),
            '@type': 'hydra:PartialCollectionView',
            'hydra:totalItems': { '@type': 'xsd:integer', '@value': String(total) },
            'hydra:first': { '@id': paging.self(1) },
            'hydra:last': { '@id': paging.self(last) },
            ...(paging.page > 1 && { 'hydra:previous': { '@id': paging.self(paging.page - 1) } }),
            ...(paging.page < last && { 'hydra:next': { '@id': paging.self(paging.page + 1) } }),
          },
        }),
      },
      { '@id': `${env.base}/`, '@type': 'foaf:Agent', 'foaf:name': lit(node.name) },
      {
        '@id': scheme,
        '@type': 'skos:ConceptScheme',
        'dct:title': lit('公共数据资源分类'),
      },
      ...[...groups.values()].map((g) => ({
        '@id': `${env.base}/api/3/action/group_show?id=cat-${g.fullCode}`,
        '@type': 'skos:Concept',
        'skos:prefLabel': lit(g.name),
        'skos:notation': g.fullCode,
        'skos:inScheme': { '@id': scheme },
      })),
      ...rows.map((r) => {
        const m = r.meta as ResourceMeta;
        const open = m.openType as 'unconditional' | 'conditional';
        const landing = portalPage(env.base, r.id);
        const group = groups.get((codes.get(m.categoryId) ?? '').slice(0, 3));
        return {
          '@id': landing,
          '@type': 'dcat:Dataset',
          'dct:identifier': r.code,
          'dct:title': lit(m.name),
          'dct:description': lit(m.summary),
          'dct:publisher': agentOf(r),
          'dcat:contactPoint': {
            '@type': ['vcard:Organization', 'vcard:Kind'],
            'vcard:fn': lit(r.dept_name),
            ...(contactEmail && { 'vcard:hasEmail': { '@id': `mailto:${contactEmail}` } }),
          },
          'dcat:landingPage': { '@id': landing, '@type': 'foaf:Document' },
          'dct:accessRights': { '@id': ACCESS[open] },
          'dct:issued': { '@type': 'xsd:dateTime', '@value': r.first_published_at?.toISOString() },
          'dct:modified': { '@type': 'xsd:dateTime', '@value': r.published_at?.toISOString() },
          'dct:accrualPeriodicity': { '@id': `${EU}/frequency/${FREQUENCY[m.updateCycle]}` },
          ...(group && { 'dcat:theme': { '@id': `${env.base}/api/3/action/group_show?id=cat-${group.fullCode}` } }),
          'dcat:keyword': [OPEN_TYPE_ZH[m.openType], ...(r.items as DataItem[]).slice(0, 10).map((i) => i.label)].map(
            lit,
          ),
          'dcat:distribution': r.dataset_table
            ? FORMATS.map((f) => ({
                '@type': 'dcat:Distribution',
                'dct:title': lit(`${m.name}（${f.format}）`),
                'dcat:accessURL': { '@id': downloadUrl(env.base, r.id, f.suffix) },
                'dcat:downloadURL': { '@id': downloadUrl(env.base, r.id, f.suffix) },
                'dct:format': { '@id': `${EU}/file-type/${f.format}` },
                'dcat:mediaType': { '@id': `https://www.iana.org/assignments/media-types/${f.mimetype}` },
                'dct:license': { '@id': LICENCES[env.licence].iri },
                'dct:accessRights': { '@id': ACCESS[open] },
              }))
            : [],
        };
      }),
      ...[...agents.values()],
    ],
  };
}
