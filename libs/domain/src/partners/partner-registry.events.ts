import { DomainEvent } from '../shared/decider';

export type PartnerRegistered = DomainEvent<'PartnerRegistered', { partnerId: string; name: string }>;
/** The partner's shared team mailbox, where its notifications go (never a person's own address). */
export type PartnerMailboxSet = DomainEvent<'PartnerMailboxSet', { partnerId: string; email: string }>;

export type PartnerRegistryEvent = PartnerRegistered | PartnerMailboxSet;
