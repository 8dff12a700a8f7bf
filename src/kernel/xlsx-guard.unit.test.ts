import { describe, expect, it } from 'vitest';
import ExcelJS from './xlsx.js';
import { checkXlsx, MAX_CELL_CHARS } from './xlsx-guard.js';
import { repeatedDeflate, workbookParts, zipOf } from '../../test/support/zip.js';

const MiB = 1024 * 1024;
const WS = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';

async function workbook(cell: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('数据');
  ws.addRow(['名称', '说明']);
  ws.addRow(['淄博市某局', cell]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('the xlsx expansion check', () => {
  it("lets a real workbook through, with a cell at Excel's limit", async () => {
    await expect(checkXlsx(await workbook('长'.repeat(MAX_CELL_CHARS)))).resolves.toBeUndefined();
  });

  it('refuses a cell longer than Excel allows, naming the part', async () => {
    const sheet = Buffer.from(
      `${WS}<row r="1"><c r="A1" t="inlineStr"><is><t>${'A'.repeat(MAX_CELL_CHARS * 11)}</t></is></c></row></sheetData></worksheet>`,
    );
    await expect(checkXlsx(zipOf(workbookParts(sheet)))).rejects.toMatchObject({
      code: 'XLSX_TOO_LARGE',
      field: 'xl/worksheets/sheet1.xml',
    });
  });

  it('refuses by the declared size before inflating, and by the real size when the declaration lies', async () => {
    const strings = repeatedDeflate(
      Buffer.alloc(MiB, 'x'),
      80,
      Buffer.from('<sst><si><t>'),
      Buffer.from('</t></si></sst>'),
    );
    const honest = zipOf(
      workbookParts(Buffer.from(`${WS}</sheetData></worksheet>`), { name: 'xl/sharedStrings.xml', ...strings }),
    );
    await expect(
      checkXlsx(honest, { maxExpandedBytes: 1024 * MiB, maxSharedStringsBytes: 64 * MiB }),
    ).rejects.toMatchObject({ code: 'XLSX_TOO_LARGE', field: 'xl/sharedStrings.xml' });
    const lying = zipOf(
      workbookParts(Buffer.from(`${WS}</sheetData></worksheet>`), {
        name: 'xl/sharedStrings.xml',
        ...strings,
        declaredSize: 1000,
      }),
    );
    await expect(checkXlsx(lying)).rejects.toMatchObject({ code: 'XLSX_TOO_LARGE', field: 'xl/sharedStrings.xml' });
    // within a raised limit the same honest part passes the size checks (and fails only on its one long text)
    await expect(
      checkXlsx(honest, { maxExpandedBytes: 1024 * MiB, maxSharedStringsBytes: 128 * MiB }),
    ).rejects.toMatchObject({ zh: expect.stringContaining('32767') });
  });

  it('says plainly when the file is not a workbook at all', async () => {
    await expect(checkXlsx(Buffer.from('名称,说明\n1,2\n'))).rejects.toMatchObject({ code: 'XLSX_INVALID' });
  });
});
