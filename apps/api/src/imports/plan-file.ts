import { once } from 'node:events';
import { threadBeside } from '@app/event-store';
import { AnsweredAsProblem } from '../http/problem';
import { UnreadableZip, readZipDirectory } from './zip-directory';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const OCTET_STREAM = 'application/octet-stream';
/** The media types `POST /imports` takes, and no other route. */
export const PLAN_MEDIA_TYPES = ['text/csv', XLSX_MEDIA_TYPE, OCTET_STREAM] as const;
/** What a plan is taken as, and what to do with a spreadsheet saved another way (LibreOffice's own format, an old .xls). */
export const PLAN_FORMATS =
  'Send the action plan as CSV or as an Excel workbook (.xlsx). A LibreOffice spreadsheet (.ods) or an old Excel file (.xls): save it as .xlsx first.';
/** The media type a LibreOffice spreadsheet has, which its zip also names first. */
const ODS_MEDIA_TYPE = 'application/vnd.oasis.opendocument.spreadsheet';
/** Where an action plan is posted as a file of its own (the page posts it in a form). */
export const IMPORT_PATH = /^\/imports(\?|$)/;
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_ROWS = 10_000;
/** More columns than a plan has, with room for a partnership's own. */
export const MAX_COLUMNS = 64;
/** A row of a CSV file: every column of a plan at its longest, and more. */
export const MAX_ROW_CHARACTERS = 64 * 1024;
/** What an XLSX workbook may unpack to, as its zip's directory says before anything is inflated. */
export const MAX_XLSX_ENTRIES = 1000;
export const MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024;
/** What reading one file may take, on its own thread: beyond either, the file is refused. */
const READ_MEMORY_MB = 384;
const READ_SECONDS = 30;
/** Files read at once; more wait their turn, so that memory stays bounded whatever arrives. */
const READERS = 2;

export const isZip = (file: Buffer) => file.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'));
/** Password-protected workbooks are encrypted inside an OLE compound file, as old .xls files are. */
const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/** A spreadsheet cell: text, or a date the sheet holds (undefined when it is no day four digits can write). */
export type SheetCell = string | Readonly<{ date: string | undefined }> | undefined;
export type RawRow = Readonly<{ row: number; cells: SheetCell[] }>;
export type Unreadable = Readonly<{ message: string; status: 400 | 413 }>;
export type PlanFileLimits = Readonly<{ maxRows: number; maxColumns: number; maxRowCharacters: number }>;
export type PlanFileRequest = Readonly<{ file: Uint8Array; kind: 'csv' | 'xlsx'; limits: PlanFileLimits }>;
/** The file's rows, header first, and the cells that held formulas (by row and column number), which are left out. */
export type PlanFileResult = Readonly<{ rows: RawRow[]; formulas: { row: number; column: number }[] }>;
/** The thread's answer: the result as JSON text, or why the file was refused. */
type Answer = Readonly<{ result: string }> | Readonly<{ unreadable: Unreadable }>;

/** Thrown when the file as a whole cannot be read: not a spreadsheet, too big, or locked. */
export class UnreadablePlan extends AnsweredAsProblem {
  constructor(
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message, { status, code: 'unreadable-plan' });
  }
}

function kindOf(file: Buffer, mediaType: string): 'csv' | 'xlsx' {
  if (mediaType.startsWith(XLSX_MEDIA_TYPE)) return 'xlsx';
  if (mediaType.startsWith('text/csv')) return 'csv';
  // Sent as bytes with no type: an XLSX workbook is a zip archive, anything else is read as CSV.
  if (mediaType.startsWith(OCTET_STREAM)) return isZip(file) ? 'xlsx' : 'csv';
  throw new UnreadablePlan(PLAN_FORMATS);
}

