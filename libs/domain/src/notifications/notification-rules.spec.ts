import { ActionCommand, actionDecider } from '../actions/action.decider';
import { ActionEvent } from '../actions/action.events';
import { Action, ActionState, evolveAction, noAction } from '../actions/action.state';
import { Actor } from '../shared/actor';
import { addDays } from '../shared/calendar';
import { DomainError } from '../shared/errors';
import { WatchedAction, digestDue, noticeKey, noticesOn, remindersDue } from './notification-rules';

const raised: ActionEvent = {
  type: 'ActionRaised',
  data: { actionId: 'a-1', recommendationId: 'm-1', reviewId: 'r-1', description: 'Audit the chronologies', themes: [] },
};
const assigned: ActionEvent = { type: 'ActionAssigned', data: { partnerId: 'police', dueDate: '2026-06-30' } };
/** A day long before the due date: no reminder is due yet. */
const EARLY = '2026-01-01';

function fold(events: readonly ActionEvent[]): WatchedAction | undefined {
  return events.reduce<WatchedAction | undefined>(
    (action, event, index) => noticesOn(action, event, { occasion: String(index), quiet: false, today: EARLY }).action,
    undefined,
  );
}

describe('notification rules', () => {
  it('tells the owner of an assignment, and nobody of what an import brings in', () => {
    const action = fold([raised]);
    expect(noticesOn(action, assigned, { occasion: '7', quiet: false, today: EARLY }).notices).toEqual([
      { rule: 'assigned', actionId: 'a-1', partnerId: 'police', dueDate: '2026-06-30', occasion: '7' },
    ]);
    expect(noticesOn(action, assigned, { occasion: '7', quiet: true, today: EARLY }).notices).toEqual([]);
  });

  it('reminds at once when an action is given an owner or a date already within 7 or 30 days, as the sweep would', () => {
    const action = fold([raised]);
    const rulesOn = (today: string, event: ActionEvent = assigned) =>
      noticesOn(action, event, { occasion: '7', quiet: false, today }).notices.map((notice) => notice.rule);
    expect(rulesOn(EARLY)).toEqual(['assigned']);
    expect(rulesOn('2026-06-10')).toEqual(['assigned', 'due-in-30-days']);
    expect(rulesOn('2026-06-25')).toEqual(['assigned', 'due-in-7-days']);
    const revised: ActionEvent = {
      type: 'ActionDueDateRevised',
      data: { dueDate: '2026-06-30', previousDueDate: '2026-09-30', reason: 'x' },
    };
    const owned = fold([raised, { ...assigned, data: { partnerId: 'police', dueDate: '2026-09-30' } }]);
    expect(noticesOn(owned, revised, { occasion: '8', quiet: false, today: '2026-06-25' }).notices.map((notice) => notice.rule)).toEqual([
      'due-in-7-days',
    ]);
    // The same reminder the sweep decides: one mail, whichever comes first.
    const [, reminder] = noticesOn(action, assigned, { occasion: '7', quiet: false, today: '2026-06-25' }).notices;
    expect(noticeKey(reminder)).toBe(noticeKey(remindersDue(fold([raised, assigned])!, '2026-06-26')[0]));
    expect(rulesOn('2026-06-25', { type: 'ActionProgressNoted', data: { note: 'x' } })).toEqual([]);
    expect(noticesOn(action, assigned, { occasion: '7', quiet: true, today: '2026-06-25' }).notices).toEqual([]);
  });

  it('says decisions without their notes or reasons', () => {
    const action = fold([raised, assigned]);
    const rejected: ActionEvent = { type: 'EvidenceRejected', data: { evidenceId: 'e-1', reason: 'Names the child' } };
    const refused: ActionEvent = { type: 'ExtensionRefused', data: { requestId: 'x-1', reason: 'Names the child', decidedBy: 'u' } };
    const [evidence] = noticesOn(action, rejected, { occasion: '9', quiet: false, today: EARLY }).notices;
    const [extension] = noticesOn(action, refused, { occasion: '10', quiet: false, today: EARLY }).notices;
    expect(evidence).toMatchObject({ rule: 'evidence-decided', facts: { decision: 'rejected' } });
    expect(extension).toMatchObject({ rule: 'extension-decided', facts: { decision: 'refused' } });
    expect(JSON.stringify([evidence, extension])).not.toContain('child');
  });

  it('ends what waits when the action is reassigned, closed or withdrawn, and not otherwise', () => {
    const action = fold([raised, assigned]);
    const ends = (event: ActionEvent) => noticesOn(action, event, { occasion: '9', quiet: false, today: EARLY }).cancelsPending;
    expect(ends({ type: 'ActionReassigned', data: { partnerId: 'health', dueDate: '2026-06-30', previousPartnerId: 'police' } })).toBe(
      true,
    );
    expect(ends({ type: 'ActionClosed', data: { outcome: 'completed', rationale: 'x' } })).toBe(true);
    expect(ends({ type: 'ActionWithdrawn', data: { reason: 'x' } })).toBe(true);
    expect(ends({ type: 'ActionProgressNoted', data: { note: 'x' } })).toBe(false);
  });

  describe('reminders by the day', () => {
    const action = fold([raised, assigned])!;
    const rules = (today: string, watched: WatchedAction = action) => remindersDue(watched, today).map((notice) => notice.rule);

    it('reminds the owner 30 and 7 days ahead, then each week overdue, and the subgroup after 30 days overdue', () => {
      expect(rules('2026-05-30')).toEqual([]);
      expect(rules('2026-05-31')).toEqual(['due-in-30-days']);
      expect(rules('2026-06-22')).toEqual(['due-in-30-days']);
      expect(rules('2026-06-23')).toEqual(['due-in-7-days']);
      expect(rules('2026-06-30')).toEqual(['due-in-7-days']);
      expect(rules('2026-07-01')).toEqual(['overdue']);
      expect(rules('2026-07-30')).toEqual(['overdue', 'overdue-30-days']);
    });

    it('counts overdue weeks from the day after the due date, one mail a week', () => {
      const occasion = (today: string) => remindersDue(action, today).find((notice) => notice.rule === 'overdue')!.occasion;
      expect(occasion('2026-07-01')).toBe(occasion('2026-07-07'));
      expect(occasion('2026-07-08')).not.toBe(occasion('2026-07-07'));
      expect(remindersDue(action, '2026-07-08')[0].facts).toEqual({ daysOverdue: '8' });
    });

    it('reminds once within each mark: an action assigned inside one is reminded of at once, not again', () => {
      const reminded = remindersDue(action, '2026-06-10');
      expect(reminded.map((notice) => notice.rule)).toEqual(['due-in-30-days']);
      expect(remindersDue(action, '2026-06-20').map(noticeKey)).toEqual(reminded.map(noticeKey));
    });

    it('starts afresh with a new due date, and a new owner', () => {
      const later = fold([
        raised,
        assigned,
        { type: 'ActionDueDateRevised', data: { dueDate: '2026-09-30', previousDueDate: '2026-06-30', reason: 'x' } },
      ])!;
      const before = remindersDue(action, '2026-06-23')[0];
      const after = remindersDue(later, '2026-09-23')[0];
      expect(noticeKey(after)).not.toBe(noticeKey(before));
      expect(rules('2026-07-01', later)).toEqual([]);
    });

    it('leaves the owner alone while evidence waits, but still escalates to the subgroup', () => {
      const evidenced = fold([raised, assigned, { type: 'EvidenceSubmitted', data: { evidenceId: 'e-1', summary: 'x' } }])!;
      expect(rules('2026-06-23', evidenced)).toEqual([]);
      expect(rules('2026-07-30', evidenced)).toEqual(['overdue-30-days']);
      const rejected = noticesOn(
        evidenced,
        { type: 'EvidenceRejected', data: { evidenceId: 'e-1', reason: 'x' } },
        { occasion: '5', quiet: false, today: EARLY },
      ).action!;
      expect(rules('2026-07-02', rejected)).toEqual(['overdue']);
    });

    it('says nothing of closed, withdrawn or unassigned actions', () => {
      expect(
        rules('2026-07-30', fold([raised, assigned, { type: 'ActionClosed', data: { outcome: 'completed', rationale: 'x' } }])),
      ).toEqual([]);
      expect(rules('2026-07-30', fold([raised, assigned, { type: 'ActionWithdrawn', data: { reason: 'x' } }]))).toEqual([]);
      expect(rules('2026-07-30', fold([raised]))).toEqual([]);
    });
  });

  it('has the digest due on Monday from 7am in London, British Summer Time or not', () => {
    expect(digestDue(new Date('2026-12-07T06:59:00Z'))).toBeUndefined();
    expect(digestDue(new Date('2026-12-07T07:00:00Z'))).toBe('2026-12-07');
    expect(digestDue(new Date('2026-12-07T23:59:00Z'))).toBe('2026-12-07');
    expect(digestDue(new Date('2026-12-08T07:00:00Z'))).toBeUndefined();
    // 6am UTC is 7am in London in June.
    expect(digestDue(new Date('2026-06-01T06:00:00Z'))).toBe('2026-06-01');
    expect(digestDue(new Date('2026-06-01T05:59:00Z'))).toBeUndefined();
    // Sunday 11:30pm UTC in June is already Monday 12:30am in London: too early.
    expect(digestDue(new Date('2026-05-31T23:30:00Z'))).toBeUndefined();
  });
});

