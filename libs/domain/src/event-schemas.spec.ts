import { InvalidEvent, eventProblems, requireRecordable, whyUnreadable } from './event-schemas';
import { mailbox, text, themes } from './shared/value-rules';

const raised = {
  actionId: 'a-1',
  recommendationId: 'rec-1',
  reviewId: 'r-1',
  description: 'Revise the pre-birth assessment procedure',
  themes: ['neglect'],
};
const registered = { reviewId: 'r-1', reference: 'CSPR-1', title: 'Child M', kind: 'cspr', themes: [] };
const corrected = (change: object, previous: object = {}) => ({ reviewId: 'r-1', reason: 'typo', corrected: change, previous });

describe('the schema of each event type, checked at append', () => {
  it('accepts what the deciders record', () => {
    expect(eventProblems({ type: 'ActionRaised', data: raised }, 'append')).toEqual([]);
    expect(eventProblems({ type: 'ActionRaised', data: { ...raised, successMeasure: undefined } }, 'append')).toEqual([]);
    expect(eventProblems({ type: 'ReviewCorrected', data: corrected({ title: 'Child N' }, { title: 'Child M' }) }, 'append')).toEqual([]);
    expect(
      eventProblems({ type: 'ActionAssigned', data: { partnerId: 'police', dueDate: '2027-03-31' }, occurredOn: '2025-01-02' }, 'append'),
    ).toEqual([]);
  });

  it('refuses null in any field, and says to leave the field out', () => {
    expect(eventProblems({ type: 'ReviewCorrected', data: corrected({ themes: null }) }, 'append')).toEqual([
      { field: 'corrected.themes', message: 'must not be null: leave it out' },
    ]);
    for (const field of ['kind', 'title', 'reference'])
      expect(eventProblems({ type: 'ReviewCorrected', data: corrected({ themes: [], [field]: null }) }, 'append')).toContainEqual({
        field: `corrected.${field}`,
        message: 'must not be null: leave it out',
      });
    expect(eventProblems({ type: 'ActionRaised', data: { ...raised, description: null } }, 'append')).toEqual([
      { field: 'description', message: 'must not be null: leave it out' },
    ]);
  });

  it('refuses fields of no schema, missing fields and unknown types', () => {
    expect(eventProblems({ type: 'ActionWithdrawn', data: { reason: 'x', status: 'closed' } }, 'append')).toEqual([
      { field: 'status', message: 'is not a known field' },
    ]);
    expect(eventProblems({ type: 'ActionWithdrawn', data: {} }, 'append')).toEqual([{ field: 'reason', message: 'is required' }]);
    expect(eventProblems({ type: 'ActionWithdrawn', data: ['reason'] }, 'append')).toEqual([
      { field: '(data)', message: 'must be an object' },
    ]);
    expect(eventProblems({ type: 'Benchmarked', data: {} }, 'append')[0].field).toBe('type');
  });

  it('holds dates to real days from 1990 to 2100, the day an event happened too', () => {
    const assigned = (dueDate: unknown) => eventProblems({ type: 'ActionAssigned', data: { partnerId: 'police', dueDate } }, 'append');
    expect(assigned('-000838-02')).toEqual([{ field: 'dueDate', message: 'must be a calendar date, YYYY-MM-DD' }]);
    expect(assigned('2027-02-30')).toEqual([{ field: 'dueDate', message: 'must be a calendar date, YYYY-MM-DD' }]);
    expect(assigned('1989-12-31')).toEqual([{ field: 'dueDate', message: 'must be a date from 1990 to 2100' }]);
    expect(assigned('2101-01-01')).toEqual([{ field: 'dueDate', message: 'must be a date from 1990 to 2100' }]);
    expect(assigned('1990-01-01')).toEqual([]);
    expect(assigned(20270331)).toEqual([{ field: 'dueDate', message: 'must be a calendar date, YYYY-MM-DD' }]);
    expect(eventProblems({ type: 'ActionWithdrawn', data: { reason: 'x' }, occurredOn: '0001-01-01' }, 'append')).toEqual([
      { field: 'occurredOn', message: 'must be a date from 1990 to 2100' },
    ]);
  });

  it('holds text to one set of rules: something visible, no controls but tab and newline, a limit', () => {
    const reason = (value: string) => eventProblems({ type: 'ActionWithdrawn', data: { reason: value } }, 'append');
    expect(reason('line one\n\tline two')).toEqual([]);
    expect(reason('bell \u0007')).toEqual([{ field: 'reason', message: 'must not hold control characters other than tab and newline' }]);
    expect(reason('nul \u0000')).toEqual([{ field: 'reason', message: 'must not hold control characters other than tab and newline' }]);
    expect(reason('carriage \r return')).toEqual([
      { field: 'reason', message: 'must not hold control characters other than tab and newline' },
    ]);
    expect(reason('\u200b\u200b \u00a0')).toEqual([{ field: 'reason', message: 'must not be blank' }]);
    expect(reason('x'.repeat(4001))).toEqual([{ field: 'reason', message: 'must be 4,000 characters or fewer' }]);
    expect(reason('lone \ud800 half')).toEqual([{ field: 'reason', message: 'must be valid Unicode text' }]);
  });

  it('holds themes to at most 20 of at most 100 characters', () => {
    expect(themes(Array.from({ length: 2000 }, (_, n) => `theme ${n}`))).toBe('must be 20 themes or fewer');
    expect(themes(['x'.repeat(101)])).toBe('must each be 100 characters or fewer');
    expect(themes(['ok', ' '])).toBe('must not hold a blank theme');
    expect(themes([3])).toBe('must each be text');
    expect(eventProblems({ type: 'ReviewRegistered', data: { ...registered, themes: ['a\u0001'] } }, 'append')).toEqual([
      { field: 'themes', message: 'must not hold control characters other than tab and newline' },
    ]);
  });

  it('takes a plain team mailbox, never a quoted part that could hold a line break', () => {
    expect(mailbox('safeguarding.actions@thamesvalley.police.uk')).toBeUndefined();
    expect(mailbox('"a\r\nBcc: x@evil.example"@agency.gov.uk')).toBeDefined();
    expect(mailbox('"team"@agency.gov.uk')).toBeDefined();
    expect(mailbox('Team <team@agency.gov.uk>')).toBeDefined();
    expect(mailbox('team@localhost')).toBeDefined();
    expect(eventProblems({ type: 'PartnerMailboxSet', data: { partnerId: 'police', email: 'team@police.uk' } }, 'append')).toEqual([]);
  });

  it('refuses at append with every problem named', () => {
    let refused: unknown;
    try {
      requireRecordable({ type: 'ReviewCorrected', data: corrected({ themes: null }) });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(InvalidEvent);
    expect(refused).toMatchObject({
      code: 'invalid-event',
      kind: 'invalid',
      problems: [{ field: 'corrected.themes' }],
    });
  });
});

describe('what a reader needs to fold an event already in the log', () => {
  it('reads what an older version recorded beyond today’s limits, but not what it cannot fold', () => {
    expect(
      whyUnreadable({ type: 'ReviewRegistered', data: { ...registered, title: 'x'.repeat(5000), themes: Array(2000).fill('t') } }),
    ).toBeUndefined();
    expect(whyUnreadable({ type: 'ActionWithdrawn', data: { reason: 'bell \u0007' } })).toBeUndefined();
    expect(whyUnreadable({ type: 'ReviewCorrected', data: corrected({ themes: null }) })).toBe(
      'corrected.themes must not be null: leave it out',
    );
    expect(whyUnreadable({ type: 'ActionAssigned', data: { partnerId: 'police', dueDate: '-000838-02' } })).toMatch(/dueDate/);
    expect(whyUnreadable({ type: 'ActionClosed', data: { outcome: 'done', rationale: 'x' } })).toMatch(/outcome must be one of/);
    expect(whyUnreadable({ type: 'ActionWithdrawn', data: { reason: 'x' }, occurredOn: 'last spring' })).toMatch(/occurredOn/);
    expect(text(10)('x'.repeat(11))).toBeDefined();
  });

  it('reads a correction whose previous value broke a rule that came later', () => {
    expect(eventProblems({ type: 'ReviewCorrected', data: corrected({ title: 'Child N' }, { title: 'x'.repeat(400) }) }, 'append')).toEqual(
      [],
    );
    expect(
      eventProblems({ type: 'PartnerRenamed', data: { partnerId: 'police', name: 'Police', previousName: 'p'.repeat(300) } }, 'append'),
    ).toEqual([]);
  });
});
