// The OS module against real processes (Linux /proc) and recorded macOS `ps` output.
import assert from 'node:assert/strict';
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import {StigmerError} from '../../source/errors.js';
import {errorText} from '../../source/messages.js';
import {processTable, processTableFor, signalGroup, signalPid} from '../../source/os/index.js';
import {isDeadState, markerComponent, parseBtime, parseListeners, parseMarker, parseProcStat, parseVmRssBytes} from '../../source/os/proc-parse.js';
import {
	environmentPart,
	markedFromPs,
	parseBootSessionUuid,
	parseGroupRows,
	parseLsofListeners,
	parseLstart,
	parsePidCommands,
	parsePsRow,
	parsePsTable,
	psClaim,
	psMarker,
	psMarkerComponent,
} from '../../source/os/ps-parse.js';
import {parseSupervisorArgv, parseSupervisorCommand} from '../../source/os/supervisor-argv.js';
import {psUnvis, psVis} from '../../source/os/vis.js';
import {itemAt, waitFor} from '../helpers.js';

/** Longest wait for a process to reach a state; generous for a loaded CI machine. */
const DEADLINE_MS = 5000;
const POLL_MS = 10;
/** A scan of a ~100-process table takes a few ms; ten times that still fits the status budget. */
const SCAN_BUDGET_MS = 50;

const isLinux = process.platform === 'linux';
const children: ChildProcess[] = [];
const groups: number[] = [];
const temps: string[] = [];

after(() => {
	for (const pgid of groups) {
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {}
	}
	for (const child of children) {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGKILL');
		}
	}
	for (const dir of temps) {
		fs.rmSync(dir, {recursive: true, force: true});
	}
});

function start(command: string, args: string[], options: {env?: NodeJS.ProcessEnv; detached?: boolean} = {}): ChildProcess {
	const child = spawn(command, args, {stdio: 'ignore', env: options.env ?? process.env, detached: options.detached ?? false});
	children.push(child);
	if (options.detached && child.pid) {
		groups.push(child.pid);
	}
	assert.ok(child.pid, `could not spawn ${command}`);
	return child;
}

function pidOf(child: ChildProcess): number {
	assert.ok(child.pid);
	return child.pid;
}

function tempHome(): string {
	const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-os-')));
	temps.push(dir);
	return dir;
}

function exited(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		return Promise.resolve();
	}
	return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Time since boot in clock ticks (10 ms), the unit of /proc/<pid>/stat start times. */
function uptimeTicks(): number {
	return Math.floor(Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 100);
}

/** True once the child has exec'd the program (before that, /proc shows node's environment). */
function hasExeced(pid: number, comm: string): boolean {
	try {
		return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
	} catch {
		return false;
	}
}

/** Every process's stat, read straight from /proc (independently of the process table under test). */
function onProc(): Array<{pid: number; pgrp: number}> {
	return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((name) => {
		try {
			const stat = parseProcStat(fs.readFileSync(`/proc/${name}/stat`, 'latin1'));
			return stat && !isDeadState(stat.state) ? [stat] : [];
		} catch {
			return [];
		}
	});
}

function fixture(name: string): string {
	return fs.readFileSync(new URL(`../../../test/fixtures/ps/${name}`, import.meta.url), 'utf8');
}

describe('/proc parsing', () => {
	const statLine = (comm: string) =>
		`4242 (${comm}) S 4200 4242 4242 0 -1 4194560 1520 0 0 0 37 12 0 0 20 0 1 0 987654 12345678 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 3 0 0 0 0 0\n`;

	test('splits at the last parenthesis, so comm may hold ") (" and spaces', () => {
		const stat = parseProcStat(statLine('evil) (S 1 1 name'));
		assert.deepEqual(stat, {
			pid: 4242,
			comm: 'evil) (S 1 1 name',
			state: 'S',
			ppid: 4200,
			pgrp: 4242,
			cpuTicks: 49,
			startTicks: '987654',
			rssPages: 2048,
		});
	});

	test('rejects text that is not a stat line', () => {
		assert.equal(parseProcStat(''), undefined);
		assert.equal(parseProcStat('4242 (x) S 1 2'), undefined);
		assert.equal(parseProcStat('garbage without parens'), undefined);
	});

	test('dead states', () => {
		assert.deepEqual(['Z', 'X', 'x', 'S', 'R', 'D', 'T', 'I'].map(isDeadState), [true, true, true, false, false, false, false, false]);
	});

	test('btime and VmRSS', () => {
		assert.equal(parseBtime('cpu  1 2 3\nintr 5\nctxt 9\nbtime 1764126072\nprocesses 4\n'), 1764126072);
		assert.equal(parseBtime('cpu 1\n'), undefined);
		assert.equal(parseVmRssBytes('Name:\tnode\nVmRSS:\t   43120 kB\nRssAnon: 1 kB\n'), 43120 * 1024);
		assert.equal(parseVmRssBytes('Name:\tkthreadd\n'), undefined);
	});

	test('marker in a NUL-separated environ: exact home, component required, first assignment wins', () => {
		const env = (...entries: string[]) => entries.join('\0') + '\0';
		assert.equal(markerComponent(env('PATH=/bin', 'STIGMER_HOME=/h', 'STIGMER_COMPONENT=redis'), '/h'), 'redis');
		assert.equal(markerComponent(env('STIGMER_COMPONENT=redis', 'STIGMER_HOME=/h'), '/h'), 'redis');
		assert.equal(markerComponent(env('STIGMER_HOME=/h2', 'STIGMER_COMPONENT=redis'), '/h'), undefined);
		assert.equal(markerComponent(env('STIGMER_HOME=/h/sub', 'STIGMER_COMPONENT=redis'), '/h'), undefined);
		assert.equal(markerComponent(env('STIGMER_HOME=/h'), '/h'), undefined);
		assert.equal(markerComponent(env('STIGMER_HOME=/h', 'STIGMER_COMPONENT='), '/h'), undefined);
		assert.equal(markerComponent(env('STIGMER_HOME=/other', 'STIGMER_HOME=/h', 'STIGMER_COMPONENT=x'), '/h'), undefined);
		assert.equal(markerComponent(env('XSTIGMER_HOME=/h', 'STIGMER_COMPONENT=x'), '/h'), undefined);
	});
});

