import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { AsOfRequest } from '../http/read-request';
import { ReadRoute } from '../http/routes';
import { AssuranceView, GetAssuranceQuery } from './assurance.queries';

@ApiTags('assurance')
@Controller('assurance')
export class AssuranceController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ReadRoute({
    summary: 'The assurance picture: per partner, theme and review, what is outstanding, overdue, evidenced and closed',
    permission: 'readAssurance',
    type: AssuranceView,
    notFound: false,
  })
  get(@Query() read: AsOfRequest): Promise<AssuranceView> {
    return this.queries.execute(new GetAssuranceQuery(read.asOf));
  }
}
