// The supervisor and the engine never overwrite each other's record, and nothing planted in data/ stalls a supervisor
// or turns a start that cannot happen into a restart loop (docs/supervision.md).
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {isAlive, makeHome, readPidFile, show, spawnCli, statusJson, waitFor, type TestHome} from '../helpers.js';

const TEST_TIMEOUT_MS = 90_000;
/** How long a supervisor may take to handle an exit before it counts as stalled (it takes milliseconds). */
const STALL_MS = 10_000;

function supervisorOf(home: TestHome, name: string): number {
	return Number(readPidFile(home.pidFile(name))?.['supervisorPid']);
}

function componentOf(home: TestHome, name: string): number {
	return Number(readPidFile(home.pidFile(name))?.['pid']);
}

function record(home: TestHome, name: string): Record<string, unknown> | undefined {
	try {
		return JSON.parse(fs.readFileSync(path.join(home.dataDir, `${name}.state`), 'utf8')) as Record<string, unknown>;
	} catch {
		return undefined;
	}
}

function errText(home: TestHome, name: string): string {
	try {
		return fs.readFileSync(home.logFile(name, 'stderr'), 'utf8');
	} catch {
		return '';
	}
}

/** Ends the group of a supervisor this test started, should it still be alive (a stalled one would be). */
function endGroup(supervisor: number): void {
	try {
		process.kill(-supervisor, 'SIGKILL');
	} catch {
		// Gone already.
	}
}

test('a stop is marked in data/<c>.stopping, never in the record the supervisor writes; start removes the mark', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {
		builtins: false,
		components: {
			base: {command: ['sleep', '300'], ready: {after: '100ms'}, restart_delay: '100ms'},
			// Ignores SIGTERM: base's stop waits stop_timeout for it, marked but not yet signalled.
			top: {command: ['sh', '-c', 'trap "" TERM; exec sleep 300'], ready: {after: '100ms'}, stop_timeout: '2s', depends_on: ['base']},
		},
	});
	await home.start();
	const supervisor = supervisorOf(home, 'base');
	const before = fs.readFileSync(path.join(home.dataDir, 'base.state'), 'utf8');
	const mark = path.join(home.dataDir, 'base.stopping');
	const stop = spawnCli(home.dir, ['server', 'stop']);
	const stopped = new Promise<number | null>((resolve) => {
		stop.once('exit', resolve);
	});
	await waitFor(() => fs.existsSync(mark) || undefined, 'base.stopping to be made', STALL_MS);
	assert.ok(isAlive(supervisor), 'marked before any signal');
	assert.equal(fs.readFileSync(path.join(home.dataDir, 'base.state'), 'utf8'), before, 'the engine leaves the record alone while its supervisor lives');
	assert.equal(await stopped, 0);
	assert.deepEqual([record(home, 'base')?.['state'], record(home, 'base')?.['reason']], ['stopped', null]);
	assert.doesNotMatch(errText(home, 'base'), /supervisor received|restarting/);

	await home.start();
	assert.equal(fs.existsSync(mark), false, 'start removes the mark');
	process.kill(componentOf(home, 'base'), 'SIGKILL');
	const restarted = await waitFor(async () => {
		const c = (await statusJson(home)).byName.get('base')!;
		return c.restarts >= 1 && c.state === 'running' ? c : undefined;
	}, 'base to be restarted', STALL_MS);
	assert.equal(restarted.lastExit?.signal, 'SIGKILL');
	await home.cli(['server', 'stop']);
});

test('a symlink planted where the stop mark belongs is replaced, never written through', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {linked: {command: ['sleep', '300'], ready: {after: '100ms'}}}});
	await home.start();
	const target = path.join(home.dir, 'target.txt');
	fs.writeFileSync(target, 'keep\n');
	fs.symlinkSync(target, path.join(home.dataDir, 'linked.stopping'));
	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assert.equal(fs.readFileSync(target, 'utf8'), 'keep\n');
	assert.ok(fs.lstatSync(path.join(home.dataDir, 'linked.stopping')).isFile());
	assert.doesNotMatch(errText(home, 'linked'), /supervisor received/);
});

test('a restart whose command is no longer executable (exit 126) leaves the component failed, not a restart loop', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false});
	const script = path.join(home.dir, 'run.sh');
	fs.writeFileSync(script, '#!/bin/sh\nexec sleep 300\n', {mode: 0o755});
	home.writeConfig({builtins: false, components: {noexec: {command: [script], ready: {after: '100ms'}, restart_delay: '100ms'}}});
	await home.start();
	fs.chmodSync(script, 0o644);
	process.kill(componentOf(home, 'noexec'), 'SIGKILL');
	const failed = await waitFor(async () => {
		const s = await statusJson(home);
		return s.byName.get('noexec')!.state === 'failed' ? s : undefined;
	}, 'noexec to fail', 15_000);
	const c = failed.byName.get('noexec')!;
	assert.deepEqual([c.reason, c.restarts, c.lastExit?.signal], ['restart failed: its command cannot be run', 1, 'SIGKILL'], show(failed.result));
	assert.match(errText(home, 'noexec'), /cannot run .*run\.sh: not an executable file/);
	assert.match(errText(home, 'noexec'), /noexec could not be started: its command cannot be run; not restarted/);
	assert.deepEqual(home.processes(), {});
});

test('a FIFO planted as the PID file never stalls the supervisor when its component exits 127', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {fifo: {command: ['sh', '-c', 'trap "exit 127" USR2; sleep 300 & wait'], ready: {after: '100ms'}, restart_delay: '100ms'}}});
	await home.start();
	const supervisor = supervisorOf(home, 'fifo');
	const component = componentOf(home, 'fifo');
	try {
		fs.rmSync(home.pidFile('fifo'));
		execFileSync('mkfifo', ['-m', '600', home.pidFile('fifo')]);
		process.kill(component, 'SIGUSR2');
		await waitFor(() => !isAlive(supervisor) || undefined, 'the supervisor to handle the exit and end', STALL_MS);
		assert.equal(record(home, 'fifo')?.['state'], 'failed');
	} finally {
		if (isAlive(supervisor)) {
			endGroup(supervisor); // Stalled on the FIFO.
		}

		fs.rmSync(home.pidFile('fifo'), {force: true});
	}
});

test('a FIFO planted as the supervisor\'s job-table file never stalls it: the exit is recorded and the component restarted', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {jobs: {command: ['sleep', '300'], ready: {after: '100ms'}, restart_delay: '100ms'}}});
	await home.start();
	const supervisor = supervisorOf(home, 'jobs');
	const first = componentOf(home, 'jobs');
	const planted = path.join(home.dataDir, `.jobs.jobs.${supervisor}.tmp`);
	try {
		execFileSync('mkfifo', ['-m', '600', planted]);
		process.kill(first, 'SIGKILL');
		await waitFor(() => {
			const again = componentOf(home, 'jobs');
			return again > 0 && again !== first && isAlive(again) ? again : undefined;
		}, 'jobs to be restarted', STALL_MS);
		const exit = record(home, 'jobs')?.['lastExit'] as {code: number | null; signal: string | null};
		assert.equal(exit.signal, 'SIGKILL', JSON.stringify(exit));
	} finally {
		if (componentOf(home, 'jobs') === first && isAlive(supervisor)) {
			endGroup(supervisor); // Stalled on the FIFO.
		}

		fs.rmSync(planted, {force: true});
		await home.cli(['server', 'stop']);
	}
});
