import { Decider } from '../shared/decider';
import { InvalidCommand, StateConflict } from '../shared/errors';
import { sameValue } from '../shared/same';
import { ReviewDetails, ReviewEvent } from './review.events';
import { ReviewState, evolveReview, unregisteredReview } from './review.state';

export const reviewStream = (reviewId: string): string => `review-${reviewId}`;

export type RegisterReview = Readonly<{ type: 'RegisterReview' } & ReviewDetails>;

export type ReviewCommand = RegisterReview;

export const reviewDecider: Decider<ReviewState, ReviewCommand, ReviewEvent> = {
  initialState: unregisteredReview,
  evolve: evolveReview,
  decide({ type: _type, ...details }, state) {
    if (details.commissionedOn && details.publishedOn && details.publishedOn < details.commissionedOn) {
      throw new InvalidCommand('published-before-commissioned', 'publishedOn cannot be before commissionedOn.');
    }
    if (state.registered) {
      const { registered: _registered, ...existing } = state;
      if (sameValue(existing, details)) return [];
      throw new StateConflict('review-exists', `Review '${details.reviewId}' is already registered.`);
    }
    return [{ type: 'ReviewRegistered', data: details }];
  },
};