describe('macOS ps parsing (recorded output)', () => {
	const table = parsePsTable(fixture('darwin-table.txt'));

	test('reads every row of the table, whatever the column widths', () => {
		assert.equal(table.size, fixture('darwin-table.txt').trim().split('\n').length);
		assert.deepEqual(table.get(1), {
			pid: 1,
			ppid: 0,
			pgid: 1,
			state: 'Ss',
			startTime: 'Mon Nov 2 08:15:31 2026',
			startedAtMs: Date.UTC(2026, 10, 2, 8, 15, 31),
			command: '/sbin/launchd',
		});
		assert.equal(table.get(68550)?.pgid, 68550);
		assert.equal(table.get(4140)?.state, 'Z');
		assert.equal(table.get(4150)?.state, 'SNs');
	});

	test('keeps commands with spaces, parentheses and "=" whole', () => {
		assert.equal(
			table.get(9001)?.command,
			'/Applications/Visual Studio Code.app/Contents/Frameworks/Code Helper (Renderer).app/Contents/MacOS/Code Helper (Renderer) --type=renderer --user-data-dir=/Users/ana/Library/Application Support/Code --lang=en-US',
		);
		assert.equal(table.get(5600)?.command, 'nginx: master process /opt/homebrew/bin/nginx -g daemon off;');
	});

	test('the start-time token ignores column padding (space-padded day of month)', () => {
		const single = parsePsRow(itemAt(fixture('darwin-info-9001.txt').split('\n'), 0));
		assert.ok(single);
		assert.equal(single.startTime, 'Thu Nov 5 09:01:02 2026');
		assert.equal(single.startTime, table.get(9001)?.startTime);
		assert.equal(single.command, '');
		assert.equal(single.startedAtMs, Date.UTC(2026, 10, 5, 9, 1, 2));
	});

	test('lstart parsing', () => {
		assert.equal(parseLstart('Wed Nov 25 22:14:03 2026'), Date.UTC(2026, 10, 25, 22, 14, 3));
		assert.equal(parseLstart('Wed Foo 25 22:14:03 2026'), undefined);
		assert.equal(parseLstart('yesterday'), undefined);
		assert.equal(parsePsRow('  PID  PPID  PGID STAT STARTED'), undefined);
		assert.equal(parsePsRow(''), undefined);
	});

	test('scan finds this home\'s marked processes only', () => {
		const found = markedFromPs(fixture('darwin-table.txt'), fixture('darwin-env.txt'), '/Users/ana/.stigmer', 5499);
		assert.deepEqual(
			found.map((p) => [p.pid, p.component]).sort((a, b) => Number(a[0]) - Number(b[0])),
			[
				[4121, 'stigmer-server'],
				[4133, 'workflow-runner'],
				[4150, 'agent-runner'],
				[68104, 'workflow-runner'],
				[68550, 'workflow-runner'],
			],
		);
		const orphan = found.find((p) => p.pid === 68550);
		assert.equal(orphan?.startTime, 'Wed Nov 25 22:14:03 2026');
		assert.equal(orphan?.pgid, 68550);
		assert.equal(orphan?.ppid, 1);
	});

	test('scan: a supervisor (STIGMER_SUPERVISOR=1) is flagged, a component is not', () => {
		const table = [
			'  700     1   700 Ss   Wed Nov 25 22:14:03 2026     sh -s /bin/sh redis',
			'  701   700   700 S    Wed Nov 25 22:14:03 2026     redis-server',
		].join('\n');
		const env = [
			'  700 sh -s /bin/sh redis STIGMER_HOME=/Users/ana/.stigmer STIGMER_COMPONENT=redis STIGMER_SUPERVISOR=1 PATH=/usr/bin',
			'  701 redis-server STIGMER_SUPERVISOR=10 STIGMER_HOME=/Users/ana/.stigmer STIGMER_COMPONENT=redis',
		].join('\n');
		assert.deepEqual(markedFromPs(table, env, '/Users/ana/.stigmer', 1).map((p) => [p.pid, p.component, p.supervisor]), [[700, 'redis', true], [701, 'redis', false]]);
	});

	test('scan: other homes, a home with spaces, and a marker in the arguments', () => {
		const table = fixture('darwin-table.txt');
		const env = fixture('darwin-env.txt');
		assert.deepEqual(
			markedFromPs(table, env, '/Users/ana/My Stacks/one', 1).map((p) => [p.pid, p.component]),
			[[5400, 'stigmer-server']],
		);
		// 5200's arguments say STIGMER_HOME=/Users/ana/.stigmer, but its environment is this home's
		assert.deepEqual(
			markedFromPs(table, env, '/Users/ana/stigmer-test', 1).map((p) => [p.pid, p.component]),
			[[5200, 'shell']],
		);
		assert.deepEqual(
			markedFromPs(table, env, '/Users/ana/.stigmer2', 1).map((p) => p.pid),
			[5300],
		);
		assert.deepEqual(markedFromPs(table, env, '/Users/ana', 1), []);
		assert.deepEqual(markedFromPs(table, env, '/Users/ana/.stig', 1), []);
	});

	test('environment part and marker of one ps -E line', () => {
		assert.equal(environmentPart('sleep 5 A=1 B=2', 'sleep 5'), ' A=1 B=2');
		assert.equal(environmentPart('sleep 5 A=1', 'other'), 'sleep 5 A=1');
		assert.equal(environmentPart('sleep 5 A=1', undefined), 'sleep 5 A=1');
		assert.equal(psMarkerComponent(' A=1 STIGMER_HOME=/h STIGMER_COMPONENT=db', '/h'), 'db');
		assert.equal(psMarkerComponent(' STIGMER_HOME=/h', '/h'), undefined);
		assert.equal(psMarkerComponent(' STIGMER_HOME=/h/x STIGMER_COMPONENT=db', '/h'), undefined);
		assert.equal(psMarkerComponent(' XSTIGMER_HOME=/h STIGMER_COMPONENT=db', '/h'), undefined);
		assert.equal(psMarkerComponent('STIGMER_COMPONENT=db STIGMER_HOME=/h', '/h'), 'db');
	});

	test('pid → command listing', () => {
		const commands = parsePidCommands(fixture('darwin-env.txt'));
		assert.equal(commands.get(4140), '(node)');
		assert.equal(commands.get(1), '/sbin/launchd');
		assert.ok(commands.get(4121)?.endsWith('STIGMER_COMPONENT=stigmer-server PORT=7234'));
	});

	test('group rows and boot time', () => {
		const rows = parseGroupRows(fixture('darwin-groups.txt'));
		assert.deepEqual(
			rows.filter((r) => r.pgid === 5600).map((r) => r.pid),
			[5600, 5601, 5602],
		);
		assert.deepEqual(rows.find((r) => r.pid === 4140), {pid: 4140, pgid: 4133, state: 'Z'});
		assert.equal(parseBootSessionUuid('garbage'), undefined);
	});
});

