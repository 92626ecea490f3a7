import { Controller, Get, Inject, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { CLOCK, Clock } from '../clock/clock';
import { ActionsFile } from '../actions/actions.file';
import { AssuranceFile } from '../assurance/assurance.file';
import { ChangesFile } from '../changes/changes.file';
import { YearlyReportFile } from '../reports/yearly-report.file';
import { ReviewsFile } from '../reviews/reviews.file';
import { FILE_FORMATS, FileFormat, TableFile, sendFile } from '../files/table-file';
import { ValidationFailed } from '../http/problem';
import { readActionFilter } from './action-filter';
import { pageMoment } from './as-at';
import { changesWindow } from './changes.pages.controller';
import { reportPeriod } from './reports.pages.controller';
import { HtmlReply, Page, PageFor, WebPageContext, WebPages } from './web-page';

const formatOf = (format: string): FileFormat => {
  if (!(FILE_FORMATS as readonly string[]).includes(format)) throw new NotFoundException();
  return format as FileFormat;
};

/** The pages' lists as files, with the filters and date the page was showing: the API's files, for the signed-in user. */
@WebPages()
@Controller('download')
export class DownloadsController {
  constructor(
    private readonly actionsFile: ActionsFile,
    private readonly reviewsFile: ReviewsFile,
    private readonly assuranceFile: AssuranceFile,
    private readonly changesFile: ChangesFile,
    private readonly yearlyReportFile: YearlyReportFile,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('actions/:format')
  @PageFor('readActions')
  async actions(
    @Param('format') format: string,
    @Query() query: Record<string, string>,
    @Page() web: WebPageContext,
    @Res() reply: HtmlReply,
  ): Promise<void> {
    const { filter, errors, at } = await readActionFilter(query, this.clock());
    if (!filter || at.error) throw new ValidationFailed([...errors, ...(at.error ? [{ field: at.lookBack, message: at.error }] : [])]);
    send(reply, await this.actionsFile.file(formatOf(format), filter, web.session.actor));
  }

  @Get('reviews/:format')
  @PageFor('readReviews')
  async reviews(@Param('format') format: string, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    send(reply, await this.reviewsFile.file(formatOf(format), web.session.actor));
  }

  @Get('assurance/:format')
  @PageFor('readAssurance')
  async assurance(@Param('format') format: string, @Query() query: Record<string, string>, @Res() reply: HtmlReply): Promise<void> {
    const at = pageMoment(query, this.clock());
    if (at.error) throw new ValidationFailed([{ field: at.lookBack, message: at.error }]);
    send(reply, await this.assuranceFile.file(formatOf(format), at.moment));
  }

  @Get('changes/:format')
  @PageFor('readAssurance')
  async changes(@Param('format') format: string, @Query() query: Record<string, string>, @Res() reply: HtmlReply): Promise<void> {
    const window = changesWindow(query, this.clock());
    if (window.errors.length)
      throw new ValidationFailed(window.errors.map((error) => ({ field: error.href.slice(1), message: error.text })));
    send(reply, await this.changesFile.file(formatOf(format), window.fromInstant, window.toInstant));
  }

  @Get('yearly-report/:format')
  @PageFor('readAssurance')
  async yearlyReport(@Param('format') format: string, @Query() query: Record<string, string>, @Res() reply: HtmlReply): Promise<void> {
    const period = reportPeriod(query, this.clock());
    if (period.errors.length)
      throw new ValidationFailed(period.errors.map((error) => ({ field: error.href.slice(1), message: error.text })));
    send(reply, await this.yearlyReportFile.file(formatOf(format), period.from, period.to));
  }
}

const send = (reply: HtmlReply, file: TableFile): void => void reply.send(sendFile(reply, file));
