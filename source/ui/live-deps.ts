// The dashboard's live edges: the lifecycle engine, the log engine and a chokidar watch
// on the files that hold the facts (data/*.pid, data/*.state, config.yaml). Only the interactive
// `stigmer dash` loads this.
import fs from 'node:fs';
import path from 'node:path';
import {watch} from 'chokidar';
import {configFallback, loadConfig} from '../config/index.js';
import * as engine from '../engine/index.js';
import {readAndFollow, type LogLine} from '../logs/index.js';
import type {Home} from '../paths.js';
import {ensurePrivateDir} from '../private-file.js';
import type {Closer, DashDeps, FactsWatch, IncomingLine, LogFeed} from './types.js';

/** Lines read back from disk when the dashboard opens: a few screens, and the panels' last errors. */
export const BACKLOG_LINES = 500;

// The log engine's LogLine is an IncomingLine as it stands (the buffer copies only what it keeps),
// so bursts of lines are handed over without a copy each.
const asIncoming = (lines: LogLine[]): IncomingLine[] => lines;

/** Tail then follow every stream of `components`, without losing or repeating a line in between. */
export function logFeed(home: Home): LogFeed {
	return {
		follow(components, onLines, onError) {
			let closed = false;
			let follower: Closer | undefined;
			readAndFollow(home, {components}, {tail: BACKLOG_LINES}, (batch) => {
				onLines(asIncoming(batch));
			}).then(
				(result) => {
					follower = result;
					if (closed) {
						void result.close();
						return;
					}

					onLines(asIncoming(result.lines));
				},
				(error: unknown) => {
					onError(error instanceof Error ? error : new Error(String(error)));
				},
			);
			return {
				async close() {
					closed = true;
					await follower?.close();
				},
			};
		},
	};
}

/** How often config.yaml's identity (inode, size, mtime) is read besides the watch: a stat, about 10 µs. */
const CONFIG_STAT_MS = 1000;

/** config.yaml's inode, size and mtime as one string ('' when absent): a change of any is a change of the file. */
function configStamp(file: string): string {
	const stat = fs.statSync(file, {throwIfNoEntry: false});
	return stat === undefined ? '' : `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

/** What a PID file (a start, a stop, a death noticed by a supervisor) and a supervisor's record (an exit, a backoff, a give-up) are called under data/. */
const FACT_EXTENSIONS = new Set(['.pid', '.state']);

/**
 * chokidar on data/*.pid, data/*.state and config.yaml: each change of a fact there (a start, an exit,
 * a give-up, a component added to the config) wakes a status poll at once. Nothing else under data/
 * is watched: watching logs/ too would make chokidar re-read that directory on every appended line.
 */
export function factsWatch(home: Home): FactsWatch {
	return (onChange) => {
		const {root, data, config} = home;
		ensurePrivateDir(data);
		// The home itself is watched (depth 1), not config.yaml's path: a file that does not exist yet is not watched.
		const fact = (file: string) => file === root || file === data || file === config || (path.dirname(file) === data && FACT_EXTENSIONS.has(path.extname(file)));
		const watcher = watch(root, {ignoreInitial: true, depth: 1, ignored: (file) => !fact(file)});
		watcher.on('all', () => {
			onChange();
		});
		watcher.on('error', () => {
			// The liveness check and the periodic poll still run; a failed watcher only costs latency.
		});
		// config.yaml replaced by a rename (editors, `writeFile` through a temp file) can slip past the watch: one stat a
		// second catches it, so a component added to the config shows within the 5 s docs/dashboard.md promises.
		let seen = configStamp(config);
		const timer = setInterval(() => {
			const now = configStamp(config);
			if (now !== seen) {
				seen = now;
				onChange();
			}
		}, CONFIG_STAT_MS);
		return {
			close: async () => {
				clearInterval(timer);
				await watcher.close();
			},
		};
	};
}

/** Everything `stigmer dash` needs for `home`; throws ConfigError on a bad config.yaml. */
export function liveDeps(home: Home): DashDeps {
	const config = loadConfig(home);
	const components = config.components.map((c) => ({name: c.name, enabled: c.enabled, disabledReason: c.disabledReason}));
	return {
		home,
		components,
		lifecycle: {status: engine.status, start: engine.start, stop: engine.stop},
		logs: logFeed(home),
		watchFacts: factsWatch(home),
		isAlive: engine.isAlive,
		sample: engine.sampleUsage,
		configWarning: () => configFallback(home),
	};
}
