import { Decider } from '../shared/decider';
import { StateConflict } from '../shared/errors';
import { PartnerRegistryEvent } from './partner-registry.events';
import { PartnerRegistry, emptyPartnerRegistry, evolvePartnerRegistry } from './partner-registry.state';

export const PARTNER_REGISTRY_STREAM = 'partners';

export type RegisterPartner = Readonly<{ type: 'RegisterPartner'; partnerId: string; name: string }>;

export type PartnerRegistryCommand = RegisterPartner;

export const partnerRegistryDecider: Decider<PartnerRegistry, PartnerRegistryCommand, PartnerRegistryEvent> = {
  initialState: emptyPartnerRegistry,
  evolve: evolvePartnerRegistry,
  decide(command, registry) {
    if (registry.has(command.partnerId)) {
      throw new StateConflict('partner-exists', `Partner '${command.partnerId}' is already registered.`);
    }
    return [{ type: 'PartnerRegistered', data: { partnerId: command.partnerId, name: command.name } }];
  },
};
