import { ActionCountsView } from '../reads/action-counts';
import { Column } from './table-file';

const COUNT_COLUMNS: readonly [string, keyof ActionCountsView][] = [
  ['Outstanding', 'outstanding'],
  ['Overdue', 'overdue'],
  ['Awaiting assurance', 'awaitingAssurance'],
  ['Ready to close', 'readyToClose'],
  ['Extensions requested', 'extensionsPending'],
  ['Impact checks due', 'impactChecksDue'],
  ['Closed', 'closed'],
  ['Withdrawn', 'withdrawn'],
  ['Total', 'total'],
];

/** The action counts as columns, in the words of the pages. */
export const countColumns = <Row>(of: (row: Row) => ActionCountsView): Column<Row>[] =>
  COUNT_COLUMNS.map(([header, key]) => ({ header, type: 'number', cell: (row) => of(row)[key] }));
