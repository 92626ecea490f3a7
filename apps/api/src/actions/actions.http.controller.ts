import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { Readable } from 'node:stream';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Actor } from '@app/domain';
import { CurrentActor } from '../auth/current-actor.decorator';
import { FileReply, fileFormatAsked, sendFile } from '../files/table-file';
import { AsOfRequest, ReadRequest } from '../http/read-request';
import { ReadRoute, WriteRoute } from '../http/routes';
import { WriteAnswer } from '../write/stream-writer';
import { Write, WriteContext } from '../write/write-context';
import { ACTION_OPERATIONS } from './action-operations';
import { GetActionHistoryQuery, GetActionQuery, ListActionsQuery } from './action.queries';
import { HistoryEntryView } from '../reads/history-entry';
import { ActionDetailView, ActionPageView } from './action.view';
import {
  AssignActionRequest,
  CloseActionRequest,
  CorrectActionRequest,
  DecisionNoteRequest,
  ListActionsRequest,
  NoteProgressRequest,
  RaiseActionRequest,
  ReasonRequest,
  ReassureRequest,
  RecordImpactRequest,
  RequestExtensionRequest,
  ReviseDueDateRequest,
  SubmitEvidenceRequest,
} from './actions.request.dto';
import { RaiseActionCommand } from './raise-action.handler';
import { ActionsFile } from './actions.file';

type Reply = { header(name: string, value: string): Reply };

