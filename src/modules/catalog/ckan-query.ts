/**
 * The Solr query syntax CKAN clients send in `q` and `fq`, for the fields a harvester uses. Parsed
 * into a tree, never passed on as text. As CKAN sets `q.op=AND`, terms side by side must all hold;
 * `OR`/`||` joins alternatives, `NOT`/`-`/`!` negates, `+` marks a required term (as they all are),
 * parentheses group, `field:(a OR b)` applies a field to a group, `field:[a TO b]` / `{a TO b}` is a
 * range (inclusive / exclusive; `*` open; dates ISO 8601 or NOW, NOW-7DAYS …), `field:*` is any
 * value, a trailing `*` a prefix. Precedence: NOT, then AND, then OR. A field the API does not know,
 * or text it cannot read, is an error (CKAN's 409 Search Error), never silently dropped.
 */
export type Value =
  | { kind: 'word'; text: string; prefix: boolean }
  | { kind: 'phrase'; text: string }
  | { kind: 'range'; from: string | null; to: string | null; lowIn: boolean; highIn: boolean }
  | { kind: 'any' };
export type Node =
  { op: 'and' | 'or'; items: Node[] } | { op: 'not'; item: Node } | { op: 'term'; field: string | null; value: Value };

export class QuerySyntaxError extends Error {}

type Tok =
  { t: '(' | ')' | 'AND' | 'OR' | 'NOT' | '+' | '-' } | { t: 'field'; name: string } | { t: 'value'; value: Value };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const ws = /\s/;
  while (i < src.length) {
    const c = src[i]!;
    if (ws.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ t: c });
      i++;
      continue;
    }
    if (src.startsWith('&&', i) || src.startsWith('||', i)) {
      out.push({ t: src[i] === '&' ? 'AND' : 'OR' });
      i += 2;
      continue;
    }
    const prev = out.at(-1);
    const atStart = !prev || prev.t === '(' || prev.t === 'AND' || prev.t === 'OR' || prev.t === 'NOT';
    if ((c === '+' || c === '-' || c === '!') && (atStart || ws.test(src[i - 1] ?? ' ') || prev?.t === 'field')) {
      out.push({ t: c === '+' ? '+' : '-' });
      i++;
      continue;
    }
    if (c === '"') {
      const end = src.indexOf('"', i + 1);
      if (end < 0) throw new QuerySyntaxError(`unterminated phrase at ${i}`);
      out.push({ t: 'value', value: { kind: 'phrase', text: src.slice(i + 1, end) } });
      i = end + 1;
      continue;
    }
    if (c === '[' || c === '{') {
      const close = src.slice(i).search(/[\]}]/);
      if (close < 0) throw new QuerySyntaxError(`unterminated range at ${i}`);
      const body = src.slice(i + 1, i + close);
      const m = /^\s*(\S+)\s+TO\s+(\S+)\s*$/.exec(body);
      if (!m) throw new QuerySyntaxError(`a range is [from TO to]: ${src.slice(i, i + close + 1)}`);
      const bound = (s: string) => (s === '*' ? null : s.replace(/^"|"$/g, ''));
      out.push({
        t: 'value',
        value: {
          kind: 'range',
          from: bound(m[1]!),
          to: bound(m[2]!),
          lowIn: c === '[',
          highIn: src[i + close] === ']',
        },
      });
      i += close + 1;
      continue;
    }
    // a word, or a field name followed by ':'
    let j = i;
    let word = '';
    while (j < src.length && !ws.test(src[j]!) && !'()"'.includes(src[j]!)) {
      if (src[j] === '\\' && j + 1 < src.length) {
        word += src[j + 1];
        j += 2;
        continue;
      }
      if (src[j] === ':') break;
      word += src[j];
      j++;
    }
    if (src[j] === ':' && word) {
      out.push({ t: 'field', name: word });
      i = j + 1;
      continue;
    }
    if (!word) throw new QuerySyntaxError(`cannot read "${src.slice(i, i + 10)}"`);
    if (word === 'AND' || word === 'OR' || word === 'NOT') out.push({ t: word });
    else if (word === '*') out.push({ t: 'value', value: { kind: 'any' } });
    else if (word.endsWith('*'))
      out.push({ t: 'value', value: { kind: 'word', text: word.slice(0, -1), prefix: true } });
    else out.push({ t: 'value', value: { kind: 'word', text: word, prefix: false } });
    i = j;
  }
  return out;
}

