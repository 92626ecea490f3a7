import { AuditTrailController } from './audit-trail.controller';
import { DashboardController } from './dashboard.controller';
import { ReviewsController } from './reviews.controller';
import { SignInController } from './sign-in.controller';
import { TrackerController } from './tracker.controller';

/** The server-rendered pages. */
export const WEB_CONTROLLERS = [SignInController, DashboardController, TrackerController, ReviewsController, AuditTrailController];
