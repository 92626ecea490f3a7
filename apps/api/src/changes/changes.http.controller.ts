import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { Readable } from 'node:stream';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { FileFormat, FileFormatField, FileReply, fileFormatAsked, sendFile } from '../files/table-file';
import { Instant } from '../http/fields';
import { ReadRequest } from '../http/read-request';
import { ReadRoute } from '../http/routes';
import { ChangesView, GetChangesQuery } from './changes.queries';
import { ChangesFile } from './changes.file';

export class ChangesRequest extends ReadRequest {
  @Instant({ optional: true, description: 'From this instant (default: the start of the same day eight weeks ago)' })
  from?: string;

  @Instant({ optional: true, description: 'Up to this instant (default: now)' })
  to?: string;

  @FileFormatField()
  format?: FileFormat;
}

@ApiTags('changes')
@Controller('changes')
export class ChangesController {
  constructor(
    private readonly queries: QueryBus,
    private readonly file: ChangesFile,
  ) {}

  @Get()
  @ReadRoute({
    files: true,
    summary: 'What changed between two instants, from the events: each change, counts by type, and the actions that became overdue',
    permission: 'readAssurance',
    type: ChangesView,
    notFound: false,
  })
  async get(
    @Query() request: ChangesRequest,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FileReply,
  ): Promise<ChangesView | Readable> {
    const format = fileFormatAsked(request.format, accept);
    if (format) return sendFile(reply, await this.file.file(format, request.from, request.to));
    return this.queries.execute(new GetChangesQuery(request.from, request.to));
  }
}
