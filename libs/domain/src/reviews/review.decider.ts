import { correctionOf } from '../shared/correction';
import { Decider } from '../shared/decider';
import { InvalidCommand, NotFound, StateConflict } from '../shared/errors';
import { sameValue } from '../shared/same';
import { tidyThemes } from '../shared/themes';
import { ReviewDetails, ReviewEvent, ReviewTexts } from './review.events';
import { ReviewState, evolveReview, unregisteredReview } from './review.state';

export const reviewStream = (reviewId: string): string => `review-${reviewId}`;

export type RegisterReview = Readonly<{ type: 'RegisterReview' } & ReviewDetails>;
export type CorrectReview = Readonly<{ type: 'CorrectReview'; reason: string } & Partial<ReviewTexts>>;

export type ReviewCommand = RegisterReview | CorrectReview;

const CORRECTABLE = ['reference', 'title', 'kind', 'themes', 'commissionedOn', 'publishedOn'] as const satisfies (keyof ReviewTexts)[];

function requireDatesInOrder({ commissionedOn, publishedOn }: Partial<ReviewTexts>): void {
  if (commissionedOn && publishedOn && publishedOn < commissionedOn) {
    throw new InvalidCommand('published-before-commissioned', 'publishedOn cannot be before commissionedOn.');
  }
}

function register({ type: _type, ...given }: RegisterReview, state: ReviewState): ReviewEvent[] {
  const details = { ...given, themes: tidyThemes(given.themes) };
  requireDatesInOrder(details);
  if (state.registered) {
    const { registered: _registered, ...existing } = state;
    if (sameValue(existing, details)) return [];
    throw new StateConflict('review-exists', `Review '${details.reviewId}' is already registered.`);
  }
  return [{ type: 'ReviewRegistered', data: details }];
}

function correct({ type: _type, reason, ...proposed }: CorrectReview, state: ReviewState): ReviewEvent[] {
  if (!state.registered) throw new NotFound('review-not-found', 'No review has that id.');
  const tidied = proposed.themes ? { ...proposed, themes: tidyThemes(proposed.themes) } : proposed;
  const correction = correctionOf<ReviewTexts>(state, tidied, CORRECTABLE);
  if (!correction) return [];
  requireDatesInOrder({ ...state, ...correction.corrected });
  return [{ type: 'ReviewCorrected', data: { reviewId: state.reviewId, reason, ...correction } }];
}

export const reviewDecider: Decider<ReviewState, ReviewCommand, ReviewEvent> = {
  initialState: unregisteredReview,
  evolve: evolveReview,
  decide: (command, state) => (command.type === 'RegisterReview' ? register(command, state) : correct(command, state)),
};
