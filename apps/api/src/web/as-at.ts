import { dayInEngland, endOfDayInEngland, isCalendarDate } from '@app/domain';

/** "As at" a day means at its end; today, or no day, means now. */
export function asAtInstant(asAt: string | undefined, now: Date): { asAt?: string; asOf?: string; error?: string } {
  if (!asAt) return {};
  if (!isCalendarDate(asAt)) return { asAt, error: 'The date must be a real date, like 31 3 2026' };
  if (asAt > dayInEngland(now)) return { asAt, error: 'The date must be today or in the past' };
  if (asAt === dayInEngland(now)) return { asAt };
  return { asAt, asOf: endOfDayInEngland(asAt).toISOString() };
}
