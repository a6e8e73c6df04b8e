// The shared test helpers, one concern a file under test/helpers/; re-exported here so a suite imports them from one place.
// The dashboard's fakes and tmux driver (helpers/ui-fakes.ts, helpers/dash.ts) and the log readers (helpers/log-readers.ts) are imported directly.
export * from './helpers/cli.js';
export * from './helpers/homes.js';
export * from './helpers/log-homes.js';
export * from './helpers/output.js';
export * from './helpers/ports.js';
export * from './helpers/proc.js';
export * from './helpers/redis.js';
export * from './helpers/status.js';
export * from './helpers/wait.js';

/** `list[index]`, or a thrown RangeError where a test's index must be in range: the source's own checked index. */
export {itemAt} from '../source/item-at.js';

/** First executable `name` on PATH, or undefined: the engine's own lookup. */
export {which} from '../source/executable.js';
