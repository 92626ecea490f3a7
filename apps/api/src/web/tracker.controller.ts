import { Body, Controller, Get, Inject, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { Actor, Role } from '@app/domain';
import { ActionPageView, ActionView, HistoryEntryView } from '../actions/action.view';
import { GetActionHistoryQuery, GetActionQuery, ListActionsQuery } from '../actions/action.queries';
import {
  AcceptEvidenceRequest,
  AssignActionRequest,
  CloseActionRequest,
  ListActionsRequest,
  NoteProgressRequest,
  ReasonRequest,
  ReviseDueDateRequest,
  SubmitEvidenceRequest,
} from '../actions/actions.request.dto';
import { AssignActionCommand } from '../actions/assign-action.handler';
import { ChangeActionCommand } from '../actions/change-action.handler';
import { PARTNERSHIP, READ_ALL } from '../auth/roles.decorator';
import { CLOCK, Clock } from '../clock/clock';
import { ListPartnersQuery } from '../partners/list-partners.handler';
import { WriteAnswer } from '../write/stream-writer';
import { WriteContext } from '../write/write-context';
import { asAtInstant } from './as-at';
import { describeEvent } from './timeline';
import { HtmlReply, Page, PageRoles, WebPageContext, WebPages, renderPage } from './web-page';
import { errorList, fieldMessages, formVersion, refusalMessage, validateForm } from './web-form';

const OWNER_OR_PARTNERSHIP: Role[] = [...PARTNERSHIP, 'partner'];
const EVERYONE: Role[] = [...READ_ALL, 'partner'];

type Operation = Readonly<{
  roles: Role[];
  request: new () => object;
  done: string;
  command: (actionId: string, value: any, context: WriteContext, form: Record<string, string>) => ChangeActionCommand | AssignActionCommand;
}>;

const change = (type: string) => (actionId: string, value: object, context: WriteContext, form: Record<string, string>) =>
  new ChangeActionCommand(actionId, { type, actor: context.actor, ...(form.evidenceId && { evidenceId: form.evidenceId }), ...value } as ChangeActionCommand['change'], context);

/** Every change a page can make to an action: the request class the API validates it with, and the command it becomes. */
const OPERATIONS: Record<string, Operation> = {
  assign: { roles: PARTNERSHIP, request: AssignActionRequest, done: 'The action is assigned', command: (id, value, context) => new AssignActionCommand(id, value, context) },
  'due-date': { roles: PARTNERSHIP, request: ReviseDueDateRequest, done: 'The due date is revised', command: change('ReviseDueDate') },
  progress: { roles: OWNER_OR_PARTNERSHIP, request: NoteProgressRequest, done: 'Your progress note is recorded', command: change('NoteProgress') },
  evidence: {
    roles: OWNER_OR_PARTNERSHIP,
    request: SubmitEvidenceRequest,
    done: 'Your evidence is submitted for assurance',
    command: (id, value, context) => new ChangeActionCommand(id, { type: 'SubmitEvidence', actor: context.actor, evidenceId: randomUUID(), ...value }, context),
  },
  accept: { roles: PARTNERSHIP, request: AcceptEvidenceRequest, done: 'The evidence is accepted', command: change('AcceptEvidence') },
  reject: { roles: PARTNERSHIP, request: ReasonRequest, done: 'The evidence is rejected', command: change('RejectEvidence') },
  close: { roles: PARTNERSHIP, request: CloseActionRequest, done: 'The action is closed', command: change('CloseAction') },
  reopen: { roles: PARTNERSHIP, request: ReasonRequest, done: 'The action is reopened', command: change('ReopenAction') },
  withdraw: { roles: PARTNERSHIP, request: ReasonRequest, done: 'The action is withdrawn', command: change('WithdrawAction') },
};

const mayDo = (actor: Actor, operation: string) => OPERATIONS[operation].roles.some((role) => actor.roles.includes(role));

export type FormState = Readonly<{ name: string; values: Record<string, string>; errors: Record<string, string> }>;

@WebPages()
@Controller('tracker')
export class TrackerController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @PageRoles(...EVERYONE)
  async list(@Query() query: Record<string, string>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const { asAt, asOf, error } = asAtInstant(query.asAt, this.clock());
    const { asAt: _asAt, position: _position, ...filters } = query;
    const checked = await validateForm(ListActionsRequest, { ...filters, ...(asOf && { asOf }) });
    if (!checked.ok) {
      await renderPage(reply, 'actions.njk', { title: 'Actions', section: 'actions', web, page: { items: [], nextCursor: null }, errors: errorList(checked.errors), query }, 400);
      return;
    }
    const page: ActionPageView = await this.queries.execute(new ListActionsQuery(checked.value as ListActionsRequest, web.session.actor));
    const partners = await this.queries.execute(new ListPartnersQuery());
    const partnerNames = Object.fromEntries(partners.map((partner: { id: string; name: string }) => [partner.id, partner.name]));
    const nextQuery = new URLSearchParams({ ...query, cursor: page.nextCursor ?? '' }).toString();
    await renderPage(reply, 'actions.njk', {
      title: web.session.actor.roles.every((role) => role === 'partner') ? 'Your actions' : 'Actions',
      section: 'actions',
      web,
      page,
      query,
      partnerNames,
      asAt: asOf ? asAt : undefined,
      nextHref: page.nextCursor ? `/tracker?${nextQuery}` : undefined,
      errors: error ? [{ text: error, href: '#asAt' }] : [],
    });
  }

  @Get(':id')
  @PageRoles(...EVERYONE)
  async action(@Param('id') id: string, @Query() query: Record<string, string>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    await this.renderAction(reply, web, id, query);
  }

  @Post(':id/:operation')
  @PageRoles(...EVERYONE)
  async act(
    @Param('id') id: string,
    @Param('operation') name: string,
    @Body() form: Record<string, string>,
    @Page() web: WebPageContext,
    @Res() reply: HtmlReply,
  ): Promise<void> {
    if (!Object.hasOwn(OPERATIONS, name)) throw new NotFoundException();
    const operation = OPERATIONS[name];
    if (!mayDo(web.session.actor, name)) {
      await renderPage(reply, 'error.njk', { title: 'You do not have access to this page', status: 403, web }, 403);
      return;
    }
    const checked = await validateForm(operation.request, form);
    if (!checked.ok) {
      await this.renderAction(reply, web, id, {}, { name, values: form, errors: fieldMessages(checked.errors) }, errorList(checked.errors, `${name}-`), 400);
      return;
    }
    const context: WriteContext = { actor: web.session.actor, correlationId: randomUUID(), expectedVersion: formVersion(form) };
    try {
      const answer: WriteAnswer = await this.commands.execute(operation.command(id, checked.value, context, form));
      reply.redirect(`/tracker/${id}?position=${answer.position}&done=${name}`, 303);
    } catch (error) {
      const message = refusalMessage(error);
      if (message === undefined) throw error;
      await this.renderAction(reply, web, id, {}, { name, values: form, errors: {} }, [{ text: message, href: `#${name}` }], 409);
    }
  }

  private async renderAction(
    reply: HtmlReply,
    web: WebPageContext,
    id: string,
    query: Record<string, string>,
    form?: FormState,
    errors: { text: string; href: string }[] = [],
    status = 200,
  ): Promise<void> {
    const { asAt, asOf } = asAtInstant(query.asAt, this.clock());
    const action: ActionView = await this.queries.execute(new GetActionQuery(id, web.session.actor, asOf));
    const actor = web.session.actor;
    const history: HistoryEntryView[] = READ_ALL.some((role) => actor.roles.includes(role))
      ? (await this.queries.execute(new GetActionHistoryQuery(id))).filter((entry: HistoryEntryView) => !asOf || entry.recordedAt <= asOf)
      : [];
    const partners = await this.queries.execute(new ListPartnersQuery());
    await renderPage(
      reply,
      'action.njk',
      {
        title: action.description,
        section: 'actions',
        web,
        action,
        asAt: asOf ? asAt : undefined,
        timeline: history.map(describeEvent),
        partners,
        may: Object.fromEntries(Object.keys(OPERATIONS).map((name) => [name, !asOf && mayDo(actor, name)])),
        form: form ?? { name: '', values: {}, errors: {} },
        done: query.done && OPERATIONS[query.done]?.done,
        errors,
      },
      status,
    );
  }
}