/** A recorded fixture without its header (the `# ` lines that quote where it comes from). */
function recorded(name: string): string {
	return fixture(name).split('\n').filter((line) => !line.startsWith('#')).join('\n');
}

describe('macOS: boot id, UTC start times, strvis-encoded homes, supervisors by their arguments (recorded output)', () => {
	const table = recorded('darwin-table-vis.txt');
	const env = recorded('darwin-env-vis.txt');
	/** uid 502's process 7200 is not ours; every other is. */
	const owned = (pids: number[]) => new Set(pids.filter((pid) => pid !== 7200));

	test('the boot id is kern.bootsessionuuid, exactly one UUID; kern.boottime text is refused', () => {
		assert.equal(parseBootSessionUuid(recorded('darwin-bootsessionuuid.txt')), '40962879-B7EE-4F13-AF6E-E7266EF5E732');
		assert.equal(parseBootSessionUuid('{ sec = 1793607331, usec = 512348 } Mon Nov  2 08:15:31 2026\n'), undefined);
		assert.equal(parseBootSessionUuid('00000000-0000-0000-0000-000000000000'), undefined);
		assert.equal(parseBootSessionUuid(''), undefined);
	});

	test('lstart is read as UTC (ps runs with TZ=UTC0), whatever TZ stigmer runs with', () => {
		const row = parsePsTable(table).get(7001);
		assert.equal(row?.startTime, 'Thu Nov 26 03:47:41 2026');
		assert.equal(row?.startedAtMs, Date.parse('2026-11-26T03:47:41Z'));
	});

	test('strvis as ps prints it, and back: é is M-CM-), TAB \\011, newline \\012, a backslash as is', () => {
		const cases: Array<[string, string]> = [['/Users/zoé', '/Users/zoM-CM-)'], ['a\tb', 'a\\011b'], ['a\nb', 'a\\012b'], ['a\\b', 'a\\b'], ['\u0001\u007F', '^A^?'], ['x\u00A0', 'xM-B\\240'], ['plain /tmp/x y', 'plain /tmp/x y']];
		for (const [raw, shown] of cases) {
			assert.equal(psVis(raw), shown, JSON.stringify(raw));
			assert.equal(psUnvis(shown), raw, shown);
		}
	});

	test('the scan finds a home with such bytes, its supervisor by its arguments (no environment shown), never another user\'s', () => {
		const found = (home: string) => markedFromPs(table, env, home, 1, owned).map((p) => [p.pid, p.component, p.supervisor]).sort((a, b) => Number(a[0]) - Number(b[0]));
		assert.deepEqual(found('/Users/zoé/.stigmer'), [[7000, 'web', true], [7001, 'web', false]]);
		assert.deepEqual(found('/tmp/a\tb'), [[7100, 'db', true], [7101, 'db', false]]);
		// A home whose name looks like an escape is compared as ps prints it, so it is found too.
		assert.deepEqual(found('/Users/PM-2/.stigmer'), [[7300, 'api', true], [7301, 'api', false]]);
		assert.deepEqual(found('/Users/zoé'), []);
		assert.equal(markedFromPs(table, env, '/Users/zoé/.stigmer', 1).some((p) => p.pid === 7000), false, 'arguments prove nothing without knowing the owner');
	});

	test('a claim: the marker, else a supervisor\'s arguments of our own process; another home named as it is', () => {
		const plain = parsePidCommands(env);
		const rows = parsePsTable(table);
		const claim = (pid: number, own = true) => psClaim(plain.get(pid), rows.get(pid)?.command, '/Users/zoé/.stigmer', own);
		assert.deepEqual(claim(7001), {home: '/Users/zoé/.stigmer', component: 'web', supervisor: false});
		assert.deepEqual(claim(7000), {home: '/Users/zoé/.stigmer', component: 'web', supervisor: true});
		assert.equal(claim(7200, false), null);
		assert.deepEqual(claim(7400), {home: '/Users/zoé/.stigmer2', component: 'web', supervisor: false});
		assert.deepEqual(claim(7100), {home: '/tmp/a\tb', component: 'db', supervisor: true});
		assert.equal(claim(1), null);
	});

	test('supervisor arguments are parsed exactly', () => {
		assert.deepEqual(parseSupervisorArgv(['/bin/dash', '-s', 'stigmer-supervisor', 'web', '/h']), {component: 'web', home: '/h'});
		for (const argv of [['/bin/sh', '-s', 'stigmer-supervisor', 'web'], ['/bin/sh', '-s', 'stigmer-supervisor', 'web', 'h'], ['/bin/sh', '-c', 'stigmer-supervisor', 'web', '/h'], ['/bin/sh', '-s', 'stigmer-supervisor', 'Web', '/h'], ['/bin/sh', '-s', 'stigmer-supervisor', 'web', '/h', 'x'], ['/bin/sh', '-s', 'other', 'web', '/h']]) {
			assert.equal(parseSupervisorArgv(argv), undefined, argv.join(' '));
		}
		assert.deepEqual(parseSupervisorCommand('/bin/sh -s stigmer-supervisor web /Users/ana/My Stacks/one'), {component: 'web', home: '/Users/ana/My Stacks/one'});
		assert.equal(parseSupervisorCommand('sh -s /bin/sh web /x'), undefined);
	});
});

