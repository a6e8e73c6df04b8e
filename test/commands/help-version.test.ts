// --help on every verb and --version, through the built CLI: exit 0, nothing started.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {makeHome, ROOT, show} from '../helpers.js';

const TEST_TIMEOUT_MS = 90_000;
test('--help on every command exits 0; --version prints the package version', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t);
	for (const verb of [['server', 'start'], ['server', 'stop'], ['server', 'status'], ['server', 'logs'], ['dash']]) {
		const help = await home.cli([...verb, '--help']);
		assert.equal(help.code, 0, `${verb.join(' ')} --help:\n${show(help)}`);
		assert.match(help.stdout, new RegExp(`Usage: stigmer ${verb.join(' ')}\\b`), `${verb.join(' ')} --help prints its usage`);
	}

	const version = await home.cli(['--version']);
	assert.equal(version.code, 0, show(version));
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {version: string};
	assert.equal(version.stdout.trim(), pkg.version);
	assert.deepEqual(home.processes(), {}, 'help starts nothing');
});
