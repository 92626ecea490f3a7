import { Inject, Injectable } from '@nestjs/common';
import { PARTNER_REGISTRY_STREAM, Partner, PartnerRegistryEvent, fold, partnerRegistryDecider } from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { readableEvents } from '@app/read-models';

/** The registered partner agencies, folded from the registry stream (a few dozen events at most). */
@Injectable()
export class PartnerDirectory {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async all(): Promise<Partner[]> {
    const { events } = await this.store.readStream(PARTNER_REGISTRY_STREAM);
    return [...fold(partnerRegistryDecider, readableEvents<PartnerRegistryEvent>(events)).values()];
  }

  /** Each agency's name by its id. */
  async names(): Promise<Readonly<Record<string, string>>> {
    return Object.fromEntries((await this.all()).map((partner) => [partner.id, partner.name]));
  }

  async find(partnerId: string): Promise<Partner | undefined> {
    return (await this.all()).find((partner) => partner.id === partnerId);
  }
}
