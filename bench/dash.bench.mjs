// Issue 4's dashboard budgets, on a real stack in a temp home with the dashboard in tmux (160×45).
// Prints a `## Dashboard` markdown section on stdout (progress on stderr). Needs `npm run build`.
//   - idle (stack quiet) for 30 s: dashboard CPU ≤ 2 % of one core
//   - a writer appending 5,000 lines/s across three components' logs for 20 s: dashboard CPU
//     ≤ 35 % of one core, peak RSS ≤ 200 MB, append-to-screen latency ≤ 300 ms at p95
//   - after 1,000,000 lines ingested, RSS within 20 % of its value after 100,000
//   - `dash --once` wall ≤ 2 × `node -e 0` (medians)
//   - issue 17: `kill -9` of a component → its panel changed, p95 ≤ 1 s (sampled KILL_SAMPLES times)
// CPU is the dashboard process's own utime+stime from /proc; latency is measured by reading the
// screen (tmux capture-pane) for lines that carry their append time. Issue 17: idle RSS within 15 MB
// of processes that only import ink, react and chokidar, started with the dashboard (both sampled through the idle time).
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const CLI = path.join(ROOT, 'dist', 'bin', 'cli.js');
const BUDGET = {idleCpu: 2, loadCpu: 35, peakRssMb: 200, p95LatencyMs: 300, rssGrowth: 0.2, onceRatio: 2, killP95Ms: 1000};
/** kill -9 samples: each waits for the supervisor's restart (its backoff grows), so a few. */
const KILL_SAMPLES = Number(process.env.BENCH_KILL_SAMPLES ?? 8);
/** Issue 4's durations and rates. */
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
const LOAD_RATE = 5000;
const TOTAL_LINES = 1_000_000;
/** Lines per burst when ingesting up to a million: the writer waits for the screen after each. */
const BURST_LINES = 50_000;
/** Settling time before an idle measurement: the start-up work (imports, first paint) is not idle. */
const WARMUP_MS = 5000;
const ONCE_RUNS = Number(process.env.BENCH_RUNS ?? 11);
const WRITTEN = ['stigmer-server', 'workflow-runner', 'agent-runner'];
/** Which measurements to run (comma-separated; all by default): idle, load, ingest, once. For quick comparisons. */
/** Extra node flags for the dashboard process (say `--cpu-prof --cpu-prof-dir=/tmp/prof`), for profiling. */
const DASH_NODE_ARGS = process.env.BENCH_DASH_NODE_ARGS ?? '';
const PHASES = new Set((process.env.BENCH_PHASES ?? 'idle,kill,load,ingest,once').split(','));

