import { tidyThemes } from '../shared/themes';
import { RecommendationDetails, RecommendationEvent } from './recommendation.events';

export type RecommendationState = Readonly<{ recorded: false }> | Readonly<{ recorded: true } & RecommendationDetails>;

export const unrecordedRecommendation: RecommendationState = { recorded: false };

export function evolveRecommendation(state: RecommendationState, event: RecommendationEvent): RecommendationState {
  switch (event.type) {
    case 'RecommendationRecorded':
      return { recorded: true, ...event.data, themes: tidyThemes(event.data.themes) };
    case 'RecommendationCorrected':
      return state.recorded ? { ...state, ...event.data.corrected } : state;
  }
}
