import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActionCommand, AssignAction, RaiseAction, actionDecider, actionStream } from '@app/domain';
import { AnswerIds, StreamWriter, WriteAnswer } from '../write/stream-writer';
import { WriteContext } from '../write/write-context';

/** Any action command that needs no facts from elsewhere: everything but raising and assigning. */
export type ActionChange = Exclude<ActionCommand, RaiseAction | AssignAction>;

export class ChangeActionCommand extends Command<WriteAnswer> {
  constructor(
    readonly actionId: string,
    readonly change: ActionChange,
    readonly context: WriteContext,
    readonly answer: AnswerIds = { id: actionId },
  ) {
    super();
  }
}

@CommandHandler(ChangeActionCommand)
export class ChangeActionHandler implements ICommandHandler<ChangeActionCommand> {
  constructor(private readonly writer: StreamWriter) {}

  execute({ actionId, change, context, answer }: ChangeActionCommand): Promise<WriteAnswer> {
    return this.writer.execute({ decider: actionDecider, streamId: actionStream(actionId), command: change, context, answer });
  }
}
