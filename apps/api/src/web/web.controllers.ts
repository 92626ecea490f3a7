import { AdminPagesController } from './admin.pages.controller';
import { AuditTrailController } from './audit-trail.pages.controller';
import { BoardPackController } from './board-pack.pages.controller';
import { ChangesPagesController } from './changes.pages.controller';
import { DashboardController } from './dashboard.pages.controller';
import { DownloadsController } from './downloads.pages.controller';
import { ImportPagesController } from './imports.pages.controller';
import { ReportsPagesController } from './reports.pages.controller';
import { ReviewsController } from './reviews.pages.controller';
import { SignInController } from './sign-in.pages.controller';
import { TrackerController } from './tracker.pages.controller';

/** The server-rendered pages. */
export const WEB_CONTROLLERS = [
  SignInController,
  DashboardController,
  ChangesPagesController,
  ReportsPagesController,
  BoardPackController,
  TrackerController,
  ReviewsController,
  AuditTrailController,
  DownloadsController,
  ImportPagesController,
  AdminPagesController,
];
