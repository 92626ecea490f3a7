import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { Actor, ROLES } from '@app/domain';
import { CurrentActor } from '../auth/current-actor.decorator';
import { PARTNERSHIP, READ_ALL } from '../auth/roles.decorator';
import { AsOfRequest, ReadRequest } from '../http/read-request';
import { ReadRoute, WriteRoute } from '../http/routes';
import { WriteAnswer } from '../write/stream-writer';
import { Write, WriteContext } from '../write/write-context';
import { GetActionHistoryQuery, GetActionQuery, ListActionsQuery } from './action.queries';
import { ActionPageView, ActionView, HistoryEntryView } from './action.view';
import {
  AcceptEvidenceRequest,
  AssignActionRequest,
  CloseActionRequest,
  ListActionsRequest,
  NoteProgressRequest,
  RaiseActionRequest,
  ReasonRequest,
  ReviseDueDateRequest,
  SubmitEvidenceRequest,
} from './actions.request.dto';
import { AssignActionCommand } from './assign-action.handler';
import { ChangeActionCommand } from './change-action.handler';
import { RaiseActionCommand } from './raise-action.handler';

const OWNER_OR_PARTNERSHIP = [...PARTNERSHIP, 'partner' as const];

type Reply = { header(name: string, value: string): Reply };

@ApiTags('actions')
@Controller('actions')
export class ActionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @WriteRoute({ summary: 'Raise an action answering a recommendation', roles: PARTNERSHIP, creates: true })
  raise(@Body() body: RaiseActionRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(new RaiseActionCommand(body, context));
  }

  @Post(':id/assign')
  @WriteRoute({ summary: 'Assign the action to a partner agency, or reassign it', roles: PARTNERSHIP })
  assign(@Param('id') id: string, @Body() body: AssignActionRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(new AssignActionCommand(id, body, context));
  }

  @Post(':id/due-date')
  @WriteRoute({ summary: 'Revise the due date, saying why', roles: PARTNERSHIP })
  reviseDueDate(@Param('id') id: string, @Body() body: ReviseDueDateRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.change(id, { type: 'ReviseDueDate', actor: context.actor, ...body }, context);
  }

  @Post(':id/progress')
  @WriteRoute({ summary: 'Note progress on the action', roles: OWNER_OR_PARTNERSHIP })
  noteProgress(@Param('id') id: string, @Body() body: NoteProgressRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.change(id, { type: 'NoteProgress', actor: context.actor, ...body }, context);
  }

  @Post(':id/evidence')
  @WriteRoute({ summary: 'Submit evidence that the action was done', roles: OWNER_OR_PARTNERSHIP, creates: true })
  submitEvidence(
    @Param('id') id: string,
    @Body() { id: evidenceId = randomUUID(), ...body }: SubmitEvidenceRequest,
    @Write() context: WriteContext,
  ): Promise<WriteAnswer> {
    return this.change(id, { type: 'SubmitEvidence', actor: context.actor, evidenceId, ...body }, context, {
      id: evidenceId,
      actionId: id,
    });
  }

  @Post(':id/evidence/:evidenceId/accept')
  @WriteRoute({ summary: 'Accept the evidence (assurance)', roles: PARTNERSHIP })
  acceptEvidence(
    @Param('id') id: string,
    @Param('evidenceId') evidenceId: string,
    @Body() body: AcceptEvidenceRequest,
    @Write() context: WriteContext,
  ): Promise<WriteAnswer> {
    return this.change(id, { type: 'AcceptEvidence', actor: context.actor, evidenceId, ...body }, context);
  }

  @Post(':id/evidence/:evidenceId/reject')
  @WriteRoute({ summary: 'Reject the evidence, saying why', roles: PARTNERSHIP })
  rejectEvidence(
    @Param('id') id: string,
    @Param('evidenceId') evidenceId: string,
    @Body() body: ReasonRequest,
    @Write() context: WriteContext,
  ): Promise<WriteAnswer> {
    return this.change(id, { type: 'RejectEvidence', actor: context.actor, evidenceId, ...body }, context);
  }

  @Post(':id/close')
  @WriteRoute({ summary: 'Close the action with its outcome', roles: PARTNERSHIP })
  close(@Param('id') id: string, @Body() body: CloseActionRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.change(id, { type: 'CloseAction', actor: context.actor, ...body }, context);
  }

  @Post(':id/reopen')
  @WriteRoute({ summary: 'Reopen a closed action', roles: PARTNERSHIP })
  reopen(@Param('id') id: string, @Body() body: ReasonRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.change(id, { type: 'ReopenAction', actor: context.actor, ...body }, context);
  }

  @Post(':id/withdraw')
  @WriteRoute({ summary: 'Withdraw an action that was not closed', roles: PARTNERSHIP })
  withdraw(@Param('id') id: string, @Body() body: ReasonRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.change(id, { type: 'WithdrawAction', actor: context.actor, ...body }, context);
  }

  @Get()
  @ReadRoute({
    summary: 'Actions in the order they were raised, filtered and a page at a time',
    roles: [...ROLES],
    type: ActionPageView,
    notFound: false,
  })
  list(@Query() filter: ListActionsRequest, @CurrentActor() actor: Actor): Promise<ActionPageView> {
    return this.queries.execute(new ListActionsQuery(filter, actor));
  }

  @Get(':id')
  @ReadRoute({
    summary: 'One action',
    roles: [...ROLES],
    type: ActionView,
    headers: { ETag: { description: 'The version, quoted: send it as If-Match', schema: { type: 'string' } } },
  })
  async get(@Param('id') id: string, @Query() read: AsOfRequest, @CurrentActor() actor: Actor, @Res({ passthrough: true }) reply: Reply): Promise<ActionView> {
    const view = await this.queries.execute(new GetActionQuery(id, actor, read.asOf));
    reply.header('etag', `"${view.version}"`);
    return view;
  }

  @Get(':id/history')
  @ReadRoute({ summary: 'Every event of the action, in order, with who and when', roles: READ_ALL, type: [HistoryEntryView] })
  history(@Param('id') id: string, @Query() _read: ReadRequest): Promise<HistoryEntryView[]> {
    return this.queries.execute(new GetActionHistoryQuery(id));
  }

  private change(id: string, change: ChangeActionCommand['change'], context: WriteContext, answer?: ChangeActionCommand['answer']) {
    return this.commands.execute(new ChangeActionCommand(id, change, context, answer));
  }
}


