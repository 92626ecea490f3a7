import { dayInEngland, endOfDayInEngland, isCalendarDate } from '@app/domain';
import { ReadMoment } from '../reads/read-scope';

/** The two ways a page looks back to a day: what had happened by its end, or (the auditor's) what had been recorded by then. */
export type LookBack = 'asAt' | 'recordedBy';

/** How a page reads: now, or as at (or recorded by) the end of a past day. */
export type PageMoment = Readonly<{
  lookBack: LookBack;
  /** The day as it was given. */
  day?: string;
  /** The past day read, when it is one: today, or no day, is read as it is now. */
  past?: string;
  moment: ReadMoment;
  /** The parameter the pages a page links to carry, to look back to the same day ('' for now). */
  query: string;
  error?: string;
}>;

/** A page's day to look back to, the way asked for. */
export function momentOn(lookBack: LookBack, day: string | undefined, now: Date): PageMoment {
  const asked = { lookBack, day, moment: {}, query: '' };
  if (!day) return asked;
  if (!isCalendarDate(day)) return { ...asked, error: 'The date must be a real date, like 31 3 2026' };
  if (day > dayInEngland(now)) return { ...asked, error: 'The date must be today or in the past' };
  if (day === dayInEngland(now)) return asked;
  const moment = lookBack === 'asAt' ? { asAt: day } : { asOf: endOfDayInEngland(day).toISOString() };
  return { ...asked, past: day, moment, query: `${lookBack}=${day}` };
}

/** A page's moment from its address: `recordedBy=<day>` when given, else `asAt=<day>`. */
export function pageMoment(query: Readonly<Record<string, string | undefined>>, now: Date): PageMoment {
  return query.recordedBy ? momentOn('recordedBy', query.recordedBy, now) : momentOn('asAt', query.asAt, now);
}
