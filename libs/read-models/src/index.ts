import { Projection } from '@app/projections';
import { actionList } from './action-list.projection';
import { partnerList } from './partner-list.projection';
import { reviewList } from './review-list.projection';

export * from './action-list.projection';
export * from './partner-list.projection';
export * from './review-list.projection';

/** Every read model the service answers from, kept by one runner. */
export const READ_MODELS: readonly Projection[] = [partnerList, reviewList, actionList];
