// The lifecycle engine's public API: the CLI verbs and the dashboard keys call exactly these. Re-exports only.
export type * from './types.js';
export type {Usage} from '../os/index.js';
export {isAlive, sampleUsage, status, type SampleTarget} from './status.js';
export {start, stop, watchRun} from './actions.js';
export type {RunVerdict, RunWatch} from './run-watch.js';
