import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { CellValue, Column, FileFormat, TableFile, tableFile } from '../files/table-file';
import { label } from '../words/words';
import { ActionFiguresView, ExtensionFiguresView, GetYearlyReportQuery, YearlyReportView } from './yearly-report.queries';

const ACTION_MEASURES: readonly [string, keyof ActionFiguresView][] = [
  ['Raised', 'raised'],
  ['Closed', 'closed'],
  ['Closed with impact evidenced', 'closedWithImpact'],
  ['Outstanding at the end', 'outstandingAtEnd'],
  ['Overdue at the end', 'overdueAtEnd'],
  ['Days slipped', 'daysSlipped'],
  ['Median days to close', 'medianDaysToClose'],
];

const EXTENSION_MEASURES: readonly [string, keyof ExtensionFiguresView][] = [
  ['Requested', 'requested'],
  ['Approved', 'approved'],
  ['Refused', 'refused'],
  ['Days added by approvals', 'daysSlipped'],
];

@Injectable()
export class YearlyReportFile {
  constructor(private readonly queries: QueryBus) {}

  /** The yearly report as one table: each figure on a row of its own, under its section and what it is about. */
  async file(format: FileFormat, from?: string, to?: string): Promise<TableFile> {
    type Figure = Readonly<{ section: string; about: string; measure: string; value: CellValue }>;
    const columns: Column<Figure>[] = [
      { header: 'Section', cell: (figure) => figure.section },
      { header: 'About', cell: (figure) => figure.about, width: 40 },
      { header: 'Measure', cell: (figure) => figure.measure, width: 30 },
      { header: 'Value', type: 'number', cell: (figure) => figure.value },
    ];
    const report: YearlyReportView = await this.queries.execute(new GetYearlyReportQuery(from, to));
    return tableFile(
      format,
      `yearly-report-${report.from}-to-${report.to}`,
      columns,
      async (write) => {
        const period = `${report.from} to ${report.to}`;
        const actionFigures = (about: string, figures: ActionFiguresView): Figure[] =>
          ACTION_MEASURES.map(([measure, key]) => ({ section: 'Actions', about, measure, value: figures[key] }));
        await write([
          { section: 'Reviews', about: period, measure: 'Commissioned', value: report.reviews.commissioned },
          { section: 'Reviews', about: period, measure: 'Published', value: report.reviews.published },
          ...Object.entries(report.reviews.byKind).flatMap(([kind, counts]) => [
            { section: 'Reviews', about: label(kind, 'kind'), measure: 'Commissioned', value: counts.commissioned },
            { section: 'Reviews', about: label(kind, 'kind'), measure: 'Published', value: counts.published },
          ]),
          { section: 'Recommendations', about: period, measure: 'Recorded', value: report.recommendations.total },
          ...Object.entries(report.recommendations.byTheme).map(([theme, count]) => ({
            section: 'Recommendations',
            about: theme,
            measure: 'Recorded',
            value: count,
          })),
          ...actionFigures('All partner agencies', report.actions),
          ...report.actions.byPartner.flatMap((partner) => actionFigures(partner.name, partner)),
          ...EXTENSION_MEASURES.map(([measure, key]) => ({
            section: 'Requests for more time',
            about: period,
            measure,
            value: report.extensions[key],
          })),
          ...report.repeatThemes.map((theme) => ({
            section: 'Repeat themes',
            about: theme.theme,
            measure: `Reviews: ${theme.reviews.join(', ')}`,
            value: theme.reviews.length,
          })),
        ]);
      },
      `Report ${report.from} to ${report.to}`,
    );
  }
}
