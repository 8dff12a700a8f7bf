/**
 * The DCAT feed against the DCAT-AP 3.0.0 SHACL shapes (test/fixtures, copied from SEMIC with
 * their source) and the vocabulary facts a validator loads: 0 violations. The JSON-LD is read by
 * an independent JSON-LD processor (jsonld.js); the Turtle and RDF/XML answers must hold the same
 * triples. Paging, content negotiation, and no Host-derived IRIs in production.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsonld from 'jsonld';
import { Parser, Store, DataFactory, type Quad } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { seeded } from '../../../test/support/seed.js';
import { ITEMS, meta } from '../../../test/support/catalog.js';
import { systemCtx } from '../../kernel/http/context.js';
import { inTx } from '../../kernel/http/tx.js';
import { createResource, listCategories, reviewResource, submitResource } from './service.js';

let env: TestEnv;
const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/${name}`, import.meta.url), 'utf8');
const shapes = new Store(new Parser().parse(fixture('dcat-ap-3.0.0-SHACL.ttl')));
const facts = new Parser().parse(fixture('dcat-vocabulary-facts.ttl'));
const RDFS_RESOURCE = 'http://www.w3.org/2000/01/rdf-schema#Resource';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

beforeAll(async () => {
  env = await testEnv();
  const { dept } = await seeded(env);
  const ctx = systemCtx('test');
  const cats = await listCategories(ctx, env.rt.kernel.db);
  const c = (code: string) => cats.find((x) => x.fullCode === code)!.id;
  await inTx(env.rt.kernel.db, async (tx) => {
    for (const [d, m] of [
      [
        '淄博市市场监督管理局',
        meta(c('102'), { name: '企业登记信息', openType: 'unconditional', openCondition: null }),
      ],
      ['淄博市市场监督管理局', meta(c('204'), { name: '食品经营许可信息', updateCycle: 'monthly' })],
      ['淄博市公安局', meta(c('101'), { name: '居住证办理信息', openType: 'unconditional', openCondition: null })],
      ['淄博市公安局', meta(c('101'), { name: '户籍人口信息', openType: 'none', openCondition: null })],
    ] as const) {
      const r = await createResource(ctx, tx, { departmentId: dept(d), meta: m, items: ITEMS });
      await submitResource(ctx, tx, r.id);
      await reviewResource(ctx, tx, r.id, 'approve', undefined);
    }
  });
});
afterAll(async () => env.close());

const get = (url: string, accept?: string) => env.app.inject({ method: 'GET', url, headers: accept ? { accept } : {} });

/** The feed's triples as an independent JSON-LD processor reads them. */
async function quadsOfJsonLd(text: string): Promise<Quad[]> {
  const nquads = (await jsonld.toRDF(JSON.parse(text), { format: 'application/n-quads' })) as unknown as string;
  return new Parser({ format: 'N-Quads' }).parse(nquads);
}

async function violations(data: Quad[]) {
  const store = new Store([...data, ...facts]);
  // RDFS entailment, as a validator applies it: every IRI a property points at is an rdfs:Resource
  for (const q of data)
    if (q.object.termType === 'NamedNode')
      store.addQuad(DataFactory.quad(q.object, DataFactory.namedNode(RDF_TYPE), DataFactory.namedNode(RDFS_RESOURCE)));
  const report = await new SHACLValidator(shapes).validate(store);
  return report.results.map(
    (r) => `${r.focusNode?.value} ${r.path?.value ?? ''}: ${r.message.map((m) => m.value).join('; ')}`,
  );
}

/** Triples without blank nodes, as comparable strings. */
const ground = (qs: Quad[]) =>
  qs
    .filter((q) => q.subject.termType !== 'BlankNode' && q.object.termType !== 'BlankNode')
    .map(
      (q) =>
        `${q.subject.value} ${q.predicate.value} ${q.object.termType === 'Literal' ? JSON.stringify([q.object.value, q.object.language, q.object.datatype.value]) : q.object.value}`,
    )
    .sort();

