import { Inject, Injectable } from '@nestjs/common';
import {
  RecommendationEvent,
  RecommendationState,
  ReviewEvent,
  ReviewState,
  fold,
  recommendationDecider,
  recommendationStream,
  reviewDecider,
  reviewStream,
} from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { readableEvents } from '@app/read-models';

/** Reviews and recommendations folded from their streams, as facts for the commands that refer to them. */
@Injectable()
export class ReviewReader {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async review(reviewId: string): Promise<ReviewState> {
    const { events } = await this.store.readStream(reviewStream(reviewId));
    return fold(reviewDecider, readableEvents<ReviewEvent>(events));
  }

  async recommendation(recommendationId: string): Promise<RecommendationState> {
    const { events } = await this.store.readStream(recommendationStream(recommendationId));
    return fold(recommendationDecider, readableEvents<RecommendationEvent>(events));
  }
}
