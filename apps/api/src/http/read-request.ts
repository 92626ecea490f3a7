import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/** Query parameters every read accepts. */
export class ReadRequest {
  @ApiPropertyOptional({ description: "A write answer's position: answer only once the read models include that write (waits up to 5 s, else 503)" })
  @IsOptional()
  @IsString()
  position?: string;
}
