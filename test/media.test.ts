// media/screenshot.mjs makes the README's pictures from a real run; run here into a temp directory
// so that it keeps working with today's dashboard (it once waited for a screen that no longer existed).
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import {tmuxAvailable} from './helpers/dash.js';
import {ROOT} from './helpers.js';

/** A real stack start, two dashboards, a restart: seconds; past this it is hung. */
const SCRIPT_TIMEOUT_MS = 120_000;

describe('media/screenshot.mjs', {skip: tmuxAvailable() ? false : 'tmux is not installed'}, () => {
	it('renders the dashboard at 160×45 and 80×24 as a user sees it, in colour', () => {
		const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-media-'));
		try {
			const run = spawnSync(process.execPath, [path.join(ROOT, 'media', 'screenshot.mjs'), '--out', out, '--no-png'], {encoding: 'utf8', timeout: SCRIPT_TIMEOUT_MS, env: {...process.env, CI: 'true'}});
			assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
			const wide = fs.readFileSync(path.join(out, 'dashboard.svg'), 'utf8');
			const small = fs.readFileSync(path.join(out, 'dashboard-80x24.svg'), 'utf8');
			for (const svg of [wide, small]) {
				assert.match(svg, /● running/);
				assert.match(svg, />\?</, 'the footer\'s ? help');
				assert.match(svg, /quit</, 'the footer\'s q quit');
				// Colours the terminal was sent (CI=true in this test's environment changes nothing): more than the default text colour.
				const fills = new Set([...svg.matchAll(/<text [^>]*fill="([^"]+)"/g)].map((m) => m[1]));
				assert.ok(fills.size >= 4, `coloured text: ${[...fills].join(', ')}`);
			}

			assert.match(wide, /✓ workflow-runner pid \d+ ready in/, 'the restart\'s result in the status line');
			assert.match(small, /[ >]:\d{2,5}\b/, 'the server\'s port at 80×24');
		} finally {
			fs.rmSync(out, {recursive: true, force: true});
		}
	});
});
