import { specFor } from '../testing/given-when-then';
import { partnerRegistryDecider } from '../partners/partner-registry.decider';
import { recommendationDecider } from './recommendation.decider';
import { RecommendationEvent } from './recommendation.events';
import { ReviewEvent } from './review.events';
import { reviewDecider } from './review.decider';

const registered: ReviewEvent = {
  type: 'ReviewRegistered',
  data: { reviewId: 'r-1', reference: 'CSPR 1', title: 'Child R', kind: 'cspr', themes: ['neglect'] },
};
const register = { type: 'RegisterReview' as const, ...registered.data };

describe('review decider', () => {
  const given = specFor(reviewDecider);
  it('registers a review', () => given([]).when(register).then([registered]));
  it('is a no-op for the same review again', () => given([registered]).when(register).then([]));
  it('refuses another review under the same id', () =>
    given([registered])
      .when({ ...register, title: 'Other' })
      .thenRefuses('review-exists', 'conflict'));
  it('refuses publication before commissioning', () =>
    given([])
      .when({ ...register, commissionedOn: '2025-05-01', publishedOn: '2025-04-30' })
      .thenRefuses('published-before-commissioned', 'invalid'));
  it('keeps each theme once, as first spelled, trimmed', () =>
    given([])
      .when({ ...register, themes: ['Neglect', ' neglect ', '', 'Exploitation'] })
      .then([{ type: 'ReviewRegistered', data: { ...registered.data, themes: ['Neglect', 'Exploitation'] } }]));

  describe('corrections', () => {
    const correct = { type: 'CorrectReview' as const, reason: 'Typo in the title' };
    it('changes only what differs, keeping the old values', () =>
      given([registered])
        .when({ ...correct, title: 'Child R: neglect', reference: 'CSPR 1' })
        .then([
          {
            type: 'ReviewCorrected',
            data: {
              reviewId: 'r-1',
              reason: 'Typo in the title',
              corrected: { title: 'Child R: neglect' },
              previous: { title: 'Child R' },
            },
          },
        ]));
    it('is a no-op when nothing differs', () =>
      given([registered])
        .when({ ...correct, title: 'Child R' })
        .then([]));
    it('refuses an unknown review', () =>
      given([])
        .when({ ...correct, title: 'x' })
        .thenRefuses('review-not-found', 'not-found'));
    it('refuses dates that would end out of order', () =>
      given([{ ...registered, data: { ...registered.data, commissionedOn: '2025-05-01' } }])
        .when({ ...correct, publishedOn: '2025-04-01' })
        .thenRefuses('published-before-commissioned', 'invalid'));
    it('reads as corrected from then on', () => {
      const corrected: ReviewEvent = {
        type: 'ReviewCorrected',
        data: { reviewId: 'r-1', reason: 'r', corrected: { title: 'New' }, previous: { title: 'Child R' } },
      };
      expect([registered, corrected].reduce(reviewDecider.evolve, reviewDecider.initialState)).toMatchObject({ title: 'New' });
    });
  });
});

describe('recommendation decider', () => {
  const given = specFor(recommendationDecider);
  const review = { registered: true as const, ...registered.data };
  const record = { type: 'RecordRecommendation' as const, recommendationId: 'rec-1', text: 't', review };
  it("records a recommendation carrying the review's themes when it names none", () =>
    given([])
      .when(record)
      .then([{ type: 'RecommendationRecorded', data: { recommendationId: 'rec-1', reviewId: 'r-1', text: 't', themes: ['neglect'] } }]));
  it('keeps its own themes when it names them', () =>
    given([])
      .when({ ...record, themes: ['exploitation'] })
      .then([
        { type: 'RecommendationRecorded', data: { recommendationId: 'rec-1', reviewId: 'r-1', text: 't', themes: ['exploitation'] } },
      ]));
  it('refuses an unknown review', () =>
    given([])
      .when({ ...record, review: { registered: false } })
      .thenRefuses('review-not-found', 'not-found'));
  it("carries the review's themes when it names an empty list", () =>
    given([])
      .when({ ...record, themes: [' '] })
      .then([{ type: 'RecommendationRecorded', data: { recommendationId: 'rec-1', reviewId: 'r-1', text: 't', themes: ['neglect'] } }]));

  describe('corrections', () => {
    const recorded: RecommendationEvent = {
      type: 'RecommendationRecorded',
      data: { recommendationId: 'rec-1', reviewId: 'r-1', text: 't', themes: ['neglect'] },
    };
    const correct = { type: 'CorrectRecommendation' as const, reviewId: 'r-1', reason: 'Wrong theme' };
    it('changes the text or themes, keeping the old ones', () =>
      given([recorded])
        .when({ ...correct, themes: ['Exploitation'] })
        .then([
          {
            type: 'RecommendationCorrected',
            data: {
              recommendationId: 'rec-1',
              reviewId: 'r-1',
              reason: 'Wrong theme',
              corrected: { themes: ['Exploitation'] },
              previous: { themes: ['neglect'] },
            },
          },
        ]));
    it('refuses a recommendation of another review', () =>
      given([recorded])
        .when({ ...correct, reviewId: 'r-2', text: 'x' })
        .thenRefuses('recommendation-not-found', 'not-found'));
  });
});

describe('partner registry decider', () => {
  const given = specFor(partnerRegistryDecider);
  it('registers a partner', () =>
    given([])
      .when({ type: 'RegisterPartner', partnerId: 'police', name: 'Police' })
      .then([{ type: 'PartnerRegistered', data: { partnerId: 'police', name: 'Police' } }]));
  it('refuses an id already registered', () =>
    given([{ type: 'PartnerRegistered', data: { partnerId: 'police', name: 'Police' } }])
      .when({ type: 'RegisterPartner', partnerId: 'police', name: 'x' })
      .thenRefuses('partner-exists', 'conflict'));
  it("sets a partner's mailbox", () =>
    given([{ type: 'PartnerRegistered', data: { partnerId: 'police', name: 'Police' } }])
      .when({ type: 'SetPartnerMailbox', partnerId: 'police', email: 'actions@police.example' })
      .then([{ type: 'PartnerMailboxSet', data: { partnerId: 'police', email: 'actions@police.example' } }]));
  it('records nothing when the mailbox is already the one given', () =>
    given([
      { type: 'PartnerRegistered', data: { partnerId: 'police', name: 'Police' } },
      { type: 'PartnerMailboxSet', data: { partnerId: 'police', email: 'actions@police.example' } },
    ])
      .when({ type: 'SetPartnerMailbox', partnerId: 'police', email: 'Actions@Police.example' })
      .then([]));
  it('renames a partner, keeping what it was called', () =>
    given([{ type: 'PartnerRegistered', data: { partnerId: 'ccg', name: 'Clinical Commissioning Group' } }])
      .when({ type: 'RenamePartner', partnerId: 'ccg', name: 'Integrated Care Board' })
      .then([
        { type: 'PartnerRenamed', data: { partnerId: 'ccg', name: 'Integrated Care Board', previousName: 'Clinical Commissioning Group' } },
      ]));
  it('records nothing when the name is the one it has', () =>
    given([{ type: 'PartnerRegistered', data: { partnerId: 'ccg', name: 'ICB' } }])
      .when({ type: 'RenamePartner', partnerId: 'ccg', name: 'ICB' })
      .then([]));
  it('refuses a mailbox for a partner not registered', () =>
    given([]).when({ type: 'SetPartnerMailbox', partnerId: 'police', email: 'a@b.example' }).thenRefuses('partner-not-found', 'not-found'));
});
