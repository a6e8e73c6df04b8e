// Issue 8's supervision budgets (SPEC 4.8). Prints a markdown section on stdout (progress on stderr).
// Needs `npm run build` first.
//   - a supervisor's memory: RSS ≤ 3 MB; its CPU over 30 s of an idle component: ≈ 0
//   - crash-to-respawn latency (kill -9 of the component → its new PID file) minus restart_delay: ≤ 100 ms
// The supervisor runs under /bin/sh (dash on Debian) and, for reference, bash in POSIX mode (macOS's /bin/sh).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {homeProcesses, makeHome, runCli} from '../dist/test/helpers.js';
import {runSection} from './section.mjs';

/** Issue 8's budgets. */
const BUDGET = {rssBytes: 3 * 1024 * 1024, idleCpuPercent: 0.1, respawnOverDelayMs: 100};
/** How long supervisors sit idle while their CPU time is measured (issue 8: 30 s). */
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 30_000);
/** Supervised components per shell in the memory and CPU run. */
const COMPONENTS = 5;
/** kill -9 / respawn rounds (medians of at least 10, as issue 2's budgets). */
const ROUNDS = Math.max(10, Number(process.env.BENCH_RUNS ?? 10));
const RESTART_DELAY_MS = 200;
/** USER_HZ of /proc/<pid>/stat times. */
const CLK_TCK = 100;

const log = (line) => process.stderr.write(`supervision.bench: ${line}\n`);
const median = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const verdict = (ok) => (ok ? '**pass**' : '**MISS**');
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

function rssBytes(pid) {
	const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
	return Number(match[1]) * 1024;
}

/** utime + stime of pid, in ticks; with `children`, plus those of its reaped children (date, mv, sleep). */
function cpuTicks(pid, children = false) {
	const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
	return Number(fields[11]) + Number(fields[12]) + (children ? Number(fields[13]) + Number(fields[14]) : 0);
}

function must(result, what) {
	if (result.code !== 0) {
		throw new Error(`${what} exited ${result.code}\n${result.stdout}${result.stderr}`);
	}

	return result;
}

/** The shells to measure: /bin/sh, and bash started as `sh` when bash exists. */
function shells() {
	const list = [{label: `/bin/sh (${path.basename(fs.realpathSync('/bin/sh'))})`, path: '/bin/sh'}];
	const bash = ['/bin/bash', '/usr/bin/bash'].find((f) => fs.existsSync(f));
	if (bash) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bench-sh-'));
		fs.symlinkSync(bash, path.join(dir, 'sh'));
		list.push({label: 'bash --posix (as macOS /bin/sh)', path: path.join(dir, 'sh')});
	}

	return list;
}

async function benchIdle(shell, rows) {
	const components = Object.fromEntries(Array.from({length: COMPONENTS}, (_, i) => [`idle${i}`, {command: ['sleep', '3600'], ready: {after: '10ms'}}]));
	const home = await makeHome(undefined, {builtins: false, components});
	try {
		must(await runCli(home.dir, ['server', 'start'], {env: {STIGMER_SUPERVISOR_SHELL: shell.path}}), 'server start');
		const supervisors = homeProcesses(home.dir).filter((p) => p.supervisor).map((p) => p.pid);
		if (supervisors.length !== COMPONENTS) {
			throw new Error(`expected ${COMPONENTS} supervisors, found ${supervisors.length}`);
		}

		log(`${shell.label}: ${COMPONENTS} supervisors idle for ${IDLE_MS / 1000} s`);
		const before = supervisors.map(cpuTicks);
		const began = Date.now();
		await new Promise((resolve) => {
			setTimeout(resolve, IDLE_MS);
		});
		const seconds = (Date.now() - began) / 1000;
		const ticks = supervisors.map((pid, i) => cpuTicks(pid) - before[i]);
		const rss = supervisors.map(rssBytes);
		const maxRss = Math.max(...rss);
		const cpuPercent = (Math.max(...ticks) / CLK_TCK / seconds) * 100;
		rows.push([`supervisor RSS, ${shell.label}`, `max ${mb(maxRss)} (median ${mb(median(rss))}) over ${COMPONENTS} supervisors`, `≤ ${mb(BUDGET.rssBytes)}`, verdict(maxRss <= BUDGET.rssBytes)]);
		rows.push([`supervisor CPU over ${seconds.toFixed(0)} s idle, ${shell.label}`, `${cpuPercent.toFixed(3)} % (max CPU ticks of one supervisor: ${Math.max(...ticks)})`, `≈ 0 (≤ ${BUDGET.idleCpuPercent} %)`, verdict(cpuPercent <= BUDGET.idleCpuPercent)]);
		must(await runCli(home.dir, ['server', 'stop']), 'server stop');
	} finally {
		await home.cleanup();
	}
}

