import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { CLOCK, Clock } from '../clock/clock';
import { dayInEngland, financialYearOf, isCalendarDate } from '@app/domain';
import { GetYearlyReportQuery, YearlyReportView } from '../reports/yearly-report.queries';
import { dateFrom, redirectedToWholeDays } from './web-form';
import { HtmlReply, Page, PageFor, WebPageContext, WebPages, renderPage } from './web-page';

type Error = { text: string; href: string };

/** The period a page asks for, from its address or its date inputs: the financial year today is in unless told. */
export function reportPeriod(query: Record<string, string>, now: Date): { from: string; to: string; errors: Error[] } {
  const year = financialYearOf(dayInEngland(now));
  const from = dateFrom(query, 'from') ?? year.from;
  const to = dateFrom(query, 'to') ?? year.to;
  const errors = [
    !isCalendarDate(from) && { text: 'The start must be a real date, like 1 4 2025', href: '#from' },
    !isCalendarDate(to) && { text: 'The end must be a real date, like 31 3 2026', href: '#to' },
    isCalendarDate(from) && isCalendarDate(to) && from > to && { text: 'The start must be on or before the end', href: '#from' },
  ].filter((error): error is Error => Boolean(error));
  return { from, to, errors };
}

@WebPages()
@Controller('yearly-report')
export class ReportsPagesController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The yearly report: what the partnership learnt and did in a period, for its published annual report. */
  @Get()
  @PageFor('readAssurance')
  async yearly(@Query() query: Record<string, string>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const period = reportPeriod(query, this.clock());
    if (redirectedToWholeDays(reply, '/yearly-report', query, { from: period.from, to: period.to })) return;
    if (period.errors.length) {
      await renderPage(reply, 'yearly-report.njk', { title: 'Yearly report', section: 'report', web, period, errors: period.errors }, 400);
      return;
    }
    const report: YearlyReportView = await this.queries.execute(new GetYearlyReportQuery(period.from, period.to));
    await renderPage(reply, 'yearly-report.njk', {
      title: 'Yearly report',
      section: 'report',
      web,
      period,
      report,
      themes: Object.entries(report.recommendations.byTheme).sort(([a, x], [b, y]) => y - x || a.localeCompare(b)),
      printAsAt: `${report.asAt}T23:59:59Z`,
    });
  }
}
