import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Actor, dayInEngland } from '@app/domain';
import { Column, FileFormat, TableFile, tableFile } from '../files/table-file';
import { PartnerDirectory } from '../partners/partner-directory';
import { ListReviewsQuery, ReviewView } from '../reviews/review.queries';
import { label } from '../words/words';
import { ExportActionsQuery } from './action.queries';
import { ActionView } from './action.view';
import { ListActionsRequest } from './actions.request.dto';

/** The action list as a file: the same read as the JSON answer, in the words of the pages, with dates and numbers as such. */
@Injectable()
export class ActionsFile {
  constructor(
    private readonly queries: QueryBus,
    private readonly partners: PartnerDirectory,
  ) {}

  async file(format: FileFormat, filter: ListActionsRequest, actor: Actor): Promise<TableFile> {
    const names = await this.partners.names();
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
}
