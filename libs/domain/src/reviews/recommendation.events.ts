import { Correction } from '../shared/correction';
import { DomainEvent } from '../shared/decider';

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
