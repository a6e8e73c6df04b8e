// Homes holding only log files: for tests of the log readers alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {ROOT} from './cli.js';

const logsHomes: string[] = [];
/** A temp home with data/logs/ holding `files` (name → content), removed when the test file's process exits: for tests of the log readers alone. */
export function logsHome(prefix: string, files: Record<string, string | Buffer> = {}): {home: string; logs: string} {
	if (logsHomes.length === 0) {
		// At exit, not in an `after` hook: called inside a test, `after` would belong to that test and miss later homes.
		process.once('exit', () => {
			for (const home of logsHomes) {
				fs.rmSync(home, {recursive: true, force: true});
			}
		});
	}

	const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	logsHomes.push(home);
	const logs = path.join(home, 'data', 'logs');
	fs.mkdirSync(logs, {recursive: true});
	for (const [name, content] of Object.entries(files)) {
		fs.writeFileSync(path.join(logs, name), content);
	}

	return {home, logs};
}

/** Three components' logs in their own formats, with traces and equal times: test/fixtures/logs/merge. */
export const MERGE_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'logs', 'merge');

/** A logsHome holding a copy of the merge fixtures. */
export function mergeFixturesHome(prefix: string): string {
	return logsHome(prefix, Object.fromEntries(fs.readdirSync(MERGE_FIXTURES).map((name) => [name, fs.readFileSync(path.join(MERGE_FIXTURES, name))]))).home;
}
