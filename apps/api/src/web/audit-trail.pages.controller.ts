import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { Readable } from 'node:stream';
import { dayInEngland } from '@app/domain';
import { LogVerification } from '../audit/log-verification';
import { SIGNING_KEY, SigningKey } from '../audit/signing-key';
import { CLOCK, Clock } from '../clock/clock';
import { HtmlReply, Page, PageFor, WebPageContext, WebPages, renderPage } from './web-page';
import { QueryBus } from '@nestjs/cqrs';
import { endOfDayInEngland, isCalendarDate, startOfDayInEngland } from '@app/domain';
import { AuditEventsPage, AuditFilter, ListAuditEventsQuery } from '../audit/audit-events.query';
import { isLogPosition } from '../http/fields';
import { historyEntry } from '../reads/history-entry';
import { describeEvent } from '../words/event-sentences';
import { dateFrom } from './web-form';

/** The log's filters as the page's form gives them: the days, who recorded and what about, and what is wrong with them. */
function auditFilterOf(query: Record<string, string>) {
  const [from, to] = [dateFrom(query, 'from'), dateFrom(query, 'to')];
  const errors = [
    from !== undefined && !isCalendarDate(from) && { text: 'The first day must be a real date, like 31 3 2026', href: '#from' },
    to !== undefined && !isCalendarDate(to) && { text: 'The last day must be a real date, like 31 3 2026', href: '#to' },
    query.after !== undefined && !isLogPosition(query.after) && { text: 'The page asked for does not exist', href: '#events' },
  ].filter((error): error is { text: string; href: string } => Boolean(error));
  const filters = { from: from ?? '', to: to ?? '', actor: (query.actor ?? '').trim(), stream: (query.stream ?? '').trim() };
  const filter: AuditFilter = {
    ...(isCalendarDate(from) && { recordedFrom: startOfDayInEngland(from) }),
    ...(isCalendarDate(to) && { recordedTo: endOfDayInEngland(to) }),
    ...(filters.actor && { actor: filters.actor }),
    ...(filters.stream && { streamId: filters.stream }),
  };
  return { filters, errors, filter };
}

/** Events on a page of the log. */
const EVENTS_PER_PAGE = 100;

/** The auditor's page: is the log intact, which checkpoints vouch for it, and the export to check it elsewhere. */
@WebPages()
@Controller('audit-trail')
export class AuditTrailController {
  constructor(
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly verification: LogVerification,
    private readonly queries: QueryBus,
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

  /** The log itself, a page at a time, each event in words with its data: by the days it was recorded on, who recorded it, and what it is about. */
  @Get('events')
  @PageFor('readAuditLog')
  async events(@Query() query: Record<string, string>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const { filters, errors, filter } = auditFilterOf(query);
    const page = { title: 'The log', section: 'audit', web, filters, backLink: { text: 'Audit', href: '/audit-trail' } };
    if (errors.length) {
      await renderPage(reply, 'audit-events.njk', { ...page, errors, events: [] }, 400);
      return;
    }
    const found: AuditEventsPage = await this.queries.execute(
      new ListAuditEventsQuery(filter, BigInt(query.after ?? '0'), EVENTS_PER_PAGE),
    );
    const next = found.nextAfter === undefined ? undefined : new URLSearchParams({ ...filters, after: found.nextAfter.toString() });
    await renderPage(reply, 'audit-events.njk', {
      ...page,
      events: found.events.map((event) => ({
        streamId: event.streamId,
        ...describeEvent(historyEntry(event), web.partnerNames),
        sub: (event.metadata.actor as { sub?: string } | undefined)?.sub,
        data: JSON.stringify(event.data, null, 2),
      })),
      next: next?.toString(),
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
