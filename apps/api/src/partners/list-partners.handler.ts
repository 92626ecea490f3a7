import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import { Partner } from '@app/domain';
import { PartnerDocument, partnerList } from '@app/read-models';
import { DATABASE_POOL } from '../database/database-pool';

export class ListPartnersQuery extends Query<Partner[]> {}

@QueryHandler(ListPartnersQuery)
export class ListPartnersHandler implements IQueryHandler<ListPartnersQuery> {
  constructor(@Inject(DATABASE_POOL) private readonly pool: Pool) {}

  async execute(): Promise<Partner[]> {
    const { rows } = await this.pool.query<{ doc: PartnerDocument }>(`SELECT doc FROM ${partnerList.table} ORDER BY doc->>'name', key`);
    return rows.map(({ doc }) => ({ id: doc.id, name: doc.name, ...(doc.mailbox && { mailbox: doc.mailbox }) }));
  }
}
