import { Instant, Text, WholeNumber } from '../http/fields';
import { ReadRequest } from '../http/read-request';

export class AuditEventsRequest extends ReadRequest {
  @Instant({ optional: true, description: 'Only events recorded at or after this instant' })
  from?: string;

  @Instant({ optional: true, description: 'Only events recorded at or before this instant' })
  to?: string;

  @Text(200, { optional: true, description: "Only events recorded by this user (the token's sub)" })
  actor?: string;

  @Text(200, { optional: true, description: 'Only the events of this stream, such as action-<id>, review-<id> or partners' })
  stream?: string;

  @WholeNumber(1, 1000, { default: 100 })
  limit?: number;

  @Text(100, { optional: true, description: 'The nextCursor of the previous page' })
  cursor?: string;
}
