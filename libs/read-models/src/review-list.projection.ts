import {
  RecommendationCorrected,
  RecommendationDetails,
  RecommendationRecorded,
  ReviewCorrected,
  ReviewDetails,
  ReviewRegistered,
  themeKey,
  tidyThemes,
} from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { Projection } from '@app/projections';
import { dataOf, dayOf, dayOfChange, keyField } from './event-data';
import { searchable } from './search.sql';

/** `recordedOn` and `registeredOn`: the days they count on in reports (see `dayOf`). */
export type RecommendationDocument = Omit<RecommendationDetails, 'reviewId'> & Readonly<{ recordedAt: string; recordedOn: string }>;

/** `changedOn`: the day this version counts from (see `dayOfChange`). */
export type ReviewDocument = ReviewDetails &
  Readonly<{ registeredAt: string; registeredOn: string; changedOn: string; recommendations: readonly RecommendationDocument[] }>;

type ReviewListEvent = ReviewRegistered | ReviewCorrected | RecommendationRecorded | RecommendationCorrected;

export function evolveReviewDocument(doc: ReviewDocument | undefined, event: RecordedEvent): ReviewDocument | undefined {
  const next = foldReview(doc, event);
  return next && { ...next, changedOn: dayOfChange(doc, event) };
}

function foldReview(doc: ReviewDocument | undefined, event: RecordedEvent): Omit<ReviewDocument, 'changedOn'> | undefined {
  const recordedAt = event.recordedAt.toISOString();
  const reviewEvent = { type: event.type, data: dataOf<ReviewListEvent>(event) } as ReviewListEvent;
  if (reviewEvent.type === 'ReviewRegistered') {
    const details = reviewEvent.data;
    return {
      ...details,
      themes: tidyThemes(details.themes),
      registeredAt: recordedAt,
      registeredOn: dayOf(event),
      recommendations: doc?.recommendations ?? [],
    };
  }
  if (!doc) return undefined;
  switch (reviewEvent.type) {
    case 'ReviewCorrected':
      return { ...doc, ...reviewEvent.data.corrected };
    case 'RecommendationRecorded': {
      const { reviewId: _reviewId, themes, ...recommendation } = reviewEvent.data;
      return {
        ...doc,
        recommendations: [...doc.recommendations, { ...recommendation, themes: tidyThemes(themes), recordedAt, recordedOn: dayOf(event) }],
      };
    }
    case 'RecommendationCorrected': {
      const { recommendationId, corrected } = reviewEvent.data;
      const recommendations = doc.recommendations.map((item) =>
        item.recommendationId === recommendationId ? { ...item, ...corrected } : item,
      );
      return { ...doc, recommendations };
    }
  }
}

const HANDLED = ['ReviewRegistered', 'ReviewCorrected', 'RecommendationRecorded', 'RecommendationCorrected'];

/** Every review with its recommendations, in the order they were recorded, as last corrected. */
export const reviewList: Projection<ReviewDocument> = {
  name: 'review-list',
  version: 9,
  table: 'review_list',
  columns: [
    "registered_at text GENERATED ALWAYS AS (doc->>'registeredAt') STORED",
    `search tsvector GENERATED ALWAYS AS (${searchable("doc->>'reference'", "doc->>'title'")}) STORED`,
  ],
  indexes: ['(registered_at, key)', 'USING gin (search)'],
  eventTypes: HANDLED,
  dayField: 'changedOn',
  handles: (event) => HANDLED.includes(event.type),
  keyOf: (event) => keyField(event, 'reviewId'),
  evolve: evolveReviewDocument,
};

/** How each theme (by its key) was first spelled: in the order the reviews were registered, a review's own themes before its recommendations'. */
export function firstSpellings(reviews: readonly ReviewDocument[]): Map<string, string> {
  const spellings = new Map<string, string>();
  for (const review of reviews) {
    for (const theme of [...review.themes, ...review.recommendations.flatMap((item) => item.themes)]) {
      if (!spellings.has(themeKey(theme))) spellings.set(themeKey(theme), theme);
    }
  }
  return spellings;
}
