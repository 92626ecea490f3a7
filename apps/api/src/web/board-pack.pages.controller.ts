import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { dayInEngland, daysBetween, delayReason } from '@app/domain';
import { ListActionsQuery } from '../actions/action.queries';
import { ActionPageView } from '../actions/action.view';
import { AssuranceView, GetAssuranceQuery } from '../assurance/assurance.queries';
import { ChangesView, GetChangesQuery } from '../changes/changes.queries';
import { CLOCK, Clock } from '../clock/clock';
import { momentOn } from './as-at';
import { changesWindow, countedChanges } from './changes.pages.controller';
import { dateFrom, redirectedToWholeDays } from './web-form';
import { ListReviewsQuery, ReviewView } from '../reviews/review.queries';
import { ragTag } from './rag-tag';
import { HtmlReply, Page, PageFor, WebPageContext, WebPages, renderPage } from './web-page';

@WebPages()
@Controller('board-pack')
export class BoardPackController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * What the chair takes to the board, on one printable page: the assurance picture as at a day, what
   * changed since an earlier one, the overdue actions with their owners and why they are late, and the
   * extensions granted.
   */
  @Get()
  @PageFor('readAssurance')
  async pack(@Query() query: Record<string, string>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const now = this.clock();
    const [since, date] = [dateFrom(query, 'since'), dateFrom(query, 'date')];
    const window = changesWindow({ ...(since && { from: since }), ...(date && { to: date }) }, now);
    if (redirectedToWholeDays(reply, '/board-pack', query, { date: window.to, since: window.from })) return;
    const errors = window.errors.map((error) => ({ ...error, href: error.href === '#from' ? '#since' : '#date' }));
    const page = { title: 'Board pack', section: 'dashboard', web, window };
    if (errors.length) {
      await renderPage(reply, 'board-pack.njk', { ...page, errors }, 400);
      return;
    }
    const { past, moment } = momentOn('asAt', window.to, now);
    const assurance: AssuranceView = await this.queries.execute(new GetAssuranceQuery(moment));
    const changes: ChangesView = await this.queries.execute(new GetChangesQuery(window.fromInstant, window.toInstant));
    const overdue: ActionPageView = await this.queries.execute(
      new ListActionsQuery({ overdue: 'true', sort: 'dueDate', limit: 500, ...moment }, web.session.actor),
    );
    const reviews: ReviewView[] = await this.queries.execute(new ListReviewsQuery(web.session.actor, moment));
    const reference = new Map(reviews.map((review) => [review.id, review.reference]));
    const day = past ?? dayInEngland(now);
    await renderPage(reply, 'board-pack.njk', {
      ...page,
      assurance,
      partners: assurance.partners.map((partner) => ({ ...partner, rag: ragTag(partner) })),
      changes,
      counts: countedChanges(changes),
      overdue: overdue.items.map((action) => ({
        ...action,
        daysOverdue: daysBetween(action.dueDate!, day),
        reason: delayReason(action.extensions),
        reviewReference: reference.get(action.reviewId),
      })),
      overdueTotal: overdue.total,
      extensionsGranted: changes.items.filter((item) => item.type === 'ExtensionApproved'),
      printAsAt: assurance.asOf,
    });
  }
}