/** Parses a q or fq string; an empty one is null (everything). `*:*` is everything too. */
export function parseQuery(src: string): Node | null {
  const toks = tokenize(src);
  if (!toks.length) return null;
  let at = 0;
  const peek = () => toks[at];
  const orExpr = (field: string | null): Node => {
    const items = [andExpr(field)];
    while (peek()?.t === 'OR') {
      at++;
      items.push(andExpr(field));
    }
    return items.length === 1 ? items[0]! : { op: 'or', items };
  };
  const andExpr = (field: string | null): Node => {
    const items = [unary(field)];
    for (;;) {
      const p = peek();
      if (!p || p.t === ')' || p.t === 'OR') break;
      if (p.t === 'AND') at++;
      items.push(unary(field));
    }
    return items.length === 1 ? items[0]! : { op: 'and', items };
  };
  const unary = (field: string | null): Node => {
    const p = peek();
    if (p?.t === 'NOT' || p?.t === '-') {
      at++;
      return { op: 'not', item: unary(field) };
    }
    if (p?.t === '+') {
      at++;
      return unary(field);
    }
    return primary(field);
  };
  const primary = (field: string | null): Node => {
    const p = toks[at++];
    if (!p) throw new QuerySyntaxError('the query ends too early');
    if (p.t === '(') {
      const n = orExpr(field);
      if (toks[at++]?.t !== ')') throw new QuerySyntaxError('a parenthesis is not closed');
      return n;
    }
    if (p.t === 'field') {
      if (field !== null) throw new QuerySyntaxError(`a field inside ${field}:( … )`);
      const next = peek();
      if (next?.t === '(' || next?.t === '-' || next?.t === '+' || next?.t === 'NOT') return unary(p.name);
      const v = toks[at++];
      if (v?.t !== 'value') throw new QuerySyntaxError(`${p.name}: needs a value`);
      if (p.name === '*' && v.value.kind === 'any') return { op: 'and', items: [] };
      return { op: 'term', field: p.name, value: v.value };
    }
    if (p.t === 'value') return { op: 'term', field, value: p.value };
    throw new QuerySyntaxError(`unexpected ${p.t}`);
  };
  const n = orExpr(null);
  if (at < toks.length) throw new QuerySyntaxError(`unexpected ${toks[at]!.t} at the end`);
  return n;
}

/** NOW, NOW-7DAYS, NOW+1YEAR, NOW/DAY, or an ISO date or time: the moment, or an error. */
export function solrDate(s: string, now = new Date()): Date {
  const m =
    /^NOW(?:\/(DAY|HOUR|MONTH|YEAR))?(?:([+-])(\d+)(YEARS?|MONTHS?|DAYS?|HOURS?|MINUTES?))?(?:\/(DAY|HOUR|MONTH|YEAR))?$/.exec(
      s,
    );
  if (m) {
    const d = new Date(now);
    const round = m[1] ?? m[5];
    if (m[2]) {
      const n = Number(m[3]) * (m[2] === '-' ? -1 : 1);
      const unit = m[4]!.replace(/S$/, '');
      if (unit === 'YEAR') d.setUTCFullYear(d.getUTCFullYear() + n);
      else if (unit === 'MONTH') d.setUTCMonth(d.getUTCMonth() + n);
      else if (unit === 'DAY') d.setUTCDate(d.getUTCDate() + n);
      else if (unit === 'HOUR') d.setUTCHours(d.getUTCHours() + n);
      else d.setUTCMinutes(d.getUTCMinutes() + n);
    }
    if (round === 'YEAR') d.setUTCMonth(0, 1);
    if (round === 'YEAR' || round === 'MONTH') d.setUTCDate(round === 'MONTH' ? 1 : d.getUTCDate());
    if (round) d.setUTCHours(round === 'HOUR' ? d.getUTCHours() : 0, 0, 0, 0);
    return d;
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s))
    throw new QuerySyntaxError(`not a date: ${s}`);
  const d = new Date(/T|\s/.test(s) ? s : `${s}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new QuerySyntaxError(`not a date: ${s}`);
  return d;
}
