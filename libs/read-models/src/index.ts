import { Projection, historyOf } from '@app/projections';
import { actionList } from './action-list.projection';
import { partnerList } from './partner-list.projection';
import { reviewList } from './review-list.projection';

export * from './action-list.projection';
export * from './action-policy.sql';
export * from './partner-list.projection';
export * from './review-list.projection';
export * from './search.sql';
export * from './event-data';

/** Every version of each read model, each valid between two positions: the read models as they stood at any moment. */
export const partnerHistory = historyOf(partnerList);
export const reviewHistory = historyOf(reviewList);
export const actionHistory = historyOf(actionList);

/** Every read model the service answers from, kept by one runner. */
export const READ_MODELS: readonly Projection[] = [partnerList, reviewList, actionList, partnerHistory, reviewHistory, actionHistory];
