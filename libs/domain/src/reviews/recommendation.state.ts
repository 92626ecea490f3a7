import { RecommendationDetails, RecommendationEvent } from './recommendation.events';

export type RecommendationState = Readonly<{ recorded: false }> | Readonly<{ recorded: true } & RecommendationDetails>;

export const unrecordedRecommendation: RecommendationState = { recorded: false };

export function evolveRecommendation(_state: RecommendationState, event: RecommendationEvent): RecommendationState {
  switch (event.type) {
    case 'RecommendationRecorded':
      return { recorded: true, ...event.data };
  }
}
