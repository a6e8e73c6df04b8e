// The actions (start, stop, and the watch over a run) as the CLI verbs and the dashboard keys call them: lifecycle.ts (spawning, locking) loads only when one is called, so `status` stays fast.
// A home exported to systemd is started and stopped through systemctl instead (docs/engines.md): one stack whoever runs it.
import fs from 'node:fs';
import {loadConfig, selectComponents} from '../config/index.js';
import {FactError} from '../errors.js';
import type {Home} from '../paths.js';
import {manifestPath} from './export/manifest.js';
import type {RunWatch} from './run-watch.js';
import {withWarnings, type ActionOptions, type StartResult, type StopResult} from './types.js';

/** docs/lifecycle.md#start: lock, validate, rotate, clean up orphans, stop, start in dependency order, wait ready. */
export async function start(home: Home, options: ActionOptions = {}): Promise<StartResult> {
	const {engine, warnings} = await handedOver(home, options);
	if (engine !== undefined) {
		return engine.handover.startThrough(engine.to, home, engine.selected, engine.whole, options.onEvent ?? (() => undefined));
	}

	const lifecycle = await import('./lifecycle.js');
	return withWarnings(await lifecycle.start(home, options), warnings);
}

/** docs/lifecycle.md#stop: lock, then stop in reverse dependency order: signal, wait, SIGKILL, verify. */
export async function stop(home: Home, options: ActionOptions = {}): Promise<StopResult> {
	const {engine, warnings} = await handedOver(home, options);
	if (engine !== undefined) {
		return engine.handover.stopThrough(engine.to, engine.selected, engine.whole, options.onEvent ?? (() => undefined));
	}

	const lifecycle = await import('./lifecycle.js');
	return withWarnings(await lifecycle.stop(home, options), warnings);
}

/** docs/engines.md, "server run": a watch over the supervisors a run just started (loaded lazily with the lock, as above). */
export async function watchRun(home: Home, names: string[]): Promise<RunWatch> {
	const watch = await import('./run-watch.js');
	return watch.watchRun(home, names);
}

/** The verb `server run` gives its start (commands/run.ts). */
const RUN_VERB = 'server run';

/** The systemd handover of this home, when one is recorded (data/export-systemd.json) and systemd has its target loaded; with what the check found to warn of. */
async function handedOver(home: Home, options: ActionOptions) {
	if (!fs.existsSync(manifestPath(home, 'systemd'))) {
		return {engine: undefined, warnings: []};
	}

	const config = loadConfig(home);
	const handover = await import('./systemd/handover.js');
	const {handover: to, warnings} = await handover.handoverOf(home, config);
	if (to !== undefined && options.verb === RUN_VERB) {
		// A foreground stack beside systemd's would be a second copy of every component; systemd already supervises it.
		throw new FactError({kind: 'run-beside-systemd', target: to.target});
	}

	const whole = options.components === undefined || options.components.length === 0;
	return {engine: to === undefined ? undefined : {handover, to, selected: selectComponents(config, options.components), whole}, warnings};
}
