import { Controller, Get, Inject, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler, Query as CqrsQuery } from '@nestjs/cqrs';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import { readQuarantine } from '@app/projections';
import { DATABASE_POOL } from '../database/database-pool';
import { WholeNumber } from '../http/fields';
import { ReadRequest } from '../http/read-request';
import { ReadRoute } from '../http/routes';

export class ListQuarantineRequest extends ReadRequest {
  @WholeNumber(1, 1000, { default: 200 })
  limit?: number;
}

export class QuarantinedEventView {
  @ApiProperty({ description: 'Where the event is in the log' }) position!: string;
  @ApiProperty({ description: 'The stream it was appended to' }) stream!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ description: 'What skipped it: a read model (or its rebuild), or the outbox' }) reader!: string;
  @ApiProperty({ description: "Which fields break the type's rules, and how; never what they hold" }) reason!: string;
  @ApiProperty({ format: 'date-time' }) firstSeenAt!: string;
}

export class QuarantineView {
  @ApiProperty({
    type: [QuarantinedEventView],
    description: 'The latest events first; an event skipped by several readers is listed once for each',
  })
  items!: QuarantinedEventView[];
}

export class ListQuarantineQuery extends CqrsQuery<QuarantineView> {
  constructor(readonly limit: number) {
    super();
  }
}

@QueryHandler(ListQuarantineQuery)
export class ListQuarantineHandler implements IQueryHandler<ListQuarantineQuery> {
  constructor(@Inject(DATABASE_POOL) private readonly pool: Pool) {}

  async execute({ limit }: ListQuarantineQuery): Promise<QuarantineView> {
    const entries = await readQuarantine(this.pool, limit);
    return {
      items: entries.map((entry) => ({
        position: entry.position.toString(),
        stream: entry.streamId,
        type: entry.type,
        reader: entry.reader,
        reason: entry.reason,
        firstSeenAt: entry.firstSeenAt.toISOString(),
      })),
    };
  }
}

@ApiTags('audit')
@Controller('quarantine')
export class QuarantineController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ReadRoute({
    summary: 'Events in the log that a reader could not fold: each reader skipped them, and went on',
    permission: 'readQuarantine',
    type: QuarantineView,
    notFound: false,
  })
  list(@Query() request: ListQuarantineRequest): Promise<QuarantineView> {
    return this.queries.execute(new ListQuarantineQuery(request.limit ?? 200));
  }
}
