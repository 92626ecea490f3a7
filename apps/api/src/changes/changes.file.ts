import { Injectable } from '@nestjs/common';
import { dayInEngland } from '@app/domain';
import { Column, FileFormat, TableFile, tableFile } from '../files/table-file';
import { PartnerDirectory } from '../partners/partner-directory';
import { label } from '../words/words';
import { ChangeView, ChangesView, GetChangesHandler, GetChangesQuery } from './changes.queries';

/** What changed in a window as a file, one change a row, with who and when. */
@Injectable()
export class ChangesFile {
  constructor(
    private readonly partners: PartnerDirectory,
    private readonly changesReader: GetChangesHandler,
  ) {}

  async file(format: FileFormat, from?: string, to?: string): Promise<TableFile> {
    const names = await this.partners.names();
    let actions: ChangesView['actions'] = {};
    const columns: Column<ChangeView>[] = [
      { header: 'Recorded', type: 'instant', cell: (change) => change.recordedAt },
      { header: 'Happened on', type: 'date', cell: (change) => change.occurredOn },
      { header: 'Change', cell: (change) => label(change.type, 'change') },
      { header: 'Partner agency', cell: (change) => change.partnerId && (names[change.partnerId] ?? change.partnerId) },
      { header: 'Action', cell: (change) => change.actionId && actions[change.actionId]?.description, width: 50 },
      { header: 'What happened', cell: (change) => change.summary, width: 60 },
      { header: 'Who', cell: (change) => (change.actor as { name?: string; sub?: string }).name ?? (change.actor as { sub?: string }).sub },
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
