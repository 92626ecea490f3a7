import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { CLOSURE_OUTCOMES, ClosureOutcome, REVIEW_KINDS, ReviewKind, tidyThemes } from '@app/domain';
import { isCalendarDate } from '../http/fields';
import { LABELS } from '../words/words';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const OCTET_STREAM = 'application/octet-stream';
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const isZip = (file: Buffer) => file.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'));
export const MAX_ROWS = 10_000;

/** The columns of an action plan, as its header names them (without case), in the order the template has them. */
export const COLUMNS = [
  'review reference',
  'review title',
  'review kind',
  'recommendation',
  'action',
  'partner',
  'lead',
  'raised on',
  'due date',
  'status',
  'closed on',
  'outcome',
  'themes',
] as const;
export type Column = (typeof COLUMNS)[number];
const REQUIRED: readonly Column[] = ['review reference', 'recommendation', 'action', 'partner'];

/** An import's problem with one cell (or, for row 1, the header): where, and what to do about it. */
export type PlanError = Readonly<{ row: number; field: string; message: string }>;

export const PLAN_STATUSES = ['open', 'closed', 'withdrawn'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

/** One action of the plan, checked: what it names, and what the spreadsheet says happened to it. */
export type PlanRow = Readonly<{
  row: number;
  reference: string;
  title?: string;
  kind?: ReviewKind;
  recommendation: string;
  action: string;
  partner: string;
  lead?: string;
  raisedOn?: string;
  dueDate: string;
  status: PlanStatus;
  closedOn?: string;
  outcome?: ClosureOutcome;
  themes: string[];
}>;

/** Thrown when the file as a whole cannot be read: not a spreadsheet, too big, or locked. */
export class UnreadablePlan extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message);
  }
}

type Cell = string | Date | undefined;
type RawRow = Readonly<{ row: number; cells: Cell[] }>;

/** The rows of a CSV or XLSX file, header first, each cell as text or (from XLSX) a date; formulas are reported, not run. */
export async function readSpreadsheet(file: Buffer, mediaType: string): Promise<{ rows: RawRow[]; errors: PlanError[] }> {
  if (file.length === 0) throw new UnreadablePlan('The file is empty: send the action plan as CSV or XLSX, a header row first.');
  if (mediaType.startsWith(XLSX_MEDIA_TYPE)) return readXlsx(file);
  if (mediaType.startsWith('text/csv')) return readCsv(file);
  // Sent as bytes with no type: an XLSX workbook is a zip archive, anything else is read as CSV.
  if (mediaType.startsWith(OCTET_STREAM)) return isZip(file) ? readXlsx(file) : readCsv(file);
  throw new UnreadablePlan('Send the action plan as text/csv or as an XLSX spreadsheet.');
}

function readCsv(file: Buffer): { rows: RawRow[]; errors: PlanError[] } {
  try {
    const records = parse(file, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
    }) as string[][];
    return { rows: records.map((cells, index) => ({ row: index + 1, cells })), errors: [] };
  } catch (error) {
    throw new UnreadablePlan(`The file is not CSV this service can read: ${(error as Error).message}`);
  }
}

/** Password-protected workbooks are encrypted inside an OLE compound file, as old .xls files are. */
const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

async function readXlsx(file: Buffer): Promise<{ rows: RawRow[]; errors: PlanError[] }> {
  if (file.subarray(0, 8).equals(OLE_SIGNATURE)) {
    throw new UnreadablePlan('The workbook is password-protected or an old .xls file: save it as an XLSX workbook without a password.');
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(file as unknown as ExcelJS.Buffer);
  } catch {
    throw new UnreadablePlan('The file is not an XLSX spreadsheet this service can read.');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new UnreadablePlan('The workbook has no sheet.');
  const rows: RawRow[] = [];
  const errors: PlanError[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    const cells: Cell[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      const value = cell.value;
      if (value && typeof value === 'object' && 'formula' in value) {
        errors.push({ row: number, field: String(column), message: 'The cell holds a formula: enter the value itself' });
        return;
      }
      cells[column - 1] = value instanceof Date ? value : cellText(value);
    });
    rows.push({ row: number, cells });
  });
  return { rows, errors };
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

/** The columns the header names, matched without case; what it lacks is an error on row 1. */
function headerOf(cells: Cell[]): { at: Map<Column, number>; errors: PlanError[] } {
  const at = new Map<Column, number>();
  cells.forEach((cell, index) => {
    const name = typeof cell === 'string' ? cell.trim().toLowerCase() : '';
    if ((COLUMNS as readonly string[]).includes(name)) at.set(name as Column, index);
  });
  const errors = REQUIRED.filter((column) => !at.has(column)).map((column) => ({
    row: 1,
    field: column,
    message: `The column "${column}" is missing: the header row must name ${REQUIRED.join(', ')}`,
  }));
  return { at, errors };
}

/** "31/03/2026", "2026-03-31" or a spreadsheet's own date, as a calendar date; undefined when it is none of these. */
export function calendarDateOf(cell: Cell): string | undefined {
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? undefined : cell.toISOString().slice(0, 10);
  if (!cell) return undefined;
  const british = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(cell);
  const date = british ? `${british[3]}-${british[2].padStart(2, '0')}-${british[1].padStart(2, '0')}` : cell;
  return isCalendarDate(date) ? date : undefined;
}

