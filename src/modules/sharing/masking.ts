/**
 * Masking by rule (docs/domain.md §4), the same in JavaScript and in SQL: the data services mask in the
 * query where they can (cheapest: nothing unmasked leaves the database) and in JavaScript otherwise
 * (`hash` needs SM3, which PostgreSQL lacks). Characters are counted as code points on both sides
 * (PostgreSQL's char_length), so multi-byte text — including characters outside the BMP — masks
 * alike; a test holds the two to the same output.
 */
import { sm3 } from 'sm-crypto-v2';
import type { MASKS } from '../catalog/schema.js';

export type Mask = (typeof MASKS)[number];

const stars = (n: number) => '*'.repeat(Math.max(0, n));
const chars = (s: string) => [...s];

/** keep `head` characters and `tail` characters; a value too short to keep both is starred whole */
function keep(s: string, head: number, tail: number): string {
  const c = chars(s);
  if (c.length <= head + tail) return stars(c.length);
  return c.slice(0, head).join('') + stars(c.length - head - tail) + c.slice(c.length - tail).join('');
}

export function maskValue(rule: Mask, value: string | null, salt = ''): string | null {
  if (value === null) return null;
  switch (rule) {
    case 'none':
      return value;
    case 'null':
      return null;
    case 'name': {
      const c = chars(value);
      return c.length <= 1 ? stars(c.length) : c[0] + stars(c.length - 1);
    }
    case 'ric':
      return keep(value, 6, 4);
    case 'mobile':
      return keep(value, 3, 4);
    case 'bankcard': {
      const c = chars(value);
      return c.length <= 4 ? stars(c.length) : stars(c.length - 4) + c.slice(-4).join('');
    }
    case 'landline': {
      // the area code (before a hyphen, or 0 + 2–3 digits: 010, 02x are three digits) and the last 2
      const m = /^(0(?:10|2\d|[3-9]\d{2})-?)(.*)$/.exec(value);
      const area = m ? m[1]! : '';
      const rest = chars(m ? m[2]! : value);
      return rest.length <= 2 ? area + stars(rest.length) : area + stars(rest.length - 2) + rest.slice(-2).join('');
    }
    case 'address': {
      const m = /^(.*?[区县旗])(.*)$/su.exec(value);
      if (m) return m[1] + stars(chars(m[2]!).length);
      const c = chars(value);
      return c.slice(0, 3).join('') + stars(c.length - 3);
    }
    case 'email': {
      const at = value.lastIndexOf('@');
      if (at < 1) return stars(chars(value).length);
      const local = chars(value.slice(0, at));
      return local[0] + stars(local.length - 1) + value.slice(at);
    }
    case 'plate':
      return keep(value, 2, 1);
    case 'date_year':
      return chars(value).slice(0, 4).join('');
    case 'hash':
      return sm3(salt + value);
  }
}

/** The SQL expression masking `e` (a text expression), or null when only JavaScript can (hash). */
export function maskSql(rule: Mask, e: string): string | null {
  const len = `char_length(${e})`;
  const keepSql = (head: number, tail: number) =>
    `CASE WHEN ${len} <= ${head + tail} THEN repeat('*', ${len}) ELSE left(${e}, ${head}) || repeat('*', ${len} - ${head + tail}) || right(${e}, ${tail}) END`;
  switch (rule) {
    case 'none':
      return e;
    case 'null':
      return 'NULL::text';
    case 'name':
      return `CASE WHEN ${len} <= 1 THEN repeat('*', ${len}) ELSE left(${e}, 1) || repeat('*', ${len} - 1) END`;
    case 'ric':
      return keepSql(6, 4);
    case 'mobile':
      return keepSql(3, 4);
    case 'bankcard':
      return `CASE WHEN ${len} <= 4 THEN repeat('*', ${len}) ELSE repeat('*', ${len} - 4) || right(${e}, 4) END`;
    case 'landline': {
      const area = `coalesce(substring(${e} from '^(0(?:10|2[0-9]|[3-9][0-9]{2})-?)'), '')`;
      const rest = `substr(${e}, char_length(${area}) + 1)`;
      return `(${area} || CASE WHEN char_length(${rest}) <= 2 THEN repeat('*', char_length(${rest})) ELSE repeat('*', char_length(${rest}) - 2) || right(${rest}, 2) END)`;
    }
    case 'address': {
      const head = `substring(${e} from '^(.*?[区县旗])')`;
      return `CASE WHEN ${head} IS NOT NULL THEN ${head} || repeat('*', ${len} - char_length(${head})) ELSE left(${e}, 3) || repeat('*', ${len} - 3) END`;
    }
    case 'email': {
      const at = `(${len} - strpos(reverse(${e}), '@') + 1)`; // position of the last @
      return `CASE WHEN strpos(${e}, '@') = 0 OR ${at} < 2 THEN repeat('*', ${len}) ELSE left(${e}, 1) || repeat('*', ${at} - 2) || substr(${e}, ${at}) END`;
    }
    case 'plate':
      return keepSql(2, 1);
    case 'date_year':
      return `left(${e}, 4)`;
    case 'hash':
      return null;
  }
}
