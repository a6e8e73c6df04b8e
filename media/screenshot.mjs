// Make the README's pictures from a real run: a stack in a temp home, `stigmer dash` in tmux as a user
// runs it (TERM=xterm-256color, no FORCE_COLOR or other trick), then `tmux capture-pane -e` rendered to
// SVG (and PNG where a converter is installed):
//   dashboard.svg        160×45, just after `r` restarted workflow-runner (its result in the status line)
//   dashboard-80x24.svg  80×24, the smallest common terminal: compact panels, ports, the footer's way out
// Usage: npm run build && node media/screenshot.mjs [--out DIR] [--no-png]
// test/media.test.ts runs it into a temp directory, so it cannot rot.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {ansiToSvg} from './ansi-to-svg.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(HERE, '..', 'dist', 'bin', 'cli.js');
/** Each picture: its file name, terminal size, title, and what to do before the capture. */
const SHOTS = [
	{name: 'dashboard', columns: 160, rows: 45, title: 'stigmer dash — workflow-runner just restarted with r', restart: true},
	{name: 'dashboard-80x24', columns: 80, rows: 24, title: 'stigmer dash at 80×24', restart: false},
];
/** A first paint, a restart on a loaded machine: longer is a hang. */
const WAIT_MS = 30_000;
/** After the last change: the panels' next per-second refresh (CPU, memory) lands before the capture. */
const SETTLE_MS = 1500;

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = outIndex === -1 ? HERE : path.resolve(args[outIndex + 1] ?? HERE);
const png = !args.includes('--no-png');
const socket = `stigmer-shot-${process.pid}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tmux(tmuxArgs) {
	const r = spawnSync('tmux', ['-L', socket, ...tmuxArgs], {encoding: 'utf8', timeout: 10_000});
	if (r.status !== 0) {
		throw new Error(`tmux ${tmuxArgs.join(' ')}: ${r.stderr}`);
	}

	return r.stdout;
}

async function until(check, what) {
	const end = Date.now() + WAIT_MS;
	while (!check()) {
		if (Date.now() > end) {
			throw new Error(`timed out waiting for ${what}; the screen:\n${tmux(['capture-pane', '-p', '-t', 'main'])}`);
		}

		await sleep(100);
	}
}

/** A PNG beside the SVG: rsvg-convert (librsvg2-bin) draws it best, ImageMagick will do. */
function toPng(svg, out) {
	for (const [command, argv] of [
		['rsvg-convert', [svg, '-o', out]],
		['convert', ['-density', '96', svg, out]],
	]) {
		if (spawnSync(command, argv, {timeout: 60_000}).status === 0) {
			return true;
		}
	}

	return false;
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

	fs.mkdirSync(outDir, {recursive: true});
	for (const shot of SHOTS) {
		// The environment a user's terminal gives; CI and colour variables of this process are not passed on.
		tmux(['new-session', '-d', '-x', String(shot.columns), '-y', String(shot.rows), '-s', 'main', `env -u CI -u FORCE_COLOR -u NO_COLOR STIGMER_HOME='${home}' TERM=xterm-256color '${process.execPath}' '${CLI}' dash`]);
		const screen = () => tmux(['capture-pane', '-p', '-t', 'main']);
		await until(() => screen().split('● running').length === 4, 'three running components');
		if (shot.restart) {
			tmux(['send-keys', '-t', 'main', 'j']);
			tmux(['send-keys', '-t', 'main', 'j']);
			await until(() => screen().includes('▶ workflow-runner'), 'workflow-runner selected');
			tmux(['send-keys', '-t', 'main', 'r']);
			await until(() => /✓ workflow-runner pid \d+ ready/.test(screen()) && screen().split('● running').length === 4, 'the restart to finish');
		}

		await sleep(SETTLE_MS);
		const ansi = tmux(['capture-pane', '-p', '-e', '-t', 'main']);
		spawnSync('tmux', ['-L', socket, 'kill-server'], {timeout: 10_000});
		const svgFile = path.join(outDir, `${shot.name}.svg`);
		fs.writeFileSync(svgFile, ansiToSvg(ansi, shot));
		process.stdout.write(`wrote ${svgFile}\n`);
		if (png && toPng(svgFile, path.join(outDir, `${shot.name}.png`))) {
			process.stdout.write(`wrote ${path.join(outDir, `${shot.name}.png`)}\n`);
		}
	}
} finally {
	spawnSync('tmux', ['-L', socket, 'kill-server'], {timeout: 10_000});
	spawnSync(process.execPath, [CLI, 'server', 'stop'], {env, timeout: 60_000});
	fs.rmSync(home, {recursive: true, force: true});
}
