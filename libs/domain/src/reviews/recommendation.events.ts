import { DomainEvent } from '../shared/decider';

export type RecommendationDetails = Readonly<{
  recommendationId: string;
  reviewId: string;
  text: string;
  themes: readonly string[];
}>;

export type RecommendationRecorded = DomainEvent<'RecommendationRecorded', RecommendationDetails>;

export type RecommendationEvent = RecommendationRecorded;
