import { correctionOf } from '../shared/correction';
import { Decider } from '../shared/decider';
import { NotFound, StateConflict } from '../shared/errors';
import { sameValue } from '../shared/same';
import { themesOrInherited, tidyThemes } from '../shared/themes';
import { RecommendationDetails, RecommendationEvent, RecommendationTexts } from './recommendation.events';
import { RecommendationState, evolveRecommendation, unrecordedRecommendation } from './recommendation.state';
import { ReviewState } from './review.state';

export const recommendationStream = (recommendationId: string): string => `recommendation-${recommendationId}`;

/** `themes` omitted or empty means the recommendation carries the themes of its review. */
export type RecordRecommendation = Readonly<{
  type: 'RecordRecommendation';
  recommendationId: string;
  text: string;
  themes?: readonly string[];
  review: ReviewState;
}>;
/** `reviewId`: the review the correction was addressed under; the recommendation must belong to it. */
export type CorrectRecommendation = Readonly<
  { type: 'CorrectRecommendation'; reviewId: string; reason: string } & Partial<RecommendationTexts>
>;

export type RecommendationCommand = RecordRecommendation | CorrectRecommendation;

function record(command: RecordRecommendation, state: RecommendationState): RecommendationEvent[] {
  const { review } = command;
  if (!review.registered) throw new NotFound('review-not-found', 'No review has that id.');
  const details: RecommendationDetails = {
    recommendationId: command.recommendationId,
    reviewId: review.reviewId,
    text: command.text,
    themes: themesOrInherited(command.themes, review.themes),
  };
  if (state.recorded) {
    const { recorded: _recorded, ...existing } = state;
    if (sameValue(existing, details)) return [];
    throw new StateConflict('recommendation-exists', `Recommendation '${command.recommendationId}' is already recorded.`);
  }
  return [{ type: 'RecommendationRecorded', data: details }];
}

function correct({ reviewId, reason, text, themes }: CorrectRecommendation, state: RecommendationState): RecommendationEvent[] {
  if (!state.recorded || state.reviewId !== reviewId) {
    throw new NotFound('recommendation-not-found', 'The review has no recommendation with that id.');
  }
  const correction = correctionOf<RecommendationTexts>(state, { text, themes: themes && tidyThemes(themes) }, ['text', 'themes']);
  if (!correction) return [];
  const { recommendationId } = state;
  return [{ type: 'RecommendationCorrected', data: { recommendationId, reviewId, reason, ...correction } }];
}

export const recommendationDecider: Decider<RecommendationState, RecommendationCommand, RecommendationEvent> = {
  initialState: unrecordedRecommendation,
  evolve: evolveRecommendation,
  decide: (command, state) => (command.type === 'RecordRecommendation' ? record(command, state) : correct(command, state)),
};
