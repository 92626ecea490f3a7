import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActionCommand, AssignAction, RaiseAction, actionDecider, actionStream, dayInEngland } from '@app/domain';
import { CLOCK, Clock } from '../clock/clock';
import { AnswerIds, StreamWriter, WriteAnswer } from '../write/stream-writer';
import { WriteContext } from '../write/write-context';

type Undated<Command> = Command extends unknown ? Omit<Command, 'today'> : never;

/** Any action command that needs no facts from elsewhere (everything but raising and assigning), dated by the handler. */
export type ActionChange = Undated<Exclude<ActionCommand, RaiseAction | AssignAction>>;

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
  constructor(
    private readonly writer: StreamWriter,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute({ actionId, change, context, answer }: ChangeActionCommand): Promise<WriteAnswer> {
    const command = { ...change, today: context.occurredOn ?? dayInEngland(this.clock()) } as ActionCommand;
    return this.writer.execute({ decider: actionDecider, streamId: actionStream(actionId), command, context, answer });
  }
}
