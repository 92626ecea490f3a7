import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { dayInEngland } from '@app/domain';
import { countColumns } from '../files/count-columns';
import { Column, FileFormat, TableFile, tableFile } from '../files/table-file';
import { ActionCountsView } from '../reads/action-counts';
import { ReadMoment } from '../reads/read-scope';
import { AssuranceView, GetAssuranceQuery } from './assurance.queries';

/** The assurance picture as a file: the partnership's counts, then each agency's, theme's and review's. */
@Injectable()
export class AssuranceFile {
  constructor(private readonly queries: QueryBus) {}

  async file(format: FileFormat, moment: ReadMoment = {}): Promise<TableFile> {
    type Line = Readonly<{ group: string; name: string; counts: ActionCountsView }>;
    const columns: Column<Line>[] = [
      { header: 'By', cell: (line) => line.group },
      { header: 'Name', cell: (line) => line.name, width: 40 },
      ...countColumns<Line>((line) => line.counts),
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
}
