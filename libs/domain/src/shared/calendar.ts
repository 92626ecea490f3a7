/** Calendar dates are YYYY-MM-DD text in UTC: they compare as text, and these are the only arithmetic on them. */

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
