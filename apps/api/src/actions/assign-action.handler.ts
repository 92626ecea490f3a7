import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { actionDecider, actionStream, dayInEngland } from '@app/domain';
import { CLOCK, Clock } from '../clock/clock';
import { PartnerDirectory } from '../partners/partner-directory';
import { StreamWriter, WriteAnswer } from '../write/stream-writer';
import { WriteContext } from '../write/write-context';
import { AssignActionRequest } from './actions.request.dto';

export class AssignActionCommand extends Command<WriteAnswer> {
  constructor(
    readonly actionId: string,
    readonly request: AssignActionRequest,
    readonly context: WriteContext,
    /** Carries a plan over as it stood: a due date already past is kept, not refused. */
    readonly fromImport = false,
  ) {
    super();
  }
}

@CommandHandler(AssignActionCommand)
export class AssignActionHandler implements ICommandHandler<AssignActionCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly partners: PartnerDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actionId, request, context, fromImport }: AssignActionCommand): Promise<WriteAnswer> {
    const partner = await this.partners.find(request.partnerId);
    return this.writer.execute({
      decider: actionDecider,
      streamId: actionStream(actionId),
      command: {
        type: 'AssignAction',
        actor: context.actor,
        today: context.occurredOn ?? dayInEngland(this.clock()),
        ...request,
        partner,
        fromImport,
      },
      context,
      answer: { id: actionId },
    });
  }
}
