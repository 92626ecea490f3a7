import { RecommendationDetails, RecommendationRecorded, ReviewDetails, ReviewRegistered } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { Projection } from '@app/projections';
import { dataOf } from './event-data';

export type RecommendationDocument = Omit<RecommendationDetails, 'reviewId'> & Readonly<{ recordedAt: string }>;

export type ReviewDocument = ReviewDetails & Readonly<{ registeredAt: string; recommendations: readonly RecommendationDocument[] }>;

export function evolveReviewDocument(doc: ReviewDocument | undefined, event: RecordedEvent): ReviewDocument | undefined {
  const recordedAt = event.recordedAt.toISOString();
  if (event.type === 'ReviewRegistered') {
    return { ...dataOf<ReviewRegistered>(event), registeredAt: recordedAt, recommendations: doc?.recommendations ?? [] };
  }
  if (!doc) return undefined;
  const { reviewId: _reviewId, ...recommendation } = dataOf<RecommendationRecorded>(event);
  return { ...doc, recommendations: [...doc.recommendations, { ...recommendation, recordedAt }] };
}

const HANDLED = ['ReviewRegistered', 'RecommendationRecorded'];

/** Every review with its recommendations, in the order they were recorded. */
export const reviewList: Projection<ReviewDocument> = {
  name: 'review-list',
  version: 3,
  table: 'review_list',
  columns: ["registered_at text GENERATED ALWAYS AS (doc->>'registeredAt') STORED"],
  indexes: ['(registered_at, key)'],
  eventTypes: HANDLED,
  handles: (event) => HANDLED.includes(event.type),
  keyOf: (event) => dataOf<ReviewRegistered | RecommendationRecorded>(event).reviewId,
  evolve: evolveReviewDocument,
};
