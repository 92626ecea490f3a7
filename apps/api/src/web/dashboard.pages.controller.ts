import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { endOfDayInEngland, may } from '@app/domain';
import { ragTag } from './rag-tag';
import { AssuranceView, GetAssuranceQuery } from '../assurance/assurance.queries';
import { GetTrendsQuery, TrendsView } from '../reports/trends.queries';
import { CLOCK, Clock } from '../clock/clock';
import { pageMoment } from './as-at';
import { dateFrom, redirectedToWholeDays } from './web-form';
import { trendChartSvg } from './trend-chart';
import { HtmlReply, Page, PageFor, WebPageContext, WebPages, renderPage } from './web-page';

@WebPages()
@Controller()
export class DashboardController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('dashboard')
  @PageFor('readAssurance')
  async dashboard(@Query() query: Record<string, string>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const days = { asAt: dateFrom(query, 'asAt'), recordedBy: dateFrom(query, 'recordedBy') };
    if (redirectedToWholeDays(reply, '/dashboard', query, days)) return;
    const now = this.clock();
    const at = pageMoment(days, now);
    const { past, error } = at;
    const assurance: AssuranceView = await this.queries.execute(new GetAssuranceQuery(at.moment));
    // The chart counts what had happened by each month's end, as the picture as at a day does.
    const trends: TrendsView = await this.queries.execute(new GetTrendsQuery(past));
    const months = trends.months.map((month) => ({
      ...month,
      label: new Date(`${month.month}-01T00:00:00Z`).toLocaleDateString('en-GB', { month: 'short', timeZone: 'UTC' }),
      name: new Date(`${month.month}-01T00:00:00Z`).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }),
      byPartner: Object.fromEntries(month.partners.map((partner) => [partner.partnerId ?? 'unassigned', partner])),
    }));
    await renderPage(reply, 'dashboard.njk', {
      title: 'Assurance',
      section: 'dashboard',
      web,
      assurance,
      printAsAt: at.lookBack === 'asAt' && past ? endOfDayInEngland(past).toISOString() : assurance.asOf,
      at,
      // The page's one date field shows the day either way was asked for when it was wrong, else the day as at.
      asAt: at.lookBack === 'asAt' || error ? (at.day ?? '') : '',
      filter: at.query ? `&${at.query}` : '',
      mayAudit: may(web.session.actor, 'readAuditLog'),
      partners: assurance.partners.map((partner) => ({ ...partner, rag: ragTag(partner) })),
      chart: trendChartSvg(months),
      months,
      quarters: trends.quarters,
      errors: error ? [{ text: error, href: '#asAt' }] : [],
      fieldErrors: error ? { asAt: error } : {},
    });
  }

  /** The start page: partner leads go to their own actions, everyone else to the assurance picture. */
  @Get('start')
  @PageFor('readActions')
  start(@Page() web: WebPageContext, @Res() reply: HtmlReply): void {
    const partnerOnly = web.session.actor.roles.every((role) => role === 'partner');
    reply.redirect(partnerOnly ? '/tracker' : '/dashboard', 303);
  }
}
