import { Controller, Get, Inject, Res } from '@nestjs/common';
import { Readable } from 'node:stream';
import { dayInEngland } from '@app/domain';
import { LogVerification } from '../audit/log-verification';
import { SIGNING_KEY, SigningKey } from '../audit/signing-key';
import { CLOCK, Clock } from '../clock/clock';
import { HtmlReply, Page, PageFor, WebPageContext, WebPages, renderPage } from './web-page';

/** The auditor's page: is the log intact, which checkpoints vouch for it, and the export to check it elsewhere. */
@WebPages()
@Controller('audit-trail')
export class AuditTrailController {
  constructor(
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly verification: LogVerification,
  ) {}

  @Get()
  @PageFor('readAuditLog')
  async page(@Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const { verification, checkpoints } = await this.verification.verify();
    await renderPage(reply, 'audit.njk', {
      title: 'Audit',
      section: 'audit',
      web,
      verification,
      checkpoints: [...checkpoints].reverse().slice(0, 20),
      checkpointCount: checkpoints.length,
      publicKey: this.key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      keyId: this.key.keyId,
      checkedAt: this.clock().toISOString(),
    });
  }

  @Get('export.ndjson')
  @PageFor('readAuditLog')
  async export(@Res() reply: HtmlReply): Promise<void> {
    const body = Readable.from(this.verification.exportLines(this.clock()));
    reply
      .header('content-type', 'application/x-ndjson')
      .header('content-disposition', `attachment; filename="audit-export-${dayInEngland(this.clock())}.ndjson"`)
      .send(body);
  }
}
