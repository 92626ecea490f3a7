import { Actor } from '../shared/actor';
import { specFor } from '../testing/given-when-then';
import { RecommendationState } from '../reviews/recommendation.state';
import { ActionEvent } from './action.events';
import { ActionCommand, actionDecider, changesOpen, listablePartner } from './action.decider';
import { ragOf } from './action.policy';
import { Action, evolveAction, noAction } from './action.state';

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
const closed: ActionEvent = { type: 'ActionClosed', data: { outcome: 'completed', rationale: 'r', impactReviewDue: '2026-07-01' } };
const withdrawn: ActionEvent = { type: 'ActionWithdrawn', data: { reason: 'r' } };
const requested: ActionEvent = {
  type: 'ExtensionRequested',
  data: { requestId: 'x-1', dueDate: '2026-05-31', reason: 'Waiting for the new system', requestedBy: 'p' },
};

const given = specFor(actionDecider);
/** The day every command is issued on, unless it says otherwise. */
const TODAY = '2026-01-01';
type Briefly<C> = C extends unknown ? Omit<C, 'actor' | 'today'> & { actor?: Actor; today?: string } : never;
const stateAfter = (events: ActionEvent[]) => events.reduce(evolveAction, noAction) as Action;
const cmd = (command: Briefly<ActionCommand>) => ({ actor: subgroup, today: TODAY, ...command }) as ActionCommand;

