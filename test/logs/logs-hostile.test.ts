// Hostile log text and bursts through the built `server logs` (docs/logs.md, issue 10): escape sequences
// and random binary on a terminal and in a pipe; a 300,000-line burst and a 10-second flood while
// `logs -f` runs: every line printed once, the process alive, its memory bounded.
import assert from 'node:assert/strict';
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {cleanEnv, CLI, FIXTURES, itemAt, logsHome, unsafeLeft, waitFor} from '../helpers.js';

/** The budget for `logs -f` under a flood (issue 10). */
const FOLLOW_RSS_LIMIT = 150 * 1024 * 1024;
const makeHome = (): {home: string; logs: string} => logsHome('stigmer-hostile-');

/** The three escape families of the issue, a cursor move, and colour. */
const OSC_TITLE = '\u001B]0;PWNED\u0007';
const OSC_CLIPBOARD = '\u001B]52;c;cm0gLXJmIH4=\u0007';
const CSI_CLEAR = '\u001B[2J\u001B[H';
const HOSTILE = [
	`2026-11-26T03:47:41.100Z title ${OSC_TITLE} end`,
	`2026-11-26T03:47:41.200Z clipboard ${OSC_CLIPBOARD} end`,
	`2026-11-26T03:47:41.300Z clear ${CSI_CLEAR} end`,
	'\u001B[90m2026-11-26T03:47:41.400Z\u001B[0m \u001B[31mERROR\u001B[0m coloured',
];

/** Seeded random bytes with a timestamp in front: every byte value, invalid UTF-8, C1 controls. */
function binaryLines(): Buffer {
	let seed = 11;
	const parts: Buffer[] = [];
	for (let i = 0; i < 200; i++) {
		const bytes = Buffer.alloc(40);
		for (let k = 0; k < bytes.length; k++) {
			seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
			const b = (seed >>> 8) & 0xff;
			bytes[k] = b === 10 ? 0x41 : b;
		}

		parts.push(Buffer.from(`2026-11-26T03:47:42.${String(i).padStart(3, '0')}Z bin `), bytes, Buffer.from(i % 3 === 0 ? ' \u00C2\u009B2J\n' : '\n', i % 3 === 0 ? 'latin1' : 'utf8'));
	}

	return Buffer.concat(parts);
}

function hostileHome(): string {
	const {home, logs} = makeHome();
	fs.writeFileSync(path.join(logs, 'stigmer-server.log'), `${HOSTILE.join('\n')}\n`);
	fs.writeFileSync(path.join(logs, 'workflow-runner.err'), binaryLines());
	return home;
}

function runPiped(home: string, args: string[], env: Record<string, string> = {}): {status: number | null; stdout: string} {
	const r = spawnSync(process.execPath, [CLI, 'server', 'logs', '--no-follow', ...args], {env: cleanEnv({STIGMER_HOME: home, TZ: 'UTC', ...env}), encoding: 'utf8', timeout: 20_000});
	return {status: r.status, stdout: r.stdout};
}

test('escape sequences and binary in a pipe: shown escaped, never passed on; colour only when forced', async () => {
	const home = hostileHome();
	for (const args of [['-n', '1000'], ['-n', '0']]) {
		for (const env of [{}, {NO_COLOR: '', FORCE_COLOR: '1'}] as Array<Record<string, string>>) {
			const what = `${args.join(' ')} ${JSON.stringify(env)}`;
			const r = runPiped(home, args, env);
			assert.equal(r.status, 0, what);
			assert.deepEqual(unsafeLeft(r.stdout), [], `${what}: control characters reached stdout`);
			assert.ok(r.stdout.includes('title \\x1b]0;PWNED\\x07 end'), `${what}: the title sequence shown as text`);
			assert.ok(r.stdout.includes('clipboard \\x1b]52;c;cm0gLXJmIH4=\\x07 end'), `${what}: the clipboard write shown as text`);
			assert.ok(r.stdout.includes('clear \\x1b[2J\\x1b[H end'), `${what}: the screen clear shown as text`);
			assert.equal(r.stdout.split('\n').filter((l) => l.includes(' bin ')).length, 200, `${what}: every binary line printed once`);
			const coloured = r.stdout.includes('\u001B[');
			assert.equal(coloured, 'FORCE_COLOR' in env, `${what}: our colour follows the switches`);
			assert.equal(r.stdout.includes('\u001B[31mERROR\u001B[0m'), coloured, `${what}: the component's own colour kept only with ours`);
		}
	}
});

test('escape sequences on a terminal (script): shown escaped, coloured output keeps only colour', {skip: fs.existsSync('/usr/bin/script') ? false : 'script (util-linux) is not installed'}, () => {
	const home = hostileHome();
	for (const env of [{}, {NO_COLOR: '', TERM: 'xterm-256color'}] as Array<Record<string, string>>) {
		const command = `'${process.execPath}' '${CLI}' server logs --no-follow -n 1000`;
		const r = spawnSync('script', ['-qfec', command, '/dev/null'], {env: cleanEnv({STIGMER_HOME: home, TZ: 'UTC', ...env}), encoding: 'utf8', timeout: 20_000});
		const what = `on a terminal ${JSON.stringify(env)}`;
		assert.equal(r.status, 0, `${what}: ${r.stdout}${r.stderr}`);
		// The terminal's own line discipline turns \n into \r\n.
		const output = r.stdout.replaceAll('\r\n', '\n');
		assert.deepEqual(unsafeLeft(output), [], `${what}: control characters reached the terminal`);
		assert.ok(output.includes('title \\x1b]0;PWNED\\x07 end') && output.includes('\\x1b]52;c;') && output.includes('\\x1b[2J'), `${what}: escapes shown as text`);
		assert.equal(output.includes('\u001B[31mERROR'), 'TERM' in env, `${what}: colour on a colour terminal only`);
	}
});