describe('darwin.ts runs ps and sysctl as the fixtures record them (stand-in commands on PATH)', () => {
	test('kern.bootsessionuuid, TZ=UTC0 and LC_ALL=C on every ps, a strvis home found, a supervisor by its arguments', (t) => {
		const bin = tempHome();
		const calls = path.join(bin, 'calls');
		const data = path.join(bin, 'data');
		fs.mkdirSync(data);
		fs.writeFileSync(path.join(data, 'table'), recorded('darwin-table-vis.txt'));
		fs.writeFileSync(path.join(data, 'env'), recorded('darwin-env-vis.txt'));
		fs.writeFileSync(path.join(data, 'uuid'), recorded('darwin-bootsessionuuid.txt'));
		// Our uid for every pid asked about, but 502 for 7200 (another user's copy of a supervisor's arguments).
		const uid = process.getuid?.() ?? 0;
		fs.writeFileSync(path.join(bin, 'ps'), [
			'#!/bin/sh',
			`printf '%s|%s|%s\\n' "$TZ" "$LC_ALL" "$*" >> '${calls}'`,
			'case "$*" in',
			`  *pid=,uid=*) for p in $(echo "$*" | sed 's/.*-p //; s/,/ /g'); do if [ "$p" = 7200 ]; then echo "$p 502"; else echo "$p ${uid}"; fi; done ;;`,
			`  *-E*) cat '${path.join(data, 'env')}' ;;`,
			`  *) cat '${path.join(data, 'table')}' ;;`,
			'esac',
		].join('\n'), {mode: 0o755});
		fs.writeFileSync(path.join(bin, 'sysctl'), `#!/bin/sh\n[ "$*" = '-n kern.bootsessionuuid' ] && exec cat '${path.join(data, 'uuid')}'\nexit 1\n`, {mode: 0o755});
		const savedPath = process.env['PATH'];
		process.env['PATH'] = `${bin}:${savedPath ?? ''}`;
		t.after(() => {
			process.env['PATH'] = savedPath;
		});
		const darwin = processTableFor('darwin');
		assert.equal(darwin.bootId(), '40962879-B7EE-4F13-AF6E-E7266EF5E732');
		const found = darwin.scanMarked('/Users/zoé/.stigmer').map((p) => [p.pid, p.component, p.supervisor, p.startedAtMs]);
		assert.deepEqual(found, [[7001, 'web', false, Date.parse('2026-11-26T03:47:41Z')], [7000, 'web', true, Date.parse('2026-11-26T03:47:41Z')]]);
		const claims = darwin.claims([7000, 7001, 7200, 7400], '/Users/zoé/.stigmer');
		assert.deepEqual(claims.get(7000), {home: '/Users/zoé/.stigmer', component: 'web', supervisor: true});
		assert.equal(claims.get(7200), null, 'another user\'s process proves nothing by its arguments');
		assert.deepEqual(claims.get(7400), {home: '/Users/zoé/.stigmer2', component: 'web', supervisor: false});
		const psCalls = fs.readFileSync(calls, 'utf8').trim().split('\n');
		assert.ok(psCalls.length >= 4, psCalls.join('\n'));
		for (const call of psCalls) {
			assert.match(call, /^UTC0\|C\|/, `every ps runs with TZ=UTC0 and LC_ALL=C: ${call}`);
		}
	});
});

