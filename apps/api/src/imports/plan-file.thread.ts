import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { PlanFileLimits, PlanFileRequest, PlanFileResult, RawRow, SheetCell, Unreadable } from './plan-file';

/** A file this thread gives up on, with what to tell the person who sent it. */
class Refused extends Error {
  constructor(readonly unreadable: Unreadable) {
    super(unreadable.message);
  }
}

const tooLarge = (message: string) => new Refused({ message, status: 413 });

/**
 * The text of a CSV file as people's tools save it: UTF-8 (with or without its byte order mark),
 * UTF-16 with its mark (Excel's "Unicode text"), or else Windows-1252 (Excel's "CSV (Comma
 * delimited)" on Windows), which any file that is not UTF-8 is read as.
 */
function csvText(file: Buffer): string {
  if (file[0] === 0xef && file[1] === 0xbb && file[2] === 0xbf) return file.subarray(3).toString('utf8');
  if (file[0] === 0xff && file[1] === 0xfe) return new TextDecoder('utf-16le').decode(file.subarray(2));
  if (file[0] === 0xfe && file[1] === 0xff) return new TextDecoder('utf-16be').decode(file.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(file);
  } catch {
    return windows1252(file);
  }
}

/** Windows-1252's characters at 0x80 to 0x9F, where it differs from ISO 8859-1 (five bytes there name none). */
const WINDOWS_1252_HIGH = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8DŽ\x8F\x90‘’“”•–—˜™š›œ\x9DžŸ';

/** Windows-1252 text: Node's decoder of that name reads it as ISO 8859-1, turning curly quotes and dashes into control characters. */
const windows1252 = (file: Buffer): string =>
  file.toString('latin1').replace(/[\x80-\x9f]/g, (character) => WINDOWS_1252_HIGH[character.charCodeAt(0) - 0x80]);

/** The separator the header row uses: a comma, or a semicolon (Excel where a comma is the decimal mark), or a tab. */
function separatorOf(text: string): string {
  const header = text.slice(0, text.search(/\r?\n|$/)).replace(/"[^"]*"/g, '');
  const count = (separator: string) => header.split(separator).length - 1;
  return [';', '\t'].reduce((best, separator) => (count(separator) > count(best) ? separator : best), ',');
}

/** The rows of a CSV file, header first, each checked against the limits as it is read. */
async function readCsv(file: Buffer, { maxRows, maxColumns, maxRowCharacters }: PlanFileLimits): Promise<RawRow[]> {
  const text = csvText(file);
  const parser = Readable.from([text]).pipe(
    parse({
      delimiter: separatorOf(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
      max_record_size: maxRowCharacters,
    }),
  );
  const rows: RawRow[] = [];
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (cells.length > maxColumns)
        throw tooLarge(`Row ${rows.length + 1} has ${cells.length} columns: a plan has at most ${maxColumns}.`);
      if (rows.length > maxRows)
        throw tooLarge(`The file has more than ${maxRows.toLocaleString('en-GB')} rows: an import takes at most that many.`);
      rows.push({ row: rows.length + 1, cells });
    }
  } catch (error) {
    if (error instanceof Refused) throw error;
    const message = (error as Error).message;
    if (/max.?record.?size/i.test(message))
      throw tooLarge(
        `A row of the file is longer than ${maxRowCharacters.toLocaleString('en-GB')} characters: no row of a plan needs that many.`,
      );
    throw new Refused({ message: `The file is not CSV this service can read: ${message}`, status: 400 });
  }
  return rows;
}

/** A spreadsheet's date as a calendar day, if it is one in the years four digits can write. */
function dayOf(value: Date): SheetCell {
  const year = value.getUTCFullYear();
  if (Number.isNaN(value.getTime()) || year < 1000 || year > 9999) return { date: undefined };
  return { date: value.toISOString().slice(0, 10) };
}

function cellText(value: ExcelJS.CellValue): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'object' && 'richText' in value)
    return value.richText
      .map((part) => part.text)
      .join('')
      .trim();
  if (typeof value === 'object' && 'text' in value) return String(value.text).trim();
  return String(value).trim();
}

/** The first sheet's rows, header first; a formula is reported, not run. */
async function readXlsx(file: Buffer, { maxRows, maxColumns }: PlanFileLimits): Promise<PlanFileResult> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(file as unknown as ExcelJS.Buffer);
  } catch {
    throw new Refused({ message: 'The file is not an XLSX spreadsheet this service can read.', status: 400 });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new Refused({ message: 'The workbook has no sheet.', status: 400 });
  if (sheet.actualRowCount > maxRows + 1)
    throw tooLarge(
      `The file has ${(sheet.actualRowCount - 1).toLocaleString('en-GB')} rows: an import takes at most ${maxRows.toLocaleString('en-GB')}.`,
    );
  const rows: RawRow[] = [];
  const formulas: PlanFileResult['formulas'] = [];
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    const cells: SheetCell[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      if (column > maxColumns) return;
      const value = cell.value;
      if (value && typeof value === 'object' && 'formula' in value) formulas.push({ row: number, column });
      else cells[column - 1] = value instanceof Date ? dayOf(value) : cellText(value);
    });
    // An empty cell, or a formula's (reported above), is empty text: JSON keeps no holes.
    rows.push({ row: number, cells: Array.from(cells, (cell) => cell ?? '') });
  });
  return { rows, formulas };
}

async function read({ file, kind, limits }: PlanFileRequest): Promise<PlanFileResult> {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  return kind === 'xlsx' ? readXlsx(bytes, limits) : { rows: await readCsv(bytes, limits), formulas: [] };
}

if (parentPort) {
  const port = parentPort;
  read(workerData as PlanFileRequest).then(
    // As JSON text: one string crosses to the service's thread at once, where a structured clone of
    // every cell would be rebuilt there object by object, holding up its requests.
    (result) => port.postMessage({ result: JSON.stringify(result) }),
    (error: unknown) =>
      port.postMessage({
        unreadable: error instanceof Refused ? error.unreadable : { message: 'The file could not be read as a spreadsheet.', status: 400 },
      }),
  );
}