describe('DCAT-AP 3.0', () => {
  it('conforms to the DCAT-AP 3.0.0 SHACL shapes: 0 violations; a dataset without a description is caught', async () => {
    const res = await get('/api/v1/open/catalog.jsonld');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/ld+json');
    const quads = await quadsOfJsonLd(res.body);
    expect(quads.filter((q) => q.object.value === 'http://www.w3.org/ns/dcat#Dataset')).toHaveLength(3);
    expect(await violations(quads)).toEqual([]);
    // the validator does find what is wrong
    const broken = quads.filter((q) => q.predicate.value !== 'http://purl.org/dc/terms/description');
    expect((await violations(broken)).some((v) => v.includes('description'))).toBe(true);
    // formats are IRIs, publishers named once per department
    expect(
      quads
        .filter((q) => q.predicate.value === 'http://purl.org/dc/terms/format')
        .every((q) => q.object.termType === 'NamedNode'),
    ).toBe(true);
    const agents = quads
      .filter((q) => q.object.value === 'http://xmlns.com/foaf/0.1/Agent')
      .map((q) => q.subject.value);
    expect(new Set(agents).size).toBe(agents.length);
  });

  it('answers Turtle and RDF/XML by extension and by Accept, with the same triples', async () => {
    const base = await quadsOfJsonLd((await get('/api/v1/open/catalog.jsonld')).body);
    const ttl = await get('/api/v1/open/catalog.ttl');
    expect(ttl.headers['content-type']).toContain('text/turtle');
    expect(ground(new Parser().parse(ttl.body))).toEqual(ground(base));
    const rdf = await get('/api/v1/open/catalog.rdf');
    expect(rdf.headers['content-type']).toContain('application/rdf+xml');
    const fromXml: Quad[] = await new Promise((resolve, reject) => {
      const out: Quad[] = [];
      Readable.from([rdf.body])
        .pipe(new RdfXmlParser())
        .on('data', (q: Quad) => out.push(q))
        .on('error', reject)
        .on('end', () => resolve(out));
    });
    expect(ground(fromXml)).toEqual(ground(base));
    expect(fromXml.length).toBe(base.length);
    expect((await get('/api/v1/open/catalog', 'text/turtle')).headers['content-type']).toContain('text/turtle');
    expect((await get('/api/v1/open/catalog', 'application/rdf+xml')).headers['content-type']).toContain('rdf+xml');
    expect((await get('/api/v1/open/catalog')).headers['content-type']).toContain('ld+json');
  });

  it('pages a large catalog with Hydra links', async () => {
    const first = JSON.parse((await get('/api/v1/open/catalog.jsonld?pageSize=2')).body);
    const cat = first['@graph'][0];
    expect(cat['dcat:dataset']).toHaveLength(2);
    expect(cat['hydra:view']['hydra:next']['@id']).toContain('page=2&pageSize=2');
    const next = JSON.parse((await get('/api/v1/open/catalog.jsonld?page=2&pageSize=2')).body)['@graph'][0];
    expect(next['dcat:dataset']).toHaveLength(1);
    expect(next['hydra:view']['hydra:next']).toBeUndefined();
    expect(next['hydra:view']['hydra:previous']['@id']).toContain('page=1');
  });

  it('builds IRIs from GONGSHU_PUBLIC_URL; in production without it, refuses rather than trust the Host header', async () => {
    const cfg = env.rt.kernel.config;
    cfg.publicUrl = 'https://data.example.gov.cn/';
    try {
      const doc = JSON.parse((await get('/api/v1/open/catalog.jsonld')).body);
      expect(doc['@graph'][0]['@id']).toBe('https://data.example.gov.cn/api/v1/open/catalog.jsonld');
      cfg.publicUrl = undefined;
      cfg.production = true;
      const refused = await get('/api/v1/open/catalog.jsonld');
      expect(refused.statusCode).toBe(503);
      expect(refused.json().code).toBe('PUBLIC_URL_REQUIRED');
      const ckan = await get('/api/3/action/package_list');
      expect(ckan.json()).toMatchObject({ success: false, error: { __type: 'Internal Server Error' } });
    } finally {
      cfg.publicUrl = undefined;
      cfg.production = false;
    }
  });
});
