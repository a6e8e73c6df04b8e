// `server run` as PID 1 of a PID namespace (docs/engines.md, "server run"): the shipped launcher (cli.js's #! line, sh)
// stays PID 1 and reaps every orphan; SIGTERM to PID 1 stops the stack, exit 0. Needs root and a working `unshare`.
import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import {test} from 'node:test';
import {CLI, cleanEnv, live, makeHome, show, waitFor} from '../helpers.js';

/** Why this machine cannot make a PID namespace, or undefined when it can. */
function noNamespace(): string | undefined {
	if (process.getuid?.() !== 0) {
		return 'needs root for unshare --pid';
	}

	const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', 'true'], {stdio: 'ignore', timeout: 10_000});
	return probe.status === 0 ? undefined : `unshare --pid does not work here (${probe.error?.message ?? `exit ${probe.status}`})`;
}

const skip = noNamespace();
if (skip !== undefined) {
	process.stdout.write(`run-pid1: skipped: ${skip}\n`);
}

/** Children of `pid` with their state letter, read from /proc (this side of the namespace). */
function children(pid: number): Array<{pid: number; state: string}> {
	const found: Array<{pid: number; state: string}> = [];
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) {
			continue;
		}

		try {
			const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
			const [state = '', ppid = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(ppid) === pid) {
				found.push({pid: Number(name), state});
			}
		} catch {} // Gone meanwhile.
	}

	return found;
}

/** A component whose child double-forks every 0.2 s: each `sleep` is orphaned to PID 1 and ends 0.1 s later. */
const FORKER = ['sh', '-c', 'while :; do (sleep 0.1 &); echo "$(date -u +%Y-%m-%dT%H:%M:%S.000Z) forked"; sleep 0.2; done'];

test('the launcher\'s sh lines (cli.js up to the end of its comment) pass shellcheck as POSIX sh', (t) => {
	if (spawnSync('shellcheck', ['--version'], {stdio: 'ignore'}).status !== 0) {
		t.skip('shellcheck is not installed (.ci/run installs it)');
		return;
	}

	const [shebang = '', , ...rest] = fs.readFileSync(CLI, 'utf8').split('\n');
	assert.equal(shebang, '#!/bin/sh', 'the kernel runs the shipped CLI with sh');
	const sh = [shebang, ...rest.slice(0, rest.indexOf('*/'))].join('\n');
	const r = spawnSync('shellcheck', ['-s', 'sh', '-'], {input: sh, encoding: 'utf8'});
	assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

test('the shipped dist/bin/cli.js is executable and runs by its own path (the kernel reads its #!/bin/sh)', () => {
	assert.equal(fs.statSync(CLI).mode & 0o111, 0o111, 'mode a+x, as npm makes an installed bin');
	const r = spawnSync(CLI, ['--version'], {encoding: 'utf8', timeout: 30_000});
	assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
	assert.match(r.stdout, /^\d+\.\d+\.\d+/);
});

const CASES = [
	{name: 'the stigmer launcher (the kernel runs cli.js by its #! line: sh)', argv: ['sh', CLI], reaps: true},
	// Node 22.15+ replaces itself with the reaper (process.execve); Node 20 cannot and says so.
	{name: 'node cli.js', argv: [process.execPath, CLI], reaps: 'execve' in process},
] as const;

for (const c of CASES) {
	test(`run as PID 1 via ${c.name}: ready lines, logs, ${c.reaps ? 'orphans reaped' : 'a warning that orphans cannot be reaped'}, SIGTERM → all stopped, exit 0`, {skip}, async (t) => {
		const home = await makeHome(t, {builtins: false, components: {forker: {command: FORKER}}});
		const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...c.argv, 'server', 'run'], {env: cleanEnv({STIGMER_HOME: home.dir}), stdio: ['ignore', 'pipe', 'pipe']});
		const output = live(child);
		t.after(() => {
			child.kill('SIGKILL'); // --kill-child: the whole namespace goes with it.
		});
		await waitFor(() => (output.stdout().match(/forker\[stdout\] .* forked/g) ?? []).length >= 6, 'six orphans made and ended, their lines streamed', 20_000);
		assert.match(output.stdout(), /^✓ forker {2}pid \d+ {2}ready in /m, output.stdout());
		const init = await waitFor(() => children(child.pid ?? 0)[0]?.pid, 'the namespace\'s PID 1');
		const zombies = () => new Set(children(init).filter((p) => p.state === 'Z').map((p) => p.pid));
		const before = zombies();
		await new Promise((resolve) => {
			setTimeout(resolve, 400);
		});
		const lasting = [...zombies()].filter((pid) => before.has(pid));
		if (c.reaps) {
			assert.deepEqual(lasting, [], `no zombie stays under PID 1; its children: ${JSON.stringify(children(init))}`);
		} else {
			assert.match(output.stderr(), /running as PID 1 under Node\.js v[\d.]+, which cannot reap orphans/);
			assert.ok(lasting.length > 0, 'without a reaper the orphans stay zombies (what the launcher exists for)');
		}

		process.kill(init, 'SIGTERM');
		const [code] = await waitFor(() => (child.exitCode === null ? undefined : [child.exitCode] as const), 'the namespace to end', 30_000);
		const result = {code, signal: null, stdout: output.stdout(), stderr: output.stderr(), ms: 0};
		assert.equal(code, 0, show(result));
		assert.match(output.stdout(), /^forker stopped in \d+ms$/m, show(result));
		assert.equal(fs.existsSync(home.pidFile('forker')), false, 'stopped as server stop does: no PID file left');
	});
}
