import { PartnerLookup, PlanRow, checkPlan, reviewsIn } from './action-plan';
import { RawRow, SheetCell } from './plan-file';

const partners: PartnerLookup = {
  find: (text) => ({ police: 'police', 'thames valley police': 'police' })[text.trim().toLowerCase()],
  known: 'police (Thames Valley Police)',
};
const HEADER = [
  'Review reference',
  'Recommendation',
  'Action',
  'Partner',
  'Due date',
  'Status',
  'Closed on',
  'Outcome',
  'Themes',
  'Raised on',
];
type Cells = Partial<
  Record<'reference' | 'recommendation' | 'action' | 'partner' | 'due' | 'status' | 'closed' | 'outcome' | 'themes' | 'raised', SheetCell>
>;
const row = (cells: Cells): SheetCell[] => {
  const sound: Cells = {
    reference: 'CSPR-1',
    recommendation: 'Share chronologies',
    action: 'Adopt the template',
    partner: 'police',
    due: '31/03/2027',
  };
  const all = { ...sound, ...cells };
  return [all.reference, all.recommendation, all.action, all.partner, all.due, all.status, all.closed, all.outcome, all.themes, all.raised];
};
/** The rows after the header, each its own action unless it names one. */
const rows = (...body: Cells[]): RawRow[] => [
  { row: 1, cells: HEADER },
  ...body.map((cells, index) => ({ row: index + 2, cells: row({ action: `Action ${index}`, ...cells }) })),
];