describe('platform choice', () => {
	test('Windows gets a table whose every call explains, with a StigmerError', async () => {
		const table = processTableFor('win32');
		assert.throws(() => table.isAlive(1234), (error) => error instanceof StigmerError && /^stigmer does not support Windows:/.test(errorText(error)));
		assert.throws(() => table.scanMarked('/h'), StigmerError);
		await assert.rejects(table.usage([1234]), StigmerError);
		assert.equal(processTableFor(process.platform), processTable);
		assert.notEqual(processTableFor('linux'), processTableFor('darwin'));
	});
});

describe('signal guards', () => {
	test('signalPid refuses init, pid 0, negative pids, ourselves and our parent', () => {
		for (const pid of [1, 0, -1, -5, 1.5, process.pid, process.ppid]) {
			assert.throws(() => signalPid(pid, 'SIGTERM'), (error) => error instanceof StigmerError && errorText(error).startsWith(`refusing to signal pid ${pid}: `), `pid ${pid}`);
		}
	});

	test('signalGroup refuses groups <= 1 and our own group', () => {
		for (const pgid of [1, 0, -3]) {
			assert.throws(() => signalGroup(pgid, 'SIGTERM'), (error) => error instanceof StigmerError && errorText(error).startsWith(`refusing to signal process group ${pgid}: `), `pgid ${pgid}`);
		}
	});

	test('signalGroup refuses our own group, even from a group that leads itself inside a PID namespace', async () => {
		// Our own group may lie outside the test's PID namespace (test/init.c does not setpgid as tini
		// does): /proc then shows it as 0. A child that leads its own session has a group every
		// namespace can see; it tries to signal that group and says what happened.
		const osModule = new URL('../../source/os/index.js', import.meta.url).href;
		const messages = new URL('../../source/messages.js', import.meta.url).href;
		const script = `const {processTable, signalGroup} = await import(${JSON.stringify(osModule)});
const {errorText} = await import(${JSON.stringify(messages)});
const own = processTable.info(process.pid)?.pgid;
try { signalGroup(own, 'SIGTERM'); console.log('sent ' + own); } catch (error) { console.log('refused ' + own + ': ' + errorText(error)); }`;
		const child = spawn(process.execPath, ['--input-type=module', '-e', script], {detached: true, stdio: ['ignore', 'pipe', 'inherit']});
		children.push(child);
		let out = '';
		child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
		await exited(child);
		assert.equal(child.signalCode, null, `the child signalled its own group: ${out}`);
		assert.match(out, new RegExp(`^refused ${child.pid}: .*own process group`));
	});
});

