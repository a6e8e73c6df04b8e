// Issue 2's lifecycle budgets, measured in one run against baselines taken in the same run.
// Prints a markdown section on stdout (progress on stderr). Needs `npm run build` first.
//   - `server status` on a running stack: wall ≤ 1.5 × `node -e 0`
//   - `server start` of the built-in stack from nothing to all ready: ≤ 1.5 s
//   - cleanup of 50 marked orphans that obey SIGTERM: ≤ 1.5 s in all
//   - `server stop` of the built-in stack: ≤ 1 s
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {CLI, cleanEnv, fixture, homeProcesses, makeHome, spawnMarked, waitFor} from '../dist/test/helpers.js';
import {runSection} from './section.mjs';

/** Medians of at least 10 runs (issue 2). */
const RUNS = Math.max(10, Number(process.env.BENCH_RUNS ?? 10));
/** The status comparison is cheap, so it gets more runs for a steadier ratio. */
const STATUS_RUNS = Math.max(RUNS, 20);
const ORPHANS = 50;
const BUDGET = {statusRatio: 1.5, startMs: 1500, cleanupMs: 1500, stopMs: 1000};
/** Environment that slows every Node start (extra CA certificates are read and parsed before any script runs). */
const STARTUP_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'];
const BUILTINS = ['stigmer-server', 'workflow-runner', 'agent-runner'];

const log = (line) => process.stderr.write(`lifecycle.bench: ${line}\n`);
const median = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const ms = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);
const spread = (xs) => `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}`;
const verdict = (ok) => (ok ? '**pass**' : '**MISS**');

/** Wall time of one run of argv (spawnSync, hrtime), with its exit code and output. */
function timeOnce(argv, env) {
	const began = process.hrtime.bigint();
	const r = spawnSync(argv[0], argv.slice(1), {env, stdio: ['ignore', 'pipe', 'pipe'], cwd: os.tmpdir(), timeout: 120_000});
	const wall = Number(process.hrtime.bigint() - began) / 1e6;
	return {ms: wall, code: r.status, stdout: String(r.stdout), stderr: String(r.stderr)};
}

function cli(home, args) {
	return timeOnce([process.execPath, CLI, ...args], cleanEnv({STIGMER_HOME: home.dir}));
}

function must(result, what) {
	if (result.code !== 0) {
		throw new Error(`${what} exited ${result.code}\n${result.stdout}${result.stderr}`);
	}

	return result;
}

function onPath(name) {
	return (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, name)).find((f) => fs.existsSync(f));
}

/**
 * Medians of `node -e 0` and each subject command, runs interleaved so drift in machine load hits
 * both alike; hyperfine does the timing when installed. Subjects are [label, argv]; all must exit 0.
 */
function compare(subjects, env, runs) {
	const all = [['node -e 0', [process.execPath, '-e', '0']], ...subjects];
	const hyperfine = onPath('hyperfine');
	if (hyperfine && all.every(([, argv]) => argv.every((a) => !/\s/.test(a)))) {
		const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'hf.json');
		const r = spawnSync(hyperfine, ['-N', '--warmup', '3', '--runs', String(runs), '--export-json', out, ...all.map(([, argv]) => argv.join(' '))], {env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000});
		if (r.status === 0) {
			const results = JSON.parse(fs.readFileSync(out, 'utf8')).results;
			fs.rmSync(path.dirname(out), {recursive: true, force: true});
			return {tool: `hyperfine ${runs} runs each, 3 warm-up`, medians: results.map((x) => x.median * 1000), times: results.map((x) => x.times.map((t) => t * 1000))};
		}

		log(`hyperfine failed (exit ${r.status}); timing with our own loop`);
	}

	const times = all.map(() => []);
	for (let i = 0; i < runs + 3; i++) {
		for (const [j, [, argv]] of all.entries()) {
			const r = timeOnce(argv, env);
			if (r.code !== 0) {
				throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
			}

			if (i >= 3) {
				times[j].push(r.ms);
			}
		}
	}

	return {tool: `own loop (process.hrtime), ${runs} interleaved runs each, 3 warm-up`, medians: times.map(median), times};
}

async function benchStatus(rows, notes) {
	const home = await makeHome(undefined);
	try {
		must(cli(home, ['server', 'start']), 'server start');
		must(cli(home, ['server', 'status']), 'server status (must be healthy to be measured)');
		log(`status vs node -e 0 (${STATUS_RUNS} runs)`);
		const env = cleanEnv({STIGMER_HOME: home.dir});
		const {tool, medians, times} = compare([
			['server status', [process.execPath, CLI, 'server', 'status']],
			['--version', [process.execPath, CLI, '--version']],
		], env, STATUS_RUNS);
		const [base, status, version] = medians;
		const ratio = status / base;
		rows.push([
			'`server status` on a running stack',
			`${ms(status)} = **${ratio.toFixed(2)} ×** \`node -e 0\` (${ms(base)}); range ${spread(times[1])}`,
			`≤ ${BUDGET.statusRatio} × \`node -e 0\``,
			verdict(ratio <= BUDGET.statusRatio),
		]);
		notes.push(`Baseline \`node -e 0\`: median ${ms(base)} (range ${spread(times[0])}); timing: ${tool}.`);
		notes.push(`For reference, \`stigmer --version\` (CLI start-up alone, no engine): ${ms(version)} = ${(version / base).toFixed(2)} × \`node -e 0\`.`);
		if (ratio > BUDGET.statusRatio && version < status) {
			notes.push(`\`server status\` missed its budget: of its ${ms(status - base)} over bare node, ${ms(version - base)} is the CLI's own start-up (module loading) and ${ms(status - version)} the status work (config, PID files, /proc, health probes).`);
		}

		// Variables that make every Node start slower inflate the baseline as much as status: measure without them too.
		const heavy = STARTUP_VARIABLES.filter((name) => process.env[name] !== undefined);
		if (heavy.length > 0) {
			const lean = Object.fromEntries(Object.entries(env).filter(([name]) => !heavy.includes(name)));
			log(`status vs node -e 0 without ${heavy.join(', ')} (${STATUS_RUNS} runs)`);
			const without = compare([['server status', [process.execPath, CLI, 'server', 'status']]], lean, STATUS_RUNS);
			const [leanBase, leanStatus] = without.medians;
			rows.push([
				`\`server status\`, the same without ${heavy.map((name) => `\`${name}\``).join(', ')}`,
				`${ms(leanStatus)} = **${(leanStatus / leanBase).toFixed(2)} ×** \`node -e 0\` (${ms(leanBase)}); range ${spread(without.times[1])}`,
				`≤ ${BUDGET.statusRatio} × \`node -e 0\``,
				verdict(leanStatus / leanBase <= BUDGET.statusRatio),
			]);
			notes.push(`This machine's environment sets ${heavy.join(', ')}, which costs every Node start (\`node -e 0\` included) ${ms(base - leanBase)}: the second status row is the same comparison with ${heavy.length === 1 ? 'it' : 'them'} removed, as on a typical developer machine.`);
		}
	} finally {
		await home.cleanup();
	}
}

