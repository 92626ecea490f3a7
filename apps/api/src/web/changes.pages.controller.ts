import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { CLOCK, Clock } from '../clock/clock';
import { ChangeView, ChangesView, DEFAULT_WEEKS, GetChangesQuery } from '../changes/changes.queries';
import { addDays, dayInEngland, endOfDayInEngland, isCalendarDate, startOfDayInEngland } from '@app/domain';
import { LABELS } from '../words/words';
import { dateFrom, redirectedToWholeDays } from './web-form';
import { HtmlReply, Page, PageFor, WebPageContext, WebPages, renderPage } from './web-page';

/** The changes a meeting asks about first, in the order the counts show them. */
const COUNTED = Object.keys(LABELS.change) as (keyof typeof LABELS.change)[];

/** How many of each kind of change there were, in words, in that order, leaving out the kinds that did not happen. */
export const countedChanges = (changes: ChangesView) =>
  COUNTED.filter((type) => changes.counts[type]).map((type) => ({ type, label: LABELS.change[type], count: changes.counts[type] }));

type DayWindow = Readonly<{ from: string; to: string; fromInstant: string; toInstant: string; errors: { text: string; href: string }[] }>;

/**
 * The days asked for, from the address or the date inputs: by default from the same day eight weeks
 * ago to today; never after today, never backwards. From the start of the first day to the end of
 * the last (now, for today).
 */
export function changesWindow(query: Record<string, string>, now: Date): DayWindow {
  const today = dayInEngland(now);
  const to = dateFrom(query, 'to') ?? today;
  // A window given only its end runs the default weeks before that end, so that a past board's day alone will do.
  const from = dateFrom(query, 'from') ?? addDays(isCalendarDate(to) ? to : today, -DEFAULT_WEEKS * 7);
  const errors = [
    !isCalendarDate(from) && { text: 'The start must be a real date, like 31 3 2026', href: '#from' },
    !isCalendarDate(to) && { text: 'The end must be a real date, like 31 3 2026', href: '#to' },
    isCalendarDate(to) && to > today && { text: 'The end must be today or in the past', href: '#to' },
    isCalendarDate(from) && isCalendarDate(to) && from > to && { text: 'The start must be on or before the end', href: '#from' },
  ].filter((error): error is { text: string; href: string } => Boolean(error));
  if (errors.length) return { from, to, fromInstant: '', toInstant: '', errors };
  // The days as England has them: a day in summer starts at 23:00 UTC the evening before.
  const toInstant = to === today ? now.toISOString() : endOfDayInEngland(to).toISOString();
  return { from, to, fromInstant: startOfDayInEngland(from).toISOString(), toInstant, errors };
}

@WebPages()
@Controller('what-changed')
export class ChangesPagesController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Since the last meeting: the changes between two days, counted, by partner agency, and what became overdue. */
  @Get()
  @PageFor('readAssurance')
  async changes(@Query() query: Record<string, string>, @Page() web: WebPageContext, @Res() reply: HtmlReply): Promise<void> {
    const now = this.clock();
    const window = changesWindow(query, now);
    if (redirectedToWholeDays(reply, '/what-changed', query, { from: window.from, to: window.to })) return;
    if (window.errors.length) {
      await renderPage(reply, 'changes.njk', { title: 'What changed', section: 'changes', web, window, errors: window.errors }, 400);
      return;
    }
    const changes: ChangesView = await this.queries.execute(new GetChangesQuery(window.fromInstant, window.toInstant));
    await renderPage(reply, 'changes.njk', {
      title: 'What changed',
      section: 'changes',
      web,
      window,
      changes,
      counts: countedChanges(changes),
      groups: this.byPartner(changes.items, web.partnerNames),
      printAsAt: changes.to,
    });
  }

  /** The changes to each agency's actions under its name (alphabetical), then those to reviews and to actions no agency owns. */
  private byPartner(items: readonly ChangeView[], partnerNames: Readonly<Record<string, string>>) {
    const groups = new Map<string, { name: string; items: ChangeView[] }>();
    for (const [id, name] of Object.entries(partnerNames)) groups.set(id, { name, items: [] });
    groups.set('', { name: 'Actions no agency owns yet', items: [] });
    groups.set('reviews', { name: 'Reviews and recommendations', items: [] });
    for (const item of items) {
      const key = item.actionId ? (item.partnerId ?? '') : 'reviews';
      if (!groups.has(key)) groups.set(key, { name: key, items: [] });
      groups.get(key)!.items.push(item);
    }
    return [...groups.entries()].filter(([, group]) => group.items.length).map(([id, group]) => ({ id: id || 'unassigned', ...group }));
  }
}
