import { DomainEvent } from '../shared/decider';

export type PartnerRegistered = DomainEvent<'PartnerRegistered', { partnerId: string; name: string }>;

export type PartnerRegistryEvent = PartnerRegistered;
