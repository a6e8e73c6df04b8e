// The sh supervisor itself (docs/supervision.md): shellcheck, the two shells it must run under (dash; bash in POSIX mode, as
// macOS's /bin/sh), default signal dispositions for the component, and real daemons (nginx, redis) killed with -9.
import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {SUPERVISOR_SHELLS, supervisorShell} from '../../source/engine/spawn.js';
import {SUPERVISOR_FUNCTIONS, SUPERVISOR_LAUNCHER, SUPERVISOR_LOOP, SUPERVISOR_MAIN} from '../../source/engine/supervisor-script.js';
import {
	activity, childrenOf, freePort, groupMembers, ROOT, isAlive, makeHome, parseStarted, parseStopped, procStat, readPidFile, redisPing, show, statusJson, waitFor, which,
	type TestHome,
} from '../helpers.js';

const TEST_TIMEOUT_MS = 90_000;

function supervisorOf(home: TestHome, name: string): number {
	return Number(readPidFile(home.pidFile(name))?.['supervisorPid']);
}

/** A new pid in the component's PID file, alive. */
async function respawned(home: TestHome, name: string, old: number): Promise<number> {
	return waitFor(() => {
		const pid = Number(readPidFile(home.pidFile(name))?.['pid']);
		return pid !== old && isAlive(pid) ? pid : undefined;
	}, `a new ${name} pid`, 15_000);
}

/** Shells the supervisor must run under: dash, and bash started as `sh` (its POSIX mode, as macOS /bin/sh). */
function shells(): Array<{name: string; path: string | undefined; why: string}> {
	const bash = which('bash');
	// macOS's /bin/sh is bash 3.2 in POSIX mode: where one was built from source (docs/development.md), it runs too.
	const bash32 = process.env['STIGMER_TEST_BASH32'] ?? which('bash-3.2');
	return [
		{name: 'dash', path: which('dash'), why: 'dash is not installed (apt-get install dash; .ci/run installs it)'},
		{name: 'bash --posix', path: asSh(bash), why: 'bash is not installed'},
		{name: 'bash 3.2 --posix', path: asSh(bash32), why: 'no bash 3.2 here (macOS /bin/sh): build one as docs/development.md says, put it on PATH as bash-3.2'},
	];
}

/** A symlink named `sh` to a bash, so it starts in POSIX mode as /bin/sh does. */
function asSh(bash: string | undefined): string | undefined {
	if (bash === undefined) {
		return undefined;
	}

	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-sh-'));
	const sh = path.join(dir, 'sh');
	fs.symlinkSync(bash, sh);
	return sh;
}

/**
 * The supervisor's own memory may exceed a bare shell's by this much (issue 8: ≤ 3 MB RSS, most of it the shell's
 * shared code). Under bash the supervisor is a fork that keeps the heap of the shell that read its settings, its job
 * table and the launch loop (measured +130 to +160 KiB; dash +10 KiB); parsing all its functions in it made it +300 KiB.
 */
const OWN_MEMORY_SLACK_BYTES = 192 * 1024;
/** The budget itself (docs/supervision.md): 3 MB of VmRSS, read as 3,000,000 bytes, as bench/supervision.bench.mjs does. */
const RSS_BUDGET_BYTES = 3_000_000;
/** How long a settled supervisor is watched doing nothing: several times what any of its steps takes. */
const STEADY_WATCH_MS = 1500;

/** VmRSS of pid (what the budget counts: shared code pages in full), in bytes. */
function vmRss(pid: number): number {
	return Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
}

/** RssAnon of pid (its own heap, stack and data; shared code pages left out), in bytes. */
function rssAnon(pid: number): number {
	return Number(/^RssAnon:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
}

/** RssAnon of a bare `shell -c 'sleep; :'` waiting for its child, started as a supervisor is (LC_ALL=C). */
async function bareShellAnon(shell: string): Promise<number> {
	const child = spawn(shell, ['-c', 'sleep 30; :'], {detached: true, stdio: 'ignore', env: {...process.env, LC_ALL: 'C'}});
	try {
		return await waitFor(() => (groupMembers(child.pid!).length === 2 ? rssAnon(child.pid!) : undefined), 'a bare shell waiting for its child');
	} finally {
		process.kill(-child.pid!, 'SIGKILL');
	}
}

/** A process's environment as a map. */
function environ(pid: number): Map<string, string> {
	return new Map(fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]));
}