type Follow = {child: ChildProcess; next: Map<string, number>; errors: string[]; stderr: () => string; live: (file: string) => Promise<void>; peakRss: () => number; stop: () => Promise<number | null>};

/**
 * `server logs -f` on a home, checking as lines arrive that each file's `flood FILE i` lines come
 * exactly once and in order (next[FILE] is the count seen so far).
 */
function follow(home: string): Follow {
	const child = spawn(process.execPath, [CLI, 'server', 'logs', '-n', '1'], {env: cleanEnv({STIGMER_HOME: home, TZ: 'UTC'}), stdio: ['ignore', 'pipe', 'pipe']});
	const next = new Map<string, number>();
	const errors: string[] = [];
	let partial = '';
	let stderr = '';
	let probes = 0;
	child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
	child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
		const lines = (partial + chunk).split('\n');
		partial = lines.pop() ?? '';
		for (const line of lines) {
			const m = / flood (\S+) (\d+)$/.exec(line);
			if (m) {
				const file = itemAt(m, 1);
				const want = next.get(file) ?? 0;
				if (Number(m[2]) !== want && errors.length < 5) {
					errors.push(`${file}: line ${m[2]} where ${want} was due`);
				}

				next.set(file, Number(m[2]) + 1);
			} else if (line.endsWith(' probe')) {
				probes++;
			}
		}
	});
	const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
	let peak = 0;
	return {
		child,
		next,
		errors,
		stderr: () => stderr,
		async live(file) {
			// A line appended now and printed proves the tail is done and appends are followed.
			const before = probes;
			fs.appendFileSync(file, `${new Date().toISOString()} probe\n`);
			await waitFor(() => probes > before, 'logs -f to print a line appended after it started');
		},
		peakRss: () => {
			// VmHWM: the process's peak resident set since it started.
			const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
			peak = Math.max(peak, Number(kb) * 1024);
			return peak;
		},
		async stop() {
			child.kill('SIGINT');
			const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
			const code = await exited;
			clearTimeout(timer);
			return code;
		},
	};
}

test('logs -f survives a 300,000-line burst: every line once, in order, in bounded memory', async () => {
	const {home, logs} = makeHome();
	const file = 'workflow-runner.log';
	fs.writeFileSync(path.join(logs, file), '2026-11-26T03:47:41.000Z before\n');
	const f = follow(home);
	try {
		await f.live(path.join(logs, file)); // the burst is appended, not read as a tail
		const total = 300_000;
		const stamp = new Date().toISOString();
		const lines: string[] = [];
		for (let i = 0; i < total; i++) {
			lines.push(`${stamp} flood ${file} ${i}\n`);
		}

		fs.appendFileSync(path.join(logs, file), lines.join(''));
		await waitFor(() => (f.next.get(file) ?? 0) >= total || f.child.exitCode !== null, `${total} lines printed (have ${f.next.get(file) ?? 0})`, 60_000);
		assert.equal(f.child.exitCode, null, `logs -f died: ${f.stderr()}`);
		assert.deepEqual(f.errors, [], 'each line once, in order');
		assert.equal(f.next.get(file), total);
		assert.ok(f.peakRss() <= FOLLOW_RSS_LIMIT, `peak RSS ${Math.round(f.peakRss() / 1e6)} MB`);
		assert.doesNotMatch(f.stderr(), /RangeError|Error/);
	} finally {
		assert.equal(await f.stop(), 0, f.stderr());
	}
});

test('logs -f under a 10-second flood from three components: every line once, alive, memory bounded', async () => {
	const {home, logs} = makeHome();
	const files = ['stigmer-server.err', 'workflow-runner.log', 'agent-runner.log'];
	for (const file of files) {
		fs.writeFileSync(path.join(logs, file), '');
	}

	const f = follow(home);
	try {
		await f.live(path.join(logs, itemAt(files, 0)));
		// 15,000 lines/s per file: 450,000 lines in 10 s, as a noisy stack in a debug mode writes.
		const writer = spawnSync(process.execPath, [path.join(FIXTURES, 'log-flood.mjs'), logs, '10', '15000', ...files], {encoding: 'utf8', timeout: 30_000});
		assert.equal(writer.status, 0, writer.stderr);
		assert.equal(f.child.exitCode, null, `logs -f died during the flood: ${f.stderr()}`);
		const written = JSON.parse(writer.stdout) as Record<string, number>;
		const done = () => files.every((file) => (f.next.get(file) ?? 0) >= (written[file] ?? Number.POSITIVE_INFINITY));
		await waitFor(() => done() || f.child.exitCode !== null, `every flooded line printed (${JSON.stringify(Object.fromEntries(f.next))} of ${writer.stdout.trim()})`, 60_000);
		assert.equal(f.child.exitCode, null, `logs -f died: ${f.stderr()}`);
		assert.deepEqual(f.errors, [], 'each line once, in order');
		assert.deepEqual(Object.fromEntries(files.map((file) => [file, f.next.get(file)])), written);
		assert.ok(f.peakRss() <= FOLLOW_RSS_LIMIT, `peak RSS ${Math.round(f.peakRss() / 1e6)} MB`);
	} finally {
		assert.equal(await f.stop(), 0, f.stderr());
	}
});
