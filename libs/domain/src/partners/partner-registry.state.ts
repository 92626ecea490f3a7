import { PartnerRegistryEvent } from './partner-registry.events';

export type Partner = Readonly<{ id: string; name: string }>;

/** Every partner agency of the partnership, in the order they were registered. */
export type PartnerRegistry = ReadonlyMap<string, Partner>;

export const emptyPartnerRegistry: PartnerRegistry = new Map();

export function evolvePartnerRegistry(registry: PartnerRegistry, event: PartnerRegistryEvent): PartnerRegistry {
  switch (event.type) {
    case 'PartnerRegistered':
      return new Map(registry).set(event.data.partnerId, { id: event.data.partnerId, name: event.data.name });
  }
}
