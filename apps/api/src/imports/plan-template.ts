import ExcelJS from 'exceljs';
import { Partner, REVIEW_KINDS } from '@app/domain';
import { LABELS } from '../words/words';
import { Readable } from 'node:stream';
import { TableFile } from '../files/table-file';
import { COLUMNS, DATE_COLUMNS, PLAN_STATUSES } from './action-plan';
import { XLSX_MEDIA_TYPE } from './plan-file';

/** One row of a plan as a partnership would fill it in. */
const EXAMPLE: Record<(typeof COLUMNS)[number], string | Date> = {
  'review reference': 'CSPR-2025-01',
  'review title': 'Child H: neglect and parental mental health',
  'review kind': LABELS.kind.cspr,
  'commissioned on': new Date('2024-11-04T00:00:00Z'),
  'published on': new Date('2025-01-20T00:00:00Z'),
  recommendation: 'Partners should use a shared chronology when neglect is long-standing.',
  action: 'Adopt the multi-agency chronology template in children’s social care',
  partner: '',
  lead: 'Head of Service',
  'raised on': new Date('2025-02-03T00:00:00Z'),
  'due date': new Date('2025-06-30T00:00:00Z'),
  status: 'closed',
  'closed on': new Date('2025-06-12T00:00:00Z'),
  outcome: LABELS.outcome.completed,
  themes: 'neglect, multi-agency chronologies',
};

/** A sheet's validations by range, which ExcelJS keeps but does not declare. */
const validationsOf = (sheet: ExcelJS.Worksheet) =>
  (sheet as unknown as { dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void } }).dataValidations;

/** The rows a template offers drop-down lists on. */
const LAST_ROW = 1001;

/**
 * The template of an action plan: the columns on the sheet the import reads (the first), an example
 * row on a sheet of its own (so that it is never imported by mistake), and drop-down lists of the
 * partner agencies, review kinds, statuses and outcomes, kept on a third.
 */
export async function planTemplate(partners: readonly Partner[]): Promise<TableFile> {
  const workbook = new ExcelJS.Workbook();
  const [plan, example] = ['Action plan', 'Example'].map((name) => {
    const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = COLUMNS.map((column) => ({
      header: column,
      key: column,
      width: ['recommendation', 'action', 'review title'].includes(column) ? 50 : 18,
      style: DATE_COLUMNS.includes(column) ? { numFmt: 'dd/mm/yyyy' } : {},
    }));
    sheet.getRow(1).font = { bold: true };
    return sheet;
  });
  // Agencies by the names people know them by, which the import reads as well as their short names: a name is one agency's alone.
  example.addRow({ ...EXAMPLE, partner: partners[0]?.name ?? '' });
  const lists = workbook.addWorksheet('Lists');
  const listed = {
    partner: partners.map((partner) => partner.name),
    'review kind': REVIEW_KINDS.map((kind) => LABELS.kind[kind]),
    status: [...PLAN_STATUSES],
    outcome: Object.values(LABELS.outcome),
  } as const;
  Object.entries(listed).forEach(([column, values], index) => {
    const letter = String.fromCharCode(65 + index);
    lists.getCell(`${letter}1`).value = column;
    values.forEach((value, row) => (lists.getCell(`${letter}${row + 2}`).value = value));
    const target = plan.getColumn(COLUMNS.indexOf(column as (typeof COLUMNS)[number]) + 1).letter;
    // One validation over the column's range: set cell by cell, ExcelJS wrote overlapping ranges, each cell's rule twice.
    validationsOf(plan).add(`${target}2:${target}${LAST_ROW}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`Lists!$${letter}$2:$${letter}$${Math.max(2, values.length + 1)}`],
      showErrorMessage: true,
      errorTitle: column,
      error: `Choose one of the ${column} values listed`,
    });
  });
  const body = Buffer.from(await workbook.xlsx.writeBuffer());
  return { stream: Readable.from([body]), mediaType: XLSX_MEDIA_TYPE, fileName: 'action-plan-template.xlsx' };
}