describe('Linux process table (real processes)', {skip: !isLinux && 'needs /proc'}, () => {
	test('claims: the marker of any home; a supervisor\'s exact arguments as the second proof; nothing for an unmarked process', async () => {
		const home = tempHome();
		const {STIGMER_HOME: _h, STIGMER_COMPONENT: _c, ...clean} = process.env;
		// `sh -s` reads its script from stdin: a pipe held open keeps it waiting, with exactly these arguments.
		const bySupervisorArgs = spawn('/bin/sh', ['-s', 'stigmer-supervisor', 'web', home], {stdio: ['pipe', 'ignore', 'ignore'], env: clean});
		children.push(bySupervisorArgs);
		const marked = start('sleep', ['30'], {env: {...clean, STIGMER_HOME: '/elsewhere/home', STIGMER_COMPONENT: 'db', STIGMER_SUPERVISOR: '1'}});
		const plain = start('sleep', ['30'], {env: clean});
		await waitFor(() => hasExeced(pidOf(marked), 'sleep') && hasExeced(pidOf(plain), 'sleep') && processTable.info(pidOf(bySupervisorArgs)) !== undefined, 'the three processes to run');
		const claims = processTable.claims([pidOf(bySupervisorArgs), pidOf(marked), pidOf(plain), 4_000_000], home);
		assert.deepEqual(claims.get(pidOf(bySupervisorArgs)), {home, component: 'web', supervisor: true});
		assert.deepEqual(claims.get(pidOf(marked)), {home: '/elsewhere/home', component: 'db', supervisor: true});
		assert.equal(claims.get(pidOf(plain)), null);
		assert.equal(claims.has(4_000_000), false, 'a pid that does not exist claims nothing');
		bySupervisorArgs.stdin?.end();
	});

	test('bootId is the kernel boot id, stable', () => {
		const id = processTable.bootId();
		assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
		assert.equal(processTable.bootId(), id);
	});

	test('isAlive: a live child is alive; once it exited and was reaped it is not', async () => {
		const child = start('sleep', ['30']);
		const pid = pidOf(child);
		assert.equal(processTable.isAlive(pid), true);
		assert.equal(signalPid(pid, 'SIGTERM'), true);
		await exited(child);
		assert.equal(processTable.isAlive(pid), false);
		assert.equal(processTable.info(pid), undefined);
		assert.equal(signalPid(pid, 'SIGTERM'), false);
		assert.equal(processTable.isAlive(0), false);
		assert.equal(processTable.isAlive(-1), false);
	});

	test('isAlive: a zombie (exited, never reaped) is dead though kill(pid, 0) succeeds', async () => {
		// sh forks the subshell, then execs sleep; sleep never waits, so the exited subshell stays a zombie.
		const parent = start('sh', ['-c', '(exit 0) & exec sleep 5'], {detached: true});
		const parentPid = pidOf(parent);
		const zombie = await waitFor(() => {
			for (const name of fs.readdirSync('/proc')) {
				if (!/^\d+$/.test(name)) {
					continue;
				}
				try {
					const stat = parseProcStat(fs.readFileSync(`/proc/${name}/stat`, 'latin1'));
					if (stat?.ppid === parentPid && stat.state === 'Z') {
						return stat.pid;
					}
				} catch {}
			}
			return undefined;
		}, 'a zombie child of sleep', DEADLINE_MS, POLL_MS);
		process.kill(zombie, 0); // the kernel still has the pid: signal 0 alone would call it alive
		assert.equal(processTable.isAlive(zombie), false);
		assert.equal(processTable.info(zombie), undefined);
		assert.equal(processTable.isAlive(parentPid), true);
		assert.deepEqual(processTable.groupMembers(parentPid), [parentPid]);
	});

	test('info: ppid, pgid, a start-time token stable for the process and different for a new one', async () => {
		const first = pidOf(start('sleep', ['30']));
		const a = processTable.info(first);
		assert.ok(a);
		assert.equal(a.pid, first);
		assert.equal(a.ppid, process.pid);
		assert.equal(a.pgid, processTable.info(process.pid)?.pgid);
		assert.match(a.startTime, /^\d+$/);
		// To a clock tick or two, not to the whole second of /proc/stat's btime.
		assert.ok(Math.abs(a.startedAtMs - Date.now()) < 500, `startedAtMs ${a.startedAtMs} is not about now (${Date.now()})`);
		// The same process reads the same but for its run state, which moves on its own (R a moment ago, S now).
		assert.deepEqual({...processTable.info(first), state: a.state}, a);
		// /proc start times count 10 ms clock ticks since boot: wait until the clock has moved two ticks past a's.
		await waitFor(() => uptimeTicks() >= Number(a.startTime) + 2, 'two clock ticks', DEADLINE_MS, POLL_MS);
		const b = processTable.info(pidOf(start('sleep', ['30'])));
		assert.ok(b);
		assert.notEqual(b.startTime, a.startTime);
		assert.ok(Number(b.startTime) > Number(a.startTime));
	});

	test('scanMarked finds exactly this home\'s marked processes', async () => {
		const home = tempHome();
		const otherHome = tempHome();
		const env = (extra: NodeJS.ProcessEnv) => {
			const {STIGMER_HOME: _h, STIGMER_COMPONENT: _c, ...rest} = process.env;
			return {...rest, ...extra};
		};
		const ours = pidOf(start('sleep', ['30'], {env: env({STIGMER_HOME: home, STIGMER_COMPONENT: 'x'})}));
		const strangers = [
			start('sleep', ['30'], {env: env({STIGMER_HOME: otherHome, STIGMER_COMPONENT: 'x'})}),
			start('sleep', ['30'], {env: env({STIGMER_HOME: home + 'x', STIGMER_COMPONENT: 'x'})}),
			start('sleep', ['30'], {env: env({STIGMER_HOME: home + '/sub', STIGMER_COMPONENT: 'x'})}),
			start('sleep', ['30'], {env: env({STIGMER_HOME: home})}),
			start('sleep', ['30'], {env: env({STIGMER_COMPONENT: 'x'})}),
		].map(pidOf);
		await waitFor(() => [ours, ...strangers].every((pid) => hasExeced(pid, 'sleep')), 'every child to exec sleep', DEADLINE_MS, POLL_MS);
		const found = processTable.scanMarked(home);
		assert.deepEqual(
			found.map((p) => [p.pid, p.component]),
			[[ours, 'x']],
		);
		assert.deepEqual({...found[0], component: undefined}, {...processTable.info(ours), component: undefined, supervisor: false, engine: false});
		assert.deepEqual(
			processTable.scanMarked(otherHome).map((p) => p.pid),
			[strangers[0]],
		);
		// A supervisor (docs/supervision.md) is marked like any process of the home, and flagged as one.
		const supervisor = pidOf(start('sleep', ['30'], {env: env({STIGMER_HOME: home, STIGMER_COMPONENT: 'x', STIGMER_SUPERVISOR: '1'})}));
		await waitFor(() => hasExeced(supervisor, 'sleep'), 'the supervisor stand-in to exec sleep', DEADLINE_MS, POLL_MS);
		assert.deepEqual(processTable.scanMarked(home).map((p) => [p.pid, p.supervisor]).sort((a, b) => Number(a[0]) - Number(b[0])), [[ours, false], [supervisor, true]].sort((a, b) => Number(a[0]) - Number(b[0])));
	});

	test('groupMembers lists a detached group with its children, and signalGroup ends it', async () => {
		const leader = start('sh', ['-c', 'sleep 30 & sleep 30 & wait'], {detached: true});
		const pgid = pidOf(leader);
		const members = await waitFor(() => {
			const pids = processTable.groupMembers(pgid);
			return pids.length === 3 && pids.every((pid) => pid === pgid || hasExeced(pid, 'sleep')) ? pids : undefined;
		}, 'three members in the group', DEADLINE_MS, POLL_MS);
		assert.ok(members.includes(pgid));
		for (const pid of members) {
			assert.equal(processTable.info(pid)?.pgid, pgid);
		}
		assert.equal(signalGroup(pgid, 'SIGTERM'), true);
		await waitFor(() => processTable.groupMembers(pgid).length === 0, 'the group to be empty', DEADLINE_MS, POLL_MS);
		await exited(leader);
		// Orphaned members may linger as zombies until init reaps them; kill(-pgid) still reaches those.
		await waitFor(() => signalGroup(pgid, 'SIGCONT') === false, 'the group to be reaped', DEADLINE_MS, POLL_MS);
		assert.deepEqual(processTable.groupMembers(0), []);
	});

	test('groupMembersOf lists several groups in one call, exactly: a member reparented away from its leader too', async () => {
		// The subshell backgrounds a sleep and exits: that sleep stays in the group, its parent no longer the leader.
		const reparented = pidOf(start('sh', ['-c', '(sleep 30 &); exec sleep 30'], {detached: true}));
		const plain = pidOf(start('sh', ['-c', 'sleep 30 & exec sleep 30'], {detached: true}));
		const settled = (pgid: number) => {
			const pids = onProc().filter((stat) => stat.pgrp === pgid).map((stat) => stat.pid);
			return pids.length === 2 && pids.every((pid) => hasExeced(pid, 'sleep')) ? pids : undefined;
		};
		const expected = await waitFor(() => {
			const a = settled(reparented);
			const b = settled(plain);
			return a && b ? new Map([[reparented, a], [plain, b]]) : undefined;
		}, 'two sleeps in each group', DEADLINE_MS, POLL_MS);
		const away = expected.get(reparented)!.find((pid) => pid !== reparented)!;
		assert.notEqual(processTable.info(away)?.ppid, reparented, 'the member was reparented away from its leader');
		const sorted = (map: Map<number, number[]>) => [...map].map(([pgid, pids]) => [pgid, [...pids].sort((a, b) => a - b)]);
		const empty = 2 ** 22 + 1;
		// Invalid pgids are dropped; a valid one with no member maps to [].
		const found = processTable.groupMembersOf([reparented, plain, empty, 0, -1, 1.5, reparented]);
		assert.deepEqual(sorted(found), sorted(new Map([...expected, [empty, []]])));
		assert.deepEqual(processTable.groupMembers(reparented).sort((a, b) => a - b), [...expected.get(reparented)!].sort((a, b) => a - b));
		assert.deepEqual(processTable.groupMembersOf([]), new Map());
	});

	test('usage: RSS in bytes and CPU % over the sampled pids', async () => {
		const idle = pidOf(start('sleep', ['30']));
		const busy = pidOf(start(process.execPath, ['-e', 'for (;;) {}']));
		await waitFor(() => hasExeced(busy, 'node'), 'node to start', DEADLINE_MS, POLL_MS);
		const own = await processTable.usage([process.pid]);
		assert.ok(own.rssBytes > 10 * 1024 * 1024, `our RSS ${own.rssBytes} should be > 10 MB`);
		await processTable.usage([busy]);
		// CPU % is measured between two samples: the busy loop needs some time to spin in between (the point of the test).
		await new Promise((resolve) => setTimeout(resolve, 300));
		const spinning = await processTable.usage([busy]);
		assert.ok(spinning.cpuPercent > 10, `a busy loop uses ${spinning.cpuPercent}% CPU`);
		const both = await processTable.usage([idle, busy, idle]);
		const idleOnly = await processTable.usage([idle]);
		assert.ok(idleOnly.rssBytes > 0);
		assert.ok(both.rssBytes > idleOnly.rssBytes);
		assert.ok(idleOnly.cpuPercent >= 0 && idleOnly.cpuPercent < 50);
		assert.deepEqual(await processTable.usage([]), {cpuPercent: 0, rssBytes: 0});
		assert.deepEqual(await processTable.usage([2 ** 22 + 1]), {cpuPercent: 0, rssBytes: 0});
	});

	test('scan and group lookups are fast (status budget)', () => {
		const home = tempHome();
		// Best of three, so another job's burst on a shared machine does not fail the test.
		const runs = [0, 1, 2].map(() => {
			const t0 = performance.now();
			processTable.scanMarked(home);
			processTable.groupMembers(process.pid);
			return performance.now() - t0;
		});
		const ms = Math.min(...runs);
		assert.ok(ms < SCAN_BUDGET_MS, `scanMarked + groupMembers took ${ms.toFixed(1)} ms`);
	});
});

