import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { PassThrough, Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import { inEngland } from '@app/domain';
import { OneOf } from '../http/fields';

export const FILE_FORMATS = ['csv', 'xlsx'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export const FILE_MEDIA_TYPES: Readonly<Record<FileFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The `format` parameter of a read that can answer as a file. */
export const FileFormatField = () =>
  OneOf(FILE_FORMATS, { optional: true, description: 'Answer as a file, every page at once: csv or xlsx (or send Accept: text/csv)' });

/** The file asked for, by ?format= first, then by an Accept header that names CSV or XLSX; none for JSON. */
export function fileFormatAsked(format: FileFormat | undefined, accept: string | undefined): FileFormat | undefined {
  if (format) return format;
  if (accept?.includes('text/csv')) return 'csv';
  if (accept?.includes(FILE_MEDIA_TYPES.xlsx)) return 'xlsx';
  return undefined;
}

export type CellValue = string | number | boolean | null | undefined;
type CellType = 'text' | 'number' | 'date' | 'instant';

/** A column of a file: its header, how to read its cell from a row, and what kind of value it holds. */
export type Column<Row> = Readonly<{ header: string; cell: (row: Row) => CellValue; type?: CellType; width?: number }>;

/** Gives the file's rows a batch at a time; each write resolves once the file has room for more. */
export type RowSource<Row> = (write: (rows: readonly Row[]) => Promise<void>) => Promise<void>;

export type TableFile = Readonly<{ stream: Readable; mediaType: string; fileName: string }>;

/**
 * A spreadsheet's formula starts with one of these (a tab or carriage return can hide one): a text
 * cell that does is written with a leading apostrophe, so that no spreadsheet runs it (CSV injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/;
export const neutralised = (text: string): string => (FORMULA_START.test(text) ? `'${text}` : text);
/** The text a CSV cell written by `neutralised` holds: read back in, its guard comes off. */
export const unneutralised = (text: string): string => (text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text);

/**
 * A list as a CSV or XLSX file, written as its rows come, so that memory stays flat however many
 * there are. Whatever goes wrong before the first rows arrive (a filter refused, a date in the
 * future) is thrown here, to be answered as any other error; later failures end the stream.
 */
export async function tableFile<Row>(
  format: FileFormat,
  name: string,
  columns: readonly Column<Row>[],
  source: RowSource<Row>,
  /** The spreadsheet's sheet, when the file's name would not do as one (over 31 characters). */
  sheet = name,
): Promise<TableFile> {
  const output = new PassThrough();
  const writer = format === 'csv' ? csvWriter(output, columns) : xlsxWriter(output, sheet, columns);
  let sending = false;
  let started!: () => void;
  const firstRows = new Promise<void>((resolve) => (started = resolve));
  const written = (async () => {
    await source(async (rows) => {
      sending = true;
      started();
      await writer.add(rows);
    });
    sending = true;
    started();
    await writer.end();
  })();
  // A failure once the file is being sent can only cut it short; one before is thrown from here.
  written.catch((error: unknown) => sending && output.destroy(error instanceof Error ? error : new Error(String(error))));
  await Promise.race([firstRows, written]);
  return { stream: output, mediaType: FILE_MEDIA_TYPES[format], fileName: `${name}.${format}` };
}

type RowWriter<Row> = { add(rows: readonly Row[]): Promise<void>; end(): Promise<void> };

function textOf(value: CellValue, type: CellType): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (type === 'instant' && typeof value === 'string') return inEnglandAsText(new Date(value));
  return type === 'text' ? neutralised(String(value)) : String(value);
}

/** An instant as the clocks in England showed it, "2026-12-08 14:05": read so by people, and as a date and time by Excel. */
function inEnglandAsText(instant: Date): string {
  const { day, hour, minute } = inEngland(instant);
  return `${day} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

function csvWriter<Row>(output: PassThrough, columns: readonly Column<Row>[]): RowWriter<Row> {
  const csv = stringify({ bom: true, record_delimiter: 'windows' });
  csv.pipe(output);
  const put = async (record: string[]) => {
    if (!csv.write(record)) await once(csv, 'drain');
  };
  let header = false;
  return {
    async add(rows) {
      if (!header) await put(columns.map((column) => column.header));
      header = true;
      for (const row of rows) await put(columns.map((column) => textOf(column.cell(row), column.type ?? 'text')));
    },
    async end() {
      if (!header) await put(columns.map((column) => column.header));
      csv.end();
      await once(csv, 'end');
    },
  };
}

/**
 * A cell as the spreadsheet should hold it: real numbers and dates, and text as it is. A string
 * cell is never a formula, whatever it starts with, so it needs no guard (CSV does).
 */
function xlsxCell(value: CellValue, type: CellType): ExcelJS.CellValue {
  if (value === null || value === undefined || value === '') return null;
  if (type === 'number' && typeof value === 'number') return value;
  if (type === 'date' && typeof value === 'string') return new Date(`${value}T00:00:00Z`);
  // A spreadsheet's times have no zone: it shows the time as written, so it is written as England's clocks showed it.
  if (type === 'instant' && typeof value === 'string') return new Date(`${inEnglandAsText(new Date(value)).replace(' ', 'T')}:00Z`);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** Excel and LibreOffice take a sheet name of at most 31 characters, without any of these. */
const sheetName = (name: string): string => name.replace(/[[\]:*?/\\]/g, '-').slice(0, 31);

/**
 * Names the sheet's filter range as the workbook's `_xlnm._FilterDatabase`, local to the sheet, as
 * Excel writes it: LibreOffice shows filter buttons only for a named range. ExcelJS cannot name one
 * local to a sheet, but writes the names its list gives as they are, so the range is added there.
 */
function nameFilterRange(workbook: ExcelJS.stream.xlsx.WorkbookWriter, sheet: string, range: string): void {
  const names = workbook.definedNames as unknown as { model: object[] };
  const others = names.model;
  Object.defineProperty(names, 'model', {
    get: () => [...others, { name: '_xlnm._FilterDatabase', localSheetId: 0, ranges: [`'${sheet.replaceAll("'", "''")}'!${range}`] }],
  });
}

