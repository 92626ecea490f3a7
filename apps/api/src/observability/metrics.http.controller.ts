import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Problems } from '../http/routes';
import { rolesFor } from '@app/domain';
import { Roles } from '../auth/roles.decorator';
import { Metrics } from './metrics';

@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Roles(...rolesFor('readMetrics'))
  @ApiBearerAuth()
  @ApiResponse({ status: 200, content: { 'text/plain': { schema: { type: 'string', description: 'Prometheus text format 0.0.4' } } } })
  @Problems([401, 403])
  @ApiOperation({
    summary: 'Prometheus metrics: requests, latency, appends, group-commit sizes, process',
    description: `Roles: ${rolesFor('readMetrics').join(', ')}.`,
  })
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
