import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { Actor } from '@app/domain';
import { CurrentActor } from '../auth/current-actor.decorator';
import { PartnerDirectory } from '../partners/partner-directory';
import { ImportRoute } from '../http/routes';
import { MAX_FILE_BYTES, MAX_ROWS, OCTET_STREAM, XLSX_MEDIA_TYPE } from './plan-file';
import { ImportCheckView, ImportPlanCommand, ImportedView } from './import-plan.handler';
import { planTemplate } from './plan-template';
import { sendFile } from '../files/table-file';

export class ImportRequest {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Check every row and say what would be created, writing nothing' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  dryRun?: 'true' | 'false';
}

type JsonReply = {
  status(code: number): JsonReply;
  header(name: string, value: string): JsonReply;
  send(body: unknown): JsonReply;
};

@ApiTags('imports')
@Controller('imports')
export class ImportsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly partners: PartnerDirectory,
  ) {}

  @Post()
  @ImportRoute({
    summary: `Import an action plan (CSV or XLSX, at most ${MAX_FILE_BYTES / 1024 / 1024} MiB and ${MAX_ROWS} rows)`,
    permission: 'importPlan',
  })
  @ApiConsumes('text/csv', XLSX_MEDIA_TYPE, OCTET_STREAM)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 200, type: ImportCheckView, description: 'A dry run, or a file already imported: nothing created' })
  @ApiResponse({ status: 201, type: ImportedView })
  async import(
    @Body() file: unknown,
    @Query() request: ImportRequest,
    @CurrentActor() actor: Actor,
    @Req() http: { headers: Record<string, string | undefined>; correlationId?: string },
    @Res() reply: JsonReply,
  ): Promise<void> {
    const body = Buffer.isBuffer(file) ? file : Buffer.alloc(0);
    const context = { actor, correlationId: http.correlationId ?? randomUUID() };
    const outcome = await this.commands.execute(
      new ImportPlanCommand(body, http.headers['content-type'] ?? '', request.dryRun === 'true', context),
    );
    const created = 'created' in outcome && Object.values(outcome.created).some((count) => count > 0);
    reply
      .status(created ? 201 : 200)
      .header('content-type', 'application/json; charset=utf-8')
      .send(outcome);
  }

  @Get('template.xlsx')
  @ImportRoute({
    summary: 'An empty action plan to fill in: the columns, an example row, and lists of the partners and review kinds',
    permission: 'importPlan',
  })
  @ApiResponse({ status: 200, content: { [XLSX_MEDIA_TYPE]: { schema: { type: 'string', format: 'binary' } } } })
  async template(@Res() reply: JsonReply): Promise<void> {
    reply.send(sendFile(reply, await planTemplate(await this.partners.all())));
  }
}
