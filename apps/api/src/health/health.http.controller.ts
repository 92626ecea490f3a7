import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { ProjectionLag, projectionLag, quarantinedCount } from '@app/projections';
import { READ_MODELS } from '@app/read-models';
import { Public } from '../auth/roles.decorator';
import { DATABASE_POOL } from '../database/database-pool';
import { Problems } from '../http/routes';
import { Notifications } from '../notifications/notifications';

/** Read models further behind the head than this make the instance not ready. */
export const READY_LAG_MS = 5000;

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly notifications: Notifications,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The process is up', security: [] })
  @Problems([400])
  @ApiResponse({ status: 200, schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] } })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    security: [],
    summary:
      'The database answers and the read models are within 5 s of the head: ready to serve. It also says how many events readers set aside as unreadable (`quarantined`), whether mail is sent, and what waits; a mail server that is down does not make the service unready.',
  })
  @ApiResponse({
    status: 200,
    schema: {
      type: 'object',
      required: ['status', 'quarantined', 'checks'],
      properties: {
        status: { type: 'string', enum: ['ready'] },
        quarantined: { type: 'integer', description: 'Events readers set aside as unreadable' },
        checks: {
          type: 'object',
          properties: {
            database: { type: 'string', enum: ['up'] },
            projections: {
              type: 'object',
              additionalProperties: { type: 'object', properties: { lagEvents: { type: 'integer' }, lagMs: { type: 'number' } } },
            },
            mail: { type: 'object', description: 'Whether mail is sent, and what waits' },
          },
        },
      },
    },
  })
  @Problems([400, 503])
  async ready() {
    let lags: ProjectionLag[];
    try {
      lags = await projectionLag(this.pool, this.store, READ_MODELS);
    } catch {
      throw new ServiceUnavailableException('The database cannot be reached.');
    }
    const behind = lags.filter((lag) => lag.milliseconds > READY_LAG_MS);
    if (behind.length > 0) {
      const names = behind.map((lag) => `${lag.name} (${lag.events} events, ${Math.round(lag.milliseconds / 1000)} s)`);
      throw new ServiceUnavailableException(`Read models more than 5 s behind: ${names.join(', ')}.`);
    }
    const projections = Object.fromEntries(lags.map((lag) => [lag.name, { lagEvents: Number(lag.events), lagMs: lag.milliseconds }]));
    return {
      status: 'ready',
      quarantined: await quarantinedCount(this.pool),
      checks: { database: 'up', projections, mail: await this.notifications.health({ audience: 'anyone' }) },
    };
  }
}