async function benchStartStop(rows, notes) {
	const home = await makeHome(undefined);
	const starts = [];
	const stops = [];
	try {
		log(`start/stop of the built-in stack (${RUNS} runs)`);
		must(cli(home, ['server', 'start']), 'warm-up start');
		must(cli(home, ['server', 'stop']), 'warm-up stop');
		for (let i = 0; i < RUNS; i++) {
			const start = must(cli(home, ['server', 'start']), 'server start');
			for (const name of BUILTINS) {
				if (!start.stdout.includes(`✓ ${name}`)) {
					throw new Error(`server start did not report ${name} ready:\n${start.stdout}`);
				}
			}

			starts.push(start.ms);
			stops.push(must(cli(home, ['server', 'stop']), 'server stop').ms);
			if (homeProcesses(home.dir).length > 0) {
				throw new Error('server stop left processes behind');
			}
		}
	} finally {
		await home.cleanup();
	}

	rows.push(['`server start` of the built-in stack, nothing → all ready', `${ms(median(starts))}; range ${spread(starts)}`, `≤ ${ms(BUDGET.startMs)}`, verdict(median(starts) <= BUDGET.startMs)]);
	rows.push(['`server stop` of the built-in stack', `${ms(median(stops))}; range ${spread(stops)}`, `≤ ${ms(BUDGET.stopMs)}`, verdict(median(stops) <= BUDGET.stopMs)]);
	notes.push(`Start and stop are whole CLI runs (node start-up included), ${RUNS} alternating start/stop pairs after one warm-up pair; stacks of ${BUILTINS.length} built-in components, temporal disabled.`);
}

async function benchCleanup(rows, notes) {
	const home = await makeHome(undefined, {builtins: false, components: {worker: {command: fixture('sleeper.mjs'), ready: {after: '10ms'}}}});
	const withOrphans = [];
	const without = [];
	try {
		log(`cleanup of ${ORPHANS} marked orphans (${RUNS} runs)`);
		must(cli(home, ['server', 'start']), 'warm-up start');
		must(cli(home, ['server', 'stop']), 'warm-up stop');
		for (let i = 0; i < RUNS; i++) {
			without.push(must(cli(home, ['server', 'start']), 'server start without orphans').ms);
			must(cli(home, ['server', 'stop']), 'server stop');

			const pids = Array.from({length: ORPHANS}, () => spawnMarked(home, 'worker', ['sleep', '300']).pid);
			await waitFor(() => {
				const marked = new Set(homeProcesses(home.dir).map((p) => p.pid));
				return pids.every((pid) => marked.has(pid));
			}, `${ORPHANS} orphans to carry the marker`);
			const start = must(cli(home, ['server', 'start']), 'server start with orphans');
			const reported = /cleaned up (\d+) orphaned worker process/.exec(start.stdout);
			if (Number(reported?.[1]) !== ORPHANS) {
				throw new Error(`expected "cleaned up ${ORPHANS} orphaned worker processes", got:\n${start.stdout}`);
			}

			const left = homeProcesses(home.dir).filter((p) => pids.includes(p.pid));
			if (left.length > 0) {
				throw new Error(`${left.length} orphans survived cleanup`);
			}

			withOrphans.push(start.ms);
			must(cli(home, ['server', 'stop']), 'server stop');
		}
	} finally {
		await home.cleanup();
	}

	const extra = median(withOrphans) - median(without);
	rows.push([
		`cleanup of ${ORPHANS} marked orphans that obey SIGTERM`,
		`${ms(extra)} (a start with them: ${ms(median(withOrphans))}, range ${spread(withOrphans)}; without: ${ms(median(without))})`,
		`≤ ${ms(BUDGET.cleanupMs)} in all`,
		verdict(extra <= BUDGET.cleanupMs),
	]);
	notes.push(`Cleanup is measured as the extra wall time of \`server start\` of a one-component stack with ${ORPHANS} marked \`sleep 300\` orphans (each its own process group) over the same start without them, ${RUNS} runs each; every run checks the "cleaned up ${ORPHANS} orphaned worker processes" line and that none survived. The whole start with orphans, node start-up included, is ${median(withOrphans) <= BUDGET.cleanupMs ? 'also within' : 'over'} ${ms(BUDGET.cleanupMs)}.`);
}

await runSection('Lifecycle (issue 2)', 'measured (median)', [benchStatus, benchStartStop, benchCleanup], log);