/** The supervisor's source files (source/engine/supervisor/*.sh). */
const SUPERVISOR_DIR = path.join(ROOT, 'source', 'engine', 'supervisor');
const shFile = (name: string) => fs.readFileSync(path.join(SUPERVISOR_DIR, name), 'utf8');
/** As the build sends them: without whole-line comments (source/engine/supervisor/inline.mjs). */
const strip = (text: string) => text.replace(/^[ \t]*#.*\n/gm, '');

test('the supervisor is real .sh files, shellcheck-clean as POSIX sh, and the build inlines exactly them', (t) => {
	assert.equal(SUPERVISOR_MAIN, strip(shFile('main.sh')), 'the inlined start is main.sh');
	assert.equal(SUPERVISOR_LOOP, strip(shFile('loop.sh')), 'the inlined loop (handed over in the settings) is loop.sh');
	assert.equal(SUPERVISOR_FUNCTIONS, strip(shFile('common.sh') + shFile('functions.sh') + shFile('steps.sh')), 'the inlined functions are common.sh + functions.sh + steps.sh');
	assert.equal(SUPERVISOR_LAUNCHER, strip(shFile('common.sh') + shFile('launcher.sh')), 'the inlined launcher is common.sh + launcher.sh');
	for (const text of [SUPERVISOR_MAIN, SUPERVISOR_LOOP, SUPERVISOR_FUNCTIONS, SUPERVISOR_LAUNCHER]) {
		assert.doesNotMatch(text, /^\s*#/m, 'sent without comments');
	}

	const shellcheck = which('shellcheck');
	if (shellcheck === undefined) {
		t.skip('shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)');
		return;
	}

	const files = fs.readdirSync(SUPERVISOR_DIR).filter((name) => name.endsWith('.sh')).map((name) => path.join(SUPERVISOR_DIR, name));
	assert.deepEqual(files.map((f) => path.basename(f)).sort(), ['common.sh', 'functions.sh', 'launcher.sh', 'loop.sh', 'main.sh', 'steps.sh']);
	const checked = spawnSync(shellcheck, ['--shell=sh', '--severity=style', ...files], {encoding: 'utf8'});
	assert.equal(checked.status, 0, checked.stdout + checked.stderr);
});

test('supervisors prefer dash wherever it is installed, else /bin/sh; STIGMER_SUPERVISOR_SHELL overrides both', () => {
	assert.deepEqual(SUPERVISOR_SHELLS, ['/bin/dash', '/bin/sh']);
	assert.equal(supervisorShell({}, ['/nonexistent/dash', '/bin/sh']), '/bin/sh', 'no dash: the system sh');
	assert.equal(supervisorShell({}, ['/nonexistent/dash', '/nonexistent/sh']), '/bin/sh', 'nothing found: /bin/sh, whose failure to run says the rest');
	const dash = which('dash');
	if (dash !== undefined) {
		assert.equal(supervisorShell({}, [dash, '/bin/sh']), dash);
	}

	assert.equal(supervisorShell({STIGMER_SUPERVISOR_SHELL: '/opt/sh'}), '/opt/sh');
	assert.equal(supervisorShell({STIGMER_SUPERVISOR_SHELL: ''}, ['/nonexistent/dash', '/bin/sh']), '/bin/sh', 'an empty override is no override');
});

test('by default the supervisor runs under /bin/dash where it exists, else /bin/sh', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const home = await makeHome(t, {builtins: false, components: {sleepy: {command: ['sleep', '300'], ready: {after: '100ms'}}}});
	const start = await home.cli(['server', 'start'], {env: {STIGMER_SUPERVISOR_SHELL: ''}});
	assert.equal(start.code, 0, show(start) + home.logs());
	const supervisor = supervisorOf(home, 'sleepy');
	const expected = fs.existsSync('/bin/dash') ? '/bin/dash' : '/bin/sh';
	const argv = fs.readFileSync(`/proc/${supervisor}/cmdline`, 'utf8').split('\0');
	assert.deepEqual(argv.filter(Boolean), [expected, '-s', 'stigmer-supervisor', 'sleepy', home.dir], 'spawned as that shell, named in ps by its component and home');
	assert.equal(fs.realpathSync(`/proc/${supervisor}/exe`), fs.realpathSync(expected));
	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
});

for (const shell of shells()) {
	test(`under ${shell.name}: restarts after kill -9, gives up a crash loop, stops with SIGINT reaching the component`, {timeout: TEST_TIMEOUT_MS}, async (t) => {
		if (shell.path === undefined) {
			t.skip(shell.why);
			return;
		}

		if (shell.name.startsWith('bash')) {
			const mode = spawnSync(shell.path, ['-c', 'set -o | grep "^posix"'], {encoding: 'utf8'}).stdout;
			assert.match(mode, /posix\s+on/, 'bash started as sh runs in POSIX mode');
		}

		const env = {STIGMER_SUPERVISOR_SHELL: shell.path};
		const home = await makeHome(t, {
			builtins: false,
			components: {
				// `sleep` keeps the default SIGINT disposition: were it ignored, the stop would need SIGKILL.
				sleepy: {command: ['sleep', '300'], restart_delay: '100ms', stop_signal: 'SIGINT', ready: {after: '100ms'}},
				// 137 is a code, not SIGKILL: only the shell that waited knows the difference (issue 18).
				flappy: {command: ['sh', '-c', 'sleep 1; exit 137'], restart_delay: '100ms', max_restarts: 1, ready: {after: '100ms'}},
				localed: {command: ['sleep', '300'], env: {LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8'}, ready: {after: '100ms'}},
			},
		});
		const start = await home.cli(['server', 'start'], {env});
		assert.equal(start.code, 0, show(start) + home.logs());
		const sleepy = parseStarted(start.stdout).get('sleepy')!.pid;
		const supervisor = supervisorOf(home, 'sleepy');
		assert.equal(fs.realpathSync(`/proc/${supervisor}/exe`), fs.realpathSync(shell.path), `the supervisor runs under ${shell.name}`);
		// The supervisor runs without a locale (LC_ALL=C); each component gets back the LC_ALL it was started with, or none.
		assert.equal(environ(supervisor).get('LC_ALL'), 'C');
		assert.equal(environ(sleepy).get('LC_ALL'), process.env['LC_ALL'], 'the CLI\'s own LC_ALL (or none) reaches the component');
		const localed = environ(parseStarted(start.stdout).get('localed')!.pid);
		assert.deepEqual([localed.get('LC_ALL'), localed.get('LANG'), localed.has('STIGMER_SUPERVISOR')], ['C.UTF-8', 'C.UTF-8', false]);

		process.kill(sleepy, 'SIGKILL');
		const next = await respawned(home, 'sleepy', sleepy);
		assert.equal(procStat(next)?.ppid, supervisor);
		const failed = await waitFor(async () => {
			const s = await statusJson(home);
			return s.byName.get('flappy')!.state === 'failed' ? s : undefined;
		}, 'flappy to give up');
		const flappy = failed.byName.get('flappy')!;
		// bash 3.2 forgets the job in wait (jobs -l shows nothing) and a trapped SIGCHLD does not return from it early:
		// it cannot tell, so the record says both (docs/supervision.md).
		const cannotTell = shell.name === 'bash 3.2 --posix';
		assert.deepEqual([flappy.restarts, flappy.lastExit?.code, flappy.lastExit?.signal], [1, 137, cannotTell ? 'SIGKILL' : null], show(failed.result));
		if (cannotTell) {
			assert.match(flappy.reason ?? '', /^exit code 137 or killed by SIGKILL/, show(failed.result));
		}
		const c = failed.byName.get('sleepy')!;
		assert.deepEqual([c.state, c.restarts, c.lastExit?.signal], ['running', 1, 'SIGKILL'], show(failed.result));

		// It keeps its functions as text, parsed only in short-lived subshells: bash parsing them all made it +300 KiB.
		const bare = await bareShellAnon(shell.path);
		assert.ok(rssAnon(supervisor) - bare < OWN_MEMORY_SLACK_BYTES, `RssAnon ${rssAnon(supervisor)} B, a bare ${shell.name} ${bare} B`);
		// The budget: a bare bash is already ~2.9 MB here, so under bash a fork of it supervises (docs/supervision.md).
		assert.ok(vmRss(supervisor) <= RSS_BUDGET_BYTES, `VmRSS ${vmRss(supervisor)} B of a ${shell.name} supervisor, over ${RSS_BUDGET_BYTES}`);

		const stop = await home.cli(['server', 'stop'], {env});
		assert.equal(parseStopped(stop.stdout).get('sleepy')?.how, 'stopped', `SIGINT ended sleep without SIGKILL:\n${show(stop)}`);
		assert.equal(isAlive(supervisor), false);
		assert.deepEqual(home.processes(), {});
	});

	test(`under ${shell.name}: a settled supervisor's only child and group member is its component, and it does nothing (no fork, no CPU)`, {timeout: TEST_TIMEOUT_MS}, async (t) => {
		if (shell.path === undefined) {
			t.skip(shell.why);
			return;
		}

		const env = {STIGMER_SUPERVISOR_SHELL: shell.path};
		const home = await makeHome(t, {builtins: false, components: {idle: {command: ['sleep', '300'], ready: {after: '100ms'}}}});
		const start = await home.cli(['server', 'start'], {env});
		assert.equal(start.code, 0, show(start) + home.logs());
		const component = parseStarted(start.stdout).get('idle')!.pid;
		const supervisor = supervisorOf(home, 'idle');
		assert.deepEqual([procStat(component)?.ppid, procStat(supervisor)?.pgid], [supervisor, supervisor], 'the component\'s parent, leader of its group');
		const sorted = (pids: number[]) => JSON.stringify([...pids].sort((a, b) => a - b));
		const exact = () => sorted(childrenOf(supervisor)) === sorted([component]) && sorted(groupMembers(supervisor)) === sorted([supervisor, component]);
		// It settles in milliseconds (its wake-up for start's SIGUSR1): wait (bounded) for two agreeing reads 200 ms apart.
		let previous = '';
		await waitFor(() => {
			const now = exact() ? activity(supervisor) : '';
			const settled = now !== '' && now === previous;
			previous = now;
			return settled;
		}, `the supervisor to settle: children ${JSON.stringify(childrenOf(supervisor))}, group ${JSON.stringify(groupMembers(supervisor))}`, 10_000, 200);
		const before = activity(supervisor);
		for (const deadline = Date.now() + STEADY_WATCH_MS; Date.now() < deadline; await new Promise((resolve) => {
			setTimeout(resolve, 50);
		})) {
			assert.equal(sorted(childrenOf(supervisor)), sorted([component]), 'no child but the component');
			assert.equal(sorted(groupMembers(supervisor)), sorted([supervisor, component]), 'no group member but itself and the component');
		}

		assert.equal(activity(supervisor), before, 'no CPU tick, no page fault, no child reaped (minflt cminflt utime stime cutime cstime)');
		assert.ok(vmRss(supervisor) <= RSS_BUDGET_BYTES, `VmRSS ${vmRss(supervisor)} B, over ${RSS_BUDGET_BYTES}`);
		const stop = await home.cli(['server', 'stop'], {env});
		assert.equal(stop.code, 0, show(stop));
		assert.deepEqual(home.processes(), {});
	});
}

/** An nginx config: a master and two workers on port, everything under dir. */
function nginxConfig(dir: string, port: number): string {
	const temp = (name: string) => `${name}_temp_path ${path.join(dir, name)};`;
	return `worker_processes 2;
daemon off;
pid ${path.join(dir, 'nginx.pid')};
error_log stderr notice;
events { worker_connections 64; }
http {
	access_log off;
	${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n\t')}
	server { listen 127.0.0.1:${port}; location / { return 200 "ok\\n"; } }
}
`;
}

async function httpOk(port: number): Promise<boolean> {
	try {
		const response = await fetch(`http://127.0.0.1:${port}/`, {signal: AbortSignal.timeout(1000)});
		return response.status === 200 && (await response.text()) === 'ok\n';
	} catch {
		return false;
	}
}

test('nginx: kill -9 of the master; the old workers are ended, nginx is back and serves', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const nginx = which('nginx', `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`);
	if (nginx === undefined) {
		t.skip('nginx is not installed (apt-get install nginx; .ci/run installs it)');
		return;
	}

	const home = await makeHome(t, {builtins: false});
	const port = await freePort();
	const dir = path.join(home.dir, 'nginx');
	fs.mkdirSync(dir, {recursive: true});
	fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(dir, port));
	home.writeConfig({builtins: false, components: {nginx: {command: [nginx, '-p', dir, '-c', path.join(dir, 'nginx.conf')], ready: {tcp: port}, restart_delay: '200ms', stop_signal: 'SIGQUIT'}}});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 0, show(start) + home.logs());
	const master = parseStarted(start.stdout).get('nginx')!.pid;
	const supervisor = supervisorOf(home, 'nginx');
	const workers = await waitFor(() => {
		const found = groupMembers(supervisor).filter((pid) => procStat(pid)?.ppid === master);
		return found.length === 2 ? found : undefined;
	}, 'two nginx workers in the supervisor\'s group');
	assert.ok(await httpOk(port), 'nginx serves');

	process.kill(master, 'SIGKILL');
	const next = await respawned(home, 'nginx', master);
	await waitFor(async () => httpOk(port), 'the new nginx to serve');
	for (const pid of workers) {
		assert.equal(isAlive(pid), false, `old worker ${pid} is gone`);
	}

	const members = groupMembers(supervisor);
	assert.ok(members.every((pid) => pid === supervisor || pid === next || procStat(pid)?.ppid === next), `only the supervisor, the new master and its workers remain: ${members.join(' ')}`);
	const c = (await statusJson(home)).byName.get('nginx')!;
	assert.deepEqual([c.state, c.pid, c.restarts, c.lastExit?.signal], ['running', next, 1, 'SIGKILL']);

	const stop = await home.cli(['server', 'stop']);
	assert.equal(stop.code, 0, show(stop));
	assert.deepEqual(groupMembers(supervisor), [], 'nothing of nginx is left');
});

