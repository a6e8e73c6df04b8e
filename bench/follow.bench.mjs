// Issue 10's follow budgets: `server logs -f` and the dashboard under a flood from three components.
// Prints a markdown section on stdout (progress on stderr). Needs `npm run build` first.
//   - throughput: lines/s `logs -f` sustains, against `tail -F` of the same files in the same run
//     (both started before the flood, both read to the last line): ≥ 0.5 × tail -F
//   - memory: peak RSS (VmHWM) ≤ 150 MB for `logs -f`, ≤ 200 MB for the dashboard (tmux, 160×45)
//   - nothing lost: `logs -f` prints exactly the lines written; the dashboard shows each file's last line
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const CLI = path.join(ROOT, 'dist', 'bin', 'cli.js');
const FLOOD = path.join(ROOT, 'test', 'fixtures', 'log-flood.mjs');
const FILES = ['stigmer-server.err', 'workflow-runner.log', 'agent-runner.log'];
/**
 * The budgeted flood: three busy components at 30,000 lines/s each (~10 MB/s in all, a stack in debug
 * logging) for 10 s; then, for reference, a short flood as fast as one writer can append (~2.5 M
 * lines/s, far past any real stack), where tail -F only copies bytes and we parse and format each line.
 */
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_FLOOD_RATE ?? 30_000);
const BURST_SECONDS = 2;
const CATCH_UP_MS = 180_000;
const BUDGET = {ratio: 0.5, followRssMb: 150, dashRssMb: 200};

const log = (line) => process.stderr.write(`follow.bench: ${line}\n`);
const verdict = (ok) => (ok ? '**pass**' : '**MISS**');
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const sleep = async (ms) => new Promise((r) => setTimeout(r, ms));

/** Peak resident set of a process (VmHWM), in MB; 0 once it is gone. */
function peakRssMb(pid) {
	try {
		const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
		return Number(kb) / 1024;
	} catch {
		return 0;
	}
}

/** A reader of a child's stdout that counts lines and notes when the count last grew. */
function counter(child) {
	const state = {lines: 0, lastAt: 0};
	child.stdout.on('data', (chunk) => {
		let at = chunk.indexOf(10);
		while (at >= 0) {
			state.lines++;
			at = chunk.indexOf(10, at + 1);
		}

		state.lastAt = performance.now();
	});
	return state;
}

