// The dashboard's status line says what an action's result warns of, and words an engine error's facts as the CLI does.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {EngineWarning, StartResult, StopResult} from '../../source/engine/types.js';
import {EXIT, FactError} from '../../source/errors.js';
import type {ActionOptions} from '../../source/engine/types.js';
import type {Home} from '../../source/paths.js';
import {component, fakeDeps, mountApp} from '../helpers/ui-fakes.js';

/** Wide enough that the whole warning fits the status line, which truncates at the terminal's width. */
const VERY_WIDE = {columns: 300, rows: 40};
const UNREACHABLE: EngineWarning = {kind: 'systemd-unreachable', target: 'stigmer-1a2b.target', user: true, error: 'Failed to connect to bus: No medium found'};
const WARNING = 'warning: stigmer-1a2b.target is exported, but systemctl --user cannot be reached: Failed to connect to bus: No medium found; acting on this home with stigmer\'s own supervisors';

describe('dashboard status line: warnings and worded errors', () => {
	it('a restart and a stop whose results carry a warning show it after the outcome', async (t) => {
		const fake = fakeDeps([component('web', 'running')]);
		const {start, stop} = fake.deps.lifecycle;
		fake.deps.lifecycle.start = async (home: Home, o?: ActionOptions): Promise<StartResult> => ({...(await start(home, o)), warnings: [UNREACHABLE]});
		fake.deps.lifecycle.stop = async (home: Home, o?: ActionOptions): Promise<StopResult> => ({...(await stop(home, o)), warnings: [UNREACHABLE]});
		const app = await mountApp(t, fake, {size: VERY_WIDE, until: '▶ web'});
		await app.press('r');
		await app.shows(`✓ web pid 5000 ready in 42ms; ${WARNING}`, 'the start result, then its warning');
		await app.press('s');
		await app.shows(`■ web stopped in 12ms; ${WARNING}`, 'the stop result, then its warning');
	});

	it('an action without warnings says only its outcome', async (t) => {
		const fake = fakeDeps([component('web', 'running')]);
		const app = await mountApp(t, fake, {size: VERY_WIDE, until: '▶ web'});
		await app.press('r');
		const frame = await app.shows('✓ web pid 5000 ready in 42ms', 'the start result');
		assert.doesNotMatch(frame, /warning:/);
	});

	it('an engine error that carries facts reads as the CLI words it', async (t) => {
		const fake = fakeDeps([component('web', 'running')]);
		const app = await mountApp(t, fake, {size: VERY_WIDE, until: '▶ web'});
		fake.failNext(new FactError({kind: 'lock-held', lock: '/h/data/lock', pid: 4121, waitedMs: 600_000}, EXIT.failure));
		await app.press('s');
		await app.shows('✗ stop web failed: another stigmer (pid 4121) has held /h/data/lock for over 10m; wait for it to finish, or stop it', 'the worded error');
	});
});
