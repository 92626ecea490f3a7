import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Actor, dayInEngland } from '@app/domain';
import { ExportActionsQuery } from '../actions/action.queries';
import { ActionView } from '../actions/action.view';
import { ListActionsRequest } from '../actions/actions.request.dto';
import { AssuranceView, GetAssuranceQuery } from '../assurance/assurance.queries';
import { ChangeView, ChangesView, GetChangesHandler, GetChangesQuery } from '../changes/changes.queries';
import { PartnerDirectory } from '../partners/partner-directory';
import { ActionCountsView } from '../reads/action-counts';
import { ReadMoment } from '../reads/read-scope';
import { ListReviewsQuery, ReviewView } from '../reviews/review.queries';
import { ActionFiguresView, ExtensionFiguresView, GetYearlyReportQuery, YearlyReportView } from '../reports/yearly-report.queries';
import { label } from '../words/words';
import { CellValue, Column, FileFormat, TableFile, tableFile } from './table-file';

type Names = Readonly<Record<string, string>>;

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

const counts = <Row>(of: (row: Row) => ActionCountsView): Column<Row>[] =>
  COUNT_COLUMNS.map(([header, key]) => ({ header, type: 'number', cell: (row) => of(row)[key] }));

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

/** The lists as files: the same reads as the JSON answers, in the words of the pages, with dates and numbers as such. */
@Injectable()
export class ListFiles {
  constructor(
    private readonly queries: QueryBus,
    private readonly partners: PartnerDirectory,
    private readonly changesReader: GetChangesHandler,
  ) {}

  private async partnerNames(): Promise<Names> {
    return Object.fromEntries((await this.partners.all()).map((partner) => [partner.id, partner.name]));
  }

  async actions(format: FileFormat, filter: ListActionsRequest, actor: Actor): Promise<TableFile> {
    const names = await this.partnerNames();
    const reviews: ReviewView[] = await this.queries.execute(new ListReviewsQuery(actor, filter));
    const reference = new Map(reviews.map((review) => [review.id, review.reference]));
    const columns: Column<ActionView>[] = [
      { header: 'Review', cell: (action) => reference.get(action.reviewId) },
      { header: 'Action', cell: (action) => action.description, width: 60 },
      {
        header: 'Partner agency',
        cell: (action) => (action.partnerId ? (names[action.partnerId] ?? action.partnerId) : 'Not yet assigned'),
      },
      { header: 'Lead', cell: (action) => action.lead },
      { header: 'Due', type: 'date', cell: (action) => action.dueDate },
      { header: 'First agreed due date', type: 'date', cell: (action) => action.originalDueDate },
      { header: 'Days slipped', type: 'number', cell: (action) => action.daysSlipped },
      { header: 'Status', cell: (action) => (action.assurance === 'accepted' ? 'Ready to close' : label(action.status, 'status')) },
      { header: 'Overdue', cell: (action) => action.overdue },
      { header: 'Extension requested', cell: (action) => action.extensions.some((request) => request.status === 'pending') },
      { header: 'Outcome', cell: (action) => action.outcome && label(action.outcome, 'outcome') },
      { header: 'Impact check due', type: 'date', cell: (action) => (action.impact ? null : action.impactReviewDue) },
      { header: 'Themes', cell: (action) => action.themes.join(', ') },
      { header: 'Raised on', type: 'date', cell: (action) => action.raisedOn },
      { header: 'Last changed', type: 'instant', cell: (action) => action.updatedAt },
      { header: 'Action id', cell: (action) => action.id },
    ];
    return tableFile(format, `actions-${dayInEngland(new Date())}`, columns, (write) =>
      this.queries.execute(new ExportActionsQuery(filter, actor, write)),
    );
  }

  async reviews(format: FileFormat, actor: Actor, moment: ReadMoment = {}): Promise<TableFile> {
    const columns: Column<ReviewView>[] = [
      { header: 'Reference', cell: (review) => review.reference },
      { header: 'Title', cell: (review) => review.title, width: 40 },
      { header: 'Kind', cell: (review) => label(review.kind, 'kind') },
      { header: 'Themes', cell: (review) => review.themes.join(', ') },
      { header: 'Commissioned', type: 'date', cell: (review) => review.commissionedOn },
      { header: 'Published', type: 'date', cell: (review) => review.publishedOn },
      { header: 'Recommendations', type: 'number', cell: (review) => review.recommendations.length },
      ...counts<ReviewView>((review) => review.actions),
      { header: 'Registered', type: 'instant', cell: (review) => review.registeredAt },
    ];
    return tableFile(format, `reviews-${dayInEngland(new Date())}`, columns, async (write) =>
      write(await this.queries.execute(new ListReviewsQuery(actor, moment))),
    );
  }

  async assurance(format: FileFormat, moment: ReadMoment = {}): Promise<TableFile> {
    type Line = Readonly<{ group: string; name: string; counts: ActionCountsView }>;
    const columns: Column<Line>[] = [
      { header: 'By', cell: (line) => line.group },
      { header: 'Name', cell: (line) => line.name, width: 40 },
      ...counts<Line>((line) => line.counts),
    ];
    return tableFile(
      format,
      `assurance-${moment.asAt ?? dayInEngland(moment.asOf ? new Date(moment.asOf) : new Date())}`,
      columns,
      async (write) => {
        const picture: AssuranceView = await this.queries.execute(new GetAssuranceQuery(moment));
        await write([
          { group: 'All partner agencies', name: `As at ${picture.asAt ?? picture.asOf}`, counts: picture.totals },
          ...picture.partners.map((partner) => ({ group: 'Partner agency', name: partner.name, counts: partner })),
          ...picture.themes.map((theme) => ({ group: 'Theme', name: theme.theme, counts: theme })),
          ...picture.reviews.map((review) => ({ group: 'Review', name: `${review.reference}: ${review.title}`, counts: review })),
        ]);
      },
    );
  }

  /** The yearly report as one table: each figure on a row of its own, under its section and what it is about. */
  async yearlyReport(format: FileFormat, from?: string, to?: string): Promise<TableFile> {
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

  async changes(format: FileFormat, from?: string, to?: string): Promise<TableFile> {
    const names = await this.partnerNames();
    let actions: ChangesView['actions'] = {};
    const columns: Column<ChangeView>[] = [
      { header: 'Recorded', type: 'instant', cell: (change) => change.recordedAt },
      { header: 'Happened on', type: 'date', cell: (change) => change.occurredOn },
      { header: 'Change', cell: (change) => label(change.type, 'change') },
      { header: 'Partner agency', cell: (change) => change.partnerId && (names[change.partnerId] ?? change.partnerId) },
      { header: 'Action', cell: (change) => change.actionId && actions[change.actionId]?.description, width: 50 },
      { header: 'What happened', cell: (change) => change.summary, width: 60 },
      { header: 'Who', cell: (change) => (change.actor as { name?: string; sub?: string }).name ?? (change.actor as { sub?: string }).sub },
      { header: 'Type', cell: (change) => change.type },
      { header: 'Action id', cell: (change) => change.actionId },
      { header: 'Review id', cell: (change) => change.reviewId },
      { header: 'Position', cell: (change) => change.position },
    ];
    return tableFile(format, `changes-${dayInEngland(to ? new Date(to) : new Date())}`, columns, async (write) => {
      for await (const page of this.changesReader.changesBetween(new GetChangesQuery(from, to))) {
        actions = page.actions;
        await write(page.items);
      }
    });
  }
}
