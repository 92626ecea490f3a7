import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { Readable } from 'node:stream';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { AsOfFileRequest } from '../http/read-request';
import { FileReply, fileFormatAsked, sendFile } from '../files/table-file';
import { ReadRoute } from '../http/routes';
import { AssuranceView, GetAssuranceQuery } from './assurance.queries';
import { AssuranceFile } from './assurance.file';

@ApiTags('assurance')
@Controller('assurance')
export class AssuranceController {
  constructor(
    private readonly queries: QueryBus,
    private readonly file: AssuranceFile,
  ) {}

  @Get()
  @ReadRoute({
    files: true,
    summary: 'The assurance picture: per partner, theme and review, what is outstanding, overdue, evidenced and closed',
    permission: 'readAssurance',
    type: AssuranceView,
    notFound: false,
  })
  async get(
    @Query() read: AsOfFileRequest,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FileReply,
  ): Promise<AssuranceView | Readable> {
    const format = fileFormatAsked(read.format, accept);
    if (format) return sendFile(reply, await this.file.file(format, read));
    return this.queries.execute(new GetAssuranceQuery(read));
  }
}
