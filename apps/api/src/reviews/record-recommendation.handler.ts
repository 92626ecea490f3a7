import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { recommendationDecider, recommendationStream } from '@app/domain';
import { StreamWriter, WriteAnswer } from '../write/stream-writer';
import { WriteContext } from '../write/write-context';
import { ReviewReader } from './review-reader';
import { RecordRecommendationRequest } from './reviews.request.dto';

export class RecordRecommendationCommand extends Command<WriteAnswer> {
  constructor(
    readonly reviewId: string,
    readonly request: RecordRecommendationRequest,
    readonly context: WriteContext,
  ) {
    super();
  }
}

@CommandHandler(RecordRecommendationCommand)
export class RecordRecommendationHandler implements ICommandHandler<RecordRecommendationCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly reader: ReviewReader,
  ) {}

  async execute({ reviewId, request, context }: RecordRecommendationCommand): Promise<WriteAnswer> {
    const id = request.id ?? randomUUID();
    return this.writer.execute({
      decider: recommendationDecider,
      streamId: recommendationStream(id),
      command: {
        type: 'RecordRecommendation',
        recommendationId: id,
        text: request.text,
        themes: request.themes,
        review: await this.reader.review(reviewId),
      },
      context,
      answer: { id, reviewId },
      newStream: request.id === undefined,
    });
  }
}