async function until(check, what, deadlineMs, everyMs = 20) {
	const end = Date.now() + deadlineMs;
	while (!check()) {
		if (Date.now() > end) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await sleep(everyMs);
	}
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-follow-bench-'));
const logs = path.join(home, 'data', 'logs');
fs.mkdirSync(logs, {recursive: true});
fs.writeFileSync(path.join(home, 'config.yaml'), 'version: 1\ncomponents:\n  temporal:\n    enabled: false\n');
for (const file of FILES) {
	fs.writeFileSync(path.join(logs, file), '');
}

const env = {...process.env, STIGMER_HOME: home, TZ: 'UTC', NO_COLOR: '1'};
delete env.FORCE_COLOR;
const socket = `stigmer-follow-bench-${process.pid}`;
const tmux = (...args) => spawnSync('tmux', ['-L', socket, ...args], {encoding: 'utf8', timeout: 10_000});
const children = [];
try {
	const follow = spawn(process.execPath, [CLI, 'server', 'logs', '-n', '1'], {env, stdio: ['ignore', 'pipe', 'ignore']});
	const tail = spawn('tail', ['-q', '-F', '-n', '0', ...FILES.map((f) => path.join(logs, f))], {stdio: ['ignore', 'pipe', 'ignore']});
	children.push(follow, tail);
	const ours = counter(follow);
	const theirs = counter(tail);
	const hasTmux = tmux('-V').status === 0;
	let dashPid = 0;
	if (hasTmux) {
		tmux('new-session', '-d', '-x', '160', '-y', '45', '-s', 'main', `exec env STIGMER_HOME='${home}' NO_COLOR=1 '${process.execPath}' '${CLI}' dash`);
		await until(() => tmux('capture-pane', '-p', '-t', 'main').stdout.includes('stigmer dash'), 'the dashboard', 20_000);
		dashPid = Number(tmux('list-panes', '-t', 'main', '-F', '#{pane_pid}').stdout.trim());
	}

	await sleep(1000); // every follower's watchers are up
	/** Flood for `seconds` at `rate` (0: full speed); each follower's lines and rate over that flood. */
	const flood = async (seconds, rate) => {
		log(`flooding ${FILES.length} files for ${seconds} s at ${rate === 0 ? 'full speed' : `${rate} lines/s each`}`);
		const from = {ours: ours.lines, theirs: theirs.lines};
		const began = performance.now();
		const writer = spawnSync(process.execPath, [FLOOD, logs, String(seconds), String(rate), ...FILES], {encoding: 'utf8', timeout: (seconds + 60) * 1000});
		const writtenMs = performance.now() - began;
		const counts = JSON.parse(writer.stdout);
		const total = Object.values(counts).reduce((a, b) => a + b, 0);
		log(`written ${fmt(total)} lines in ${(writtenMs / 1000).toFixed(1)} s; waiting for the followers`);
		await until(() => theirs.lines - from.theirs >= total && ours.lines - from.ours >= total, `both followers (logs -f ${ours.lines - from.ours}, tail -F ${theirs.lines - from.theirs} of ${total})`, CATCH_UP_MS).catch((error) => log(error.message));
		await sleep(500); // a duplicate would show up within a scan or two
		const oursLines = ours.lines - from.ours;
		const theirsLines = theirs.lines - from.theirs;
		const oursRate = oursLines / ((ours.lastAt - began) / 1000);
		const theirsRate = theirsLines / ((theirs.lastAt - began) / 1000);
		return {counts, total, writtenRate: total / (writtenMs / 1000), oursLines, theirsLines, oursRate, theirsRate, ratio: oursRate / theirsRate};
	};

	const steady = await flood(FLOOD_SECONDS, RATE);
	const followRss = peakRssMb(follow.pid);
	// The pane shows the newest lines, merged by time: the flood's very last line is the one sure to be there.
	const lastLine = `flood ${FILES.at(-1)} ${steady.counts[FILES.at(-1)] - 1}`;
	// Polled gently: a tmux capture every 20 ms is itself a load on a busy machine.
	const shown = hasTmux && (await until(() => tmux('capture-pane', '-p', '-t', 'main').stdout.includes(lastLine), 'the last line on the dashboard', CATCH_UP_MS, 500).then(() => true, () => false));
	const dashSteadyRss = peakRssMb(dashPid);
	const burst = await flood(BURST_SECONDS, 0);
	const burstRss = peakRssMb(follow.pid);
	let dashRow = '| dashboard peak RSS under the flood | ≤ 200 MB | (tmux not installed) | n/a | |';
	if (hasTmux) {
		const dashRss = peakRssMb(dashPid);
		const alive = tmux('has-session', '-t', 'main').status === 0;
		dashRow = `| dashboard peak RSS under the flood | ≤ ${BUDGET.dashRssMb} MB | ${dashSteadyRss.toFixed(0)} MB | ${verdict(dashSteadyRss <= BUDGET.dashRssMb && shown)} | VmHWM of \`stigmer dash\` (tmux 160×45); the flood's last line ${shown ? 'on screen' : '**not** on screen'}; after the full-speed flood too: ${dashRss.toFixed(0)} MB, ${alive ? 'alive' : '**gone**'} |`;
	}

	const {total} = steady;
	const out = [
		'## Follow under a flood (issue 10)',
		'',
		`${FILES.length} files appended to by test/fixtures/log-flood.mjs (lines of ~60 bytes, 500 per write), followed all the while by \`server logs -f\`, \`tail -q -F -n 0\` of the same files and \`stigmer dash\`. A follower's rate is the lines it printed over the time from the flood's start to its last line; its lines are counted to the last.`,
		'',
		'| metric | budget | measured | result | note |',
		'|---|---|---|---|---|',
		`| \`server logs -f\` lines/s vs \`tail -F\`, ${FLOOD_SECONDS} s at ${fmt(RATE)} lines/s per file | ≥ ${BUDGET.ratio} × | ${steady.ratio.toFixed(2)} × (${fmt(steady.oursRate)} vs ${fmt(steady.theirsRate)} lines/s) | ${verdict(steady.ratio >= BUDGET.ratio)} | ${fmt(total)} lines written at ${fmt(steady.writtenRate)} lines/s |`,
		`| \`server logs -f\` lines printed | = written | ${fmt(steady.oursLines)} of ${fmt(total)} | ${verdict(steady.oursLines === total)} | tail -F printed ${fmt(steady.theirsLines)} |`,
		`| \`server logs -f\` peak RSS | ≤ ${BUDGET.followRssMb} MB | ${followRss.toFixed(0)} MB | ${verdict(followRss <= BUDGET.followRssMb && follow.exitCode === null)} | VmHWM; ${follow.exitCode === null ? 'alive at the end' : `**exited ${follow.exitCode}**`} |`,
		dashRow,
		`| full speed for ${BURST_SECONDS} s (reference): \`server logs -f\` vs \`tail -F\` |  | ${burst.ratio.toFixed(2)} × (${fmt(burst.oursRate)} vs ${fmt(burst.theirsRate)} lines/s) | n/a | ${fmt(burst.total)} lines written at ${fmt(burst.writtenRate)} lines/s; logs -f printed ${fmt(burst.oursLines)}${burst.oursLines === burst.total ? ' (all)' : ' (**not all**)'}, peak RSS ${burstRss.toFixed(0)} MB |`,
		'',
		`Load average (1 min) at the end: ${os.loadavg()[0].toFixed(2)} on ${os.availableParallelism()} cores: the writer, both followers and the dashboard share them.`,
	];
	process.stdout.write(`${out.join('\n')}\n`);
} finally {
	for (const child of children) {
		child.kill('SIGKILL');
	}

	tmux('kill-server');
	fs.rmSync(home, {recursive: true, force: true});
}
