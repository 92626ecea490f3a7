import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Actor, dayInEngland } from '@app/domain';
import { countColumns } from '../files/count-columns';
import { Column, FileFormat, TableFile, tableFile } from '../files/table-file';
import { ReadMoment } from '../reads/read-scope';
import { label } from '../words/words';
import { ListReviewsQuery, ReviewView } from './review.queries';

/** The review list as a file, with each review's action counts. */
@Injectable()
export class ReviewsFile {
  constructor(private readonly queries: QueryBus) {}

  async file(format: FileFormat, actor: Actor, moment: ReadMoment = {}): Promise<TableFile> {
    const columns: Column<ReviewView>[] = [
      { header: 'Reference', cell: (review) => review.reference },
      { header: 'Title', cell: (review) => review.title, width: 40 },
      { header: 'Kind', cell: (review) => label(review.kind, 'kind') },
      { header: 'Themes', cell: (review) => review.themes.join(', ') },
      { header: 'Commissioned', type: 'date', cell: (review) => review.commissionedOn },
      { header: 'Published', type: 'date', cell: (review) => review.publishedOn },
      { header: 'Recommendations', type: 'number', cell: (review) => review.recommendations.length },
      ...countColumns<ReviewView>((review) => review.actions),
      { header: 'Registered', type: 'instant', cell: (review) => review.registeredAt },
    ];
    return tableFile(format, `reviews-${dayInEngland(new Date())}`, columns, async (write) =>
      write(await this.queries.execute(new ListReviewsQuery(actor, moment))),
    );
  }
}
