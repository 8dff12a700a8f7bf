import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DataItem } from '../catalog/schema.js';
import { encodeRows, type EncodeOptions, type Encoder } from './encode.js';
import { openCsv, type OpenOptions } from './files.js';
import { Synth } from '../../kernel/synth/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'gs-encode-'));
const item = (name: string, over: Partial<DataItem>): DataItem => ({
  name,
  label: name,
  type: 'string',
  primaryKey: false,
  incremental: false,
  grade: 1,
  masking: 'none',
  ...over,
});
const ITEMS = [
  item('id', { type: 'string', length: 18, primaryKey: true, identityKind: 'ric' }),
  item('name', { length: 8 }),
  item('code', { type: 'code', length: 2 }),
  item('n', { type: 'integer' }),
  item('amount', { type: 'decimal', precision: 6, scale: 2 }),
  item('day', { type: 'date' }),
  item('at', { type: 'datetime' }),
  item('yes', { type: 'boolean' }),
  item('note', { length: 30 }),
];

async function run(encoder: Encoder, o: Omit<EncodeOptions, 'plan' | 'keyCount'>, columns: string[]) {
  const plan = ITEMS.map((it) => ({
    it,
    at: columns.indexOf(it.name) >= 0 ? columns.indexOf(it.name) : undefined,
    map: undefined,
    hw: false,
  }));
  const rejects: unknown[] = [];
  const kept: string[][] = [];
  let read = 0;
  const parts: Buffer[] = [];
  for await (const b of encoder(
    { ...o, plan, keyCount: 1 },
    {
      reject: (row, field, reason, raw) => rejects.push({ row, field, reason: reason.en, raw }),
      keep: (k) => kept.push(k),
      read: (n) => (read += n),
    },
  ))
    parts.push(b);
  return { text: Buffer.concat(parts).toString('utf8'), rejects, kept, read };
}

async function both(content: string | Buffer, opts: OpenOptions = {}) {
  const p = path.join(dir, `f${Math.random()}.csv`);
  writeFileSync(p, content);
  const a = await openCsv(p, opts);
  const b = await openCsv(p, opts);
  const o = { rowPrefix: true, suffix: '\t7\tx.csv' };
  return { bytes: await run(a.encode!, o, a.columns), strings: await run(encodeRows(b.rows), o, b.columns) };
}

// values in the common shapes and in every awkward one the string path knows
const SAMPLES: Record<string, string[]> = {
  id: [
    '370303199001010011',
    '37030319930303003x',
    ' 370303199001010011',
    '３７０３０３１９９００１０１００１１',
    '370303-19900101-0011',
    '3703031990010100111',
    '',
  ],
  name: [
    '张三',
    '欧阳娜娜娜娜',
    '张三　',
    '张　三',
    '　李四',
    '王 五',
    'Ann',
    '欧阳娜娜娜娜娜娜娜',
    'a\\b',
    '（集团）',
    '张\u00a0',
    '\ufeff张',
    'x\u2003',
    '',
    '"引号"',
  ],
  code: ['1', '01', '１', '123', ' 2', ''],
  n: ['42', '-7', '+3', '007', '1,000', '１２', '1234567890123456789', '000000000000000000001', '1.5', 'abc', ''],
  amount: ['5000.00', '-0.5', '.5', '5.', '.', '5,000.00', '12345.6', '1234.5678', '1e3', '', '０.５'],
  day: [
    '2023-07-12',
    '2023/7/12',
    '2023年7月12日',
    '20230712',
    '45119',
    '2023-02-29',
    '2024-02-29',
    '0999-01-01',
    '2023-7-1',
    '2023-07-12 08:00:00',
    'soon',
    '',
  ],
  at: [
    '2023-07-12 08:30:00',
    '2023-07-12T08:30:00',
    '2023-07-12 24:00:00',
    '2023-07-12 08:30',
    '2023年7月12日 8时30分',
    '2023-07-12 08:30:00Z',
    '45119.5',
    '',
  ],
  yes: ['是', '否', '1', '0', 'TRUE', 'No', '√', 'maybe', ' 是', ''],
  note: ['普通文字', 'tab\there', 'multi\nline', 'back\\slash', '引号"内', '逗号,内', '　', ''],
};

const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

describe('the byte path', () => {
  it('gives the same COPY text and the same rejects as the string path, value by value', async () => {
    const synth = new Synth({ seed: 7 });
    const names = Object.keys(SAMPLES);
    const lines = [names.join(',')];
    for (let r = 0; r < 3000; r++) {
      lines.push(
        names
          .map((c) => csvField(r < 40 ? SAMPLES[c]![r % SAMPLES[c]!.length]! : synth.rng.pick(SAMPLES[c]!)))
          .join(','),
      );
    }
    for (const chunkBytes of [1 << 20, 7]) {
      const { bytes, strings } = await both(lines.join('\r\n') + '\r\n', { chunkBytes });
      expect(bytes.read).toBe(3000);
      expect(bytes.rejects.length).toBeGreaterThan(100); // the samples hold many bad values
      expect(bytes.text.split('\n').length).toBeGreaterThan(100);
      expect(bytes.rejects).toEqual(strings.rejects);
      expect(bytes.kept).toEqual(strings.kept);
      expect(bytes.text).toEqual(strings.text);
    }
  });

  it('reads quotes, "" inside them, fields over several lines and records cut across pieces', async () => {
    const content = 'id,name,note\n370303199001010011,"张,三","他说""好""\n第二行"\n370303199202020022,李四,\n';
    for (const chunkBytes of [1 << 20, 1, 2, 3, 5]) {
      const { bytes } = await both(content, { chunkBytes });
      expect(bytes.rejects).toEqual([]);
      expect(bytes.text).toBe(
        '1\t370303199001010011\t张,三\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t他说"好"\\n第二行\t7\tx.csv\n2\t370303199202020022\t李四\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t7\tx.csv\n',
      );
    }
  });

  it('rejects a ragged row, characters after a closing quote and an unclosed quote, and reads on', async () => {
    const content = [
      'id,name,note',
      '370303199001010011,张三,a',
      '370303199202020022,李四',
      '37030319930303003X,"王五"x,b',
      '370303199404040044,"赵六,c',
      '370303199505050055,钱七,d',
    ].join('\n');
    for (const chunkBytes of [1 << 20, 4]) {
      const { bytes, strings } = await both(content, { chunkBytes });
      expect(bytes.rejects).toEqual([
        { row: 2, field: null, reason: '2 fields where the header has 3', raw: '370303199202020022,李四' },
        { row: 3, field: null, reason: 'characters after a closing quote', raw: '37030319930303003X,"王五"x,b' },
        { row: 4, field: null, reason: 'unterminated quote', raw: '370303199404040044,"赵六,c' },
      ]);
      expect(strings.rejects).toEqual(bytes.rejects);
      expect(
        bytes.text
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t')[2]),
      ).toEqual(['张三', '钱七']);
    }
  });

  it('rejects a row with bytes that are not UTF-8 (and never sends them to the database)', async () => {
    const bad = Buffer.concat([
      Buffer.from('id,name\n370303199001010011,张三\n370303199202020022,'),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('\n37030319930303003X,王五\n'),
    ]);
    const { bytes } = await both(bad, { encoding: 'utf8' });
    expect(bytes.rejects).toEqual([
      { row: 2, field: 'name', reason: 'contains undecodable bytes (wrong encoding?)', raw: '\ufffd\ufffd' },
    ]);
    expect(bytes.text.split('\n').filter(Boolean)).toHaveLength(2);
  });
});
