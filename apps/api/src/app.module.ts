import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { Pool } from 'pg';
import { EventRules, dayInEngland, requireRecordable } from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { ExportActionsHandler, GetActionHandler, GetActionHistoryHandler, ListActionsHandler } from './actions/action.queries';
import { AssuranceController } from './assurance/assurance.http.controller';
import { AUDIT_CONFIG, AuditCheckpoints } from './audit/audit-checkpoints';
import { LogVerification } from './audit/log-verification';
import { AuditController } from './audit/audit.http.controller';
import { SIGNING_KEY, loadSigningKey } from './audit/signing-key';
import { GetAssuranceHandler } from './assurance/assurance.queries';
import { ActionsController } from './actions/actions.http.controller';
import { AssignActionHandler } from './actions/assign-action.handler';
import { ChangeActionHandler } from './actions/change-action.handler';
import { RaiseActionHandler } from './actions/raise-action.handler';
import { AuthGuard } from './auth/auth.guard';
import { TOKEN_VERIFIER, createTokenVerifier } from './auth/token-verifier';
import { CLOCK, Clock } from './clock/clock';
import { AppConfig } from './config/config';
import { DATABASE_POOL } from './database/database-pool';
import { HealthController } from './health/health.http.controller';
import { Metrics } from './observability/metrics';
import { MetricsController } from './observability/metrics.http.controller';
import { ListPartnersHandler } from './partners/list-partners.handler';
import { PartnerDirectory } from './partners/partner-directory';
import { PartnersController } from './partners/partners.http.controller';
import { ChangePartnersHandler } from './partners/change-partners.handler';
import { CorrectRecommendationHandler, CorrectReviewHandler } from './reviews/correct-review.handler';
import { RecordRecommendationHandler } from './reviews/record-recommendation.handler';
import { RegisterReviewHandler } from './reviews/register-review.handler';
import { ActionTallies } from './reads/action-tallies';
import { ListAuditEventsHandler } from './audit/audit-events.query';
import { AFTER_APPLIED, PROJECTION_THREAD, ReadModelHost } from './reads/read-model-host';
import { ProjectionThreadData } from './reads/projection-thread';
import { ReadPositions, ReadYourWritesInterceptor } from './reads/read-position';
import { ReadScopes } from './reads/read-scope';
import { GetReviewHandler, GetReviewHistoryHandler, ListReviewsHandler } from './reviews/review.queries';
import { ReviewReader } from './reviews/review-reader';
import { ReviewsController } from './reviews/reviews.http.controller';
import { EVENT_RULES, StreamWriter } from './write/stream-writer';
import { openEventStore } from '@app/infrastructure';
import { WEB_CONTROLLERS } from './web/web.controllers';
import { ChangesController } from './changes/changes.http.controller';
import { GetChangesHandler } from './changes/changes.queries';
import { ActionsFile } from './actions/actions.file';
import { AssuranceFile } from './assurance/assurance.file';
import { ChangesFile } from './changes/changes.file';
import { YearlyReportFile } from './reports/yearly-report.file';
import { ReviewsFile } from './reviews/reviews.file';
import { ReportsController } from './reports/reports.http.controller';
import { GetYearlyReportHandler } from './reports/yearly-report.queries';
import { GetTrendsHandler } from './reports/trends.queries';
import { ImportsController } from './imports/imports.http.controller';
import { ImportPlanHandler } from './imports/import-plan.handler';
import { ImportUploads } from './imports/import-uploads';
import { WEB_CONFIG, WebSessions } from './auth/web-session';
import { DemoPartnership } from './demo/demo-partnership';
import { ReviewReferences } from './reviews/review-references';
import { OidcSignIn } from './web/oidc-sign-in';
import { MAIL_CONFIG, Notifications } from './notifications/notifications';
import { ListNotificationsHandler, NotificationsController } from './notifications/notifications.http.controller';
import { ListQuarantineHandler, QuarantineController } from './quarantine/quarantine.http.controller';

