import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { actionDecider, actionStream } from '@app/domain';
import { PartnerDirectory } from '../partners/partner-directory';
import { StreamWriter, WriteAnswer } from '../write/stream-writer';
import { WriteContext } from '../write/write-context';
import { AssignActionRequest } from './actions.request.dto';

export class AssignActionCommand extends Command<WriteAnswer> {
  constructor(
    readonly actionId: string,
    readonly request: AssignActionRequest,
    readonly context: WriteContext,
  ) {
    super();
  }
}

@CommandHandler(AssignActionCommand)
export class AssignActionHandler implements ICommandHandler<AssignActionCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly partners: PartnerDirectory,
  ) {}

  async execute({ actionId, request, context }: AssignActionCommand): Promise<WriteAnswer> {
    return this.writer.execute({
      decider: actionDecider,
      streamId: actionStream(actionId),
      command: { type: 'AssignAction', actor: context.actor, ...request, partner: await this.partners.find(request.partnerId) },
      context,
      answer: { id: actionId },
    });
  }
}
