import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { Partner } from '@app/domain';
import { ReadRequest } from '../http/read-request';
import { ReadRoute, WriteRoute } from '../http/routes';
import { WriteAnswer } from '../write/stream-writer';
import { Write, WriteContext } from '../write/write-context';
import { ListPartnersQuery } from './list-partners.handler';
import { RegisterPartnerRequest } from './partners.request.dto';
import { RegisterPartnerCommand } from './register-partner.handler';

class PartnerDto {
  @ApiProperty({ example: 'thames-valley-police' }) id!: string;
  @ApiProperty({ example: 'Thames Valley Police' }) name!: string;
}

@ApiTags('partners')
@Controller('partners')
export class PartnersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @WriteRoute({ summary: 'Register a partner agency', permission: 'registerPartner', creates: true, notFound: false })
  register(@Body() body: RegisterPartnerRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(new RegisterPartnerCommand(body, context));
  }

  @Get()
  @ReadRoute({ summary: 'The partner agencies', permission: 'readPartners', type: [PartnerDto], notFound: false })
  list(@Query() _read: ReadRequest): Promise<Partner[]> {
    return this.queries.execute(new ListPartnersQuery());
  }
}
