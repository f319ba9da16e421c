import { setLogSink } from './sdk/util/logger';

// Keep test output readable; tests read logHistory() when they assert on logging.
setLogSink(null);
