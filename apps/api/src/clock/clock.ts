export const CLOCK = Symbol('Clock');
export type Clock = () => Date;

/** Today's calendar date in UTC, YYYY-MM-DD: what "overdue" is judged against. */
export const utcDate = (instant: Date): string => instant.toISOString().slice(0, 10);
