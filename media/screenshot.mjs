// Make media/dashboard.svg from a real run: a stack in a temp home, `stigmer dash` in tmux
// (140×40), a real restart of workflow-runner with `r`, then `tmux capture-pane -e` rendered to SVG.
// Usage: npm run build && node media/screenshot.mjs
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {ansiToSvg} from './ansi-to-svg.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(HERE, '..', 'dist', 'bin', 'cli.js');
const SIZE = {columns: 140, rows: 40};
const socket = `stigmer-shot-${process.pid}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tmux(args) {
	const r = spawnSync('tmux', ['-L', socket, ...args], {encoding: 'utf8', timeout: 10_000});
	if (r.status !== 0) {
		throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
	}

	return r.stdout;
}

async function until(check, what, ms = 30_000) {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await sleep(100);
	}
}

const port = await new Promise((resolve) => {
	const s = net.createServer().listen(0, '127.0.0.1', () => {
		const {port: p} = s.address();
		s.close(() => resolve(p));
	});
});
const home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-shot-')));
fs.writeFileSync(path.join(home, 'config.yaml'), `version: 1\ncomponents:\n  stigmer-server:\n    port: ${port}\n  temporal:\n    enabled: false\n`);
const env = {...process.env, STIGMER_HOME: home};
try {
	const started = spawnSync(process.execPath, [CLI, 'server', 'start'], {env, encoding: 'utf8', timeout: 60_000});
	if (started.status !== 0) {
		throw new Error(`server start failed: ${started.stderr}`);
	}

	tmux(['new-session', '-d', '-x', String(SIZE.columns), '-y', String(SIZE.rows), '-s', 'main', `STIGMER_HOME='${home}' TERM=xterm-256color FORCE_COLOR=3 exec '${process.execPath}' '${CLI}' dash`]);
	const screen = () => tmux(['capture-pane', '-p', '-t', 'main']);
	await until(() => screen().split('● running').length === 4, 'three running components');
	tmux(['send-keys', '-t', 'main', 'j']);
	tmux(['send-keys', '-t', 'main', 'j']);
	await until(() => screen().includes('▶ workflow-runner'), 'workflow-runner selected');
	tmux(['send-keys', '-t', 'main', 'r']);
	await until(() => /✓ workflow-runner pid \d+ ready/.test(screen()) && screen().split('● running').length === 4, 'the restart to finish');
	await until(() => screen().includes('restarts 1'), 'the restart counted');
	await sleep(1500);
	const ansi = tmux(['capture-pane', '-p', '-e', '-t', 'main']);
	const svg = ansiToSvg(ansi, {...SIZE, title: 'stigmer dash — workflow-runner just restarted with r'});
	fs.writeFileSync(path.join(HERE, 'dashboard.svg'), svg);
	process.stdout.write(`wrote ${path.join('media', 'dashboard.svg')} (${svg.length} bytes)\n`);
	// A PNG too where librsvg is installed (Debian: librsvg2-bin), for viewers without SVG.
	const png = spawnSync('rsvg-convert', [path.join(HERE, 'dashboard.svg'), '-o', path.join(HERE, 'dashboard.png')], {timeout: 60_000});
	if (png.status === 0) {
		process.stdout.write(`wrote ${path.join('media', 'dashboard.png')}\n`);
	}
} finally {
	spawnSync('tmux', ['-L', socket, 'kill-server'], {timeout: 10_000});
	spawnSync(process.execPath, [CLI, 'server', 'stop'], {env, timeout: 60_000});
	fs.rmSync(home, {recursive: true, force: true});
}
