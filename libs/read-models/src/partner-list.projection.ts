import { PartnerRegistered } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { Projection } from '@app/projections';
import { dataOf } from './event-data';

export type PartnerDocument = Readonly<{ id: string; name: string; registeredAt: string }>;

export const evolvePartnerDocument = (_doc: PartnerDocument | undefined, event: RecordedEvent): PartnerDocument => {
  const { partnerId, name } = dataOf<PartnerRegistered>(event);
  return { id: partnerId, name, registeredAt: event.recordedAt.toISOString() };
};

const HANDLED = ['PartnerRegistered'];

/** The partner agencies, by id. */
export const partnerList: Projection<PartnerDocument> = {
  name: 'partner-list',
  version: 3,
  table: 'partner_list',
  // Every partner is registered in the one registry stream.
  keyedWithinStream: true,
  eventTypes: HANDLED,
  handles: (event) => HANDLED.includes(event.type),
  keyOf: (event) => dataOf<PartnerRegistered>(event).partnerId,
  evolve: evolvePartnerDocument,
};
