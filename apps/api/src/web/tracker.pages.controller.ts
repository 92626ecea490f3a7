import { ListNotificationsQuery, NotificationView } from '../notifications/notifications.http.controller';
import { Body, ConflictException, Controller, Get, Inject, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { ACTION_STATUSES, Actor, isStanding, may, readsEverything, themeKey, tidyThemes } from '@app/domain';
import { ActionDetailView, ActionPageView, ActionView } from '../actions/action.view';
import { HistoryEntryView } from '../reads/history-entry';
import { GetActionHistoryQuery, GetActionQuery, ListActionsQuery } from '../actions/action.queries';
import { ListActionsRequest } from '../actions/actions.request.dto';
import { ACTION_OPERATIONS, ActionOperationName, commandFor, isActionOperation } from '../actions/action-operations';
import { CLOCK, Clock } from '../clock/clock';
import { WriteAnswer } from '../write/stream-writer';
import { WriteContext } from '../write/write-context';
import { pageMoment } from './as-at';
import { ListReviewsQuery, ReviewView } from '../reviews/review.queries';
import { describeEvent } from '../words/event-sentences';
import { formatDateTime, label } from '../words/words';
import { HtmlReply, Page, PageFor, WebForbidden, WebPageContext, WebPages, renderPage } from './web-page';
import { errorList, fieldLabel, fieldMessages, formVersion, refusal, validateForm } from './web-form';
import { readActionFilter } from './action-filter';

/** Each task on an action, with a page of its own: what it is called and its button. When it can be done is the domain's to say (`can`). */
type Task = Readonly<{
  title: (action: ActionView) => string;
  button: string;
  /** What the action page says once it is done. */
  done: string;
  /** Tasks that end an action ask "are you sure" first, in these words. */
  confirm?: Readonly<{ title: string; button: string; warning: string }>;
  warning?: boolean;
}>;

const TASKS: Record<ActionOperationName, Task> = {
  assign: {
    title: (action) => (action.partnerId ? 'Reassign the action' : 'Assign the action'),
    button: 'Save',
    done: 'The action is assigned',
  },
  'due-date': {
    title: () => 'Revise the due date',
    button: 'Revise the due date',
    done: 'The due date is revised',
  },
  progress: { title: () => 'Note progress', button: 'Record progress', done: 'Your progress note is recorded' },
  evidence: {
    title: () => 'Submit evidence',
    button: 'Submit evidence',
    done: 'Your evidence is submitted for assurance',
  },
  accept: { title: () => 'Accept this evidence', button: 'Accept', done: 'The evidence is accepted' },
  reject: {
    title: () => 'Reject this evidence',
    button: 'Reject',
    done: 'The evidence is rejected',
    warning: true,
  },
  'withdraw-evidence': {
    title: () => 'Withdraw this evidence',
    button: 'Withdraw the evidence',
    done: 'The evidence is withdrawn',
    warning: true,
  },
  reassure: {
    title: () => 'Assure the action again',
    button: 'Record the assurance',
    done: 'The action is assured again',
  },
  extension: {
    title: () => 'Ask for more time',
    button: 'Ask for more time',
    done: 'Your request for more time is sent to the subgroup',
  },
  'approve-extension': {
    title: () => 'Approve the new due date',
    button: 'Approve',
    done: 'The extension is approved: the due date has moved',
  },
  'refuse-extension': {
    title: () => 'Refuse the request for more time',
    button: 'Refuse',
    done: 'The extension is refused',
    warning: true,
  },
  close: {
    title: () => 'Close the action',
    button: 'Continue',
    done: 'The action is closed',
    confirm: {
      title: 'Check your answers before closing the action',
      button: 'Close the action',
      warning: 'Closing ends the work on this action. It can be reopened, and the history keeps both.',
    },
  },
  reopen: {
    title: () => 'Reopen the action',
    button: 'Reopen',
    done: 'The action is reopened',
  },
  withdraw: {
    title: () => 'Withdraw the action',
    button: 'Continue',
    done: 'The action is withdrawn',
    confirm: {
      title: 'Are you sure you want to withdraw this action?',
      button: 'Yes, withdraw it',
      warning: 'A withdrawn action cannot be reopened.',
    },
  },
  impact: {
    title: () => 'Record the impact check',
    button: 'Record the impact check',
    done: 'The impact check is recorded',
  },
  correct: {
    title: () => 'Correct the text of this action',
    button: 'Record the correction',
    done: 'The correction is recorded',
  },
};

/** What a task shows to start with: the action's current values, where the task changes them. */
const startingValues = (name: ActionOperationName, action: ActionView): Record<string, string> =>
  name === 'assign'
    ? { partnerId: action.partnerId ?? '', dueDate: action.dueDate ?? '', lead: action.lead ?? '' }
    : name === 'correct'
      ? { description: action.description, successMeasure: action.successMeasure ?? '' }
      : {};

const mayDo = (actor: Actor, name: ActionOperationName) => may(actor, ACTION_OPERATIONS[name].permission);

/** Whether the task is one the reader can do now, as the domain says (`can`). */
const isOpen = (action: ActionDetailView, name: ActionOperationName) => action.can.includes(ACTION_OPERATIONS[name].path);

/** The filters of the actions' listing: with none of them in the address, the page shows the outstanding actions. */
const FILTERS = ['partner', 'status', 'overdue', 'theme', 'review', 'extension', 'assurance', 'impact', 'q', 'dueWithin'] as const;

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
  async list(@Query() asked: Record<string, string>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    // The page opens on what is still to do; a filter asked for (a link from the dashboard, "Any status") says what to show.
    const query = FILTERS.some((name) => asked[name] !== undefined) ? asked : { ...asked, status: 'outstanding' };
    const { filter: checked, errors, at } = await readActionFilter(query, this.clock());
    if (!checked) {
      await renderPage(
        reply,
        'actions.njk',
        {
          title: 'Actions',
          section: 'actions',
          web,
          page: { items: [], nextCursor: null, previousCursor: null },
          errors: errorList(errors),
          query,
        },
        400,
      );
      return;
    }
    // On the pages, what is due soonest comes first unless the reader asks otherwise.
    const filter = checked;
    filter.sort ??= 'dueDate';
    const page: ActionPageView = await this.queries.execute(new ListActionsQuery(filter, web.session.actor));
    const reviews: ReviewView[] = await this.queries.execute(new ListReviewsQuery(web.session.actor));
    const start = Math.max(1, parseInt(query.start ?? '1', 10) || 1);
    const pageAt = (cursor: string | null, first: number) =>
      cursor ? `/tracker?${new URLSearchParams({ ...query, cursor, start: String(Math.max(1, first)) }).toString()}` : undefined;
    // The themes the reviews and their recommendations carry, to choose from; one asked for by address is kept too.
    const themes = tidyThemes([
      ...reviews.flatMap((review) => [...review.themes, ...review.recommendations.flatMap((recommendation) => recommendation.themes)]),
      ...(filter.theme ? [filter.theme] : []),
    ]).sort((a, b) => a.localeCompare(b, 'en-GB'));
    await renderPage(reply, 'actions.njk', {
      title: web.session.actor.roles.every((role) => role === 'partner') ? 'Your actions' : 'Actions',
      section: 'actions',
      web,
      page,
      query,
      filters: this.describeFilters(filter, web, reviews),
      filter,
      reviews,
      themes,
      themeChosen: themes.find((theme) => filter.theme !== undefined && themeKey(theme) === themeKey(filter.theme)),
      start,
      mayChoosePartner: readsEverything(web.session.actor),
      statuses: ACTION_STATUSES,
      partnerNames: web.partnerNames,
      at,
      downloadQuery: new URLSearchParams(
        Object.entries(query).filter(([name]) => !['cursor', 'start', 'limit', 'position', 'done'].includes(name)),
      ).toString(),
      nextHref: pageAt(page.nextCursor, start + page.items.length),
      previousHref: pageAt(page.previousCursor, start - (filter.limit ?? 100)),
      errors: at.error ? [{ text: at.error, href: `#${at.lookBack}` }] : [],
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

  @Get(':id/:operation')
  @PageFor('readActions')
  async task(
    @Param('id') id: string,
    @Param('operation') name: string,
    @Query() query: Record<string, string>,
    @Page() web: WebPageContext,
    @Res() reply: HtmlReply,
  ): Promise<void> {
    const operation = this.permittedOperation(name, web);
    const action: ActionDetailView = await this.queries.execute(new GetActionQuery(id, web.session.actor));
    if (!isOpen(action, operation)) throw new TaskNotAvailable(action, TASKS[operation].title(action));
    await this.renderTask(reply, web, action, operation, {
      ...startingValues(operation, action),
      ...query,
      version: String(action.version),
    });
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
    const operation = this.permittedOperation(name, web);
    const task = TASKS[operation];
    const action: ActionView = await this.queries.execute(new GetActionQuery(id, web.session.actor));
    if (form.step === 'change') {
      await this.renderTask(reply, web, action, operation, form);
      return;
    }
    const checked = await validateForm<object>(ACTION_OPERATIONS[operation].request, form);
    if (!checked.ok) {
      await this.renderTask(
        reply,
        web,
        action,
        operation,
        form,
        fieldMessages(checked.errors),
        errorList(checked.errors, `${operation}-`),
        400,
      );
      return;
    }
    if (task.confirm && form.step !== 'confirm') {
      await this.renderConfirmation(reply, web, action, operation, form);
      return;
    }
    const context: WriteContext = { actor: web.session.actor, correlationId: randomUUID(), expectedVersion: formVersion(form) };
    try {
      const answer: WriteAnswer = await this.commands.execute(
        commandFor(operation, id, checked.value, context, { evidenceId: form.evidenceId, requestId: form.requestId }),
      );
      reply.redirect(`/tracker/${id}?position=${answer.position}&done=${operation}`, 303);
    } catch (error) {
      const refused = refusal(error);
      if (refused === undefined) throw error;
      const message = refused.status === 412 ? await this.whatChangedSince(id, context, web) : refused.message;
      await this.renderTask(reply, web, action, operation, form, {}, [{ text: message, href: '#submit' }], refused.status);
    }
  }

  /** The operation named in the address, if there is one and the signed-in user may make it. */
  private permittedOperation(name: string, web: WebPageContext): ActionOperationName {
    if (!isActionOperation(name)) throw new NotFoundException();
    if (!mayDo(web.session.actor, name)) throw new WebForbidden();
    return name;
  }

  private async renderTask(
    reply: HtmlReply,
    web: WebPageContext,
    action: ActionView,
    operation: ActionOperationName,
    values: Record<string, string>,
    fieldErrors: Record<string, string> = {},
    errors: { text: string; href: string }[] = [],
    status = 200,
  ): Promise<void> {
    const task = TASKS[operation];
    // What the task decides on: the evidence or request named by the link that led here, or the form that came back.
    const decidesEvidence = ['accept', 'reject', 'withdraw-evidence'].includes(operation);
    const evidence = decidesEvidence ? action.evidence.find((item) => item.id === values.evidenceId) : undefined;
    const extension = operation.endsWith('-extension') ? action.extensions.find((item) => item.id === values.requestId) : undefined;
    if (decidesEvidence && !evidence) throw new NotFoundException('There is no such evidence on this action.');
    if (operation.endsWith('-extension') && !extension)
      throw new NotFoundException('There is no such request for more time on this action.');
    await renderPage(
      reply,
      'action-task.njk',
      {
        title: task.title(action),
        section: 'actions',
        backLink: { text: 'Back to the action', href: `/tracker/${action.id}` },
        web,
        action,
        operation,
        version: values.version,
        values,
        evidence,
        extension,
        button: task.button,
        warning: task.warning,
        fieldErrors,
        errors,
      },
      status,
    );
  }

  /** "Are you sure": what is about to be recorded, to confirm or change. */
  private async renderConfirmation(
    reply: HtmlReply,
    web: WebPageContext,
    action: ActionView,
    operation: ActionOperationName,
    form: Record<string, string>,
  ): Promise<void> {
    const confirm = TASKS[operation].confirm!;
    const { _csrf: _token, version, step: _step, ...values } = form;
    const answers = Object.entries(values).map(([field, value]) => ({
      key: { text: fieldLabel(field) },
      value: { text: field === 'outcome' ? label(value, 'outcome') : value },
    }));
    await renderPage(reply, 'action-confirm.njk', {
      title: confirm.title,
      section: 'actions',
      backLink: { text: 'Back to the action', href: `/tracker/${action.id}` },
      web,
      action,
      operation,
      version,
      values,
      answers,
      button: confirm.button,
      warning: confirm.warning,
    });
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

  /** The action as a summary, each task it is open to (for this user, now) a link to that task's own page. */
  private async renderAction(reply: HtmlReply, web: WebPageContext, id: string, query: Record<string, string>): Promise<void> {
    const at = pageMoment(query, this.clock());
    const { past } = at;
    const action: ActionDetailView = await this.queries.execute(new GetActionQuery(id, web.session.actor, at.moment));
    const actor = web.session.actor;
    const history: HistoryEntryView[] = may(actor, 'readActionHistory')
      ? await this.queries.execute(new GetActionHistoryQuery(id, actor, at.moment))
      : [];
    // The mail about the action, for those who read the outbox: whether its owner was reminded is a question meetings ask.
    const mail: { items: NotificationView[] } | undefined =
      !past && may(actor, 'readNotifications')
        ? await this.queries.execute(new ListNotificationsQuery({ actionId: id, limit: 50 }))
        : undefined;
    // Open to the action as it stands, and to this reader's role: `can` names an operation by its path's last segment, which two share.
    const tasks = Object.fromEntries(
      Object.keys(TASKS).map((name) => [name, isOpen(action, name as ActionOperationName) && mayDo(actor, name as ActionOperationName)]),
    );
    await renderPage(reply, 'action.njk', {
      title: action.description,
      section: 'actions',
      backLink: { text: 'All actions', href: '/tracker' },
      web,
      action,
      at,
      timeline: history.map((entry) => describeEvent(entry, web.partnerNames)),
      standingEvidence: action.evidence.filter(isStanding).map((item) => item.id),
      mail: mail?.items ?? [],
      tasks,
      taskTitles: Object.fromEntries(Object.entries(TASKS).map(([name, task]) => [name, task.title(action)])),
      done: isActionOperation(query.done ?? '') ? TASKS[query.done as ActionOperationName].done : undefined,
    });
  }
}

/** A task the action is not open to now: closing a closed action, deciding evidence none awaits. */
class TaskNotAvailable extends ConflictException {
  constructor(action: ActionView, title: string) {
    super(`“${title}” cannot be done while the action is ${label(action.status, 'status').toLowerCase()}.`);
  }
}
