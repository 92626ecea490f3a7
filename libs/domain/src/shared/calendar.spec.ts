import {
  addMonths,
  dayInEngland,
  endOfDayInEngland,
  financialYearOf,
  inEngland,
  monthEnds,
  quartersTo,
  startOfDayInEngland,
} from './calendar';

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

describe('the periods reports run over', () => {
  it('ends each month on its last day, and the current one on the day asked', () => {
    expect(monthEnds('2026-03-15', 3)).toEqual([
      { month: '2026-01', day: '2026-01-31' },
      { month: '2026-02', day: '2026-02-28' },
      { month: '2026-03', day: '2026-03-15' },
    ]);
    expect(monthEnds('2024-02-29', 12)[0]).toEqual({ month: '2023-03', day: '2023-03-31' });
  });

  it('counts calendar quarters back across a year end, the current one ending on the day asked', () => {
    expect(quartersTo('2026-02-10', 3)).toEqual([
      { quarter: '2025-Q3', from: '2025-07-01', to: '2025-09-30' },
      { quarter: '2025-Q4', from: '2025-10-01', to: '2025-12-31' },
      { quarter: '2026-Q1', from: '2026-01-01', to: '2026-02-10' },
    ]);
  });

  it('puts a day in the financial year that runs from 1 April to 31 March', () => {
    expect(financialYearOf('2026-12-06')).toEqual({ from: '2026-04-01', to: '2027-03-31' });
    expect(financialYearOf('2027-03-31')).toEqual({ from: '2026-04-01', to: '2027-03-31' });
    expect(financialYearOf('2026-04-01')).toEqual({ from: '2026-04-01', to: '2027-03-31' });
  });
});
