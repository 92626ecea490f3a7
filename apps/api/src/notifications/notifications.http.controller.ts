import { Controller, Get, Query } from '@nestjs/common';
import { IQueryHandler, QueryBus, QueryHandler, Query as CqrsQuery } from '@nestjs/cqrs';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { NOTIFICATION_RULES, NotificationRule } from '@app/domain';
import { OneOf, Uuid, WholeNumber } from '../http/fields';
import { ReadRequest } from '../http/read-request';
import { ReadRoute } from '../http/routes';
import { Notifications } from './notifications';
import { NOTIFICATION_STATUSES, NotificationStatus, OutboxMail } from './outbox';

export class ListNotificationsRequest extends ReadRequest {
  @OneOf(NOTIFICATION_STATUSES, { optional: true, description: 'Only mail in this state' })
  status?: NotificationStatus;

  @Uuid({ optional: true, description: 'Only mail about this action' })
  action?: string;

  @WholeNumber(1, 500, { default: 100 })
  limit?: number;
}

class NotificationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: Object.keys(NOTIFICATION_RULES) }) rule!: NotificationRule;
  @ApiPropertyOptional({ format: 'uuid' }) actionId?: string;
  @ApiPropertyOptional({ description: 'The partner agency the mail is about' }) partnerId?: string;
  @ApiPropertyOptional({ format: 'date', description: 'The due date the mail is about' }) dueDate?: string;
  @ApiPropertyOptional({ description: 'Where it goes; absent while the owning partner has no mailbox' }) to?: string;
  @ApiProperty({ enum: NOTIFICATION_STATUSES }) status!: NotificationStatus;
  @ApiProperty({ description: 'Tries to hand it to the mail server so far' }) attempts!: number;
  @ApiPropertyOptional({ description: "The mail server's last answer when it did not take the mail" }) lastError?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) sentAt?: string;
}

class NotificationsDto {
  @ApiProperty({ type: [NotificationDto] }) items!: NotificationDto[];
}

export type NotificationView = Omit<OutboxMail, 'facts'>;

export class ListNotificationsQuery extends CqrsQuery<{ items: NotificationView[] }> {
  constructor(readonly request: Readonly<{ status?: NotificationStatus; actionId?: string; limit?: number }>) {
    super();
  }
}

@QueryHandler(ListNotificationsQuery)
export class ListNotificationsHandler implements IQueryHandler<ListNotificationsQuery> {
  constructor(private readonly notifications: Notifications) {}

  /** The outbox, newest first: what each mail was about is here; what it said is not kept. */
  async execute({ request }: ListNotificationsQuery): Promise<{ items: NotificationView[] }> {
    const mail = await this.notifications.list({ ...request, limit: request.limit ?? 100 });
    return { items: mail.map(({ facts: _facts, ...item }) => item) };
  }
}

@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ReadRoute({
    summary: 'The mail outbox, newest first: what is sent, waiting, failed or cancelled',
    permission: 'readNotifications',
    type: NotificationsDto,
    notFound: false,
  })
  list(@Query() request: ListNotificationsRequest): Promise<{ items: NotificationView[] }> {
    return this.queries.execute(new ListNotificationsQuery({ status: request.status, actionId: request.action, limit: request.limit }));
  }
}
