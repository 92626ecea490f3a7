import { addMonths, dayInEngland, endOfDayInEngland, inEngland, startOfDayInEngland } from './calendar';

describe('days in England', () => {
  it('puts an instant on the day it is in London, an hour ahead of UTC in summer', () => {
    expect(dayInEngland(new Date('2026-03-31T22:59:59.999Z'))).toBe('2026-03-31');
    expect(dayInEngland(new Date('2026-03-31T23:00:00Z'))).toBe('2026-04-01');
    expect(dayInEngland(new Date('2026-12-31T23:59:59Z'))).toBe('2026-12-31');
    expect(dayInEngland(new Date('2027-01-01T00:00:00Z'))).toBe('2027-01-01');
    expect(inEngland(new Date('2026-07-06T06:30:00Z'))).toEqual({ day: '2026-07-06', weekday: 'Mon', hour: 7, minute: 30 });
  });

  it('starts and ends a day at midnight in London, whichever side of a change of the clocks', () => {
    expect(startOfDayInEngland('2026-03-31').toISOString()).toBe('2026-03-30T23:00:00.000Z');
    expect(startOfDayInEngland('2026-01-15').toISOString()).toBe('2026-01-15T00:00:00.000Z');
    // The clocks went forward at 1am UTC on 29 March 2026 and go back at 1am UTC on 25 October.
    expect(startOfDayInEngland('2026-03-29').toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(startOfDayInEngland('2026-03-30').toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(startOfDayInEngland('2026-10-25').toISOString()).toBe('2026-10-24T23:00:00.000Z');
    expect(startOfDayInEngland('2026-10-26').toISOString()).toBe('2026-10-26T00:00:00.000Z');
    expect(endOfDayInEngland('2026-03-31').toISOString()).toBe('2026-03-31T22:59:59.999Z');
    expect(endOfDayInEngland('2026-10-25').toISOString()).toBe('2026-10-25T23:59:59.999Z');
  });

  it('adds months to a calendar date, falling back to the month’s last day', () => {
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonths('2027-08-31', 6)).toBe('2028-02-29');
  });
});
