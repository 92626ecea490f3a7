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

/** The rows of a CSV file, header first, each checked against the limits as it is read. */
async function readCsv(file: Buffer, { maxRows, maxColumns, maxRowCharacters }: PlanFileLimits): Promise<RawRow[]> {
  const parser = Readable.from([file]).pipe(
    parse({
      bom: true,
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
