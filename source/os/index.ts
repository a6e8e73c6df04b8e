// The process table for this platform, chosen once; the rest of stigmer never asks which OS it runs on. Re-exports only.
export type * from './types.js';
export {signalPid} from './signal.js';
export {processTable, processTableFor, signalGroup} from './table.js';
