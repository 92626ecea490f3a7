import { Correction } from '../shared/correction';
import { DomainEvent } from '../shared/decider';
import { EventSchemas, Fields, Id, Text, Themes, corrected, previous } from '../shared/event-schema';
import { TEXT_LIMITS } from '../shared/value-rules';

export type RecommendationDetails = Readonly<{
  recommendationId: string;
  reviewId: string;
  text: string;
  themes: readonly string[];
}>;

/** What a correction may change about a recommendation. */
export type RecommendationTexts = Pick<RecommendationDetails, 'text' | 'themes'>;

export type RecommendationRecorded = DomainEvent<'RecommendationRecorded', RecommendationDetails>;
export type RecommendationCorrected = DomainEvent<
  'RecommendationCorrected',
  { recommendationId: string; reviewId: string; reason: string } & Correction<RecommendationTexts>
>;

export type RecommendationEvent = RecommendationRecorded | RecommendationCorrected;

const RECOMMENDATION_TEXTS: Fields<RecommendationTexts> = { text: Text(TEXT_LIMITS.long), themes: Themes };

export const RECOMMENDATION_EVENT_SCHEMAS: EventSchemas<RecommendationEvent> = {
  RecommendationRecorded: { recommendationId: Id, reviewId: Id, ...RECOMMENDATION_TEXTS },
  RecommendationCorrected: {
    recommendationId: Id,
    reviewId: Id,
    reason: Text(TEXT_LIMITS.long),
    corrected: corrected(RECOMMENDATION_TEXTS),
    previous: previous(RECOMMENDATION_TEXTS),
  },
};
