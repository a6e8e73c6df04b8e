// The log engine's public API (docs/logs.md), used by `stigmer server logs` and the dashboard's log pane:
// re-exports only. Reading then following without losing or repeating a line: `readAndFollow` (one
// snapshot: the tail ends exactly where following starts), or `readMergedAt` (or `writeAll`) paired
// with `followFrom`.
export type {LogSelection, Source} from './files.js';
export type {FilterSpec} from './filter.js';
export type {Follower, OnLines} from './follow.js';
export type {LogLine} from './lines.js';
export type {FilePosition, Positions} from './tail.js';
export type {OutputFormat, Sink} from './full/write-all.js';
export {LevelError, LineFilter} from './filter.js';
export {anyLogExists, componentsOnDisk, listSources, notRegularFiles} from './files.js';
export {followFrom, readAndFollow} from './follow.js';
export {clockTime, componentColor, formatLine, toJson} from './format-line.js';
export {MAX_LINE_BYTES} from './lines.js';
export {mergeSources} from './merge.js';
export {isErrorLevel, normalizeLevel, parseLine} from './parse.js';
export {looksStructured, prettyLine, readableLine} from './readable.js';
export {safeText, stripColor} from './sanitize.js';
export {parseSince} from './since.js';
export {writeAll} from './full/write-all.js';
export {writeTail} from './full/write-tail.js';
export {endPositions, readMergedAt, TooFarBack} from './tail.js';
