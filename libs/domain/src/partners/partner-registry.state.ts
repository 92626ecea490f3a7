import { PartnerRegistryEvent } from './partner-registry.events';

export type Partner = Readonly<{ id: string; name: string; mailbox?: string }>;

/** Every partner agency of the partnership, in the order they were registered. */
export type PartnerRegistry = ReadonlyMap<string, Partner>;

export const emptyPartnerRegistry: PartnerRegistry = new Map();

function withPartner(registry: PartnerRegistry, partnerId: string, change: Partial<Partner>): PartnerRegistry {
  const partner = registry.get(partnerId);
  return partner ? new Map(registry).set(partnerId, { ...partner, ...change }) : registry;
}

export function evolvePartnerRegistry(registry: PartnerRegistry, event: PartnerRegistryEvent): PartnerRegistry {
  switch (event.type) {
    case 'PartnerRegistered':
      return new Map(registry).set(event.data.partnerId, { id: event.data.partnerId, name: event.data.name });
    case 'PartnerMailboxSet':
      return withPartner(registry, event.data.partnerId, { mailbox: event.data.email });
    case 'PartnerRenamed':
      return withPartner(registry, event.data.partnerId, { name: event.data.name });
  }
}
