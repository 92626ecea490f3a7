import { PartnerRegistryEvent } from './partner-registry.events';

export type Partner = Readonly<{ id: string; name: string; mailbox?: string }>;

/** Every partner agency of the partnership, in the order they were registered. */
export type PartnerRegistry = ReadonlyMap<string, Partner>;

export const emptyPartnerRegistry: PartnerRegistry = new Map();

export function evolvePartnerRegistry(registry: PartnerRegistry, event: PartnerRegistryEvent): PartnerRegistry {
  switch (event.type) {
    case 'PartnerRegistered':
      return new Map(registry).set(event.data.partnerId, { id: event.data.partnerId, name: event.data.name });
    case 'PartnerMailboxSet': {
      const partner = registry.get(event.data.partnerId);
      return partner ? new Map(registry).set(partner.id, { ...partner, mailbox: event.data.email }) : registry;
    }
  }
}
