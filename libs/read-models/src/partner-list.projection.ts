import { PartnerMailboxSet, PartnerRegistered, PartnerRegistryEvent, PartnerRenamed } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { Projection } from '@app/projections';
import { dataOf, keyField } from './event-data';

export type PartnerDocument = Readonly<{ id: string; name: string; registeredAt: string; mailbox?: string }>;

export const evolvePartnerDocument = (doc: PartnerDocument | undefined, event: RecordedEvent): PartnerDocument | undefined => {
  switch (event.type as PartnerRegistryEvent['type']) {
    case 'PartnerRegistered': {
      const { partnerId, name } = dataOf<PartnerRegistered>(event);
      return { id: partnerId, name, registeredAt: event.recordedAt.toISOString() };
    }
    case 'PartnerMailboxSet':
      return doc && { ...doc, mailbox: dataOf<PartnerMailboxSet>(event).email };
    case 'PartnerRenamed':
      return doc && { ...doc, name: dataOf<PartnerRenamed>(event).name };
  }
};

const HANDLED: readonly PartnerRegistryEvent['type'][] = ['PartnerRegistered', 'PartnerMailboxSet', 'PartnerRenamed'];

/** The partner agencies, by id, with where their notifications go. */
export const partnerList: Projection<PartnerDocument> = {
  name: 'partner-list',
  version: 6,
  table: 'partner_list',
  // Every partner is registered in the one registry stream.
  keyedWithinStream: true,
  eventTypes: HANDLED,
  handles: (event) => (HANDLED as readonly string[]).includes(event.type),
  keyOf: (event) => keyField(event, 'partnerId'),
  evolve: evolvePartnerDocument,
};