describe('checking an action plan, row by row', () => {
  it('reads a sound row: dates in UK, ISO or spreadsheet form, status and themes tidied', async () => {
    const { plan, errors } = await checkPlan(
      rows(
        { due: '2027-03-31', themes: 'Neglect; sharing, neglect' },
        {
          action: 'Closed one',
          due: { date: '2025-06-30' },
          status: 'Complete',
          closed: '12/06/2025',
          outcome: 'Completed',
          raised: '3/2/2025',
        },
      ),
      partners,
    );
    expect(errors).toEqual([]);
    expect(plan).toEqual([
      expect.objectContaining({ row: 2, partner: 'police', dueDate: '2027-03-31', status: 'open', themes: ['Neglect', 'sharing'] }),
      expect.objectContaining({
        row: 3,
        dueDate: '2025-06-30',
        status: 'closed',
        closedOn: '2025-06-12',
        outcome: 'completed',
        raisedOn: '2025-02-03',
      }),
    ]);
  });

  it('names what the header lacks, and reads nothing else', async () => {
    const { plan, errors } = await checkPlan([{ row: 1, cells: ['Review reference', 'Action'] }], partners);
    expect(plan).toEqual([]);
    expect(errors.map((error) => error.field)).toEqual(['recommendation', 'partner']);
  });

  it('holds each cell to the rules the API holds its field to, one message a cell', async () => {
    const { plan, errors } = await checkPlan(
      rows(
        { action: 'bell \u0007' },
        { action: '\u200b\u200b' },
        { reference: 'R'.repeat(65) },
        { themes: Array.from({ length: 21 }, (_, n) => `t${n}`).join(';') },
        { due: '2027-13-01' },
        { due: '31/02/2027' },
        { due: '1989-12-31' },
        { due: { date: undefined } },
        { partner: 'Nobody' },
      ),
      partners,
    );
    expect(plan).toEqual([]);
    expect(errors).toEqual([
      { row: 2, field: 'action', message: 'Action must not hold control characters other than tab and newline' },
      { row: 3, field: 'action', message: 'Action must not be blank' },
      { row: 4, field: 'review reference', message: 'Review reference must be 64 characters or fewer' },
      { row: 5, field: 'themes', message: 'Themes must be 20 themes or fewer' },
      { row: 6, field: 'due date', message: 'Due date must be a real date, like 31/03/2026' },
      { row: 7, field: 'due date', message: 'Due date must be a real date, like 31/03/2026' },
      { row: 8, field: 'due date', message: 'Due date must be a date from 1990 to 2100' },
      { row: 9, field: 'due date', message: 'Due date must be a real date, like 31/03/2026' },
      { row: 10, field: 'partner', message: 'There is no partner agency "Nobody": the partners are police (Thames Valley Police)' },
    ]);
  });

  it('reads text as the API takes it: a leading "=" or "+" is text, and a guard this service wrote comes off', async () => {
    const { plan, errors } = await checkPlan(rows({ action: '=SUM(A1)' }, { action: "'+44 1865 123456 is the desk" }), partners);
    expect(errors).toEqual([]);
    expect(plan.map((row) => row.action)).toEqual(['=SUM(A1)', '+44 1865 123456 is the desk']);
  });

  it('checks a row’s status against its dates and outcome, and the same action twice', async () => {
    const { plan, errors } = await checkPlan(
      rows(
        { status: 'closed', outcome: 'completed' },
        { status: 'open', closed: '01/01/2026' },
        { status: 'withdrawn', due: '', closed: '01/01/2026', action: 'Withdrawn without a due date' },
        { raised: '01/02/2026', status: 'closed', closed: '01/01/2026', outcome: 'superseded', action: 'Closed before raised' },
        { action: 'action 0', partner: 'Thames Valley Police', reference: 'cspr-1' },
      ),
      partners,
    );
    expect(errors).toEqual([
      { row: 2, field: 'closed on', message: 'Enter the day a closed action was closed' },
      { row: 3, field: 'closed on', message: 'An open action has no closing date: leave it empty, or give the status' },
      { row: 5, field: 'closed on', message: 'The action cannot be closed before it was raised' },
      { row: 6, field: 'action', message: 'The same action for the same partner and review is on row 2' },
    ]);
    expect(plan).toEqual([expect.objectContaining({ row: 4, status: 'withdrawn', dueDate: '2026-01-01' })]);
  });

  it('refuses a column it does not read, naming it, and passes over a header cell left empty', async () => {
    const { errors } = await checkPlan([{ row: 1, cells: [...HEADER, 'Date raised', ''] }], partners);
    expect(errors).toEqual([
      { row: 1, field: 'date raised', message: expect.stringMatching(/^The column "date raised" is not one this import reads/) },
    ]);
  });

  it('takes a review’s dates from any of its rows, and refuses two rows that disagree', async () => {
    const header = [...HEADER, 'Commissioned on', 'Published on'];
    const withDates = (cells: Cells, commissioned: SheetCell, published: SheetCell, index: number): RawRow => ({
      row: index + 2,
      cells: [...row({ action: `Action ${index}`, ...cells }), commissioned, published],
    });
    const { plan, errors } = await checkPlan(
      [
        { row: 1, cells: header },
        withDates({}, '', '', 0),
        withDates({}, '04/11/2024', '20/01/2025', 1),
        withDates({}, '05/11/2024', '', 2),
        withDates({ reference: 'CSPR-2' }, '01/02/2025', '01/01/2025', 3),
      ],
      partners,
    );
    expect(errors).toEqual([
      { row: 4, field: 'commissioned on', message: 'Commissioned on differs from row 3, for the same review' },
      { row: 5, field: 'published on', message: 'The review cannot be published before it was commissioned' },
    ]);
    expect(plan.map(({ row, commissionedOn, publishedOn }) => ({ row, commissionedOn, publishedOn }))).toEqual([
      { row: 2, commissionedOn: undefined, publishedOn: undefined },
      { row: 3, commissionedOn: '2024-11-04', publishedOn: '2025-01-20' },
    ]);
  });

  it('passes over empty rows', async () => {
    const { plan, errors } = await checkPlan(
      [
        { row: 1, cells: HEADER },
        { row: 2, cells: ['', ' ', undefined] },
      ],
      partners,
    );
    expect({ plan, errors }).toEqual({ plan: [], errors: [] });
  });

  it('counts a review on the day it was commissioned, else the earliest day its rows give, never after today', () => {
    const planned = (reference: string, days: Partial<PlanRow>): PlanRow =>
      ({
        row: 2,
        reference,
        recommendation: 'R',
        action: 'A',
        partner: 'police',
        status: 'open',
        themes: [],
        dueDate: '2027-03-31',
        ...days,
      }) as PlanRow;
    const reviews = reviewsIn(
      [
        planned('CSPR-1', { raisedOn: '2025-02-03' }),
        planned('cspr-1 ', { commissionedOn: '2024-11-04', publishedOn: '2025-01-20' }),
        planned('CSPR-2', { raisedOn: '2025-05-01', closedOn: '2025-04-01', dueDate: '2025-06-30' }),
        planned('CSPR-3', { dueDate: '2027-03-31' }),
      ],
      '2026-12-07',
    );
    expect(Object.fromEntries(reviews)).toEqual({
      'cspr-1': { commissionedOn: '2024-11-04', publishedOn: '2025-01-20', day: '2024-11-04' },
      'cspr-2': { day: '2025-04-01' },
      'cspr-3': { day: '2026-12-07' },
    });
  });
});
