import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import { Public } from '../auth/roles.decorator';
import { DATABASE_POOL } from '../database/database';

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(@Inject(DATABASE_POOL) private readonly pool: Pool) {}

  @Get()
  @ApiOperation({ summary: 'The process is up' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'The database answers: ready to serve' })
  async ready() {
    try {
      await this.pool.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException('The database cannot be reached.');
    }
    return { status: 'ready', checks: { database: 'up' } };
  }
}
