import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { reviewDecider, reviewStream } from '@app/domain';
import { StreamWriter, WriteAnswer } from '../write/stream-writer';
import { ReviewReferences } from './review-references';
import { WriteContext } from '../write/write-context';
import { RegisterReviewRequest } from './reviews.request.dto';

export class RegisterReviewCommand extends Command<WriteAnswer> {
  constructor(
    readonly request: RegisterReviewRequest,
    readonly context: WriteContext,
  ) {
    super();
  }
}

@CommandHandler(RegisterReviewCommand)
export class RegisterReviewHandler implements ICommandHandler<RegisterReviewCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly references: ReviewReferences,
  ) {}

  async execute({ request: { id: givenId, themes = [], ...details }, context }: RegisterReviewCommand): Promise<WriteAnswer> {
    const id = givenId ?? randomUUID();
    await this.references.requireFree(details.reference, id);
    return this.writer.execute({
      decider: reviewDecider,
      streamId: reviewStream(id),
      command: { type: 'RegisterReview', reviewId: id, themes, ...details },
      context,
      answer: { id },
      newStream: givenId === undefined,
    });
  }
}
