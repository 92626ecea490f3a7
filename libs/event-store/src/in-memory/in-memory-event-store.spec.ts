import { InMemoryEventStore } from './in-memory-event-store';
import { describeEventStoreContract } from '../testing/event-store.contract';

describeEventStoreContract('in-memory', async () => ({ store: new InMemoryEventStore(), dispose: async () => undefined }));
