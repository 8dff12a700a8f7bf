/**
 * An .xlsx is a zip of XML parts, and a zip can expand a thousandfold: a 22 MB upload whose shared
 * strings inflate to 4.5 GB, or a 410 KB one holding a single 400 MB cell, would take the whole
 * server's memory with them. Before exceljs reads a workbook, this check inflates every part once as
 * a stream (constant memory) and counts:
 *   - the expanded bytes of each part and of all parts together (`maxExpandedBytes`),
 *   - the expanded bytes of the shared strings, which exceljs keeps in memory (`maxSharedStringsBytes`),
 *   - the longest text between two XML tags: a cell holds at most 32 767 characters in Excel, so a
 *     longer run (at most 4 bytes a character, entities at most 10 bytes) cannot be a real cell.
 * It refuses with XLSX_TOO_LARGE naming the part, before anything is parsed. Declared sizes in the
 * zip's directory are checked first (yauzl also refuses a part that inflates past what it declared).
 */
import yauzl from 'yauzl';
import { AppError, defineCodes } from './http/errors.js';

export const XLSX_CODES = defineCodes({
  XLSX_TOO_LARGE: [
    413,
    'Excel 文件解压后过大（疑似压缩炸弹）',
    'The Excel file expands too far (a decompression bomb?)',
  ],
  XLSX_INVALID: [400, '文件不是有效的 .xlsx 工作簿', 'The file is not a valid .xlsx workbook'],
} as const);
declare module './http/errors.js' {
  interface ErrorCodes extends Record<keyof typeof XLSX_CODES, true> {}
}

export interface XlsxLimits {
  /** all parts together, inflated */
  maxExpandedBytes: number;
  /** xl/sharedStrings.xml inflated (held in memory while a sheet is read) */
  maxSharedStringsBytes: number;
}

export const DEFAULT_XLSX_LIMITS: XlsxLimits = {
  maxExpandedBytes: 1024 * 1024 * 1024,
  maxSharedStringsBytes: 64 * 1024 * 1024,
};

/** Excel's own limit of characters in one cell */
export const MAX_CELL_CHARS = 32_767;
const MAX_TEXT_RUN = MAX_CELL_CHARS * 10;

const MB = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

function tooLarge(part: string, zh: string, en: string): AppError {
  return new AppError('XLSX_TOO_LARGE', {
    field: part,
    zh: `Excel 文件的 ${part} ${zh}，已拒绝`,
    en: `The Excel part ${part} ${en}; refused`,
  });
}

function openZip(src: string | Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip?: yauzl.ZipFile) => (err || !zip ? reject(err) : resolve(zip));
    const opts = { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false };
    if (typeof src === 'string') yauzl.open(src, opts, done);
    else yauzl.fromBuffer(src, opts, done);
  });
}

/** Throws XLSX_TOO_LARGE (naming the part) or XLSX_INVALID; resolves when the workbook is safe to read. */
export async function checkXlsx(src: string | Buffer, limits: XlsxLimits = DEFAULT_XLSX_LIMITS): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(src);
  } catch {
    throw new AppError('XLSX_INVALID');
  }
  try {
    const entries: yauzl.Entry[] = [];
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        entries.push(e);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    }).catch(() => {
      throw new AppError('XLSX_INVALID');
    });
    const partLimit = (name: string) =>
      /sharedStrings\d*\.xml$/i.test(name) ? limits.maxSharedStringsBytes : limits.maxExpandedBytes;
    // the directory's declared sizes: refused without inflating anything
    let declared = 0;
    for (const e of entries) {
      declared += e.uncompressedSize;
      if (e.uncompressedSize > partLimit(e.fileName))
        throw tooLarge(
          e.fileName,
          `解压后 ${MB(e.uncompressedSize)}，超过 ${MB(partLimit(e.fileName))} 的上限`,
          `expands to ${MB(e.uncompressedSize)}, over the ${MB(partLimit(e.fileName))} limit`,
        );
    }
    if (declared > limits.maxExpandedBytes)
      throw tooLarge(
        '(all parts)',
        `合计解压后 ${MB(declared)}，超过 ${MB(limits.maxExpandedBytes)} 的上限`,
        `expand to ${MB(declared)} in all, over the ${MB(limits.maxExpandedBytes)} limit`,
      );
    // then what they really inflate to, and the longest text run of the XML parts
    let total = 0;
    for (const e of entries) {
      if (e.fileName.endsWith('/')) continue;
      const xml = /\.(xml|rels)$/i.test(e.fileName);
      await new Promise<void>((resolve, reject) => {
        zip.openReadStream(e, (err, stream) => {
          if (err || !stream) return reject(new AppError('XLSX_INVALID'));
          let run = 0;
          let bytes = 0;
          stream.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            total += chunk.length;
            if (bytes > partLimit(e.fileName) || total > limits.maxExpandedBytes) {
              stream.destroy();
              return reject(tooLarge(e.fileName, '解压后超过上限', 'expands past the limit'));
            }
            if (!xml) return;
            for (let pos = 0; ;) {
              const lt = chunk.indexOf(0x3c, pos); // '<': a tag starts, the text before it ends
              run += (lt < 0 ? chunk.length : lt) - pos;
              if (run > MAX_TEXT_RUN) {
                stream.destroy();
                return reject(
                  tooLarge(
                    e.fileName,
                    `含有超过 ${MAX_CELL_CHARS} 个字符的单元格（Excel 单元格的上限）`,
                    `holds a cell over ${MAX_CELL_CHARS} characters (Excel's own limit)`,
                  ),
                );
              }
              if (lt < 0) break;
              run = 0;
              pos = lt + 1;
            }
          });
          stream.on('error', (se: Error) =>
            reject(
              se instanceof AppError
                ? se
                : tooLarge(
                    e.fileName,
                    '解压时与声明的大小不符',
                    `does not inflate to its declared size (${se.message.slice(0, 80)})`,
                  ),
            ),
          );
          stream.on('end', () => resolve());
        });
      });
    }
  } finally {
    zip.close();
  }
}