/** What a workbook's zip directory says it unpacks to, held to the limits before anything is inflated. */
function requireUnpackable(file: Buffer): void {
  // An OpenDocument file's zip begins with its media type, stored as it is.
  if (file.subarray(0, 100).includes(ODS_MEDIA_TYPE)) throw new UnreadablePlan(PLAN_FORMATS);
  if (file.subarray(0, 8).equals(OLE_SIGNATURE)) {
    throw new UnreadablePlan('The workbook is password-protected or an old .xls file: save it as an XLSX workbook without a password.');
  }
  let directory;
  try {
    directory = readZipDirectory(file);
  } catch (error) {
    if (error instanceof UnreadableZip) throw new UnreadablePlan('The file is not an XLSX spreadsheet this service can read.');
    throw error;
  }
  if (directory.entries > MAX_XLSX_ENTRIES || directory.uncompressedBytes > MAX_XLSX_UNPACKED_BYTES) {
    const megabytes = Math.round(directory.uncompressedBytes / 1024 / 1024).toLocaleString('en-GB');
    throw new UnreadablePlan(
      `The workbook unpacks to ${directory.entries.toLocaleString('en-GB')} parts and ${megabytes} MB: ` +
        `an action plan takes at most ${MAX_XLSX_ENTRIES.toLocaleString('en-GB')} parts and ${MAX_XLSX_UNPACKED_BYTES / 1024 / 1024} MB.`,
      413,
    );
  }
}

const outOfBounds = () =>
  new UnreadablePlan(`The file could not be read within ${READ_SECONDS} seconds and ${READ_MEMORY_MB} MB: send a smaller plan.`, 413);

let reading = 0;
const waiting: (() => void)[] = [];

async function takeTurn(): Promise<() => void> {
  if (reading >= READERS) await new Promise<void>((resolve) => waiting.push(resolve));
  reading += 1;
  return () => {
    reading -= 1;
    waiting.shift()?.();
  };
}

/**
 * Reads the file on a thread of its own, within a memory and a time limit: however a spreadsheet
 * is built, reading it never holds up the service's requests, and one that will not be read in
 * bounds is refused with 413.
 */
async function readOnThread(request: PlanFileRequest): Promise<PlanFileResult> {
  const done = await takeTurn();
  const thread = threadBeside(__filename, 'plan-file.thread', {
    workerData: request,
    resourceLimits: { maxOldGenerationSizeMb: READ_MEMORY_MB, maxYoungGenerationSizeMb: 32 },
  });
  const timer = setTimeout(() => void thread.terminate(), READ_SECONDS * 1000);
  try {
    const [answer] = (await Promise.race([once(thread, 'message'), once(thread, 'exit').then(() => [undefined])])) as [Answer | undefined];
    if (answer && 'result' in answer) return JSON.parse(answer.result) as PlanFileResult;
    if (answer) throw new UnreadablePlan(answer.unreadable.message, answer.unreadable.status);
    throw outOfBounds();
  } catch (error) {
    // A thread out of memory ends with an error rather than an exit.
    if (error instanceof UnreadablePlan) throw error;
    throw outOfBounds();
  } finally {
    clearTimeout(timer);
    void thread.terminate();
    done();
  }
}

/** The rows of a CSV or XLSX file, header first; formulas are reported, not run. Every limit applies before or while reading. */
export async function readPlanFile(file: Buffer, mediaType: string): Promise<PlanFileResult> {
  if (file.length === 0) throw new UnreadablePlan('The file is empty: send the action plan as CSV or XLSX, a header row first.');
  if (file.length > MAX_FILE_BYTES) throw new UnreadablePlan('The file is larger than 5 MiB.', 413);
  const kind = kindOf(file, mediaType);
  if (kind === 'xlsx') requireUnpackable(file);
  const limits = { maxRows: MAX_ROWS, maxColumns: MAX_COLUMNS, maxRowCharacters: MAX_ROW_CHARACTERS };
  return readOnThread({ file: new Uint8Array(file), kind, limits });
}