test('redis-server: kill -9; its supervisor brings it back and it answers PING', {timeout: TEST_TIMEOUT_MS}, async (t) => {
	const redis = which('redis-server');
	if (redis === undefined) {
		t.skip('redis-server is not installed (apt-get install redis-server; .ci/run installs it)');
		return;
	}

	const port = await freePort();
	const home = await makeHome(t, {
		builtins: false,
		components: {redis: {command: [redis, '--port', String(port), '--save', '', '--appendonly', 'no'], ready: {tcp: port}, restart_delay: '200ms'}},
	});
	const start = await home.cli(['server', 'start']);
	assert.equal(start.code, 0, show(start) + home.logs());
	const first = parseStarted(start.stdout).get('redis')!.pid;
	process.kill(first, 'SIGKILL');
	await respawned(home, 'redis', first);
	await waitFor(async () => (await redisPing(port)) === '+PONG', 'the new redis to answer PING');
	const c = (await statusJson(home)).byName.get('redis')!;
	assert.deepEqual([c.restarts, c.lastExit?.signal], [1, 'SIGKILL']);
});

/** Why /proc cannot be hidden here (a tmpfs over it in a mount namespace of our own, as root), or undefined. */
function cannotHideProc(): string | undefined {
	if (process.getuid?.() !== 0) {
		return 'needs root to mount a tmpfs over /proc in a mount namespace';
	}

	const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /proc && ! [ -e /proc/self/stat ]'], {encoding: 'utf8', timeout: 10_000});
	return probe.status === 0 ? undefined : `cannot mount a tmpfs over /proc here: ${probe.stderr.trim() || probe.error?.message || `exit ${probe.status}`}`;
}

