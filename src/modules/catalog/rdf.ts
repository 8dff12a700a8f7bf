/**
 * The DCAT feed in other RDF syntaxes. The feed is built once, as JSON-LD in a plain form (prefixed
 * names from its own context; values are plain strings, `{@value, @language | @type}` literals,
 * `{@id}` references, nested nodes and arrays); this turns that form into triples, then Turtle
 * (with n3's writer) or RDF/XML (written here: one rdf:Description per subject, which every
 * RDF/XML reader accepts). A test reads all three back and compares the triples.
 */
import { DataFactory, Writer, type BlankNode, type Literal, type NamedNode, type Quad } from 'n3';

const { namedNode, literal, blankNode, quad } = DataFactory;
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export interface JsonLdDoc {
  '@context': Record<string, string>;
  '@graph': Record<string, Json>[];
}

/** The triples of a JSON-LD document in the plain form above. */
export function toQuads(doc: JsonLdDoc): Quad[] {
  const ctx = doc['@context'];
  const iri = (name: string) => {
    const i = name.indexOf(':');
    const p = i > 0 ? ctx[name.slice(0, i)] : undefined;
    return p && !name.slice(i + 1).startsWith('//') ? p + name.slice(i + 1) : name;
  };
  const out: Quad[] = [];
  let n = 0;
  const node = (o: Record<string, Json>): NamedNode | BlankNode => {
    const s = typeof o['@id'] === 'string' ? namedNode(iri(o['@id'])) : blankNode(`b${n++}`);
    for (const [k, v] of Object.entries(o)) {
      if (k === '@id') continue;
      for (const x of Array.isArray(v) ? v : [v]) {
        if (x === null || x === undefined) continue;
        if (k === '@type') out.push(quad(s, namedNode(RDF_TYPE), namedNode(iri(String(x)))));
        else out.push(quad(s, namedNode(iri(k)), value(x)));
      }
    }
    return s;
  };
  const value = (x: Json): NamedNode | BlankNode | Literal => {
    if (typeof x === 'string') return literal(x);
    if (typeof x === 'number' || typeof x === 'boolean') return literal(String(x));
    const o = x as Record<string, Json>;
    if ('@value' in o) {
      if (typeof o['@language'] === 'string') return literal(String(o['@value']), o['@language']);
      if (typeof o['@type'] === 'string') return literal(String(o['@value']), namedNode(iri(o['@type'])));
      return literal(String(o['@value']));
    }
    if (Object.keys(o).length === 1 && typeof o['@id'] === 'string') return namedNode(iri(o['@id']));
    return node(o);
  };
  for (const o of doc['@graph']) node(o);
  return out;
}

export function toTurtle(doc: JsonLdDoc): Promise<string> {
  const w = new Writer({ prefixes: doc['@context'] });
  w.addQuads(toQuads(doc));
  return new Promise((resolve, reject) => w.end((e, text: string) => (e ? reject(e) : resolve(text))));
}

const xml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** RDF/XML: the predicates as prefixed elements of the document's own namespaces. */
export function toRdfXml(doc: JsonLdDoc): string {
  const ns = { rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#', ...doc['@context'] };
  const qname = (p: string) => {
    for (const [k, v] of Object.entries(ns))
      if (p.startsWith(v) && /^[A-Za-z_][\w.-]*$/.test(p.slice(v.length))) return `${k}:${p.slice(v.length)}`;
    throw new Error(`no namespace for ${p}`);
  };
  const bySubject = new Map<string, Quad[]>();
  for (const q of toQuads(doc)) {
    const key = `${q.subject.termType}:${q.subject.value}`;
    bySubject.set(key, [...(bySubject.get(key) ?? []), q]);
  }
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<rdf:RDF ${Object.entries(ns)
      .map(([k, v]) => `xmlns:${k}="${xml(v)}"`)
      .join(' ')}>`,
  ];
  for (const qs of bySubject.values()) {
    const s = qs[0]!.subject;
    lines.push(
      s.termType === 'BlankNode'
        ? `  <rdf:Description rdf:nodeID="${s.value}">`
        : `  <rdf:Description rdf:about="${xml(s.value)}">`,
    );
    for (const q of qs) {
      const p = qname(q.predicate.value);
      const o = q.object;
      if (o.termType === 'NamedNode') lines.push(`    <${p} rdf:resource="${xml(o.value)}"/>`);
      else if (o.termType === 'BlankNode') lines.push(`    <${p} rdf:nodeID="${o.value}"/>`);
      else if (o.termType === 'Literal') {
        const attr = o.language
          ? ` xml:lang="${o.language}"`
          : o.datatype.value !== XSD_STRING
            ? ` rdf:datatype="${xml(o.datatype.value)}"`
            : '';
        lines.push(`    <${p}${attr}>${xml(o.value)}</${p}>`);
      }
    }
    lines.push('  </rdf:Description>');
  }
  lines.push('</rdf:RDF>', '');
  return lines.join('\n');
}
