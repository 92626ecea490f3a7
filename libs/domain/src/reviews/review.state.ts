import { ReviewDetails, ReviewEvent } from './review.events';

export type ReviewState = Readonly<{ registered: false }> | Readonly<{ registered: true } & ReviewDetails>;

export const unregisteredReview: ReviewState = { registered: false };

export function evolveReview(_state: ReviewState, event: ReviewEvent): ReviewState {
  switch (event.type) {
    case 'ReviewRegistered':
      return { registered: true, ...event.data };
  }
}
