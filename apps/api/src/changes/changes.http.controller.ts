import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Instant } from '../http/fields';
import { ReadRequest } from '../http/read-request';
import { ReadRoute } from '../http/routes';
import { ChangesView, GetChangesQuery } from './changes.queries';

export class ChangesRequest extends ReadRequest {
  @Instant({ optional: true, description: 'From this instant (default: the start of the same day eight weeks ago)' })
  from?: string;

  @Instant({ optional: true, description: 'Up to this instant (default: now)' })
  to?: string;
}

@ApiTags('changes')
@Controller('changes')
export class ChangesController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ReadRoute({
    summary: 'What changed between two instants, from the events: each change, counts by type, and the actions that became overdue',
    permission: 'readAssurance',
    type: ChangesView,
    notFound: false,
  })
  get(@Query() request: ChangesRequest): Promise<ChangesView> {
    return this.queries.execute(new GetChangesQuery(request.from, request.to));
  }
}
