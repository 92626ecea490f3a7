import { tidyThemes } from '../shared/themes';
import { ReviewDetails, ReviewEvent } from './review.events';

export type ReviewState = Readonly<{ registered: false }> | Readonly<{ registered: true } & ReviewDetails>;

export const unregisteredReview: ReviewState = { registered: false };

export function evolveReview(state: ReviewState, event: ReviewEvent): ReviewState {
  switch (event.type) {
    case 'ReviewRegistered':
      // Reviews registered before themes were tidied read as if they had been.
      return { registered: true, ...event.data, themes: tidyThemes(event.data.themes) };
    case 'ReviewCorrected':
      return state.registered ? { ...state, ...event.data.corrected } : state;
  }
}

/** A review's reference as references are told apart: not by letter case or the spaces around it. */
export const reviewReferenceKey = (reference: string): string => reference.trim().toLowerCase();
