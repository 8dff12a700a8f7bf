/**
 * Named (prepared) statements for the hot paths (the data services, nonces, audit appends): each
 * pooled connection parses and plans a statement once and then only binds values. The name is a
 * digest of the text, so the same text always has the same name and different texts never share
 * one. Only for statements whose texts are few (values are always parameters).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

const names = new Map<string, string>();

export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = names.get(text);
  if (!name) {
    name = `gs_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    if (names.size >= 10_000) names.clear();
    names.set(text, name);
  }
  return { name, text, values };
}
