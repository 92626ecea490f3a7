import { Body, Controller, Get, Inject, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { ACTION_STATUSES, Actor, may, readsEverything } from '@app/domain';
import { ActionPageView, ActionView, HistoryEntryView } from '../actions/action.view';
import { GetActionHistoryQuery, GetActionQuery, ListActionsQuery } from '../actions/action.queries';
import { ListActionsRequest } from '../actions/actions.request.dto';
import { ACTION_OPERATIONS, ActionOperationName, commandFor, isActionOperation } from '../actions/action-operations';
import { CLOCK, Clock } from '../clock/clock';
import { WriteAnswer } from '../write/stream-writer';
import { WriteContext } from '../write/write-context';
import { asAtInstant } from './as-at';
import { ListReviewsQuery, ReviewView } from '../reviews/review.queries';
import { describeEvent } from './timeline';
import { formatDateTime, label } from './words';
import { HtmlReply, Page, PageFor, WebPageContext, WebPages, renderPage } from './web-page';
import { errorList, fieldMessages, formVersion, refusal, validateForm } from './web-form';

/** What the page says once each operation is done. */
const DONE: Record<ActionOperationName, string> = {
  assign: 'The action is assigned',
  'due-date': 'The due date is revised',
  progress: 'Your progress note is recorded',
  evidence: 'Your evidence is submitted for assurance',
  accept: 'The evidence is accepted',
  reject: 'The evidence is rejected',
  extension: 'Your request for more time is sent to the subgroup',
  'approve-extension': 'The extension is approved: the due date has moved',
  'refuse-extension': 'The extension is refused',
  close: 'The action is closed',
  reopen: 'The action is reopened',
  withdraw: 'The action is withdrawn',
  impact: 'The impact check is recorded',
  correct: 'The correction is recorded',
};

const mayDo = (actor: Actor, name: ActionOperationName) => may(actor, ACTION_OPERATIONS[name].permission);

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
  @PageFor('readActions')
  async list(@Query() query: Record<string, string>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const { asAt, asOf, error } = asAtInstant(query.asAt, this.clock());
    const { asAt: _asAt, position: _position, ...filters } = query;
    // An address typed or kept from an older version of the page may carry parameters it no longer knows: they are ignored.
    const checked = await validateForm(ListActionsRequest, { ...filters, ...(asOf && { asOf }) }, { ignoreUnknown: true });
    if (!checked.ok) {
      await renderPage(
        reply,
        'actions.njk',
        {
          title: 'Actions',
          section: 'actions',
          web,
          page: { items: [], nextCursor: null, previousCursor: null },
          errors: errorList(checked.errors),
          query,
        },
        400,
      );
      return;
    }
    // On the pages, what is due soonest comes first unless the reader asks otherwise.
    const filter = checked.value as ListActionsRequest;
    filter.sort ??= 'dueDate';
    const page: ActionPageView = await this.queries.execute(new ListActionsQuery(filter, web.session.actor));
    const reviews: ReviewView[] = await this.queries.execute(new ListReviewsQuery(web.session.actor));
    const start = Math.max(1, parseInt(query.start ?? '1', 10) || 1);
    const pageAt = (cursor: string | null, first: number) =>
      cursor ? `/tracker?${new URLSearchParams({ ...query, cursor, start: String(Math.max(1, first)) }).toString()}` : undefined;
    await renderPage(reply, 'actions.njk', {
      title: web.session.actor.roles.every((role) => role === 'partner') ? 'Your actions' : 'Actions',
      section: 'actions',
      web,
      page,
      query,
      filters: this.describeFilters(filter, web, reviews),
      filter,
      reviews,
      start,
      mayChoosePartner: readsEverything(web.session.actor),
      statuses: ACTION_STATUSES,
      partnerNames: web.partnerNames,
      asAt: asOf ? asAt : undefined,
      nextHref: pageAt(page.nextCursor, start + page.items.length),
      previousHref: pageAt(page.previousCursor, start - (filter.limit ?? 100)),
      errors: error ? [{ text: error, href: '#asAt' }] : [],
    });
  }

  @Get(':id')
  @PageFor('readActions')
  async action(
    @Param('id') id: string,
    @Query() query: Record<string, string>,
    @Page() web: WebPageContext,
    @Res() reply: HtmlReply,
  ): Promise<void> {
    await this.renderAction(reply, web, id, query);
  }

  @Post(':id/:operation')
  @PageFor('readActions')
  async act(
    @Param('id') id: string,
    @Param('operation') name: string,
    @Body() form: Record<string, string>,
    @Page() web: WebPageContext,
    @Res() reply: HtmlReply,
  ): Promise<void> {
    if (!isActionOperation(name)) throw new NotFoundException();
    const operation = ACTION_OPERATIONS[name];
    if (!mayDo(web.session.actor, name)) {
      await renderPage(reply, 'error.njk', { title: 'You do not have access to this page', status: 403, web }, 403);
      return;
    }
    const checked = await validateForm<object>(operation.request, form);
    if (!checked.ok) {
      await this.renderAction(
        reply,
        web,
        id,
        {},
        { name, values: form, errors: fieldMessages(checked.errors) },
        errorList(checked.errors, `${name}-`),
        400,
      );
      return;
    }
    const context: WriteContext = { actor: web.session.actor, correlationId: randomUUID(), expectedVersion: formVersion(form) };
    try {
      const answer: WriteAnswer = await this.commands.execute(
        commandFor(name, id, checked.value, context, { evidenceId: form.evidenceId, requestId: form.requestId }),
      );
      reply.redirect(`/tracker/${id}?position=${answer.position}&done=${name}`, 303);
    } catch (error) {
      const refused = refusal(error);
      if (refused === undefined) throw error;
      const message = refused.status === 412 ? await this.whatChangedSince(id, context, web) : refused.message;
      await this.renderAction(
        reply,
        web,
        id,
        {},
        { name, values: form, errors: {} },
        [{ text: message, href: `#${name}` }],
        refused.status,
      );
    }
  }

  /** Why a form from an older page was refused: what happened to the action since, and who did it. */
  private async whatChangedSince(id: string, context: WriteContext, web: WebPageContext): Promise<string> {
    const history: HistoryEntryView[] = await this.queries.execute(new GetActionHistoryQuery(id, web.session.actor));
    const since = history.filter((entry) => entry.version > (context.expectedVersion ?? 0));
    const yours = since.every((entry) => (entry.actor as { sub?: string }).sub === web.session.actor.userId);
    const changes = since
      .map((entry) => describeEvent(entry, web.partnerNames))
      .map((line) => `${line.what} (${line.who}, ${formatDateTime(line.when)})`)
      .join('; ');
    return yours
      ? `You had already made this change from another copy of the page: ${changes}. Nothing more was recorded; check the page as it is now.`
      : `The action changed after you opened this page: ${changes}. Nothing was recorded; check the page as it is now and try again if it is still needed.`;
  }

  /** The filters of a listing in words: "owned by Thames Valley Police", "overdue", "theme Neglect". */
  private describeFilters(filter: ListActionsRequest, web: WebPageContext, reviews: readonly ReviewView[]): string[] {
    // The reviews the reader may see are already at hand for the filter panel: one read of them serves both.
    const review = filter.review && (reviews.find((item) => item.id === filter.review)?.reference ?? 'not found');
    return [
      filter.partner && `owned by ${web.partnerNames[filter.partner] ?? filter.partner}`,
      filter.status && (filter.status === 'outstanding' ? 'outstanding' : label(filter.status, 'status').toLowerCase()),
      filter.overdue && label(filter.overdue, 'overdue'),
      filter.theme && `theme ${filter.theme}`,
      review && `from review ${review}`,
      filter.extension && 'an extension requested',
      filter.assurance && label(filter.assurance, 'assurance'),
      filter.impact && label(filter.impact, 'impactFilter'),
    ].filter((text): text is string => Boolean(text));
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
    const history: HistoryEntryView[] = may(actor, 'readActionHistory')
      ? await this.queries.execute(new GetActionHistoryQuery(id, actor, asOf))
      : [];
    const partners = Object.entries(web.partnerNames).map(([id, name]) => ({ id, name }));
    await renderPage(
      reply,
      'action.njk',
      {
        title: action.description,
        section: 'actions',
        backLink: { text: 'All actions', href: '/tracker' },
        web,
        action,
        asAt: asOf ? asAt : undefined,
        timeline: history.map((entry) => describeEvent(entry, web.partnerNames)),
        partners,
        may: Object.fromEntries(Object.keys(ACTION_OPERATIONS).map((name) => [name, !asOf && mayDo(actor, name as ActionOperationName)])),
        form: form ?? { name: '', values: {}, errors: {} },
        done: isActionOperation(query.done ?? '') ? DONE[query.done as ActionOperationName] : undefined,
        errors,
      },
      status,
    );
  }
}