describe('action decider', () => {
  describe('RaiseAction', () => {
    it('takes its own themes when it names them, tidied, else the recommendation’s', () => {
      given([])
        .when(
          cmd({ type: 'RaiseAction', actionId: 'a-1', description: 'd', recommendation, themes: [' Exploitation ', 'exploitation', ''] }),
        )
        .then([{ ...raised, data: { ...raised.data, themes: ['Exploitation'] } } as ActionEvent]);
      given([])
        .when(cmd({ type: 'RaiseAction', actionId: 'a-1', description: 'd', recommendation, themes: [] }))
        .then([raised]);
    });
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

  describe('WithdrawEvidence and ReassureAction', () => {
    const withdraw = (actor: Actor = police) => cmd({ type: 'WithdrawEvidence', actor, evidenceId: 'e-1', reason: 'Wrong sample' });
    const withdrawnAccepted: ActionEvent = {
      type: 'EvidenceWithdrawn',
      data: { evidenceId: 'e-1', reason: 'Wrong sample', was: 'accepted' },
    };
    it('takes back evidence waiting for a decision, and the move is the owner’s again', () => {
      given([raised, assigned, evidenced])
        .when(withdraw())
        .then([{ type: 'EvidenceWithdrawn', data: { evidenceId: 'e-1', reason: 'Wrong sample', was: 'submitted' } }]);
      expect(
        stateAfter([raised, assigned, evidenced, { ...withdrawnAccepted, data: { ...withdrawnAccepted.data, was: 'submitted' } }]),
      ).toMatchObject({
        status: 'assigned',
        evidence: [{ id: 'e-1', status: 'withdrawn', decision: 'Wrong sample' }],
      });
    });
    it('takes back accepted evidence from a closed action, which is then stale until assured again or reopened', () => {
      given([raised, assigned, evidenced, accepted, closed]).when(withdraw()).then([withdrawnAccepted]);
      const stale = [raised, assigned, evidenced, accepted, closed, withdrawnAccepted];
      expect(stateAfter(stale)).toMatchObject({ status: 'closed', assuranceStale: true });
      given(stale).when(withdraw()).then([]);
      given(stale)
        .when(cmd({ type: 'ReassureAction', note: 'The second audit shows the change' }))
        .then([{ type: 'AssuranceRenewed', data: { note: 'The second audit shows the change' } }]);
      expect(stateAfter([...stale, { type: 'AssuranceRenewed', data: { note: 'n' } }])).not.toHaveProperty('assuranceStale', true);
      expect(stateAfter([...stale, { type: 'ActionReopened', data: { reason: 'r' } }])).not.toHaveProperty('assuranceStale', true);
    });
    it('refuses what is not there to take back or to assure again, and another agency', () => {
      given([raised, assigned, evidenced]).when(withdraw(health)).thenRefuses('not-your-action', 'forbidden');
      given([raised, assigned]).when(withdraw()).thenRefuses('evidence-not-found', 'not-found');
      given([raised, assigned, evidenced, { type: 'EvidenceRejected', data: { evidenceId: 'e-1', reason: 'r' } }])
        .when(withdraw())
        .thenRefuses('evidence-decided', 'conflict');
      given([raised, assigned, evidenced, accepted, closed])
        .when(cmd({ type: 'ReassureAction', note: 'n' }))
        .thenRefuses('assurance-not-stale', 'conflict');
    });
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
    it('refuses a due date already past, on assigning and reassigning', () => {
      given([raised]).when(assign('police', '2025-12-31')).thenRefuses('due-date-in-past', 'invalid');
      given([raised, assigned])
        .when(assign('health', '2025-12-31', undefined, 'moved'))
        .thenRefuses('due-date-in-past', 'invalid');
    });
    it('takes today as a due date', () =>
      given([raised])
        .when(assign('police', TODAY, 'Head of PP'))
        .then([{ type: 'ActionAssigned', data: { partnerId: 'police', dueDate: TODAY, lead: 'Head of PP' } }]));
    it('keeps a past due date carried over by an import', () =>
      given([raised])
        .when({ ...assign('police', '2025-06-30'), fromImport: true } as ActionCommand)
        .then([{ type: 'ActionAssigned', data: { partnerId: 'police', dueDate: '2025-06-30', lead: undefined } }]));
    it('refuses the pending extension request of an action it reassigns', () =>
      given([raised, assigned, requested])
        .when(assign('health', '2026-04-30', undefined, 'moved'))
        .then([
          { type: 'ExtensionRefused', data: { requestId: 'x-1', reason: 'The action was reassigned.', decidedBy: 's' } },
          expect.objectContaining({ type: 'ActionReassigned' }),
        ]));
  });

  describe('ReviseDueDate', () => {
    const revise = cmd({ type: 'ReviseDueDate', dueDate: '2026-06-30', reason: 'delay' });
    it('revises, keeping the previous date', () =>
      given([raised, assigned])
        .when(revise)
        .then([{ type: 'ActionDueDateRevised', data: { dueDate: '2026-06-30', previousDueDate: '2026-03-31', reason: 'delay' } }]));
    it('refuses an action never assigned', () => given([raised]).when(revise).thenRefuses('action-not-assigned'));
    it('refuses a withdrawn action', () => given([raised, assigned, withdrawn]).when(revise).thenRefuses('action-withdrawn'));
    it('refuses a date already past', () =>
      given([raised, assigned])
        .when(cmd({ type: 'ReviseDueDate', dueDate: '2025-12-01', reason: 'r' }))
        .thenRefuses('due-date-in-past', 'invalid'));
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
    it('closes as completed with accepted evidence, setting the impact check six months on', () =>
      given([raised, assigned, evidenced, accepted])
        .when(close('completed'))
        .then([{ type: 'ActionClosed', data: { outcome: 'completed', rationale: 'r', impactReviewDue: '2026-07-01' } }]));
    it('sets no impact check when impact is evidenced at closing', () =>
      given([raised, assigned, evidenced, accepted])
        .when(close('impact-evidenced'))
        .then([{ type: 'ActionClosed', data: { outcome: 'impact-evidenced', rationale: 'r', impactReviewDue: undefined } }]));
    it('refuses to close without accepted evidence', () =>
      given([raised, assigned, evidenced]).when(close('impact-evidenced')).thenRefuses('no-accepted-evidence'));
    it('closes as superseded without evidence', () =>
      given([raised, assigned])
        .when(close('superseded'))
        .then([{ type: 'ActionClosed', data: { outcome: 'superseded', rationale: 'r', impactReviewDue: undefined } }]));
    it('carries over a closing from an imported plan, whose evidence was assured there, dated the day it happened', () =>
      given([raised, assigned])
        .when(cmd({ type: 'CloseAction', outcome: 'completed', rationale: 'r', fromImport: true, today: '2025-03-31' }))
        .then([{ type: 'ActionClosed', data: { outcome: 'completed', rationale: 'r', impactReviewDue: '2025-09-30' } }]));
    it('refuses an action never assigned', () => given([raised]).when(close('superseded')).thenRefuses('action-not-assigned'));
    it('refuses an action already closed', () =>
      given([raised, assigned, evidenced, accepted, closed]).when(close('completed')).thenRefuses('action-closed'));
  });

  describe('extension requests', () => {
    const request = (dueDate = '2026-05-31', actor: Actor = police, requestId = 'x-1') =>
      cmd({ type: 'RequestExtension', requestId, dueDate, reason: 'Waiting for the new system', actor });
    const approve = (actor: Actor = subgroup, today = TODAY) =>
      cmd({ type: 'ApproveExtension', requestId: 'x-1', note: 'Agreed at the May meeting', actor, today });
    const refuse = cmd({ type: 'RefuseExtension', requestId: 'x-1', reason: 'The date is statutory' });

    it('lets the owning partner ask for a later date, saying why', () => given([raised, assigned]).when(request()).then([requested]));
    it('lets the subgroup ask on the partner’s behalf', () =>
      given([raised, assigned])
        .when(request('2026-05-31', subgroup))
        .then([{ ...requested, data: { ...requested.data, requestedBy: 's' } }]));
    it('refuses another partner', () =>
      given([raised, assigned]).when(request('2026-05-31', health)).thenRefuses('not-your-action', 'forbidden'));
    it('refuses an action never assigned, or closed', () => {
      given([raised]).when(request('2026-05-31', subgroup)).thenRefuses('action-not-assigned', 'conflict');
      given([raised, assigned, evidenced, accepted, closed]).when(request()).thenRefuses('action-closed', 'conflict');
    });
    it('refuses a date no later than the current one', () =>
      given([raised, assigned]).when(request('2026-03-31')).thenRefuses('extension-not-later', 'invalid'));
    it('refuses a date already past, even when later than an overdue due date', () =>
      given([raised, assigned])
        .when({ ...request('2026-04-30'), today: '2026-05-01' } as ActionCommand)
        .thenRefuses('due-date-in-past', 'invalid'));
    it('allows one pending request at a time', () =>
      given([raised, assigned, requested])
        .when(request('2026-06-30', police, 'x-2'))
        .thenRefuses('extension-pending', 'conflict'));
    it('is a no-op for the same request again', () => given([raised, assigned, requested]).when(request()).then([]));
    it('approves: the due date becomes the one asked for, and who agreed is recorded', () =>
      given([raised, assigned, requested])
        .when(approve())
        .then([
          {
            type: 'ExtensionApproved',
            data: {
              requestId: 'x-1',
              dueDate: '2026-05-31',
              previousDueDate: '2026-03-31',
              note: 'Agreed at the May meeting',
              decidedBy: 's',
            },
          },
        ]));
    it('refuses, saying why', () =>
      given([raised, assigned, requested])
        .when(refuse)
        .then([{ type: 'ExtensionRefused', data: { requestId: 'x-1', reason: 'The date is statutory', decidedBy: 's' } }]));
    it('refuses the owning partner deciding its own request', () =>
      given([raised, assigned, requested]).when(approve(policeOnSubgroup)).thenRefuses('own-action-assurance', 'forbidden'));
    it('refuses deciding twice, or an unknown request', () => {
      const approved: ActionEvent = {
        type: 'ExtensionApproved',
        data: { requestId: 'x-1', dueDate: '2026-05-31', previousDueDate: '2026-03-31', decidedBy: 's' },
      };
      given([raised, assigned, requested, approved]).when(refuse).thenRefuses('extension-decided', 'conflict');
      given([raised, assigned]).when(refuse).thenRefuses('extension-request-not-found', 'not-found');
    });
    it('refuses to approve a date that passed while the request waited', () =>
      given([raised, assigned, requested]).when(approve(subgroup, '2026-06-01')).thenRefuses('extension-date-passed', 'conflict'));
    it('refuses the pending request of an action closed or withdrawn', () => {
      given([raised, assigned, requested])
        .when(cmd({ type: 'WithdrawAction', reason: 'r' }))
        .then([{ type: 'ExtensionRefused', data: { requestId: 'x-1', reason: 'The action was withdrawn.', decidedBy: 's' } }, withdrawn]);
      given([raised, assigned, requested])
        .when(cmd({ type: 'CloseAction', outcome: 'superseded', rationale: 'r' }))
        .then([
          { type: 'ExtensionRefused', data: { requestId: 'x-1', reason: 'The action was closed.', decidedBy: 's' } },
          { type: 'ActionClosed', data: { outcome: 'superseded', rationale: 'r', impactReviewDue: undefined } },
        ]);
    });
    it('keeps the first agreed date, every request, and the date approved', () => {
      const approved: ActionEvent = {
        type: 'ExtensionApproved',
        data: { requestId: 'x-1', dueDate: '2026-05-31', previousDueDate: '2026-03-31', decidedBy: 's' },
      };
      expect([raised, assigned, requested, approved].reduce(evolveAction, noAction)).toMatchObject({
        dueDate: '2026-05-31',
        originalDueDate: '2026-03-31',
        extensions: [{ id: 'x-1', dueDate: '2026-05-31', status: 'approved', requestedBy: 'p', decidedBy: 's' }],
      });
    });
  });

  describe('RecordImpact', () => {
    const impact = (result: 'evidenced' | 'not-evidenced') => cmd({ type: 'RecordImpact', result, note: 'Audit in June' });
    const evidencedImpact: ActionEvent = { type: 'ImpactRecorded', data: { result: 'evidenced', note: 'Audit in June' } };
    it('records the impact of a completed action, which turns its outcome into impact-evidenced', () => {
      given([raised, assigned, evidenced, accepted, closed]).when(impact('evidenced')).then([evidencedImpact]);
      expect([raised, assigned, evidenced, accepted, closed, evidencedImpact].reduce(evolveAction, noAction)).toMatchObject({
        outcome: 'impact-evidenced',
        impact: 'evidenced',
      });
    });
    it('records that impact was not evidenced, leaving the outcome completed', () => {
      const notEvidenced: ActionEvent = { type: 'ImpactRecorded', data: { result: 'not-evidenced', note: 'Audit in June' } };
      given([raised, assigned, evidenced, accepted, closed]).when(impact('not-evidenced')).then([notEvidenced]);
      expect([raised, assigned, evidenced, accepted, closed, notEvidenced].reduce(evolveAction, noAction)).toMatchObject({
        outcome: 'completed',
        impact: 'not-evidenced',
      });
    });
    it('refuses an action that is not closed, was superseded, or has its impact recorded', () => {
      given([raised, assigned]).when(impact('evidenced')).thenRefuses('action-assigned', 'conflict');
      given([raised, assigned, { type: 'ActionClosed', data: { outcome: 'superseded', rationale: 'r' } }])
        .when(impact('evidenced'))
        .thenRefuses('action-superseded', 'conflict');
      given([raised, assigned, evidenced, accepted, closed, evidencedImpact]).when(impact('evidenced')).thenRefuses('impact-recorded');
    });
    it('forgets the impact check when the action is reopened', () =>
      expect(
        [raised, assigned, evidenced, accepted, closed, { type: 'ActionReopened', data: { reason: 'r' } } as ActionEvent].reduce(
          evolveAction,
          noAction,
        ),
      ).toMatchObject({ impactReviewDue: undefined, outcome: undefined }));
  });

  describe('CorrectAction', () => {
    it('corrects the texts that differ, keeping the old ones in the event', () =>
      given([raised])
        .when(cmd({ type: 'CorrectAction', description: 'Revised', successMeasure: 'Audit', reason: 'Typo' }))
        .then([
          {
            type: 'ActionCorrected',
            data: {
              corrected: { description: 'Revised', successMeasure: 'Audit' },
              previous: { description: 'd', successMeasure: undefined },
              reason: 'Typo',
            },
          },
        ]));
    it('refuses a correction that names nothing to correct', () =>
      given([raised])
        .when(cmd({ type: 'CorrectAction', reason: 'Typo' }))
        .thenRefuses('nothing-to-correct', 'invalid'));
    it('is a no-op when the texts are already so', () =>
      given([raised])
        .when(cmd({ type: 'CorrectAction', description: 'd', reason: 'Typo' }))
        .then([]));
    it('shows the corrected text from then on', () =>
      expect(
        [
          raised,
          {
            type: 'ActionCorrected',
            data: { corrected: { description: 'Revised' }, previous: { description: 'd' }, reason: 'r' },
          } as ActionEvent,
        ].reduce(evolveAction, noAction),
      ).toMatchObject({ description: 'Revised' }));
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

describe('what can be done now', () => {
  const open = (actor: Actor, events: ActionEvent[], today = TODAY) => changesOpen(actor, stateAfter(events), today);
  const submittedBy = (userId: string): ActionEvent => ({ ...evidenced, data: { ...evidenced.data, submittedBy: userId } }) as ActionEvent;

  it('offers a partner lead nothing of an action no agency owns yet, nor of another agency’s', () => {
    expect(open(police, [raised])).not.toEqual(expect.arrayContaining(['SubmitEvidence']));
    expect(open(police, [raised]).filter((change) => ['NoteProgress', 'SubmitEvidence', 'RequestExtension'].includes(change))).toEqual([]);
    expect(
      open(health, [raised, assigned]).filter((change) => ['NoteProgress', 'SubmitEvidence', 'RequestExtension'].includes(change)),
    ).toEqual([]);
    expect(open(police, [raised, assigned])).toEqual(expect.arrayContaining(['NoteProgress', 'SubmitEvidence', 'RequestExtension']));
  });

  it('offers the evidence’s decision to the subgroup, but its acceptance never to who submitted it', () => {
    expect(open(subgroup, [raised, assigned, submittedBy('p')])).toEqual(expect.arrayContaining(['AcceptEvidence', 'RejectEvidence']));
    const own = open(subgroup, [raised, assigned, submittedBy('s')]);
    expect(own).toContain('RejectEvidence');
    expect(own).not.toContain('AcceptEvidence');
    expect(open(subgroup, [raised, assigned])).not.toContain('RejectEvidence');
    expect(open(policeOnSubgroup, [raised, assigned, submittedBy('p')])).not.toContain('AcceptEvidence');
  });

  it('offers a closed action its reopening, its impact check, corrections and its evidence withdrawn, and nothing that needs it outstanding', () => {
    expect(open(subgroup, [raised, assigned, evidenced, accepted, closed]).sort()).toEqual([
      'CorrectAction',
      'RecordImpact',
      'ReopenAction',
      'WithdrawEvidence',
    ]);
    expect(open(subgroup, [raised, withdrawn])).toEqual(['CorrectAction']);
  });

  it('offers a request for more time its refusal once the date it asked for has passed, and no second request while it waits', () => {
    const waiting = [raised, assigned, requested];
    expect(open(subgroup, waiting)).toEqual(expect.arrayContaining(['ApproveExtension', 'RefuseExtension']));
    expect(open(police, waiting)).not.toContain('RequestExtension');
    const late = open(subgroup, waiting, '2026-06-01');
    expect(late).toContain('RefuseExtension');
    expect(late).not.toContain('ApproveExtension');
  });

  it('offers each change exactly when the decider accepts it', () => {
    const histories = [
      [raised],
      [raised, assigned],
      [raised, assigned, submittedBy('p')],
      [raised, assigned, evidenced, accepted, closed],
      [raised, assigned, requested],
    ];
    for (const actor of [subgroup, police, health, policeOnSubgroup])
      for (const events of histories) {
        const offered = open(actor, events);
        if (offered.includes('SubmitEvidence'))
          expect(() =>
            actionDecider.decide(cmd({ type: 'SubmitEvidence', actor, evidenceId: 'new', summary: 's' }), stateAfter(events)),
          ).not.toThrow();
        else
          expect(() =>
            actionDecider.decide(cmd({ type: 'SubmitEvidence', actor, evidenceId: 'new', summary: 's' }), stateAfter(events)),
          ).toThrow();
        const close = () =>
          actionDecider.decide(cmd({ type: 'CloseAction', actor, outcome: 'superseded', rationale: 'r' }), stateAfter(events));
        if (offered.includes('CloseAction')) expect(close).not.toThrow();
        else expect(close).toThrow();
      }
  });
});

describe('red, amber, green', () => {
  it('is red when a quarter or more of the outstanding actions are overdue, amber for fewer, green for none', () => {
    expect(ragOf({ outstanding: 4, overdue: 1 })).toBe('red');
    expect(ragOf({ outstanding: 5, overdue: 1 })).toBe('amber');
    expect(ragOf({ outstanding: 5, overdue: 0 })).toBe('green');
    expect(ragOf({ outstanding: 0, overdue: 0 })).toBe('green');
  });
});

describe('refusals in words', () => {
  it('says the dates it refuses as people write them', () => {
    const state = [raised].reduce(evolveAction, noAction);
    const assign = cmd({ type: 'AssignAction', partnerId: 'police', partner: { id: 'police', name: 'Police' }, dueDate: '2025-12-31' });
    expect(() => actionDecider.decide(assign, state)).toThrow(
      'The due date 31 December 2025 has already passed: choose today (1 January 2026) or later.',
    );
  });
});
