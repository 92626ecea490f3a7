import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Partner } from '@app/domain';
import { PartnerDirectory } from './partner-directory';

export class ListPartnersQuery extends Query<Partner[]> {}

@QueryHandler(ListPartnersQuery)
export class ListPartnersHandler implements IQueryHandler<ListPartnersQuery> {
  constructor(private readonly directory: PartnerDirectory) {}

  execute(): Promise<Partner[]> {
    return this.directory.all();
  }
}