/** Each review kind by its code or its label, without case: "cspr", "Rapid review". */
const KINDS = new Map<string, ReviewKind>(
  REVIEW_KINDS.flatMap((kind) => [
    [kind, kind],
    [LABELS.kind[kind].toLowerCase(), kind],
  ]),
);
const OUTCOMES = new Map<string, ClosureOutcome>(
  CLOSURE_OUTCOMES.flatMap((outcome) => [
    [outcome, outcome],
    [LABELS.outcome[outcome].toLowerCase(), outcome],
  ]),
);
const STATUSES = new Map<string, PlanStatus>([
  ['', 'open'],
  ['open', 'open'],
  ['assigned', 'open'],
  ['in progress', 'open'],
  ['closed', 'closed'],
  ['complete', 'closed'],
  ['withdrawn', 'withdrawn'],
]);

/** Partners by id or name, without case. */
export type PartnerLookup = Readonly<{ find: (text: string) => string | undefined; known: string }>;

const LIMITS: Partial<Record<Column, number>> = {
  'review reference': 64,
  'review title': 300,
  recommendation: 4000,
  action: 4000,
  lead: 200,
};

/** Checks every row of a spreadsheet read as cells: the plan's rows that are sound, and every error of those that are not. */
export function checkPlan(rows: readonly RawRow[], partners: PartnerLookup): { plan: PlanRow[]; errors: PlanError[] } {
  const [header, ...body] = rows;
  if (!header) return { plan: [], errors: [{ row: 1, field: 'file', message: 'The file has no header row' }] };
  const { at, errors } = headerOf(header.cells);
  if (errors.length) return { plan: [], errors };
  const plan: PlanRow[] = [];
  const seen = new Map<string, number>();
  for (const { row, cells } of body) {
    const rowErrors: PlanError[] = [];
    const fail = (field: string, message: string) => rowErrors.push({ row, field, message });
    const text = (column: Column): string | undefined => {
      const index = at.get(column);
      const cell = index === undefined ? undefined : cells[index];
      const value = cell instanceof Date ? cell.toISOString().slice(0, 10) : cell?.trim();
      if (!value) return undefined;
      if (/^[=+@]/.test(value))
        fail(column, `${sentence(column)} starts with "${value[0]}": a formula is not accepted, enter the value itself`);
      const limit = LIMITS[column];
      if (limit && value.length > limit) fail(column, `${sentence(column)} must be ${limit} characters or fewer`);
      return value;
    };
    const date = (column: Column): string | undefined => {
      const index = at.get(column);
      const cell = index === undefined ? undefined : cells[index];
      if (cell === undefined || cell === '') return undefined;
      const day = calendarDateOf(cell);
      if (!day) fail(column, `${sentence(column)} must be a real date, like 31/03/2026`);
      return day;
    };
    const values = Object.fromEntries(COLUMNS.map((column) => [column, text(column)])) as Record<Column, string | undefined>;
    if (COLUMNS.every((column) => values[column] === undefined)) continue;
    for (const column of REQUIRED) if (!values[column]) fail(column, `Enter the ${column}`);
    const partner = values.partner && partners.find(values.partner);
    if (values.partner && !partner) fail('partner', `There is no partner agency "${values.partner}": the partners are ${partners.known}`);
    const kind = values['review kind'] && KINDS.get(values['review kind'].toLowerCase());
    if (values['review kind'] && !kind)
      fail('review kind', `Review kind must be one of: ${REVIEW_KINDS.map((k) => LABELS.kind[k]).join(', ')}`);
    const status = STATUSES.get((values.status ?? '').toLowerCase());
    if (!status) fail('status', 'Status must be open, closed or withdrawn');
    const outcome = values.outcome && OUTCOMES.get(values.outcome.toLowerCase());
    if (values.outcome && !outcome) fail('outcome', 'Outcome must be impact evidenced, completed or superseded');
    const [raisedOn, dueDate, closedOn] = [date('raised on'), date('due date'), date('closed on')];
    if (status === 'closed' && !values['closed on']) fail('closed on', 'Enter the day a closed action was closed');
    if (status === 'closed' && !values.outcome)
      fail('outcome', 'Enter the outcome of a closed action: impact evidenced, completed or superseded');
    if (status === 'open' && values['closed on'])
      fail('closed on', 'An open action has no closing date: leave it empty, or give the status');
    if (raisedOn && closedOn && closedOn < raisedOn) fail('closed on', 'The action cannot be closed before it was raised');
    // An action that ended without a due date in the plan takes the day it ended as its due date.
    if (!values['due date'] && !(status !== 'open' && closedOn)) fail('due date', 'Enter the due date');
    const identity = [values['review reference'], values.action, partner].map((part) => part?.toLowerCase()).join('\u0000');
    const first = seen.get(identity);
    if (first !== undefined && partner) fail('action', `The same action for the same partner and review is on row ${first}`);
    else seen.set(identity, row);
    if (rowErrors.length) {
      errors.push(...rowErrors);
      continue;
    }
    plan.push({
      row,
      reference: values['review reference']!,
      title: values['review title'],
      kind: kind || undefined,
      recommendation: values.recommendation!,
      action: values.action!,
      partner: partner!,
      lead: values.lead,
      raisedOn,
      dueDate: (dueDate ?? closedOn)!,
      status: status!,
      closedOn,
      outcome: outcome || undefined,
      themes: tidyThemes((values.themes ?? '').split(/[;,]/)),
    });
  }
  return { plan, errors };
}

const sentence = (column: string) => column[0].toUpperCase() + column.slice(1);
