import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Command } from '@nestjs/cqrs';
import { PARTNER_REGISTRY_STREAM, partnerRegistryDecider } from '@app/domain';
import { StreamWriter, WriteAnswer } from '../write/stream-writer';
import { WriteContext } from '../write/write-context';
import { RegisterPartnerRequest } from './partners.request.dto';

export class RegisterPartnerCommand extends Command<WriteAnswer> {
  constructor(
    readonly request: RegisterPartnerRequest,
    readonly context: WriteContext,
  ) {
    super();
  }
}

@CommandHandler(RegisterPartnerCommand)
export class RegisterPartnerHandler implements ICommandHandler<RegisterPartnerCommand> {
  constructor(private readonly writer: StreamWriter) {}

  execute({ request, context }: RegisterPartnerCommand): Promise<WriteAnswer> {
    return this.writer.execute({
      decider: partnerRegistryDecider,
      streamId: PARTNER_REGISTRY_STREAM,
      command: { type: 'RegisterPartner', partnerId: request.id, name: request.name },
      context,
      answer: { id: request.id },
    });
  }
}