export type AppDependencies = Readonly<{
  config: AppConfig;
  pool: Pool;
  metrics: Metrics;
  clock?: Clock;
  /** What each event is held to before it is appended; only the benchmark of that check's cost passes another. */
  eventRules?: EventRules;
}>;

const HANDLERS = [
  ChangePartnersHandler,
  ListPartnersHandler,
  RegisterReviewHandler,
  RecordRecommendationHandler,
  CorrectReviewHandler,
  CorrectRecommendationHandler,
  RaiseActionHandler,
  AssignActionHandler,
  ChangeActionHandler,
  GetActionHandler,
  ListActionsHandler,
  GetActionHistoryHandler,
  ListReviewsHandler,
  GetReviewHandler,
  GetReviewHistoryHandler,
  ListAuditEventsHandler,
  GetAssuranceHandler,
  GetChangesHandler,
  ExportActionsHandler,
  GetYearlyReportHandler,
  GetTrendsHandler,
  ImportPlanHandler,
  ListNotificationsHandler,
  ListQuarantineHandler,
];

/** Where the projection thread finds the database and the events: where this process does. */
function projectionThreadData(config: AppConfig, pool: Pool): ProjectionThreadData {
  const databaseUrl = pool.options.connectionString;
  if (!databaseUrl) throw new Error('The database pool must be made from a connection string: the projection thread opens its own.');
  const { eventStore, eventStoreDbUrl, eventStoreDbLogStream } = config;
  return { databaseUrl, eventStore: { eventStore, eventStoreDbUrl, eventStoreDbLogStream } };
}

/** The composition root: the only place that chooses the event store and the identity provider. */
@Module({})
export class AppModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Lets appends already queued commit before the pool closes. */
  onApplicationShutdown(): Promise<void> {
    return this.store.close();
  }

  static register({ config, pool, metrics, clock = () => new Date(), eventRules = requireRecordable }: AppDependencies): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot()],
      controllers: [
        PartnersController,
        ReviewsController,
        ActionsController,
        AssuranceController,
        ChangesController,
        ReportsController,
        ImportsController,
        NotificationsController,
        QuarantineController,
        AuditController,
        HealthController,
        MetricsController,
        ...WEB_CONTROLLERS,
      ],
      providers: [
        { provide: DATABASE_POOL, useValue: pool },
        { provide: Metrics, useValue: metrics },
        { provide: CLOCK, useValue: clock },
        { provide: EVENT_RULES, useValue: eventRules },
        {
          provide: EVENT_STORE,
          useFactory: () => openEventStore(config, pool, (appends, events) => metrics.observeCommit(appends, events)),
        },
        { provide: TOKEN_VERIFIER, useValue: createTokenVerifier(config.auth) },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: ReadYourWritesInterceptor },
        ReadPositions,
        ReadScopes,
        { provide: ActionTallies, useFactory: () => new ActionTallies(pool, BigInt(config.actionTallyEvery), () => dayInEngland(clock())) },
        { provide: PROJECTION_THREAD, useValue: projectionThreadData(config, pool) },
        ReadModelHost,
        { provide: SIGNING_KEY, useFactory: () => loadSigningKey(config) },
        { provide: AUDIT_CONFIG, useValue: config.audit },
        { provide: WEB_CONFIG, useValue: config.web },
        { provide: MAIL_CONFIG, useValue: config.mail },
        Notifications,
        WebSessions,
        DemoPartnership,
        OidcSignIn,
        AuditCheckpoints,
        { provide: AFTER_APPLIED, useExisting: AuditCheckpoints },
        LogVerification,
        StreamWriter,
        PartnerDirectory,
        ReviewReader,
        ReviewReferences,
        ActionsFile,
        ReviewsFile,
        AssuranceFile,
        ChangesFile,
        YearlyReportFile,
        ImportUploads,
        ...HANDLERS,
      ],
    };
  }
}
