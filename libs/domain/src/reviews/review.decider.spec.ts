import { specFor } from '../testing/given-when-then';
import { partnerRegistryDecider } from '../partners/partner-registry.decider';
import { recommendationDecider } from './recommendation.decider';
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
});
