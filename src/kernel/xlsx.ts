/**
 * exceljs, loaded through here so that its streaming reader keeps Chinese text whole.
 *
 * exceljs 4.4's XML reader decodes each piece of a zip entry on its own (utils/browser-buffer-decode),
 * so a character whose UTF-8 bytes straddle two pieces becomes two U+FFFD — in about one row of a
 * few thousand in a large sheet of Chinese text (exceljs issues #2063, #2084, #2316; unfixed in the
 * release). Its entries are parsed one after another, so a decoder that carries an unfinished
 * character over to the next piece mends it; it is put in place before exceljs loads, which is
 * why exceljs is required here and never imported directly.
 */
import { createRequire } from 'node:module';
import type ExcelJSModule from 'exceljs';

const require = createRequire(import.meta.url);
const decode = require('exceljs/lib/utils/browser-buffer-decode.js') as { bufferToString: (chunk: unknown) => string };
const carry = new TextDecoder('utf-8');
decode.bufferToString = (chunk) =>
  typeof chunk === 'string' ? chunk : carry.decode(chunk as Uint8Array, { stream: true });

const ExcelJS = require('exceljs') as typeof ExcelJSModule;
export default ExcelJS;
