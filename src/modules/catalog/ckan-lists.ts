/** CKAN's lists and shows of organizations (departments), groups (categories), tags and licences. */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import { cat } from './repo.js';
import type { ResourceMeta } from './schema.js';
import {
  groupDict,
  groupName,
  groupsByCode,
  LICENCES,
  notFound,
  openRows,
  organizationDict,
  orgName,
  packagesByIds,
  tagDict,
  tagsOf,
  type CkanEnv,
} from './ckan.js';

async function orgCounts(tx: Tx): Promise<Map<string, number>> {
  const rows = await cat(tx)
    .selectFrom('catalog.entry')
    .select(['department_id', sql<number>`count(*)::int`.as('n')])
    .where('open_type', '!=', 'none')
    .groupBy('department_id')
    .execute();
  return new Map(rows.map((r) => [r.department_id, r.n]));
}

export async function organizationList(
  tx: Tx,
  p: { all_fields: boolean; limit?: number | undefined; offset: number },
): Promise<string[] | ReturnType<typeof organizationDict>[]> {
  const depts = await tx
    .selectFrom('kernel.department')
    .select(['id', 'name', 'uscc'])
    .where('status', '=', 'active')
    .orderBy('name')
    .$if(p.limit !== undefined, (b) => b.limit(p.limit!))
    .offset(p.offset)
    .execute();
  if (!p.all_fields) return depts.map(orgName);
  const counts = await orgCounts(tx);
  return depts.map((d) => organizationDict(d, counts.get(d.id) ?? 0));
}

export async function organizationShow(tx: Tx, id: string, includeDatasets: boolean, env: CkanEnv) {
  const d = await tx
    .selectFrom('kernel.department')
    .select(['id', 'name', 'uscc'])
    .where((eb) => eb.or([eb(sql<string>`lower(uscc)`, '=', id.toLowerCase()), eb(sql<string>`id::text`, '=', id)]))
    .executeTakeFirst();
  if (!d) throw notFound('Organization was not found.');
  const org = organizationDict(d, (await orgCounts(tx)).get(d.id) ?? 0);
  if (!includeDatasets) return org;
  const ids = await openRows(tx).where('r.department_id', '=', d.id).orderBy('r.code').limit(1000).execute();
  return {
    ...org,
    packages: await packagesByIds(
      tx,
      ids.map((r) => r.id),
      env,
    ),
  };
}

async function groupCounts(tx: Tx): Promise<Map<string, number>> {
  const rows = await cat(tx)
    .selectFrom('catalog.entry')
    .select([sql<string>`left(category_code, 3)`.as('g'), sql<number>`count(*)::int`.as('n')])
    .where('open_type', '!=', 'none')
    .groupBy(sql`1`)
    .execute();
  return new Map(rows.map((r) => [r.g, r.n]));
}

export async function groupList(tx: Tx, p: { all_fields: boolean; limit?: number | undefined; offset: number }) {
  const all = [...(await groupsByCode(tx)).values()].slice(
    p.offset,
    p.limit === undefined ? undefined : p.offset + p.limit,
  );
  if (!p.all_fields) return all.map((g) => groupName(g.fullCode));
  const counts = await groupCounts(tx);
  return all.map((g) => groupDict(g, counts.get(g.fullCode) ?? 0));
}

export async function groupShow(tx: Tx, id: string) {
  const g = [...(await groupsByCode(tx)).values()].find((x) => x.id === id || groupName(x.fullCode) === id);
  if (!g) throw notFound('Group was not found.');
  return groupDict(g, (await groupCounts(tx)).get(g.fullCode) ?? 0);
}

/** Every tag in use: the open types and update cycles (a query filters by substring). */
export async function tagList(tx: Tx, p: { query?: string | undefined; all_fields: boolean }) {
  const rows = await cat(tx)
    .selectFrom('catalog.entry')
    .select(['open_type', 'update_cycle'])
    .where('open_type', '!=', 'none')
    .distinct()
    .execute();
  const names = [
    ...new Set(
      rows.flatMap((r) =>
        tagsOf({
          openType: r.open_type as ResourceMeta['openType'],
          updateCycle: r.update_cycle as ResourceMeta['updateCycle'],
        }),
      ),
    ),
  ]
    .filter((n) => !p.query || n.includes(p.query))
    .sort();
  return p.all_fields ? names.map(tagDict) : names;
}

export function licenseList() {
  return Object.entries(LICENCES).map(([id, l]) => ({
    id,
    title: l.title,
    url: l.url,
    status: 'active',
    maintainer: '',
    family: '',
    is_generic: id === 'other-at',
    is_okd_compliant: id !== 'other-at',
    is_osi_compliant: false,
    od_conformance: id === 'other-at' ? 'not reviewed' : 'approved',
    osd_conformance: 'not reviewed',
    domain_content: false,
    domain_data: true,
    domain_software: false,
  }));
}
