import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { actionDecider, actionStream } from '@app/domain';
import { ReviewReader } from '../reviews/review-reader';
import { StreamWriter, WriteAnswer } from '../write/stream-writer';
import { WriteContext } from '../write/write-context';
import { RaiseActionRequest } from './actions.request.dto';

export class RaiseActionCommand extends Command<WriteAnswer> {
  constructor(
    readonly request: RaiseActionRequest,
    readonly context: WriteContext,
  ) {
    super();
  }
}

@CommandHandler(RaiseActionCommand)
export class RaiseActionHandler implements ICommandHandler<RaiseActionCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly reviews: ReviewReader,
  ) {}

  async execute({ request, context }: RaiseActionCommand): Promise<WriteAnswer> {
    const id = request.id ?? randomUUID();
    return this.writer.execute({
      decider: actionDecider,
      streamId: actionStream(id),
      command: {
        type: 'RaiseAction',
        actor: context.actor,
        actionId: id,
        description: request.description,
        successMeasure: request.successMeasure,
        themes: request.themes,
        recommendation: await this.reviews.recommendation(request.recommendationId),
      },
      context,
      answer: { id },
      newStream: request.id === undefined,
    });
  }
}
