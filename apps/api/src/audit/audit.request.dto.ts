import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Instant, Text } from '../http/fields';
import { ReadRequest } from '../http/read-request';

export class AuditEventsRequest extends ReadRequest {
  @Instant({ optional: true, description: 'Only events recorded at or after this instant' })
  from?: string;

  @Instant({ optional: true, description: 'Only events recorded at or before this instant' })
  to?: string;

  @Text(200, { optional: true, description: "Only events recorded by this user (the token's sub)" })
  actor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(1000)
  limit?: number;

  @Text(100, { optional: true, description: 'The nextCursor of the previous page' })
  cursor?: string;
}
