import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { FileFormat, FileFormatField } from '../files/table-file';
import { CalendarDate, Instant } from './fields';

/** Query parameters every read accepts. */
export class ReadRequest {
  @ApiPropertyOptional({
    description: "A write answer's position: answer only once the read models include that write (waits up to 5 s, else 503)",
  })
  @IsOptional()
  @IsString()
  position?: string;
}

/** Query parameters of the reads that can answer as of a past instant, or as at a past day. */
export class AsOfRequest extends ReadRequest {
  @Instant({ optional: true, description: 'Answer with what had been recorded up to this instant, even if later events changed it' })
  asOf?: string;

  @CalendarDate({
    optional: true,
    description:
      'Answer with what had happened by the end of this day in England, each event counted on the day it happened (imported history on its own dates); not with asOf',
  })
  asAt?: string;
}

/** Query parameters of the reads that answer as of a past instant or day, and as a file when asked. */
export class AsOfFileRequest extends AsOfRequest {
  @FileFormatField()
  format?: FileFormat;
}
