import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Partner } from '@app/domain';
import { ReadRequest } from '../http/read-request';
import { ReadRoute, WriteRoute } from '../http/routes';
import { WriteAnswer } from '../write/stream-writer';
import { Write, WriteContext } from '../write/write-context';
import { ListPartnersQuery } from './list-partners.handler';
import { ChangePartnersCommand } from './change-partners.handler';
import { RegisterPartnerRequest, RenamePartnerRequest, SetPartnerMailboxRequest } from './partners.request.dto';

class PartnerDto {
  @ApiProperty({ example: 'thames-valley-police' }) id!: string;
  @ApiProperty({ example: 'Thames Valley Police' }) name!: string;
  @ApiPropertyOptional({ description: 'Its shared team mailbox for notifications', example: 'safeguarding.actions@thamesvalley.police.uk' })
  mailbox?: string;
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
    return this.commands.execute(new ChangePartnersCommand({ type: 'RegisterPartner', partnerId: body.id, name: body.name }, context));
  }

  @Post(':id/name')
  @WriteRoute({ summary: 'Rename a partner agency: its id, and the actions it owns, stay', permission: 'registerPartner' })
  rename(@Param('id') id: string, @Body() body: RenamePartnerRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(new ChangePartnersCommand({ type: 'RenamePartner', partnerId: id, name: body.name }, context));
  }

  @Post(':id/mailbox')
  @WriteRoute({ summary: "Set the partner's shared team mailbox, where its notifications go", permission: 'setPartnerMailbox' })
  setMailbox(@Param('id') id: string, @Body() body: SetPartnerMailboxRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(new ChangePartnersCommand({ type: 'SetPartnerMailbox', partnerId: id, email: body.email }, context));
  }

  @Get()
  @ReadRoute({ summary: 'The partner agencies', permission: 'readPartners', type: [PartnerDto], notFound: false })
  list(@Query() _read: ReadRequest): Promise<Partner[]> {
    return this.queries.execute(new ListPartnersQuery());
  }
}
