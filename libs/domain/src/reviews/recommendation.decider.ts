import { Decider } from '../shared/decider';
import { NotFound, StateConflict } from '../shared/errors';
import { sameValue } from '../shared/same';
import { RecommendationDetails, RecommendationEvent } from './recommendation.events';
import { RecommendationState, evolveRecommendation, unrecordedRecommendation } from './recommendation.state';
import { ReviewState } from './review.state';

export const recommendationStream = (recommendationId: string): string => `recommendation-${recommendationId}`;

/** `themes` omitted means the recommendation carries the themes of its review. */
export type RecordRecommendation = Readonly<{
  type: 'RecordRecommendation';
  recommendationId: string;
  text: string;
  themes?: readonly string[];
  review: ReviewState;
}>;

export type RecommendationCommand = RecordRecommendation;

export const recommendationDecider: Decider<RecommendationState, RecommendationCommand, RecommendationEvent> = {
  initialState: unrecordedRecommendation,
  evolve: evolveRecommendation,
  decide(command, state) {
    const { review } = command;
    if (!review.registered) throw new NotFound('review-not-found', 'No review has that id.');
    const details: RecommendationDetails = {
      recommendationId: command.recommendationId,
      reviewId: review.reviewId,
      text: command.text,
      themes: command.themes ?? review.themes,
    };
    if (state.recorded) {
      const { recorded: _recorded, ...existing } = state;
      if (sameValue(existing, details)) return [];
      throw new StateConflict('recommendation-exists', `Recommendation '${command.recommendationId}' is already recorded.`);
    }
    return [{ type: 'RecommendationRecorded', data: details }];
  },
};