const NUMBER_FORMATS: Partial<Record<CellType, string>> = { date: 'd mmmm yyyy', instant: 'd mmmm yyyy hh:mm' };

function xlsxWriter<Row>(output: PassThrough, name: string, columns: readonly Column<Row>[]): RowWriter<Row> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: output as unknown as Writable,
    useStyles: true,
    useSharedStrings: false,
  });
  const title = sheetName(name);
  const sheet = workbook.addWorksheet(title, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((column, index) => ({
    header: column.header,
    key: String(index),
    width: column.width ?? Math.max(12, column.header.length + 2),
    style: NUMBER_FORMATS[column.type ?? 'text'] ? { numFmt: NUMBER_FORMATS[column.type ?? 'text'] } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  let lastRow = 1;
  return {
    async add(rows) {
      for (const row of rows) sheet.addRow(columns.map((column) => xlsxCell(column.cell(row), column.type ?? 'text'))).commit();
      lastRow += rows.length;
      // Let the zip stream drain before taking more rows.
      if (output.writableNeedDrain) await once(output, 'drain');
    },
    async end() {
      // The filter covers every row written, header included: only now is the last one known.
      const last = { row: lastRow, column: columns.length };
      sheet.autoFilter = { from: { row: 1, column: 1 }, to: last };
      nameFilterRange(workbook, title, `$A$1:$${sheet.getColumn(last.column).letter}$${last.row}`);
      sheet.commit();
      await workbook.commit();
    },
  };
}

export type FileReply = { header(name: string, value: string): FileReply };

/** Answers with the file: its type, a name to save it as, and the rows as they are written. */
export function sendFile(reply: FileReply, file: TableFile): Readable {
  reply.header('content-type', file.mediaType).header('content-disposition', `attachment; filename="${file.fileName}"`);
  return file.stream;
}
