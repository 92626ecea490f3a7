import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { FileFormat, FileFormatField, FileReply, fileFormatAsked, sendFile } from '../files/table-file';
import { CalendarDate } from '../http/fields';
import { ReadRequest } from '../http/read-request';
import { ReadRoute } from '../http/routes';
import { GetTrendsQuery, TrendsView } from './trends.queries';
import { GetYearlyReportQuery, YearlyReportView } from './yearly-report.queries';
import { YearlyReportFile } from './yearly-report.file';

export class YearlyReportRequest extends ReadRequest {
  @CalendarDate({ optional: true, description: 'The first day (default: 1 April of the financial year)' })
  from?: string;

  @CalendarDate({ optional: true, description: 'The last day (default: 31 March of the financial year)' })
  to?: string;

  @FileFormatField()
  format?: FileFormat;
}

export class TrendsRequest extends ReadRequest {
  @CalendarDate({ optional: true, description: 'The last day (default today)' })
  until?: string;
}

@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly file: YearlyReportFile,
  ) {}

  @Get('yearly')
  @ReadRoute({
    files: true,
    summary: "The partnership's yearly report for a period (by default the financial year today is in), from the events",
    permission: 'readAssurance',
    type: YearlyReportView,
    notFound: false,
  })
  async yearly(
    @Query() request: YearlyReportRequest,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FileReply,
  ): Promise<YearlyReportView | Readable> {
    const format = fileFormatAsked(request.format, accept);
    if (format) return sendFile(reply, await this.file.file(format, request.from, request.to));
    return this.queries.execute(new GetYearlyReportQuery(request.from, request.to));
  }

  @Get('trends')
  @ReadRoute({
    summary:
      'Outstanding and overdue actions per agency at the end of each of the last 12 months, and closings per quarter, from the events',
    permission: 'readAssurance',
    type: TrendsView,
    notFound: false,
  })
  trends(@Query() request: TrendsRequest): Promise<TrendsView> {
    return this.queries.execute(new GetTrendsQuery(request.until));
  }
}
