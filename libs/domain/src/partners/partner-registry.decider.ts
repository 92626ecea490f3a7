import { Decider } from '../shared/decider';
import { NotFound, StateConflict } from '../shared/errors';
import { PartnerRegistryEvent } from './partner-registry.events';
import { Partner, PartnerRegistry, emptyPartnerRegistry, evolvePartnerRegistry } from './partner-registry.state';

export const PARTNER_REGISTRY_STREAM = 'partners';

export type RegisterPartner = Readonly<{ type: 'RegisterPartner'; partnerId: string; name: string }>;
export type SetPartnerMailbox = Readonly<{ type: 'SetPartnerMailbox'; partnerId: string; email: string }>;

export type RenamePartner = Readonly<{ type: 'RenamePartner'; partnerId: string; name: string }>;

export type PartnerRegistryCommand = RegisterPartner | SetPartnerMailbox | RenamePartner;

function registered(registry: PartnerRegistry, partnerId: string): Partner {
  const partner = registry.get(partnerId);
  if (!partner) throw new NotFound('partner-not-found', `No partner is registered as '${partnerId}'.`);
  return partner;
}

/** Names are told apart as people read them: not by letter case or the spaces around them. */
const nameKey = (name: string): string => name.trim().toLowerCase();

/** A second agency of the same name would show twice, alike, in every list and drop-down. */
function requireNameFree(registry: PartnerRegistry, name: string, renamed?: string): void {
  const holder = [...registry.values()].find((partner) => partner.id !== renamed && nameKey(partner.name) === nameKey(name));
  if (holder) {
    throw new StateConflict(
      'partner-name-taken',
      `A partner agency is already called '${holder.name}' ('${holder.id}'): give this one another name.`,
    );
  }
}

export const partnerRegistryDecider: Decider<PartnerRegistry, PartnerRegistryCommand, PartnerRegistryEvent> = {
  initialState: emptyPartnerRegistry,
  evolve: evolvePartnerRegistry,
  decide(command, registry) {
    switch (command.type) {
      case 'RegisterPartner':
        if (registry.has(command.partnerId)) {
          throw new StateConflict('partner-exists', `Partner '${command.partnerId}' is already registered.`);
        }
        requireNameFree(registry, command.name);
        return [{ type: 'PartnerRegistered', data: { partnerId: command.partnerId, name: command.name } }];
      case 'SetPartnerMailbox': {
        const partner = registered(registry, command.partnerId);
        // The same mailbox typed again in other letter case is the same mailbox: nothing to record.
        if (partner.mailbox?.toLowerCase() === command.email.toLowerCase()) return [];
        return [{ type: 'PartnerMailboxSet', data: { partnerId: partner.id, email: command.email } }];
      }
      case 'RenamePartner': {
        const partner = registered(registry, command.partnerId);
        if (partner.name === command.name) return [];
        requireNameFree(registry, command.name, partner.id);
        return [{ type: 'PartnerRenamed', data: { partnerId: partner.id, name: command.name, previousName: partner.name } }];
      }
    }
  },
};
