// The home as one resolved object and a trust boundary (docs/lifecycle.md#the-home, docs/lifecycle.md#alive-and-ours, issue 9).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {homeProcesses, isAlive, parseStarted, runCli, show, waitFor} from '../helpers.js';

const TEST_TIMEOUT_MS = 90_000;
/** The default stack's server port: a config-less first start can only use it. */
const DEFAULT_SERVER_PORT = 7234;

async function portFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

test('a home reached through a symlink whose target does not exist yet is one home from its very first start', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	if (!(await portFree(DEFAULT_SERVER_PORT))) {
		t.skip(`port ${DEFAULT_SERVER_PORT} is in use here: a config-less first start needs it`);
		return;
	}

	const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-link-')));
	const target = path.join(base, 'real-home');
	const link = path.join(base, 'link');
	fs.symlinkSync(target, link); // Dangling until the first start creates the home.
	t.after(async () => {
		await runCli(link, ['server', 'stop'], {timeoutMs: 30_000}).catch(() => undefined);
		for (const p of [...homeProcesses(link), ...homeProcesses(target)]) {
			try {
				process.kill(p.pid, 'SIGKILL');
			} catch {}
		}

		fs.rmSync(base, {recursive: true, force: true});
	});

	const started = await runCli(link, ['server', 'start']);
	assert.equal(started.code, 0, show(started));
	const pids = [...parseStarted(started.stdout).values()].map((s) => s.pid);
	assert.ok(pids.length >= 3, show(started));
	assert.deepEqual(homeProcesses(link), [], 'no process is marked with the unresolved path');
	assert.deepEqual(homeProcesses(target).filter((p) => !p.supervisor).map((p) => p.pid).sort(), [...pids].sort(), 'every component is marked with the resolved home');
	assert.equal(homeProcesses(target).filter((p) => p.supervisor).length, pids.length, 'and so is each one\'s supervisor');

	const status = await runCli(link, ['server', 'status', '--json']);
	assert.equal(status.code, 0, show(status));
	const report = JSON.parse(status.stdout) as {home: string; components: Array<{name: string; state: string}>};
	assert.equal(report.home, target);
	assert.ok(report.components.filter((c) => c.state !== 'disabled').every((c) => c.state === 'running'), show(status));

	const stopped = await runCli(link, ['server', 'stop']);
	assert.equal(stopped.code, 0, show(stopped));
	await waitFor(() => pids.every((pid) => !isAlive(pid)), 'the first stack to be gone after stop');
});
