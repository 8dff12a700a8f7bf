/**
 * A minimal zip writer for tests that need workbooks no spreadsheet program would write: parts given
 * as bytes (stored deflated) or as an already deflated stream with its own CRC and size — which may
 * be declared smaller than it is, as a decompression bomb does.
 */
import zlib from 'node:zlib';

export interface RawPart {
  deflated: Buffer;
  crc: number;
  size: number;
  declaredSize?: number;
}
export type Part = { name: string; data: Buffer } | ({ name: string } & RawPart);

/** `times` copies of `unit` as one deflate stream: one full-flush block repeated, so 4 GB costs a few MB. */
export function repeatedDeflate(unit: Buffer, times: number, head = Buffer.alloc(0), tail = Buffer.alloc(0)): RawPart {
  const block = zlib.deflateRawSync(unit, { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const first = zlib.deflateRawSync(head, { finishFlush: zlib.constants.Z_FULL_FLUSH });
  const last = zlib.deflateRawSync(tail, { finishFlush: zlib.constants.Z_FINISH });
  let crc = zlib.crc32(head);
  for (let i = 0; i < times; i++) crc = zlib.crc32(unit, crc);
  crc = zlib.crc32(tail, crc);
  return {
    deflated: Buffer.concat([first, ...Array.from({ length: times }, () => block), last]),
    crc,
    size: head.length + unit.length * times + tail.length,
  };
}

export function zipOf(parts: Part[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const raw: RawPart =
      'data' in p ? { deflated: zlib.deflateRawSync(p.data), crc: zlib.crc32(p.data), size: p.data.length } : p;
    const name = Buffer.from(p.name, 'utf8');
    const size = Math.min(raw.declaredSize ?? raw.size, 0xffffffff) >>> 0;
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(0x0800, 6); // UTF-8 names
    h.writeUInt16LE(8, 8); // deflate
    h.writeUInt32LE(raw.crc >>> 0, 14);
    h.writeUInt32LE(raw.deflated.length, 18);
    h.writeUInt32LE(size, 22);
    h.writeUInt16LE(name.length, 26);
    locals.push(h, name, raw.deflated);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x0800, 8);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(raw.crc >>> 0, 16);
    c.writeUInt32LE(raw.deflated.length, 20);
    c.writeUInt32LE(size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += 30 + name.length + raw.deflated.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const xml = (s: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${s}`, 'utf8');

/** The parts of a one-sheet workbook around the given sheet and shared strings. */
export function workbookParts(sheet: Part | Buffer, sharedStrings?: Part | Buffer): Part[] {
  const part = (name: string, p: Part | Buffer): Part => (Buffer.isBuffer(p) ? { name, data: p } : { ...p, name });
  return [
    {
      name: '[Content_Types].xml',
      data: xml(
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
      ),
    },
    {
      name: '_rels/.rels',
      data: xml(
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
      ),
    },
    {
      name: 'xl/workbook.xml',
      data: xml(
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>',
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: xml(
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
      ),
    },
    ...(sharedStrings ? [part('xl/sharedStrings.xml', sharedStrings)] : []),
    part('xl/worksheets/sheet1.xml', sheet),
  ];
}