@ApiTags('actions')
@Controller('actions')
export class ActionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly file: ActionsFile,
  ) {}

  @Post()
  @WriteRoute({ summary: 'Raise an action answering a recommendation', permission: 'raiseAction', creates: true })
  raise(@Body() body: RaiseActionRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(new RaiseActionCommand(body, context));
  }

  @Post(':id/assign')
  @WriteRoute({ summary: 'Assign the action to a partner agency, or reassign it', permission: ACTION_OPERATIONS.assign.permission })
  assign(@Param('id') id: string, @Body() body: AssignActionRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS.assign.command(id, body, context, {}));
  }

  @Post(':id/due-date')
  @WriteRoute({ summary: 'Revise the due date, saying why', permission: ACTION_OPERATIONS['due-date'].permission })
  reviseDueDate(@Param('id') id: string, @Body() body: ReviseDueDateRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS['due-date'].command(id, body, context, {}));
  }

  @Post(':id/progress')
  @WriteRoute({ summary: 'Note progress on the action', permission: ACTION_OPERATIONS.progress.permission })
  noteProgress(@Param('id') id: string, @Body() body: NoteProgressRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS.progress.command(id, body, context, {}));
  }

  @Post(':id/evidence')
  @WriteRoute({ summary: 'Submit evidence that the action was done', permission: ACTION_OPERATIONS.evidence.permission, creates: true })
  submitEvidence(@Param('id') id: string, @Body() body: SubmitEvidenceRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS.evidence.command(id, body, context, {}));
  }

  @Post(':id/evidence/:evidenceId/accept')
  @WriteRoute({ summary: 'Accept the evidence (assurance)', permission: ACTION_OPERATIONS.accept.permission })
  acceptEvidence(
    @Param('id') id: string,
    @Param('evidenceId') evidenceId: string,
    @Body() body: DecisionNoteRequest,
    @Write() context: WriteContext,
  ): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS.accept.command(id, body, context, { evidenceId }));
  }

  @Post(':id/evidence/:evidenceId/reject')
  @WriteRoute({ summary: 'Reject the evidence, saying why', permission: ACTION_OPERATIONS.reject.permission })
  rejectEvidence(
    @Param('id') id: string,
    @Param('evidenceId') evidenceId: string,
    @Body() body: ReasonRequest,
    @Write() context: WriteContext,
  ): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS.reject.command(id, body, context, { evidenceId }));
  }

  @Post(':id/evidence/:evidenceId/withdraw')
  @WriteRoute({
    summary: 'Take the evidence back, saying why; from a closed action it leaves the assurance stale until re-assured',
    permission: ACTION_OPERATIONS['withdraw-evidence'].permission,
  })
  withdrawEvidence(
    @Param('id') id: string,
    @Param('evidenceId') evidenceId: string,
    @Body() body: ReasonRequest,
    @Write() context: WriteContext,
  ): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS['withdraw-evidence'].command(id, body, context, { evidenceId }));
  }

  @Post(':id/reassure')
  @WriteRoute({
    summary: 'Assure a closed action again after the evidence behind it was withdrawn',
    permission: ACTION_OPERATIONS.reassure.permission,
  })
  reassure(@Param('id') id: string, @Body() body: ReassureRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS.reassure.command(id, body, context, {}));
  }

  @Post(':id/extension-requests')
  @WriteRoute({
    summary: 'Ask for a later due date, saying why; the subgroup approves or refuses',
    permission: ACTION_OPERATIONS.extension.permission,
    creates: true,
  })
  requestExtension(@Param('id') id: string, @Body() body: RequestExtensionRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS.extension.command(id, body, context, {}));
  }

  @Post(':id/extension-requests/:requestId/approve')
  @WriteRoute({
    summary: 'Approve the extension: the due date becomes the one asked for',
    permission: ACTION_OPERATIONS['approve-extension'].permission,
  })
  approveExtension(
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Body() body: DecisionNoteRequest,
    @Write() context: WriteContext,
  ): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS['approve-extension'].command(id, body, context, { requestId }));
  }

  @Post(':id/extension-requests/:requestId/refuse')
  @WriteRoute({ summary: 'Refuse the extension, saying why', permission: ACTION_OPERATIONS['refuse-extension'].permission })
  refuseExtension(
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Body() body: ReasonRequest,
    @Write() context: WriteContext,
  ): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS['refuse-extension'].command(id, body, context, { requestId }));
  }

  @Post(':id/impact')
  @WriteRoute({
    summary: 'Record whether a closed action changed practice; evidenced turns its outcome into impact-evidenced',
    permission: ACTION_OPERATIONS.impact.permission,
  })
  recordImpact(@Param('id') id: string, @Body() body: RecordImpactRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS.impact.command(id, body, context, {}));
  }

  @Post(':id/correct')
  @WriteRoute({
    summary: 'Correct the description or success measure, saying why; the history keeps the old text',
    permission: ACTION_OPERATIONS.correct.permission,
  })
  correct(@Param('id') id: string, @Body() body: CorrectActionRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS.correct.command(id, body, context, {}));
  }

  @Post(':id/close')
  @WriteRoute({ summary: 'Close the action with its outcome', permission: ACTION_OPERATIONS.close.permission })
  close(@Param('id') id: string, @Body() body: CloseActionRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS.close.command(id, body, context, {}));
  }

  @Post(':id/reopen')
  @WriteRoute({ summary: 'Reopen a closed action', permission: ACTION_OPERATIONS.reopen.permission })
  reopen(@Param('id') id: string, @Body() body: ReasonRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS.reopen.command(id, body, context, {}));
  }

  @Post(':id/withdraw')
  @WriteRoute({ summary: 'Withdraw an action that was not closed', permission: ACTION_OPERATIONS.withdraw.permission })
  withdraw(@Param('id') id: string, @Body() body: ReasonRequest, @Write() context: WriteContext): Promise<WriteAnswer> {
    return this.commands.execute(ACTION_OPERATIONS.withdraw.command(id, body, context, {}));
  }

  @Get()
  @ReadRoute({
    files: true,
    summary: 'Actions in the order they were raised, filtered and a page at a time',
    permission: 'readActions',
    type: ActionPageView,
    notFound: false,
  })
  async list(
    @Query() filter: ListActionsRequest,
    @CurrentActor() actor: Actor,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FileReply,
  ): Promise<ActionPageView | Readable> {
    const format = fileFormatAsked(filter.format, accept);
    if (format) return sendFile(reply, await this.file.file(format, filter, actor));
    return this.queries.execute(new ListActionsQuery(filter, actor));
  }

  @Get(':id')
  @ReadRoute({
    summary: 'One action, with what this user can do to it',
    permission: 'readActions',
    type: ActionDetailView,
    headers: { ETag: { description: 'The version, quoted: send it as If-Match', schema: { type: 'string' } } },
  })
  async get(
    @Param('id') id: string,
    @Query() read: AsOfRequest,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<ActionDetailView> {
    const view = await this.queries.execute(new GetActionQuery(id, actor, read));
    reply.header('etag', `"${view.version}"`);
    return view;
  }

  @Get(':id/history')
  @ReadRoute({
    summary: 'Every event of the action, in order, with who and when',
    permission: 'readActionHistory',
    type: [HistoryEntryView],
  })
  history(@Param('id') id: string, @Query() _read: ReadRequest, @CurrentActor() actor: Actor): Promise<HistoryEntryView[]> {
    return this.queries.execute(new GetActionHistoryQuery(id, actor));
  }
}