describe('port holders: parsing (recorded /proc/net/tcp and macOS lsof output)', () => {
	test('/proc/net/tcp and tcp6: LISTEN sockets on the port, any address, with inode and uid', () => {
		assert.deepEqual(parseListeners(fixture('linux-net-tcp.txt'), 7234), [{inode: '48213', uid: 1000}], 'the ESTABLISHED and TIME_WAIT rows on 7234 are not listeners');
		assert.deepEqual(parseListeners(fixture('linux-net-tcp.txt'), 6379), [{inode: '17755', uid: 0}]);
		assert.deepEqual(parseListeners(fixture('linux-net-tcp6.txt'), 7234), [{inode: '51234', uid: 999}]);
		assert.deepEqual(parseListeners(fixture('linux-net-tcp6.txt'), 8080), [{inode: '51300', uid: 1000}]);
		assert.deepEqual(parseListeners(fixture('linux-net-tcp.txt'), 80), []);
		assert.deepEqual(parseListeners('', 7234), []);
	});

	test('lsof -Fpc: one entry per listening process, with or without fd lines', () => {
		assert.deepEqual(parseLsofListeners(fixture('darwin-lsof-listen.txt')), [
			{pid: 4121, command: 'node'},
			{pid: 4188, command: 'nginx'},
			{pid: 4189, command: 'nginx'},
		]);
		assert.deepEqual(parseLsofListeners(''), [], 'lsof prints nothing (and exits 1) for a free port');
	});

	test('the marker of any home: from /proc environ and from ps -E text (a home with a space)', () => {
		assert.deepEqual(parseMarker('PATH=/bin\0STIGMER_HOME=/home/ana/other\0STIGMER_COMPONENT=stigmer-server\0'), {home: '/home/ana/other', component: 'stigmer-server'});
		assert.equal(parseMarker('PATH=/bin\0STIGMER_HOME=/home/ana/other\0'), undefined, 'a home alone is no marker');
		assert.deepEqual(psMarker('TERM=xterm STIGMER_HOME=/Users/ana/my stack STIGMER_COMPONENT=redis PATH=/usr/bin'), {home: '/Users/ana/my stack', component: 'redis'});
		assert.equal(psMarker('TERM=xterm PATH=/usr/bin'), undefined);
	});
});

