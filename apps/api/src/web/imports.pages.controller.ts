import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { XLSX_MEDIA_TYPE, isZip } from '../imports/plan-file';
import { ImportCheckView, ImportPlanCommand, ImportedView, PlanRefused } from '../imports/import-plan.handler';
import { ImportUploads } from '../imports/import-uploads';
import { planTemplate } from '../imports/plan-template';
import { sendFile } from '../files/table-file';
import { PartnerDirectory } from '../partners/partner-directory';
import { refusal } from './web-form';
import { HtmlReply, Page, PageFor, WebPageContext, WebPages, renderPage } from './web-page';

/** An XLSX file is a zip archive; anything else uploaded is read as CSV. */
const mediaTypeOf = (file: Buffer) => (isZip(file) ? XLSX_MEDIA_TYPE : 'text/csv');

/** Importing the plan a partnership already has: upload, see what it would do, confirm. */
@WebPages()
@Controller('import')
export class ImportPagesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly uploads: ImportUploads,
    private readonly partners: PartnerDirectory,
  ) {}

  @Get()
  @PageFor('importPlan')
  async start(@Query() query: Record<string, string>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const done = ['reviews', 'recommendations', 'actions'].every((name) => /^\d+$/.test(query[name] ?? ''))
      ? { reviews: Number(query.reviews), recommendations: Number(query.recommendations), actions: Number(query.actions) }
      : undefined;
    await renderPage(reply, 'import.njk', { title: 'Import an action plan', section: 'import', web, done });
  }

  @Get('template.xlsx')
  @PageFor('importPlan')
  async template(@Res() reply: HtmlReply): Promise<void> {
    reply.send(sendFile(reply, await planTemplate(await this.partners.all())));
  }

  /** The dry run: every row checked, nothing written; the file is kept for the confirmation. */
  @Post('check')
  @PageFor('importPlan')
  async check(@Body() form: Record<string, unknown>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const file = Buffer.isBuffer(form.plan) ? form.plan : Buffer.alloc(0);
    if (file.length === 0) {
      await this.renderStart(reply, web, [{ text: 'Select the action plan to import, as a CSV or XLSX file', href: '#plan' }]);
      return;
    }
    const mediaType = mediaTypeOf(file);
    const context = { actor: web.session.actor, correlationId: randomUUID() };
    try {
      const check = (await this.commands.execute(new ImportPlanCommand(file, mediaType, true, context))) as ImportCheckView;
      const uploadId = check.valid ? await this.uploads.keep(web.session.actor.userId, { file, mediaType, fileName: 'plan' }) : undefined;
      await renderPage(
        reply,
        'import-check.njk',
        {
          title: check.valid ? 'Check the import' : 'The file has problems',
          section: 'import',
          web,
          check,
          uploadId,
          backLink: { text: 'Back', href: '/import' },
        },
        check.valid ? 200 : 422,
      );
    } catch (error) {
      const refused = refusal(error);
      if (!refused) throw error;
      await this.renderStart(reply, web, [{ text: refused.message, href: '#plan' }], refused.status);
    }
  }

  @Post('confirm')
  @PageFor('importPlan')
  async confirm(@Body() form: Record<string, string>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const upload = form.upload ? await this.uploads.find(web.session.actor.userId, form.upload) : undefined;
    if (!upload) {
      await this.renderStart(reply, web, [{ text: 'The checked file has expired: upload it again', href: '#plan' }], 410);
      return;
    }
    const context = { actor: web.session.actor, correlationId: randomUUID() };
    try {
      const imported = (await this.commands.execute(new ImportPlanCommand(upload.file, upload.mediaType, false, context))) as ImportedView;
      await this.uploads.forget(form.upload);
      reply.redirect(
        `/import?${new URLSearchParams(Object.entries(imported.created).map(([name, count]): [string, string] => [name, String(count)]))}`,
        303,
      );
    } catch (error) {
      // Rows that were sound at the check may not be now (a partner removed meanwhile): say so, as the check would.
      if (!(error instanceof PlanRefused)) throw error;
      await renderPage(reply, 'import-check.njk', { title: 'The file has problems', section: 'import', web, check: error.check }, 422);
    }
  }

  private renderStart(reply: HtmlReply, web: WebPageContext, errors: { text: string; href: string }[], status = 400): Promise<void> {
    return renderPage(reply, 'import.njk', { title: 'Import an action plan', section: 'import', web, errors }, status);
  }
}
