import { DomainEvent } from '../shared/decider';
import { EventSchemas, Mailbox, Slug, Text, formerly } from '../shared/event-schema';
import { TEXT_LIMITS } from '../shared/value-rules';

export type PartnerRegistered = DomainEvent<'PartnerRegistered', { partnerId: string; name: string }>;
/** The partner's shared team mailbox, where its notifications go (never a person's own address). */
export type PartnerMailboxSet = DomainEvent<'PartnerMailboxSet', { partnerId: string; email: string }>;

/** The agency is called something else now (a merger, a reorganisation): its id, and what it owns, stay. */
export type PartnerRenamed = DomainEvent<'PartnerRenamed', { partnerId: string; name: string; previousName: string }>;

export type PartnerRegistryEvent = PartnerRegistered | PartnerMailboxSet | PartnerRenamed;

const NAME = Text(TEXT_LIMITS.name);

export const PARTNER_REGISTRY_EVENT_SCHEMAS: EventSchemas<PartnerRegistryEvent> = {
  PartnerRegistered: { partnerId: Slug, name: NAME },
  PartnerMailboxSet: { partnerId: Slug, email: Mailbox },
  PartnerRenamed: { partnerId: Slug, name: NAME, previousName: formerly(NAME) },
};
