import {
  CLOSURE_OUTCOMES,
  NOT_A_CALENDAR_DATE,
  ClosureOutcome,
  REVIEW_KINDS,
  ReviewKind,
  TEXT_LIMITS,
  ValueRule,
  calendarDate,
  text,
  themes as themesRule,
  tidyThemes,
  reviewReferenceKey,
} from '@app/domain';
import { breathe } from '@app/event-store';
import { unneutralised } from '../files/table-file';
import { LABELS } from '../words/words';
import { RawRow, SheetCell } from './plan-file';

/** The columns of an action plan, as its header names them (without case), in the order the template has them; no other is read. */
export const COLUMNS = [
  'review reference',
  'review title',
  'review kind',
  'commissioned on',
  'published on',
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
/** The columns that hold days. */
export const DATE_COLUMNS: readonly Column[] = ['commissioned on', 'published on', 'raised on', 'due date', 'closed on'];
const REQUIRED: readonly Column[] = ['review reference', 'recommendation', 'action', 'partner'];

/** A review's reference as reviews are found by: without case or surrounding space. */

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
  commissionedOn?: string;
  publishedOn?: string;
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

/** The rules each column of text is held to: the same as the API's for the same field. */
const TEXT_RULES: Partial<Record<Column, ValueRule>> = {
  'review reference': text(TEXT_LIMITS.reference),
  'review title': text(TEXT_LIMITS.title),
  recommendation: text(TEXT_LIMITS.long),
  action: text(TEXT_LIMITS.long),
  lead: text(TEXT_LIMITS.name),
};

/** "31/03/2026", "2026-03-31" or a spreadsheet's own date, as a calendar date written YYYY-MM-DD; the text itself when it is none of these. */
export function calendarDateOf(cell: SheetCell): string | undefined {
  if (typeof cell === 'object') return cell.date;
  if (!cell) return undefined;
  const british = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(cell);
  return british ? `${british[3]}-${british[2].padStart(2, '0')}-${british[1].padStart(2, '0')}` : cell;
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

/** A column's name as the start of a sentence. */
export const sentence = (column: string) => column[0].toUpperCase() + column.slice(1);

/** The columns the header names, matched without case; what it lacks, and a column it names that the import does not read, are errors on row 1. */
function headerOf(cells: readonly SheetCell[]): { at: Map<Column, number>; errors: PlanError[] } {
  const at = new Map<Column, number>();
  const errors: PlanError[] = [];
  cells.forEach((cell, index) => {
    const name = typeof cell === 'string' ? cell.trim().toLowerCase() : '';
    if ((COLUMNS as readonly string[]).includes(name)) at.set(name as Column, index);
    else if (name !== '')
      errors.push({
        row: 1,
        field: name,
        message: `The column "${name}" is not one this import reads: the columns are ${COLUMNS.join(', ')}`,
      });
  });
  for (const column of REQUIRED.filter((required) => !at.has(required)))
    errors.push({ row: 1, field: column, message: `The column "${column}" is missing: the header row must name ${REQUIRED.join(', ')}` });
  return { at, errors };
}

/** What the rows of one review say of it: the first row to give each date, whose word the others must keep. */
type ReviewDates = Map<string, Partial<Record<'commissioned on' | 'published on', { row: number; day: string }>>>;

/** The review's dates from the row, held to what an earlier row of the same review gave. */
function reviewDatesOf(reader: RowReader, reference: string | undefined, known: ReviewDates) {
  const dates = { commissionedOn: reader.date('commissioned on'), publishedOn: reader.date('published on') };
  if (!reference) return dates;
  const key = reviewReferenceKey(reference);
  const kept = known.get(key) ?? {};
  for (const [column, day] of [
    ['commissioned on', dates.commissionedOn],
    ['published on', dates.publishedOn],
  ] as const) {
    if (!day) continue;
    const first = kept[column];
    if (first && first.day !== day) reader.fail(column, `${sentence(column)} differs from row ${first.row}, for the same review`);
    else kept[column] ??= { row: reader.row, day };
  }
  known.set(key, kept);
  if (dates.commissionedOn && dates.publishedOn && dates.publishedOn < dates.commissionedOn)
    reader.fail('published on', 'The review cannot be published before it was commissioned');
  return dates;
}

/** One row's cells by column, each read by the rules of its kind; what breaks one is kept as an error of the row. */
class RowReader {
  readonly errors: PlanError[] = [];
  private readonly texts = new Map<Column, string | undefined>();

  constructor(
    readonly row: number,
    private readonly cells: readonly SheetCell[],
    private readonly at: ReadonlyMap<Column, number>,
  ) {}

  /** One message a column: the first thing wrong with it. */
  fail(column: Column, message: string): void {
    if (!this.errors.some((error) => error.field === column)) this.errors.push({ row: this.row, field: column, message });
  }

  private cell(column: Column): SheetCell {
    const index = this.at.get(column);
    return index === undefined ? undefined : this.cells[index];
  }

  /** The cell as text, trimmed, line breaks as newlines alone; undefined when it is empty. */
  text(column: Column): string | undefined {
    if (!this.texts.has(column)) this.texts.set(column, this.readText(column));
    return this.texts.get(column);
  }

  private readText(column: Column): string | undefined {
    const cell = this.cell(column);
    // Text as the API takes it: a phone number may start with "+"; a file this service wrote comes back without its guard.
    const value = typeof cell === 'object' ? cell.date : unneutralised(cell?.replaceAll('\r\n', '\n').trim() ?? '');
    if (typeof cell === 'object' && value === undefined) this.fail(column, `${sentence(column)} holds a date that is no real day`);
    if (!value) return undefined;
    this.follows(column, value, TEXT_RULES[column]);
    return value;
  }

  private follows(column: Column, value: unknown, rule: ValueRule | undefined): void {
    const problem = rule?.(value);
    if (problem) this.fail(column, `${sentence(column)} ${problem}`);
  }

  date(column: Column): string | undefined {
    const cell = this.cell(column);
    if (cell === undefined || cell === '') return undefined;
    const day = calendarDateOf(cell);
    const problem = calendarDate(day);
    if (problem) {
      this.fail(column, `${sentence(column)} ${problem === NOT_A_CALENDAR_DATE ? 'must be a real date, like 31/03/2026' : problem}`);
      return undefined;
    }
    return day;
  }

  /** One of the values `choices` knows the cell's text by, without case; else an error saying what it may be. */
  choice<Value>(column: Column, choices: ReadonlyMap<string, Value>, message: string): Value | undefined {
    const value = choices.get((this.text(column) ?? '').toLowerCase());
    if (value === undefined) this.fail(column, message);
    return value;
  }

  themes(): string[] {
    const themes = tidyThemes((this.text('themes') ?? '').split(/[;,]/));
    this.follows('themes', themes, themesRule);
    return themes;
  }
}

/** A row's status and the dates and outcome that go with it, checked against each other. */
function lifecycleOf(reader: RowReader) {
  const status = reader.choice('status', STATUSES, 'Status must be open, closed or withdrawn');
  const outcome =
    reader.text('outcome') === undefined
      ? undefined
      : reader.choice('outcome', OUTCOMES, 'Outcome must be impact evidenced, completed or superseded');
  const [raisedOn, dueDate, closedOn] = [reader.date('raised on'), reader.date('due date'), reader.date('closed on')];
  const closedGiven = reader.text('closed on') !== undefined;
  if (status === 'closed' && !closedGiven) reader.fail('closed on', 'Enter the day a closed action was closed');
  if (status === 'closed' && !outcome)
    reader.fail('outcome', 'Enter the outcome of a closed action: impact evidenced, completed or superseded');
  if (status === 'open' && closedGiven) reader.fail('closed on', 'An open action has no closing date: leave it empty, or give the status');
  if (raisedOn && closedOn && closedOn < raisedOn) reader.fail('closed on', 'The action cannot be closed before it was raised');
  // An action that ended without a due date in the plan takes the day it ended as its due date.
  if (reader.text('due date') === undefined && !(status !== 'open' && closedOn)) reader.fail('due date', 'Enter the due date');
  return { status, outcome, raisedOn, dueDate: dueDate ?? closedOn, closedOn };
}

/** Rows by the action they name (review, action and partner, without case): the same action twice is an error. */
type SeenActions = Map<string, number>;

/** One row read and checked: the plan's row, or the errors that keep it out (in `reader.errors`). */
function readRow(reader: RowReader, partners: PartnerLookup, seen: SeenActions, reviews: ReviewDates): Omit<PlanRow, 'row'> | undefined {
  const named = Object.fromEntries(REQUIRED.map((column) => [column, reader.text(column)])) as Record<(typeof REQUIRED)[number], string>;
  for (const column of REQUIRED) if (!named[column]) reader.fail(column, `Enter the ${column}`);
  const partner = named.partner && partners.find(named.partner);
  if (named.partner && !partner)
    reader.fail('partner', `There is no partner agency "${named.partner}": the partners are ${partners.known}`);
  const kindText = reader.text('review kind');
  const kind =
    kindText === undefined
      ? undefined
      : reader.choice('review kind', KINDS, `Review kind must be one of: ${REVIEW_KINDS.map((k) => LABELS.kind[k]).join(', ')}`);
  const { status, outcome, raisedOn, dueDate, closedOn } = lifecycleOf(reader);
  const rest = {
    title: reader.text('review title'),
    ...reviewDatesOf(reader, named['review reference'], reviews),
    lead: reader.text('lead'),
    themes: reader.themes(),
  };
  if (named['review reference'] && named.action && partner) {
    const identity = [named['review reference'], named.action, partner].map((part) => part.toLowerCase()).join('\u0000');
    const first = seen.get(identity);
    if (first !== undefined) reader.fail('action', `The same action for the same partner and review is on row ${first}`);
    else seen.set(identity, reader.row);
  }
  if (reader.errors.length > 0 || !partner || !status || !dueDate) return undefined;
  return {
    reference: named['review reference'],
    recommendation: named.recommendation,
    action: named.action,
    partner,
    kind,
    status,
    outcome,
    raisedOn,
    dueDate,
    closedOn,
    ...rest,
  };
}

const isEmpty = (cells: readonly SheetCell[]) =>
  cells.every((cell) => cell === undefined || (typeof cell === 'string' && cell.trim() === ''));

/** Rows checked before the event loop is let through: a plan of 10,000 rows never holds up the service's requests for long. */
const CHECKED_BETWEEN_BREATHS = 100;

/** Checks every row of a spreadsheet read as cells: the plan's rows that are sound, and every error of those that are not. */
export async function checkPlan(rows: readonly RawRow[], partners: PartnerLookup): Promise<{ plan: PlanRow[]; errors: PlanError[] }> {
  const [header, ...body] = rows;
  if (!header) return { plan: [], errors: [{ row: 1, field: 'file', message: 'The file has no header row' }] };
  const { at, errors } = headerOf(header.cells);
  if (errors.length) return { plan: [], errors };
  const plan: PlanRow[] = [];
  const seen: SeenActions = new Map();
  const reviews: ReviewDates = new Map();
  for (const [index, { row, cells }] of body.entries()) {
    if (index > 0 && index % CHECKED_BETWEEN_BREATHS === 0) await breathe();
    if (isEmpty(cells)) continue;
    const reader = new RowReader(row, cells, at);
    const read = readRow(reader, partners, seen, reviews);
    if (read) plan.push({ row, ...read });
    errors.push(...reader.errors);
  }
  return { plan, errors };
}

/** What the plan says of one review: its dates, and the day it counts on. */
export type ReviewOfPlan = { commissionedOn?: string; publishedOn?: string; day: string };

/**
 * Each review of the plan, by its reference's key: the dates its rows give, and the day it and its
 * recommendations count on: when it was commissioned, else the earliest day any of its rows gives
 * (published, raised, closed or due), and never later than today; never the day of the import.
 */
export function reviewsIn(plan: readonly PlanRow[], today: string): Map<string, ReviewOfPlan> {
  const reviews = new Map<string, Omit<ReviewOfPlan, 'day'> & { earliest: string }>();
  for (const row of plan) {
    const key = reviewReferenceKey(row.reference);
    const review = reviews.get(key) ?? { earliest: today };
    review.commissionedOn ??= row.commissionedOn;
    review.publishedOn ??= row.publishedOn;
    for (const day of [row.publishedOn, row.raisedOn, row.closedOn, row.dueDate]) if (day && day < review.earliest) review.earliest = day;
    reviews.set(key, review);
  }
  return new Map(
    [...reviews].map(([key, { earliest, ...review }]) => {
      const day = review.commissionedOn ?? earliest;
      return [key, { ...review, day: day < today ? day : today }];
    }),
  );
}
