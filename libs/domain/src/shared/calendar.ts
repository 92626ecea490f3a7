/**
 * Calendar dates are YYYY-MM-DD text: they compare as text, and these are the only arithmetic on
 * them. A day is a day in England (Europe/London): an instant belongs to the day it is in London,
 * and a day begins at midnight there, summer and winter.
 */

const DAY_MS = 86_400_000;

const parse = (date: string): Date => new Date(`${date}T00:00:00Z`);

/** The day `days` later, or earlier when `days` is negative. */
export const addDays = (date: string, days: number): string => new Date(parse(date).getTime() + days * DAY_MS).toISOString().slice(0, 10);

/** The same day `months` later, or the month's last day when it has no such day (31 August + 6 months is 28 or 29 February). */
export function addMonths(date: string, months: number): string {
  const start = parse(date);
  const target = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(start.getUTCDate(), lastDay));
  return target.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to`: negative when `to` is earlier. */
export const daysBetween = (from: string, to: string): number => Math.round((parse(to).getTime() - parse(from).getTime()) / DAY_MS);

const ENGLAND = 'Europe/London';
const IN_ENGLAND = new Intl.DateTimeFormat('en-GB', {
  timeZone: ENGLAND,
  weekday: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The parts of an instant as a clock and calendar in England show them. */
export function inEngland(instant: Date): Readonly<{ day: string; weekday: string; hour: number; minute: number }> {
  const parts = Object.fromEntries(IN_ENGLAND.formatToParts(instant).map((part) => [part.type, part.value]));
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: parts.weekday,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

/** The day in England an instant falls on: what "today" is. */
export const dayInEngland = (instant: Date): string => inEngland(instant).day;

/**
 * The instant a day begins in England: its midnight in London, which is midnight UTC in winter and
 * 23:00 UTC the day before in summer (the clocks change at 1am UTC, never at midnight).
 */
export function startOfDayInEngland(day: string): Date {
  const midnightUtc = parse(day);
  const hourBefore = new Date(midnightUtc.getTime() - 3_600_000);
  return dayInEngland(hourBefore) === day ? hourBefore : midnightUtc;
}

/** The last instant of a day in England (to the millisecond): what "as at" a day means. */
export const endOfDayInEngland = (day: string): Date => new Date(startOfDayInEngland(addDays(day, 1)).getTime() - 1);

/** "7 December 2026": a calendar day as people write it, in refusals and on the pages alike. */
export const dayInWords = (day: string): string =>
  parse(day).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

// The periods reports run over.

/** The ends of the last `count` months up to `until` (the month `until` is in ends on it), oldest first. */
export function monthEnds(until: string, count = 12): { month: string; day: string }[] {
  const firstOfMonth = `${until.slice(0, 7)}-01`;
  return Array.from({ length: count }, (_, index) => {
    const start = addMonths(firstOfMonth, index - (count - 1));
    const last = addDays(addMonths(start, 1), -1);
    return { month: start.slice(0, 7), day: last > until ? until : last };
  });
}

/** The last `count` calendar quarters up to the one `until` is in, oldest first. */
export function quartersTo(until: string, count = 4): { quarter: string; from: string; to: string }[] {
  const month = Number(until.slice(5, 7));
  const firstOfQuarter = `${until.slice(0, 4)}-${String(month - ((month - 1) % 3)).padStart(2, '0')}-01`;
  return Array.from({ length: count }, (_, index) => {
    const start = addMonths(firstOfQuarter, 3 * (index - (count - 1)));
    const end = addDays(addMonths(start, 3), -1);
    return { quarter: `${start.slice(0, 4)}-Q${(Number(start.slice(5, 7)) + 2) / 3}`, from: start, to: end > until ? until : end };
  });
}

/** The financial year a day is in, as partnerships report: 1 April to 31 March. */
export function financialYearOf(day: string): { from: string; to: string } {
  const year = Number(day.slice(0, 4));
  const start = day.slice(5) >= '04-01' ? year : year - 1;
  return { from: `${start}-04-01`, to: `${start + 1}-03-31` };
}
