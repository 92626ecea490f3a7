import { momentOn, pageMoment } from './as-at';
import { historyAsOf } from '../demo/demo-partnership';
import { safeNext } from './sign-in.pages.controller';
import { trendChartSvg } from './trend-chart';
import { dateParts, joinDateParts, validateForm } from './web-form';
import { RequestExtensionRequest } from '../actions/actions.request.dto';
import { formatDate, formatDateTime } from '../words/words';

describe('the pages’ own rules', () => {
  it('writes a day in words, an instant as its day in England, and what is no date as it was typed', () => {
    expect(formatDate('2026-03-31')).toBe('31 March 2026');
    expect(formatDate('2026-03-31T23:30:00Z')).toBe('1 April 2026');
    expect(formatDate('yesterday')).toBe('yesterday');
    expect(formatDate('')).toBe('');
  });

  it('writes times as GOV.UK does, in England', () => {
    expect(formatDateTime('2026-03-31T22:59:59.999Z')).toBe('31 March 2026, 11:59pm');
    expect(formatDateTime('2026-03-31T23:00:00Z')).toBe('1 April 2026, midnight');
    expect(formatDateTime('2026-12-07T12:00:00Z')).toBe('7 December 2026, midday');
    expect(formatDateTime('2026-12-07T00:05:00Z')).toBe('7 December 2026, 12:05am');
    expect(formatDateTime('2026-12-07T09:05:00Z')).toBe('7 December 2026, 9:05am');
    expect(formatDateTime('2026-06-07T13:30:00Z')).toBe('7 June 2026, 2:30pm');
  });

  it("joins the date input's day, month and year into one calendar date, and says which part is missing", async () => {
    expect(joinDateParts({ 'dueDate-day': '5', 'dueDate-month': '3', 'dueDate-year': '2027', lead: 'x' })).toEqual({
      fields: { dueDate: '2027-03-05', lead: 'x' },
      incomplete: [],
    });
    expect(joinDateParts({ 'dueDate-day': '', 'dueDate-month': '', 'dueDate-year': '' })).toEqual({ fields: {}, incomplete: [] });
    expect(joinDateParts({ 'dueDate-day': '5', 'dueDate-month': '', 'dueDate-year': '' }).incomplete).toEqual([
      { field: 'dueDate', message: 'must include a month and year' },
    ]);
    const refused = await validateForm(RequestExtensionRequest, {
      'dueDate-day': '31',
      'dueDate-month': '2',
      'dueDate-year': '2030',
      reason: 'r',
    });
    expect(refused).toEqual({ ok: false, errors: [{ field: 'dueDate', message: expect.stringMatching(/calendar date/) }] });
    const partial = await validateForm(RequestExtensionRequest, { 'dueDate-day': '3', 'dueDate-year': '2030', reason: 'r' });
    expect(partial).toEqual({ ok: false, errors: [{ field: 'dueDate', message: 'must include a month' }] });
    expect(dateParts({}, 'dueDate', '2027-03-05')).toEqual({ day: '5', month: '3', year: '2027' });
    expect(dateParts({ 'dueDate-day': '40', 'dueDate-month': 'x' }, 'dueDate', '2027-03-05')).toEqual({ day: '40', month: 'x', year: '' });
  });

  it('moves the demonstration history on with today, every date by the same days, empty cells left empty', () => {
    const csv = 'review reference,raised on,due date,closed on\nR-1,09/12/2024,30/04/2025,\n';
    expect(historyAsOf(csv, '2026-12-06')).toBe('review reference,raised on,due date,closed on\nR-1,9/12/2024,30/4/2025,\n');
    expect(historyAsOf(csv, '2027-01-06')).toBe('review reference,raised on,due date,closed on\nR-1,9/1/2025,31/5/2025,\n');
  });

  it('reads "as at" a past day as that day, "recorded by" as the end of it, today as now, and refuses a future or unreal day', () => {
    const now = new Date('2026-11-28T10:00:00Z');
    expect(pageMoment({ asAt: '2026-11-27' }, now)).toMatchObject({
      past: '2026-11-27',
      moment: { asAt: '2026-11-27' },
      query: 'asAt=2026-11-27',
    });
    // In summer a day in England ends an hour before midnight UTC.
    expect(pageMoment({ recordedBy: '2026-03-31' }, now)).toMatchObject({
      past: '2026-03-31',
      moment: { asOf: '2026-03-31T22:59:59.999Z' },
      query: 'recordedBy=2026-03-31',
    });
    expect(momentOn('asAt', '2026-11-28', now)).toEqual({ lookBack: 'asAt', day: '2026-11-28', moment: {}, query: '' });
    // Just after midnight in England in summer, it is already the next day there.
    expect(momentOn('asAt', '2026-07-01', new Date('2026-06-30T23:30:00Z')).past).toBeUndefined();
    expect(pageMoment({}, now)).toEqual({ lookBack: 'asAt', day: undefined, moment: {}, query: '' });
    expect(momentOn('asAt', '2026-11-29', now).error).toMatch(/today or in the past/);
    expect(momentOn('recordedBy', '2026-02-30', now).error).toMatch(/real date/);
    expect(pageMoment({ asAt: 'yesterday' }, now).error).toMatch(/real date/);
  });

  it('only ever sends a signed-in user on to a path of this site', () => {
    expect(safeNext('/tracker?partner=police')).toBe('/tracker?partner=police');
    expect(safeNext('/東京?q=é#x')).toBe('/%E6%9D%B1%E4%BA%AC?q=%C3%A9#x');
    const hostile = [
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '/ /evil.example',
      '/.//evil.example',
      '/..//evil.example',
      '/\u2028/evil',
      'tracker',
      undefined,
      ['/a'],
    ];
    for (const next of hostile) expect({ next, safe: safeNext(next) }).toEqual({ next, safe: '/' });
  });

  it('draws both lines through every month, scaled to the largest figure, with an accessible title', () => {
    const svg = trendChartSvg([
      { month: '2026-01', label: 'Jan', outstanding: 0, overdue: 0 },
      { month: '2026-02', label: 'Feb', outstanding: 10, overdue: 4 },
    ]);
    expect(svg).toContain('role="img"');
    expect(svg).toMatch(/<title id="trend-title">/);
    const lines = [...svg.matchAll(/points="([^"]+)"/g)].map((m) => m[1].split(' ').length);
    expect(lines).toEqual([2, 2]);
    expect(svg).toContain('>10</text>');
    expect(svg).not.toContain('<script');
  });

  it('names the year under the first month and under each January, and nowhere else', () => {
    const months = ['2025-11', '2025-12', '2026-01', '2026-02'].map((month) => ({ month, label: month, outstanding: 1, overdue: 0 }));
    const years = [...trendChartSvg(months).matchAll(/>(\d{4})<\/text>/g)].map((match) => match[1]);
    expect(years).toEqual(['2025', '2026']);
  });
});