describe("what the notifications know of an action, against the domain's own fold", () => {
  const subgroup: Actor = { userId: 's-1', name: 'Sam', roles: ['subgroup'] };
  const otherSubgroup: Actor = { userId: 's-2', name: 'Sol', roles: ['subgroup'] };
  const lead: Actor = { userId: 'p-1', name: 'Pat', roles: ['partner'], partnerId: 'police' };
  const partners = ['police', 'education'];
  const today = '2026-03-01';

  /** A tiny generator with a seed, so that a failing walk can be walked again. */
  const randomFrom = (seed: number) => () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

  /** Any command the decider might be asked for next, built from the action as it stands. */
  function nextCommand(action: Action, random: () => number, n: number): ActionCommand {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const actor = pick([subgroup, otherSubgroup, lead]);
    const dated = { actor, today };
    const later = addDays(today, 1 + Math.floor(random() * 90));
    const undecided = action.evidence.find((item) => item.status === 'submitted')?.id ?? 'none';
    const pending = action.extensions.find((item) => item.status === 'pending')?.id ?? 'none';
    const standing = pick(action.evidence.filter((item) => item.status === 'submitted' || item.status === 'accepted'))?.id ?? 'none';
    const partnerId = pick(partners);
    const commands: ActionCommand[] = [
      { type: 'AssignAction', ...dated, partnerId, partner: { id: partnerId, name: partnerId }, dueDate: later, reason: 'Moved' },
      { type: 'ReviseDueDate', ...dated, dueDate: later, reason: 'Agreed' },
      { type: 'SubmitEvidence', ...dated, evidenceId: `e-${n}`, summary: 'Audit results' },
      { type: 'AcceptEvidence', ...dated, evidenceId: undecided },
      { type: 'RejectEvidence', ...dated, evidenceId: undecided, reason: 'Too thin' },
      { type: 'CloseAction', ...dated, outcome: pick(['completed', 'superseded', 'impact-evidenced'] as const), rationale: 'Done' },
      { type: 'ReopenAction', ...dated, reason: 'Not done after all' },
      { type: 'WithdrawAction', ...dated, reason: 'Overtaken' },
      { type: 'RequestExtension', ...dated, requestId: `x-${n}`, dueDate: later, reason: 'Staff away' },
      { type: 'ApproveExtension', ...dated, requestId: pending },
      { type: 'RefuseExtension', ...dated, requestId: pending, reason: 'No' },
      { type: 'RecordImpact', ...dated, result: pick(['evidenced', 'not-evidenced'] as const), note: 'Checked' },
      { type: 'NoteProgress', ...dated, note: 'Under way' },
      { type: 'WithdrawEvidence', ...dated, evidenceId: standing, reason: 'Wrong sample' },
      { type: 'ReassureAction', ...dated, note: 'Checked again' },
    ];
    return pick(commands);
  }

  it('keeps the status, owner, due date and evidence waiting that the action itself has, through 300 random walks', () => {
    for (let walk = 1; walk <= 300; walk++) {
      const random = randomFrom(walk);
      const recommendation = { recorded: true, recommendationId: 'm-1', reviewId: 'r-1', text: 'Share', themes: [] } as const;
      let state: ActionState = noAction;
      let watched: WatchedAction | undefined;
      const apply = (events: readonly ActionEvent[]) => {
        for (const event of events) {
          state = evolveAction(state, event);
          watched = noticesOn(watched, event, { occasion: '', quiet: true, today }).action;
        }
      };
      apply(actionDecider.decide({ type: 'RaiseAction', actor: subgroup, actionId: 'a-1', description: 'Audit', recommendation }, state));
      for (let step = 0; step < 40; step++) {
        try {
          apply(actionDecider.decide(nextCommand(state as Action, random, step), state));
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
        }
        const action = state as Action;
        expect({ walk, step, ...watched }).toEqual({
          walk,
          step,
          actionId: 'a-1',
          reviewId: 'r-1',
          status: action.status,
          ...(action.partnerId !== undefined && { partnerId: action.partnerId }),
          ...(action.dueDate !== undefined && { dueDate: action.dueDate }),
          awaiting: action.evidence.filter((item) => item.status === 'submitted').length,
          ...(watched?.accepted !== undefined && { accepted: action.evidence.filter((item) => item.status === 'accepted').length }),
        });
      }
    }
  });
});