async function benchRespawn(shell, rows) {
	const home = await makeHome(undefined, {builtins: false, components: {victim: {command: ['sleep', '3600'], ready: {after: '10ms'}, restart_delay: `${RESTART_DELAY_MS}ms`, min_uptime: '10ms'}}});
	const pidFile = home.pidFile('victim');
	const read = () => {
		try {
			return JSON.parse(fs.readFileSync(pidFile, 'utf8')).pid;
		} catch {
			return undefined;
		}
	};

	const over = [];
	let supervisor = 0;
	let ticksBefore = 0;
	let cpuPerRestartMs = 0;
	try {
		must(await runCli(home.dir, ['server', 'start'], {env: {STIGMER_SUPERVISOR_SHELL: shell.path}}), 'server start');
		log(`${shell.label}: ${ROUNDS} kill -9 / respawn rounds (restart_delay ${RESTART_DELAY_MS} ms)`);
		supervisor = Number(JSON.parse(fs.readFileSync(pidFile, 'utf8')).supervisorPid);
		ticksBefore = cpuTicks(supervisor, true);
		for (let round = 0; round < ROUNDS; round++) {
			const pid = read();
			const began = performance.now();
			process.kill(pid, 'SIGKILL');
			// A tight poll (no await between reads): the PID file is the first sign of the new process.
			let next;
			while ((next = read()) === pid || next === undefined) {
				if (performance.now() - began > 10_000) {
					throw new Error('no respawn within 10 s');
				}

				await new Promise((resolve) => {
					setImmediate(resolve);
				});
			}

			over.push(performance.now() - began - RESTART_DELAY_MS);
			await new Promise((resolve) => {
				setTimeout(resolve, 50);
			});
		}

		cpuPerRestartMs = ((cpuTicks(supervisor, true) - ticksBefore) * (1000 / CLK_TCK)) / ROUNDS;
		must(await runCli(home.dir, ['server', 'stop']), 'server stop');
	} finally {
		await home.cleanup();
	}

	rows.push([`crash-to-respawn minus restart_delay, ${shell.label}`, `${Math.round(median(over))} ms (range ${Math.round(Math.min(...over))}–${Math.round(Math.max(...over))} ms, ${ROUNDS} rounds); CPU per restart (supervisor and the helpers it reaped): ${cpuPerRestartMs.toFixed(1)} ms`, `≤ ${BUDGET.respawnOverDelayMs} ms`, verdict(median(over) <= BUDGET.respawnOverDelayMs)]);
}

const steps = shells().flatMap((shell) => [async (rows) => benchIdle(shell, rows), async (rows) => benchRespawn(shell, rows)]);
steps.push(async (rows, notes) => {
	notes.push(`RSS is VmRSS from /proc/<pid>/status of each supervisor after ${IDLE_MS / 1000} s of idling over a \`sleep 3600\` component; CPU is the supervisor's utime+stime (10 ms ticks) over that time.`);
	notes.push(`Respawn: \`kill -9\` of the component's own process (each run outlives \`min_uptime: 10ms\`, so the delay stays ${RESTART_DELAY_MS} ms), then a tight poll of its PID file until the supervisor's launcher rewrote it with the new pid; restart_delay is subtracted. What remains is the supervisor's work: reaping, a date(1), the /proc scan for leftovers of the group, the state file (mv) and .err line, a sleep(1), and a shell start for the launcher with its PID file (mv): five fork+execs.`);
	notes.push(`Load average (1 min) at the end: ${os.loadavg()[0].toFixed(2)} on ${os.availableParallelism()} cores.`);
});
await runSection('Supervision (issue 8)', 'measured', steps, log);