describe('port holders on Linux (real listeners)', {skip: !isLinux && 'needs /proc'}, () => {
	async function listenOn(env: NodeJS.ProcessEnv): Promise<{child: ChildProcess; port: number}> {
		const child = spawn(process.execPath, ['-e', "const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port))"], {stdio: ['ignore', 'pipe', 'ignore'], env});
		children.push(child);
		const port = await new Promise<number>((resolve) => {
			child.stdout!.once('data', (chunk: Buffer) => {
				resolve(Number(chunk.toString().trim()));
			});
		});
		return {child, port};
	}

	test('names the listening process, its command and its marker; a free port has no holder', async () => {
		const home = tempHome();
		const {child, port} = await listenOn({...process.env, STIGMER_HOME: home, STIGMER_COMPONENT: 'redis'});
		assert.deepEqual(await processTable.portHolders(port), [{kind: 'process', pid: child.pid, command: 'node', home, component: 'redis'}]);
		assert.deepEqual(await processTable.portHolders(port, [child.pid!]), [{kind: 'process', pid: child.pid, command: 'node', home, component: 'redis'}], 'found among the preferred pids');
		child.kill('SIGKILL');
		await exited(child);
		assert.deepEqual(await processTable.portHolders(port), [], 'free once the listener is gone');
	});

	test('an unmarked listener has no home or component', async () => {
		const {STIGMER_HOME: _h, STIGMER_COMPONENT: _c, ...env} = process.env;
		const {child, port} = await listenOn(env);
		assert.deepEqual(await processTable.portHolders(port), [{kind: 'process', pid: child.pid, command: 'node', home: null, component: null}]);
		child.kill('SIGKILL');
	});
});
