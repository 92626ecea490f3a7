import { Actor } from '../shared/actor';
import { specFor } from '../testing/given-when-then';
import { RecommendationState } from '../reviews/recommendation.state';
import { ActionEvent } from './action.events';
import { ActionCommand, actionDecider, listablePartner } from './action.decider';
import { evolveAction, noAction } from './action.state';

const subgroup: Actor = { userId: 's', name: 'S', roles: ['subgroup'] };
const police: Actor = { userId: 'p', name: 'P', roles: ['partner'], partnerId: 'police' };
const health: Actor = { userId: 'h', name: 'H', roles: ['partner'], partnerId: 'health' };
const policeOnSubgroup: Actor = { userId: 'ps', name: 'PS', roles: ['subgroup'], partnerId: 'police' };
const recommendation: RecommendationState = {
  recorded: true,
  recommendationId: 'rec-1',
  reviewId: 'rev-1',
  text: 't',
  themes: ['neglect'],
};

const raised: ActionEvent = {
  type: 'ActionRaised',
  data: { actionId: 'a-1', recommendationId: 'rec-1', reviewId: 'rev-1', description: 'd', themes: ['neglect'] },
};
const assigned: ActionEvent = { type: 'ActionAssigned', data: { partnerId: 'police', dueDate: '2026-03-31', lead: 'Head of PP' } };
const evidenced: ActionEvent = { type: 'EvidenceSubmitted', data: { evidenceId: 'e-1', summary: 's' } };
const accepted: ActionEvent = { type: 'EvidenceAccepted', data: { evidenceId: 'e-1' } };
const closed: ActionEvent = { type: 'ActionClosed', data: { outcome: 'completed', rationale: 'r' } };
const withdrawn: ActionEvent = { type: 'ActionWithdrawn', data: { reason: 'r' } };

const given = specFor(actionDecider);
type WithoutActor<C> = C extends unknown ? Omit<C, 'actor'> & { actor?: Actor } : never;
const cmd = (command: WithoutActor<ActionCommand>) => ({ actor: subgroup, ...command }) as ActionCommand;