const HIDING_PROC = cannotHideProc();

for (const shell of shells()) {
	test(`with /proc hidden (macOS's branch), under ${shell.name}: start times from ps lstart in UTC, leftovers found with ps, a restart, a stop`, {timeout: TEST_TIMEOUT_MS, skip: HIDING_PROC}, (t) => {
		if (shell.path === undefined) {
			t.skip(shell.why);
			return;
		}

		// ps (procps) needs /proc: a BSD-style ps answers from the real proc, bound elsewhere first (test/fixtures/no-proc/ps).
		const realProc = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-proc-'));
		const home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-noproc-')));
		t.after(() => {
			fs.rmSync(home, {recursive: true, force: true});
			fs.rmSync(realProc, {recursive: true, force: true});
		});
		const fixtures = path.join(ROOT, 'test', 'fixtures', 'no-proc');
		const script = 'mount --bind /proc "$REALPROC" && mount -t tmpfs -o size=64k tmpfs /proc && exec "$NODE" "$HARNESS" "$SUPERVISOR_SH" "$HOME_DIR"';
		const run = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
			encoding: 'utf8',
			timeout: 60_000,
			env: {...process.env, PATH: `${fixtures}:${process.env['PATH'] ?? ''}`, REALPROC: realProc, NODE: process.execPath, HARNESS: path.join(fixtures, 'run-supervisor.mjs'), SUPERVISOR_SH: shell.path, HOME_DIR: home},
		});
		assert.equal(run.status, 0, run.stdout + run.stderr);
		const result = JSON.parse(run.stdout) as {startTime: string; childGone: boolean; state: {lastExit: {signal: string}}; stopped: {state: string; reason: string}};
		assert.match(result.startTime, /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{1,2} \d\d:\d\d:\d\d \d{4}$/, 'the start time is ps\'s lstart, squeezed');
		assert.equal(result.childGone, true, 'the dead component\'s child was found through ps and ended');
		assert.equal(result.state.lastExit.signal, 'SIGKILL');
		assert.deepEqual([result.stopped.state, result.stopped.reason], ['stopped', 'supervisor received SIGTERM']);
	});
}