const log = (line) => process.stderr.write(`dash.bench: ${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TICK = Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout.trim() || 100);
/** Issue 17: the idle dashboard's RSS over the floor, what importing ink, react and chokidar alone costs. */
const IDLE_RSS_OVER_FLOOR_MB = 15;
/**
 * Processes that only import ink, react and chokidar (NODE_ENV=production, as `stigmer dash` runs): their median RSS is
 * the floor. One such process idles anywhere between ~70 and ~90 MB (how far V8 grew its young generation while the
 * imports ran, and whether a collection returned pages since), so five, not three: the median of five moves less.
 */
const FLOOR_RUNS = 5;
/**
 * The idle RSS of the dashboard and of each floor process is the median of samples taken this often through the idle
 * time, not one reading at its end: a reading can land just before or after a collection (a few MB either way).
 */
const RSS_SAMPLE_MS = 2000;
const FLOOR_PROGRAM = "await import('ink'); await import('react'); await import('chokidar'); setInterval(() => {}, 1 << 30);";

function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address();
			server.close(() => resolve(port));
		});
	});
}

function cli(home, args) {
	return spawnSync(process.execPath, [CLI, ...args], {env: {...process.env, STIGMER_HOME: home, NO_COLOR: '1'}, encoding: 'utf8', timeout: 60_000});
}

const socket = `stigmer-bench-${process.pid}`;
function tmux(args) {
	const r = spawnSync('tmux', ['-L', socket, ...args], {encoding: 'utf8', timeout: 10_000});
	if (r.status !== 0) {
		throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
	}

	return r.stdout;
}

const capture = () => tmux(['capture-pane', '-p', '-t', 'main']);

/** CPU seconds (user + system) of a process so far. */
function cpuSeconds(pid) {
	const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return (Number(fields[11]) + Number(fields[12])) / TICK;
}

/** Current and peak resident set, in MB. */
function rssMb(pid) {
	const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
	return {now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024};
}

async function until(check, what, deadlineMs) {
	const end = Date.now() + deadlineMs;
	for (;;) {
		const v = check();
		if (v) {
			return v;
		}

		if (Date.now() > end) {
			throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
		}

		await sleep(50);
	}
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

/** The writer runs in its own process so that this one's screen polling never slows it down. */
const WRITER = `
const fs = require('node:fs');
const [files, rate, seconds, first] = [process.argv[1].split(','), Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];
const fds = files.map((f) => fs.openSync(f, 'a'));
const began = Date.now();
let seq = first;
const tick = () => {
	const now = Date.now();
	const due = first + Math.min(rate * seconds, Math.floor(((now - began) / 1000) * rate));
	const chunks = fds.map(() => []);
	const iso = new Date(now).toISOString();
	for (; seq < due; seq++) chunks[seq % fds.length].push(iso + ' INFO bench s=' + seq + ' t=' + now + '\\n');
	chunks.forEach((c, i) => c.length && fs.writeSync(fds[i], c.join('')));
	if (seq < first + rate * seconds) setTimeout(tick, 5); else process.stdout.write(String(seq));
};
tick();
`;

function writer(home, rate, seconds, first) {
	const files = WRITTEN.map((c, i) => path.join(home, 'data', 'logs', `${c}.${i === 0 ? 'err' : 'log'}`));
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['-e', WRITER, files.join(','), String(rate), String(seconds), String(first)], {stdio: ['ignore', 'pipe', 'inherit']});
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.on('close', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`writer exited ${code}`))));
	});
}

/** Burst-write `count` lines from `first` as fast as the disk takes them. */
function burst(home, first, count) {
	const files = WRITTEN.map((c, i) => path.join(home, 'data', 'logs', `${c}.${i === 0 ? 'err' : 'log'}`));
	const now = Date.now();
	const iso = new Date(now).toISOString();
	const chunks = files.map(() => []);
	for (let seq = first; seq < first + count; seq++) {
		chunks[seq % files.length].push(`${iso} INFO bench s=${seq} t=${now}\n`);
	}

	for (const [i, file] of files.entries()) {
		fs.appendFileSync(file, chunks[i].join(''));
	}
}

const seen = (screen) => [...screen.matchAll(/ s=(\d+) t=(\d{13})(?!\d)/g)].map((m) => ({seq: Number(m[1]), t: Number(m[2])}));

const rows = [];
const row = (metric, budget, value, pass, note = '') => rows.push(`| ${metric} | ${budget} | ${value} | ${pass === null ? 'n/a' : pass ? 'pass' : '**miss**'} | ${note} |`);

let home;
let dashPid;
const floors = [];
try {
	home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-dash-bench-')));
	const port = await freePort();
	fs.writeFileSync(path.join(home, 'config.yaml'), `version: 1\ncomponents:\n  stigmer-server:\n    port: ${port}\n  temporal:\n    enabled: false\n`);
	const started = cli(home, ['server', 'start']);
	if (started.status !== 0) {
		throw new Error(`server start failed: ${started.stdout}${started.stderr}`);
	}

	const statsFile = path.join(home, 'dash-stats.json');
	tmux(['new-session', '-d', '-x', '160', '-y', '45', '-s', 'main', `STIGMER_HOME='${home}' STIGMER_DASH_STATS='${statsFile}' exec '${process.execPath}' ${DASH_NODE_ARGS} '${CLI}' dash`]);
	dashPid = Number(tmux(['list-panes', '-t', 'main', '-F', '#{pane_pid}']).trim());
	// The floor starts with the dashboard and idles as long; from ROOT, so the imports resolve to the same node_modules.
	for (let i = 0; i < FLOOR_RUNS; i++) {
		floors.push(spawn(process.execPath, ['--input-type=module', '-e', FLOOR_PROGRAM], {cwd: ROOT, env: {...process.env, NODE_ENV: 'production'}, stdio: 'ignore'}));
	}

	await until(() => capture().split('● running').length === 4, 'the dashboard showing three running components', 20_000);
	log(`dashboard pid ${dashPid} up; warming up ${WARMUP_MS} ms`);
	await sleep(WARMUP_MS);

	// Idle.
	log(`idle for ${IDLE_SECONDS} s`);
	let c0 = cpuSeconds(dashPid);
	let w0 = Date.now();
	// The dashboard and the floor processes are sampled at the same moments (interleaved), each summarised by its median.
	const dashSamples = [];
	const floorSamples = floors.map(() => []);
	while (Date.now() - w0 < IDLE_SECONDS * 1000) {
		await sleep(Math.min(RSS_SAMPLE_MS, Math.max(0, IDLE_SECONDS * 1000 - (Date.now() - w0))));
		dashSamples.push(rssMb(dashPid).now);
		for (const [i, f] of floors.entries()) {
			floorSamples[i].push(rssMb(f.pid).now);
		}
	}

	const idleCpu = ((cpuSeconds(dashPid) - c0) / ((Date.now() - w0) / 1000)) * 100;
	const idleRss = median(dashSamples);
	const floorRss = floorSamples.map((samples) => median(samples));
	const floor = median(floorRss);
	for (const f of floors) {
		f.kill();
	}

	const over = idleRss - floor;
	const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
	row('idle RSS vs importing ink, react, chokidar alone', `≤ floor + ${IDLE_RSS_OVER_FLOOR_MB} MB`, `${idleRss.toFixed(0)} MB vs ${floor.toFixed(0)} MB (${over >= 0 ? '+' : ''}${over.toFixed(0)} MB)`, over <= IDLE_RSS_OVER_FLOOR_MB, `medians of ${dashSamples.length} samples over the idle ${IDLE_SECONDS} s (dashboard ${range(dashSamples)} MB); floor: median of ${FLOOR_RUNS} processes started with the dashboard, sampled with it (${floorRss.map((r) => r.toFixed(0)).join(', ')} MB), NODE_ENV=production`);

	row(`idle CPU (${IDLE_SECONDS} s, stack quiet)`, `≤ ${BUDGET.idleCpu} %`, `${idleCpu.toFixed(2)} %`, idleCpu <= BUDGET.idleCpu, `RSS ${idleRss.toFixed(0)} MB`);

	// kill -9 of workflow-runner (its supervisor restarts it): time until the screen no longer shows its pid.
	if (PHASES.has('kill')) {
		log(`kill -9 → panel changed, ${KILL_SAMPLES} samples`);
		const latencies = [];
		for (let i = 0; i < KILL_SAMPLES; i++) {
			const runner = await until(() => {
				const c = JSON.parse(cli(home, ['server', 'status', '--json']).stdout).components.find((x) => x.name === 'workflow-runner');
				return c?.state === 'running' && c.ready && c.pid !== null ? c : undefined;
			}, 'workflow-runner running again', 60_000);
			// In the panels only (above the log pane's header): log lines name pids too.
			const shown = new RegExp(`pid ${runner.pid}(?!\\d)`);
			const inPanels = () => shown.test(capture().split('── logs')[0]);
			await until(inPanels, `pid ${runner.pid} in its panel`, 20_000);
			const killedAt = Date.now();
			process.kill(runner.pid, 'SIGKILL');
			while (inPanels() && Date.now() - killedAt < 10_000) {
				await sleep(10);
			}

			latencies.push(Date.now() - killedAt);
			// A fresh start resets the supervisor's restart count: no growing backoff, no give-up after max_restarts.
			await until(() => cli(home, ['server', 'start', 'workflow-runner']).status === 0, 'workflow-runner started afresh', 60_000);
		}

		const p95 = percentile(latencies, 95);
		row('`kill -9` of a component → its panel changed, p95', `≤ ${BUDGET.killP95Ms} ms`, `${p95} ms`, p95 <= BUDGET.killP95Ms, `samples ${latencies.join(', ')} ms (screen read every ~10 ms; its supervisor restarts it; a fresh start between samples)`);
		await sleep(2000);
	}

	// Load: 5,000 lines/s for 20 s, latency sampled from the screen.
	log(`load: ${LOAD_RATE} lines/s for ${LOAD_SECONDS} s`);
	const latencies = new Map();
	c0 = cpuSeconds(dashPid);
	w0 = Date.now();
	let done = false;
	const loadEnd = writer(home, LOAD_RATE, LOAD_SECONDS, 0).then((n) => {
		done = true;
		return n;
	});
	while (!done) {
		const screen = capture();
		const now = Date.now();
		for (const {seq, t} of seen(screen)) {
			if (!latencies.has(seq)) {
				latencies.set(seq, now - t);
			}
		}

		await sleep(20);
	}

	const written = await loadEnd;
	const loadCpu = ((cpuSeconds(dashPid) - c0) / ((Date.now() - w0) / 1000)) * 100;
	const lastShown = await until(() => seen(capture()).some((s) => s.seq >= written - WRITTEN.length), 'the last load line on screen', 30_000).then(() => true, () => false);
	const peak = rssMb(dashPid).peak;
	const lat = [...latencies.values()];
	const p95 = percentile(lat, 95);
	row(`CPU under ${LOAD_RATE} lines/s (${LOAD_SECONDS} s, 3 components)`, `≤ ${BUDGET.loadCpu} %`, `${loadCpu.toFixed(1)} %`, loadCpu <= BUDGET.loadCpu, `${written} lines written; last line ${lastShown ? 'shown' : '**not shown**'}`);
	row('peak RSS (start to end of load)', `≤ ${BUDGET.peakRssMb} MB`, `${peak.toFixed(0)} MB`, peak <= BUDGET.peakRssMb, 'VmHWM of the dashboard process');
	row('append → screen latency, p95', `≤ ${BUDGET.p95LatencyMs} ms`, `${p95} ms`, p95 <= BUDGET.p95LatencyMs, `p50 ${percentile(lat, 50)} ms, max ${Math.max(...lat)} ms over ${lat.length} lines seen on screen (sampled every ~20 ms)`);

	// Ingest up to a million lines; RSS after 100,000 vs after 1,000,000.
	await sleep(2000);
	if (PHASES.has('ingest')) {
		const rss100k = rssMb(dashPid).now;
		log(`ingesting up to ${TOTAL_LINES} lines (RSS at ${written}: ${rss100k.toFixed(0)} MB)`);
		const ingestStart = Date.now();
		const cpuIngest = cpuSeconds(dashPid);
		for (let first = written; first < TOTAL_LINES; first += BURST_LINES) {
			const count = Math.min(BURST_LINES, TOTAL_LINES - first);
			burst(home, first, count);
			// Equal times merge file by file, so the burst ends on screen with one of its last three lines.
			await until(() => seen(capture()).some((s) => s.seq >= first + count - WRITTEN.length), `line ${first + count - 1} on screen`, 120_000);
		}

		const ingestSeconds = (Date.now() - ingestStart) / 1000;
		const ingestRate = (TOTAL_LINES - written) / ingestSeconds;
		await sleep(2000);
		const rss1m = rssMb(dashPid).now;
		const growth = rss1m / rss100k - 1;
		row('RSS after 1,000,000 lines vs after 100,000', `within ${BUDGET.rssGrowth * 100} %`, `${rss100k.toFixed(0)} → ${rss1m.toFixed(0)} MB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %)`, Math.abs(growth) <= BUDGET.rssGrowth, `ingested at ${Math.round(ingestRate).toLocaleString('en')} lines/s in ${BURST_LINES.toLocaleString('en')}-line bursts (${(((cpuSeconds(dashPid) - cpuIngest) / ingestSeconds) * 100).toFixed(0)} % CPU)`);
	}

	// Quit with q: the dashboard writes how many frames it painted and what they cost.
	tmux(['send-keys', '-t', 'main', 'q']);
	const stats = await until(() => (fs.existsSync(statsFile) ? JSON.parse(fs.readFileSync(statsFile, 'utf8')) : undefined), 'the dashboard to quit', 10_000).catch(() => undefined);
	if (stats) {
		row('frames painted (whole run)', '', `${stats.frames} frames, ${stats.avgPaintMs.toFixed(1)} ms paint each`, null, 'Ink output generation only (onRender renderTime); repaints back off under load (source/ui/frame-cost.ts)');
	}

	// --once against node -e 0.
	if (PHASES.has('once')) {
		log(`--once vs node -e 0, ${ONCE_RUNS} runs each`);
		const time = (args) => {
			const t = process.hrtime.bigint();
			const r = spawnSync(process.execPath, args, {env: {...process.env, STIGMER_HOME: home, NO_COLOR: '1'}, stdio: ['ignore', 'ignore', 'ignore'], timeout: 60_000});
			if (r.status !== 0 && r.status !== 3) {
				throw new Error(`${args.join(' ')} exited ${r.status}`);
			}

			return Number(process.hrtime.bigint() - t) / 1e6;
		};

		const base = [];
		const once = [];
		for (let i = 0; i < ONCE_RUNS; i++) {
			base.push(time(['-e', '0']));
			once.push(time([CLI, 'dash', '--once']));
		}

		const ratio = median(once) / median(base);
		row('`dash --once` wall vs `node -e 0`', `≤ ${BUDGET.onceRatio} ×`, `${ratio.toFixed(2)} × (${median(once).toFixed(0)} ms vs ${median(base).toFixed(0)} ms)`, ratio <= BUDGET.onceRatio, `medians of ${ONCE_RUNS}; log files hold ${TOTAL_LINES.toLocaleString('en')} lines`);
	}
} catch (error) {
	row('benchmark', '', 'failed', false, String(error?.message ?? error).replaceAll('|', '/'));
	process.exitCode = 1;
} finally {
	for (const f of floors) {
		f.kill();
	}

	spawnSync('tmux', ['-L', socket, 'kill-server'], {timeout: 10_000});
	if (home) {
		cli(home, ['server', 'stop']);
		fs.rmSync(home, {recursive: true, force: true});
	}
}

process.stdout.write(
	[
		'## Dashboard',
		'',
		'`stigmer dash` in tmux (160×45) on a real stack in a temp home (issue 4 budgets). CPU is the dashboard process\'s own user+system time.',
		'',
		'| metric | budget | measured | result | note |',
		'|---|---|---|---|---|',
		...rows,
		'',
	].join('\n'),
);