describe('action decider', () => {
  describe('RaiseAction', () => {
    const raise = cmd({ type: 'RaiseAction', actionId: 'a-1', description: 'd', recommendation });
    it('raises an action carrying the recommendation, review and themes', () => given([]).when(raise).then([raised]));
    it('is a no-op when the same action is raised again', () => given([raised]).when(raise).then([]));
    it('refuses a different action under an existing id', () =>
      given([raised])
        .when(cmd({ type: 'RaiseAction', actionId: 'a-1', description: 'other', recommendation }))
        .thenRefuses('action-exists', 'conflict'));
    it('refuses an unknown recommendation', () =>
      given([])
        .when(cmd({ type: 'RaiseAction', actionId: 'a-1', description: 'd', recommendation: { recorded: false } }))
        .thenRefuses('recommendation-not-found', 'not-found'));
  });

  it('refuses any other command on an action that does not exist', () =>
    given([])
      .when(cmd({ type: 'NoteProgress', note: 'n' }))
      .thenRefuses('action-not-found', 'not-found'));

  describe('AssignAction', () => {
    const assign = (partnerId: string, dueDate = '2026-03-31', lead?: string, reason?: string) =>
      cmd({
        type: 'AssignAction',
        partnerId,
        dueDate,
        lead,
        reason,
        partner: partnerId === 'nobody' ? undefined : { id: partnerId, name: partnerId },
      });
    it('assigns a raised action', () =>
      given([raised])
        .when(assign('police', '2026-03-31', 'Head of PP'))
        .then([assigned]));
    it('reassigns an assigned action with a reason, remembering the previous partner and due date', () =>
      given([raised, assigned])
        .when(assign('health', '2026-04-30', undefined, 'The work moved to the ICB'))
        .then([
          {
            type: 'ActionReassigned',
            data: {
              partnerId: 'health',
              dueDate: '2026-04-30',
              lead: undefined,
              previousPartnerId: 'police',
              previousDueDate: '2026-03-31',
              reason: 'The work moved to the ICB',
            },
          },
        ]));
    it('refuses a reassignment without a reason', () =>
      given([raised, assigned]).when(assign('health', '2026-04-30')).thenRefuses('reason-required', 'invalid'));
    it('is a no-op when nothing changes', () =>
      given([raised, assigned])
        .when(assign('police', '2026-03-31', 'Head of PP'))
        .then([]));
    it('refuses an unknown partner', () => given([raised]).when(assign('nobody')).thenRefuses('partner-not-found', 'not-found'));
    it('refuses a closed action', () =>
      given([raised, assigned, evidenced, accepted, closed]).when(assign('health')).thenRefuses('action-closed', 'conflict'));
  });

  describe('ReviseDueDate', () => {
    const revise = cmd({ type: 'ReviseDueDate', dueDate: '2026-06-30', reason: 'delay' });
    it('revises, keeping the previous date', () =>
      given([raised, assigned])
        .when(revise)
        .then([{ type: 'ActionDueDateRevised', data: { dueDate: '2026-06-30', previousDueDate: '2026-03-31', reason: 'delay' } }]));
    it('refuses an action never assigned', () => given([raised]).when(revise).thenRefuses('action-not-assigned'));
    it('refuses a withdrawn action', () => given([raised, assigned, withdrawn]).when(revise).thenRefuses('action-withdrawn'));
  });

  describe('NoteProgress and SubmitEvidence', () => {
    it('lets the owning partner note progress', () =>
      given([raised, assigned])
        .when(cmd({ type: 'NoteProgress', note: 'n', actor: police }))
        .then([{ type: 'ActionProgressNoted', data: { note: 'n' } }]));
    it('refuses another partner', () =>
      given([raised, assigned])
        .when(cmd({ type: 'NoteProgress', note: 'n', actor: health }))
        .thenRefuses('not-your-action', 'forbidden'));
    it('lets the owner submit evidence', () =>
      given([raised, assigned])
        .when(cmd({ type: 'SubmitEvidence', evidenceId: 'e-1', summary: 's', actor: police }))
        .then([{ type: 'EvidenceSubmitted', data: { evidenceId: 'e-1', summary: 's', link: undefined, submittedBy: 'p' } }]));
    it('refuses evidence from another partner before looking at the state', () =>
      given([raised, assigned, withdrawn])
        .when(cmd({ type: 'SubmitEvidence', evidenceId: 'e-2', summary: 's', actor: health }))
        .thenRefuses('not-your-action'));
    it('refuses evidence on an action never assigned', () =>
      given([raised])
        .when(cmd({ type: 'SubmitEvidence', evidenceId: 'e-1', summary: 's' }))
        .thenRefuses('action-not-assigned'));
    it('refuses evidence on a closed action', () =>
      given([raised, assigned, evidenced, accepted, closed])
        .when(cmd({ type: 'SubmitEvidence', evidenceId: 'e-2', summary: 's' }))
        .thenRefuses('action-closed'));
    it('is a no-op for the same evidence again, and refuses other evidence under its id', () => {
      given([raised, assigned, evidenced])
        .when(cmd({ type: 'SubmitEvidence', evidenceId: 'e-1', summary: 's' }))
        .then([]);
      given([raised, assigned, evidenced])
        .when(cmd({ type: 'SubmitEvidence', evidenceId: 'e-1', summary: 'x' }))
        .thenRefuses('evidence-exists');
    });
  });

  describe('AcceptEvidence and RejectEvidence', () => {
    it('accepts submitted evidence', () =>
      given([raised, assigned, evidenced])
        .when(cmd({ type: 'AcceptEvidence', evidenceId: 'e-1' }))
        .then([{ type: 'EvidenceAccepted', data: { evidenceId: 'e-1', note: undefined } }]));
    it('refuses unknown evidence', () =>
      given([raised, assigned, evidenced])
        .when(cmd({ type: 'AcceptEvidence', evidenceId: 'nope' }))
        .thenRefuses('evidence-not-found', 'not-found'));
    it('refuses evidence already decided', () =>
      given([raised, assigned, evidenced, accepted])
        .when(cmd({ type: 'RejectEvidence', evidenceId: 'e-1', reason: 'r' }))
        .thenRefuses('evidence-decided', 'conflict'));
    it('refuses the evidence’s own submitter accepting it, and lets another member of the subgroup', () => {
      const submittedBySubgroup: ActionEvent = { type: 'EvidenceSubmitted', data: { evidenceId: 'e-1', summary: 's', submittedBy: 's' } };
      given([raised, assigned, submittedBySubgroup])
        .when(cmd({ type: 'AcceptEvidence', evidenceId: 'e-1' }))
        .thenRefuses('own-evidence-assurance', 'forbidden');
      given([raised, assigned, submittedBySubgroup])
        .when(cmd({ type: 'AcceptEvidence', evidenceId: 'e-1', actor: { userId: 's2', name: 'S2', roles: ['subgroup'] } }))
        .then([{ type: 'EvidenceAccepted', data: { evidenceId: 'e-1', note: undefined } }]);
    });
    it('refuses a partner assuring its own action', () =>
      given([raised, assigned, evidenced])
        .when(cmd({ type: 'AcceptEvidence', evidenceId: 'e-1', actor: policeOnSubgroup }))
        .thenRefuses('own-action-assurance', 'forbidden'));
  });

  describe('CloseAction', () => {
    const close = (outcome: 'completed' | 'superseded' | 'impact-evidenced') => cmd({ type: 'CloseAction', outcome, rationale: 'r' });
    it('closes with accepted evidence', () => given([raised, assigned, evidenced, accepted]).when(close('completed')).then([closed]));
    it('refuses to close without accepted evidence', () =>
      given([raised, assigned, evidenced]).when(close('impact-evidenced')).thenRefuses('no-accepted-evidence'));
    it('closes as superseded without evidence', () =>
      given([raised, assigned])
        .when(close('superseded'))
        .then([{ type: 'ActionClosed', data: { outcome: 'superseded', rationale: 'r' } }]));
    it('refuses an action never assigned', () => given([raised]).when(close('superseded')).thenRefuses('action-not-assigned'));
    it('refuses an action already closed', () =>
      given([raised, assigned, evidenced, accepted, closed]).when(close('completed')).thenRefuses('action-closed'));
  });

  describe('ReopenAction and WithdrawAction', () => {
    it('reopens a closed action', () =>
      given([raised, assigned, evidenced, accepted, closed])
        .when(cmd({ type: 'ReopenAction', reason: 'r' }))
        .then([{ type: 'ActionReopened', data: { reason: 'r' } }]));
    it('reopens only closed actions', () =>
      given([raised, assigned])
        .when(cmd({ type: 'ReopenAction', reason: 'r' }))
        .thenRefuses('action-assigned'));
    it('withdraws an outstanding action, even one never assigned', () =>
      given([raised])
        .when(cmd({ type: 'WithdrawAction', reason: 'r' }))
        .then([withdrawn]));
    it('refuses to withdraw a closed action', () =>
      given([raised, assigned, evidenced, accepted, closed])
        .when(cmd({ type: 'WithdrawAction', reason: 'r' }))
        .thenRefuses('action-closed'));
  });

  describe('evolve', () => {
    const fold = (events: ActionEvent[]) => events.reduce(evolveAction, noAction);
    it('goes raised → assigned → evidenced → closed → assigned on reopen', () => {
      expect(fold([raised])).toMatchObject({ status: 'raised' });
      expect(fold([raised, assigned])).toMatchObject({ status: 'assigned', partnerId: 'police', originalDueDate: '2026-03-31' });
      expect(fold([raised, assigned, evidenced])).toMatchObject({ status: 'evidenced' });
      expect(fold([raised, assigned, evidenced, accepted])).toMatchObject({
        status: 'evidenced',
        evidence: [{ id: 'e-1', status: 'accepted' }],
      });
      expect(fold([raised, assigned, evidenced, accepted, closed, { type: 'ActionReopened', data: { reason: 'r' } }])).toMatchObject({
        status: 'assigned',
      });
    });
    it('returns to assigned on rejection only when no other evidence awaits a decision', () => {
      const second: ActionEvent = { type: 'EvidenceSubmitted', data: { evidenceId: 'e-2', summary: 's2' } };
      const reject: ActionEvent = { type: 'EvidenceRejected', data: { evidenceId: 'e-1', reason: 'r' } };
      expect(fold([raised, assigned, evidenced, reject])).toMatchObject({ status: 'assigned' });
      expect(fold([raised, assigned, evidenced, second, reject])).toMatchObject({ status: 'evidenced' });
    });
  });
});

describe('whose actions a listing may show', () => {
  const chair: Actor = { userId: 'c', name: 'C', roles: ['chair'] };

  it('shows those who read everything any partner, or all', () => {
    expect(listablePartner(chair)).toBeUndefined();
    expect(listablePartner(subgroup, 'police')).toBe('police');
    expect(listablePartner(policeOnSubgroup, 'health')).toBe('health');
  });

  it('shows a partner agency user its own agency only, asked or not', () => {
    expect(listablePartner(police)).toBe('police');
    expect(listablePartner(police, 'police')).toBe('police');
    expect(() => listablePartner(police, 'health')).toThrow(expect.objectContaining({ code: 'not-your-partner', kind: 'forbidden' }));
  });
});
