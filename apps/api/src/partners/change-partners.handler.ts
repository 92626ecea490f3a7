import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { PARTNER_REGISTRY_STREAM, PartnerRegistryCommand, partnerRegistryDecider } from '@app/domain';
import { StreamWriter, WriteAnswer } from '../write/stream-writer';
import { WriteContext } from '../write/write-context';

/**
 * A change to the partner registry (registering, renaming, setting a mailbox), or several to one
 * partner recorded together; answered with the partner's id.
 */
export class ChangePartnersCommand extends Command<WriteAnswer> {
  constructor(
    readonly change: PartnerRegistryCommand | readonly [PartnerRegistryCommand, ...PartnerRegistryCommand[]],
    readonly context: WriteContext,
  ) {
    super();
  }
}

@CommandHandler(ChangePartnersCommand)
export class ChangePartnersHandler implements ICommandHandler<ChangePartnersCommand> {
  constructor(private readonly writer: StreamWriter) {}

  execute({ change, context }: ChangePartnersCommand): Promise<WriteAnswer> {
    return this.writer.execute({
      decider: partnerRegistryDecider,
      streamId: PARTNER_REGISTRY_STREAM,
      command: change,
      context,
      answer: { id: ('partnerId' in change ? change : change[0]).partnerId },
    });
  }
}
