import { setLogSink } from '../packages/client/src/util/logger';

// Keep test output readable; tests read logHistory() when they assert on logging.
setLogSink(null);
