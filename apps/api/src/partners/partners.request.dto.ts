import { Email, Slug, Text } from '../http/fields';

export class RegisterPartnerRequest {
  @Slug({ description: 'Stable id of the partner agency', example: 'thames-valley-police' })
  id!: string;

  @Text(200, { example: 'Thames Valley Police' })
  name!: string;
}

export class SetPartnerMailboxRequest {
  @Email({
    description: "The partner's shared team mailbox for notifications, not a person's own address",
    example: 'safeguarding.actions@thamesvalley.police.uk',
  })
  email!: string;
}

export class RenamePartnerRequest {
  @Text(200, { description: 'What the agency is called now; its id, and the actions it owns, stay', example: 'Integrated Care Board' })
  name!: string;
}
