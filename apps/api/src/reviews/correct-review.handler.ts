import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { recommendationDecider, recommendationStream, reviewDecider, reviewStream } from '@app/domain';
import { StreamWriter, WriteAnswer } from '../write/stream-writer';
import { ReviewReferences } from './review-references';
import { WriteContext } from '../write/write-context';
import { CorrectRecommendationRequest, CorrectReviewRequest } from './reviews.request.dto';

export class CorrectReviewCommand extends Command<WriteAnswer> {
  constructor(
    readonly reviewId: string,
    readonly request: CorrectReviewRequest,
    readonly context: WriteContext,
  ) {
    super();
  }
}

export class CorrectRecommendationCommand extends Command<WriteAnswer> {
  constructor(
    readonly reviewId: string,
    readonly recommendationId: string,
    readonly request: CorrectRecommendationRequest,
    readonly context: WriteContext,
  ) {
    super();
  }
}

@CommandHandler(CorrectReviewCommand)
export class CorrectReviewHandler implements ICommandHandler<CorrectReviewCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly references: ReviewReferences,
  ) {}

  async execute({ reviewId, request, context }: CorrectReviewCommand): Promise<WriteAnswer> {
    if (request.reference !== undefined) await this.references.requireFree(request.reference, reviewId);
    return this.writer.execute({
      decider: reviewDecider,
      streamId: reviewStream(reviewId),
      command: { type: 'CorrectReview', ...request },
      context,
      answer: { id: reviewId },
    });
  }
}

@CommandHandler(CorrectRecommendationCommand)
export class CorrectRecommendationHandler implements ICommandHandler<CorrectRecommendationCommand> {
  constructor(private readonly writer: StreamWriter) {}

  execute({ reviewId, recommendationId, request, context }: CorrectRecommendationCommand): Promise<WriteAnswer> {
    return this.writer.execute({
      decider: recommendationDecider,
      streamId: recommendationStream(recommendationId),
      command: { type: 'CorrectRecommendation', reviewId, ...request },
      context,
      answer: { id: recommendationId, reviewId },
    });
  }
}
