// Log rotation at start (engine/rotate.ts), through the built CLI: retention, the legacy daemon.log,
// user data left alone, private modes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {itemAt, makeHome, waitFor} from '../helpers.js';

const TEST_TIMEOUT_MS = 90_000;
const DAY_MS = 24 * 3_600_000;

/** The rotation stamp of docs/lifecycle.md#logs-on-disk for a time. */
function stamp(ms: number): string {
	return new Date(ms).toISOString().replaceAll(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}
test('logs: rotation at start with 7-day retention, legacy daemon.log renamed, user data untouched, private modes', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	const logs = path.join(home.dataDir, 'logs');
	fs.mkdirSync(logs, {recursive: true, mode: 0o700});
	fs.writeFileSync(path.join(logs, 'daemon.log'), '2026-01-01T00:00:00Z legacy server line\n', {mode: 0o600});
	const old = path.join(logs, `workflow-runner.log.${stamp(Date.now() - 8 * DAY_MS)}`);
	const recent = path.join(logs, `workflow-runner.log.${stamp(Date.now() - 2 * DAY_MS)}`);
	fs.writeFileSync(old, 'old\n', {mode: 0o600});
	fs.writeFileSync(recent, 'recent\n', {mode: 0o600});
	const userData = [path.join(home.dir, 'stigmer.db', 'data.db'), path.join(home.dir, 'temporal-data', 'temporal.db')];
	for (const file of userData) {
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, 'user data\n');
	}

	await home.start();
	assert.equal(fs.existsSync(path.join(logs, 'daemon.log')), false, 'legacy daemon.log is renamed');
	const renamed = fs.readdirSync(logs).filter((f) => /^stigmer-server\.log\.\d{8}T\d{6}Z(-\d+)?$/.test(f));
	assert.equal(renamed.length, 1, `daemon.log became a rotated stigmer-server log: ${fs.readdirSync(logs).join(', ')}`);
	assert.equal(fs.readFileSync(path.join(logs, itemAt(renamed, 0)), 'utf8'), '2026-01-01T00:00:00Z legacy server line\n');
	assert.equal(fs.existsSync(old), false, 'a rotated log older than 7 days is deleted');
	assert.equal(fs.existsSync(recent), true, 'a rotated log of 2 days ago is kept');

	await waitFor(() => fs.statSync(home.logFile('workflow-runner')).size > 0, 'workflow-runner to log something');
	const firstSession = fs.readFileSync(home.logFile('workflow-runner'), 'utf8');
	await home.start();
	const rotated = fs.readdirSync(logs).filter((f) => /^workflow-runner\.log\.\d{8}T\d{6}Z(-\d+)?$/.test(f) && path.join(logs, f) !== recent);
	assert.equal(rotated.length, 1, `the first session's log was rotated: ${fs.readdirSync(logs).join(', ')}`);
	assert.ok(fs.readFileSync(path.join(logs, itemAt(rotated, 0)), 'utf8').startsWith(firstSession), 'with its lines');

	for (const file of fs.readdirSync(logs)) {
		assert.equal(fs.statSync(path.join(logs, file)).mode & 0o077, 0, `${file} is private`);
	}

	assert.equal(fs.statSync(logs).mode & 0o777, 0o700, 'data/logs is 0700');
	await home.cli(['server', 'stop']);
	for (const file of userData) {
		assert.equal(fs.readFileSync(file, 'utf8'), 'user data\n', `${file} is untouched`);
	}
});
