import { RecordedEvent } from '@app/event-store';
import { evolveActionDocument } from './action-list.projection';
import { dayOf } from './event-data';
import { evolvePartnerDocument } from './partner-list.projection';
import { ReviewDocument, evolveReviewDocument } from './review-list.projection';

let position = 0n;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 9, minute));
const recorded = (streamId: string, version: number, type: string, data: object, minute = version): RecordedEvent => ({
  position: ++position,
  streamId,
  version,
  eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
  type,
  data: data as RecordedEvent['data'],
  metadata: {},
  recordedAt: at(minute),
  hash: '',
});

const foldDocuments = <Doc>(evolve: (doc: Doc | undefined, event: RecordedEvent) => Doc | undefined, events: RecordedEvent[]) =>
  events.reduce<Doc | undefined>(evolve, undefined);

describe('action list', () => {
  const raised = () =>
    recorded('action-a1', 1, 'ActionRaised', {
      actionId: 'a1',
      recommendationId: 'rec-1',
      reviewId: 'rev-1',
      description: 'Revise the pre-birth procedure',
      themes: ['pre-birth assessment'],
    });

  it('follows an action from raised to closed, remembering when it was raised and last changed', () => {
    const first = raised();
    const doc = foldDocuments(evolveActionDocument, [
      first,
      recorded('action-a1', 2, 'ActionAssigned', { partnerId: 'police', dueDate: '2026-03-31', lead: 'Head of Public Protection' }),
      recorded('action-a1', 3, 'EvidenceSubmitted', { evidenceId: 'e1', summary: 'Procedure reissued' }),
      recorded('action-a1', 4, 'EvidenceAccepted', { evidenceId: 'e1' }),
      recorded('action-a1', 5, 'ActionClosed', { outcome: 'completed', rationale: 'Done' }),
    ]);
    expect(doc).toMatchObject({
      actionId: 'a1',
      partnerId: 'police',
      dueDate: '2026-03-31',
      status: 'closed',
      outcome: 'completed',
      evidence: [{ id: 'e1', status: 'accepted' }],
      version: 5,
      raisedAt: at(1).toISOString(),
      updatedAt: at(5).toISOString(),
      raisedPosition: first.position.toString(),
    });
  });

  it('keeps no document for events of an action it never saw raised', () => {
    expect(evolveActionDocument(undefined, recorded('action-a2', 2, 'ActionWithdrawn', { reason: 'x' }))).toBeUndefined();
  });

  it('returns a reopened action to assigned without its closing outcome', () => {
    const doc = foldDocuments(evolveActionDocument, [
      raised(),
      recorded('action-a1', 2, 'ActionAssigned', { partnerId: 'police', dueDate: '2026-03-31' }),
      recorded('action-a1', 3, 'ActionClosed', { outcome: 'superseded', rationale: 'Replaced' }),
      recorded('action-a1', 4, 'ActionReopened', { reason: 'Not replaced after all' }),
    ]);
    expect(doc).toMatchObject({ status: 'assigned', version: 4 });
    expect(JSON.parse(JSON.stringify(doc))).not.toHaveProperty('outcome');
  });
});

describe('review list', () => {
  const registered = recorded('review-r1', 1, 'ReviewRegistered', {
    reviewId: 'r1',
    reference: 'CSPR-1',
    title: 'Child R',
    kind: 'cspr',
    themes: ['neglect'],
  });

  it('gathers a review with its recommendations in the order they were recorded', () => {
    const doc = foldDocuments(evolveReviewDocument, [
      registered,
      recorded('recommendation-m1', 1, 'RecommendationRecorded', { recommendationId: 'm1', reviewId: 'r1', text: 'First', themes: [] }, 7),
      recorded(
        'recommendation-m2',
        1,
        'RecommendationRecorded',
        { recommendationId: 'm2', reviewId: 'r1', text: 'Second', themes: ['neglect'] },
        8,
      ),
    ]);
    expect(doc).toEqual({
      reviewId: 'r1',
      reference: 'CSPR-1',
      title: 'Child R',
      kind: 'cspr',
      themes: ['neglect'],
      registeredAt: at(1).toISOString(),
      registeredOn: '2026-01-01',
      changedOn: '2026-01-01',
      recommendations: [
        { recommendationId: 'm1', text: 'First', themes: [], recordedAt: at(7).toISOString(), recordedOn: '2026-01-01' },
        { recommendationId: 'm2', text: 'Second', themes: ['neglect'], recordedAt: at(8).toISOString(), recordedOn: '2026-01-01' },
      ],
    });
  });

  it('counts an event on the day it happened when it says so (an import), else on the day it was recorded', () => {
    const event = recorded('action-a9', 1, 'ActionRaised', {});
    expect(dayOf(event)).toBe('2026-01-01');
    expect(dayOf({ ...event, metadata: { occurredOn: '2024-03-05' } })).toBe('2024-03-05');
    expect(dayOf({ ...event, metadata: { occurredOn: 'last spring' } })).toBe('2026-01-01');
  });

  it('never dates a version before the one it follows, so that each day has one version of a document', () => {
    const imported = { ...registered, metadata: { occurredOn: '2025-06-01' } };
    const corrected = recorded('review-r1', 2, 'ReviewCorrected', {
      reviewId: 'r1',
      corrected: { title: 'Child R (corrected)' },
      previous: { title: 'Child R' },
      reason: 'A typing error',
    });
    const backdated = { ...corrected, version: 3, metadata: { occurredOn: '2025-01-01' } };
    const versions = [imported, backdated, corrected].reduce<ReviewDocument[]>(
      (docs, event) => [...docs, evolveReviewDocument(docs.at(-1), event)!],
      [],
    );
    expect(versions.map((doc) => doc.changedOn)).toEqual(['2025-06-01', '2025-06-01', '2026-01-01']);
  });

  it('keeps no document for a recommendation of a review it never saw', () => {
    expect(
      evolveReviewDocument(
        undefined,
        recorded('recommendation-m3', 1, 'RecommendationRecorded', { recommendationId: 'm3', reviewId: 'r9', text: 'x', themes: [] }),
      ),
    ).toBeUndefined();
  });
});

describe('partner list', () => {
  it('names a partner by its id', () => {
    expect(
      evolvePartnerDocument(undefined, recorded('partners', 1, 'PartnerRegistered', { partnerId: 'police', name: 'Thames Valley Police' })),
    ).toEqual({
      id: 'police',
      name: 'Thames Valley Police',
      registeredAt: at(1).toISOString(),
    });
  });

  it('keeps the mailbox its notifications go to', () => {
    const registered = evolvePartnerDocument(
      undefined,
      recorded('partners', 1, 'PartnerRegistered', { partnerId: 'police', name: 'Police' }),
    );
    const mailbox = { partnerId: 'police', email: 'actions@police.example' };
    expect(evolvePartnerDocument(registered, recorded('partners', 2, 'PartnerMailboxSet', mailbox))).toMatchObject({
      id: 'police',
      mailbox: 'actions@police.example',
    });
  });
});
