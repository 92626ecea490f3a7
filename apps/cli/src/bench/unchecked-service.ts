/**
 * The service as `npm start` runs it, but appending events without holding them to their schemas:
 * never a way to run it, only the other side of the benchmark of what that check costs.
 */
import { serve } from '../../../api/src/serve';

serve({ eventRules: () => undefined });
