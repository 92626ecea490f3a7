import { Type } from 'class-transformer';
import { IsISO8601, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Text } from '../http/fields';
import { ReadRequest } from '../http/read-request';

const Timestamp = (description: string) => (target: object, property: string) => {
  ApiPropertyOptional({ format: 'date-time', description })(target, property);
  IsOptional()(target, property);
  IsISO8601({ strict: true, strictSeparator: true }, { message: 'must be a timestamp with its zone, e.g. 2026-11-28T09:00:00Z' })(target, property);
};

export class AuditEventsRequest extends ReadRequest {
  @Timestamp('Only events recorded at or after this instant')
  from?: string;

  @Timestamp('Only events recorded at or before this instant')
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
