import { monthEnds, quartersTo } from './trends.queries';
import { financialYearOf } from './yearly-report.queries';

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
