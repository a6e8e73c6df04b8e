// docs/cli.md: `stigmer completion bash|zsh|fish` scripts load in their shells and complete verbs, flags and the
// component names of the current STIGMER_HOME's config.yaml (asked of `stigmer completion --components`).
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {CLI, cleanEnv, runCli, show, which} from '../helpers.js';

/** A shell that loads a script and completes a few lines takes well under a second; this is hung. */
const SHELL_TIMEOUT_MS = 20_000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-completion-'));
const home = path.join(dir, 'home');
const binDir = path.join(dir, 'bin');
/** `stigmer` on PATH for the shells: the built CLI under test. */
const wrapper = path.join(binDir, 'stigmer');
const scripts = {bash: '', zsh: '', fish: ''};

before(async () => {
	fs.mkdirSync(home, {mode: 0o700});
	fs.mkdirSync(binDir);
	fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`, {mode: 0o755});
	fs.writeFileSync(path.join(home, 'config.yaml'), 'version: 1\ncomponents:\n  redis-cache:\n    command: [redis-server]\n');
	for (const shell of ['bash', 'zsh', 'fish'] as const) {
		const r = await runCli(home, ['completion', shell]);
		assert.equal(r.code, 0, show(r));
		scripts[shell] = path.join(dir, `stigmer.${shell}`);
		fs.writeFileSync(scripts[shell], r.stdout);
	}
});
after(() => fs.rmSync(dir, {recursive: true, force: true}));

/** Run `shell -c code` with the test's stigmer first on PATH and the test home; returns stdout. */
function inShell(shell: string, args: string[]): string {
	const r = spawnSync(shell, args, {
		encoding: 'utf8',
		timeout: SHELL_TIMEOUT_MS,
		cwd: dir,
		env: cleanEnv({STIGMER_HOME: home, PATH: `${binDir}${path.delimiter}${process.env['PATH'] ?? ''}`, HOME: dir, ZDOTDIR: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir}),
	});
	assert.equal(r.status, 0, `${shell} ${args.join(' ')}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`);
	assert.equal(r.stderr, '', `${shell} printed errors`);
	return r.stdout;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).sort();

/**
 * Each verb's flags exactly as its --help spells them (a boolean that defaults on is offered as `--no-x` only
 * where the help says so: `--no-color`, never `--color`; `--follow` and `--no-follow`; `--all`, not `--no-all`).
 */
const DOCUMENTED: Array<[string[], string[]]> = [
	[['server', 'start'], ['--no-color']],
	[['server', 'stop'], ['--no-color']],
	[['server', 'status'], ['--json', '--no-color']],
	[['server', 'logs'], ['-c', '--component', '--stdout', '--stderr', '-n', '--tail', '-f', '--follow', '--no-follow', '--since', '--grep', '--level', '--json', '--no-color', '--all']],
	[['dash'], ['--once', '--json', '--no-color']],
	[['config', 'check'], []],
	[['config', 'schema'], []],
	[['completion'], []],
	[['export', 'systemd'], ['--system', '--user', '--out', '--enable', '--dry-run', '--remove', '--force']],
	[['export', 'launchd'], ['--enable', '--dry-run', '--remove', '--force']],
];
/** What every verb takes besides its own flags. */
const HELP_FLAGS = ['--help', '-h'];
/** The flags a verb with these documented flags offers after `stigmer VERB -`, sorted. */
const offers = (documented: string[]) => [...documented, ...HELP_FLAGS].sort();

/** Every `-x`/`--word` a help text names (its options, their descriptions, its examples). */
function helpSpellings(text: string): string[] {
	return [...new Set([...text.matchAll(/(?<![\w-])--?[a-z][a-z-]*(?![\w-])/g)].map((m) => m[0]))].sort();
}

test('completion --components lists the config\'s names; quietly nothing when the config is broken; touches nothing', async () => {
	const r = await runCli(home, ['completion', '--components']);
	assert.equal(r.code, 0, show(r));
	assert.deepEqual(words(r.stdout), ['agent-runner', 'redis-cache', 'stigmer-server', 'temporal', 'workflow-runner']);
	const broken = path.join(dir, 'broken');
	fs.mkdirSync(broken, {mode: 0o700});
	fs.writeFileSync(path.join(broken, 'config.yaml'), 'components: [not, a, map\n');
	const quiet = await runCli(broken, ['completion', '--components']);
	assert.equal(quiet.code, 0, show(quiet));
	assert.equal(quiet.stdout, '');
	assert.equal(quiet.stderr, '');
	fs.writeFileSync(path.join(broken, 'config.yaml'), 'components:\n  x:\n    command: [x]\n');
	await runCli(broken, ['completion', '--components']);
	assert.deepEqual(fs.readdirSync(broken), ['config.yaml'], 'a version-0 config is not migrated, no cache or data/ is written');
	const bad = await runCli(home, ['completion', 'tcsh']);
	assert.equal(bad.code, 2, show(bad));
	assert.match(bad.stderr, /unknown shell "tcsh"/);
});

describe('bash', {skip: which('bash') === undefined && 'bash is not installed'}, () => {
	/** COMPREPLY for the words typed (the last one is being completed), via the script's own function. */
	const complete = (...typed: string[]) =>
		words(
			inShell('bash', [
				'-c',
				`source ${JSON.stringify(scripts['bash'])}
COMP_WORDS=(${[wrapper, ...typed].map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${typed.length}; COMPREPLY=()
_stigmer; printf '%s\\n' "\${COMPREPLY[@]}"`,
			]),
		);

	test('the script registers _stigmer for stigmer', () => {
		assert.match(inShell('bash', ['-c', `source ${JSON.stringify(scripts['bash'])}; complete -p stigmer`]), /complete -F _stigmer stigmer/);
	});

	test('verbs, subverbs, flags, component names for start/stop and -c', () => {
		assert.deepEqual(complete(''), ['completion', 'config', 'dash', 'export', 'help', 'server']);
		assert.deepEqual(complete('server', 'st'), ['start', 'status', 'stop']);
		assert.deepEqual(complete('config', ''), ['check', 'schema']);
		assert.deepEqual(complete('export', ''), ['launchd', 'systemd']);
		assert.deepEqual(complete('export', 'systemd', '--dr'), ['--dry-run']);
		assert.deepEqual(complete('help', 'server', 'l'), ['logs']);
		assert.deepEqual(complete('server', 'start', 're'), ['redis-cache']);
		assert.deepEqual(complete('server', 'run', 're'), ['redis-cache'], 'server run takes component names too');
		assert.deepEqual(complete('server', 'stop', 'stigmer-server', ''), ['agent-runner', 'redis-cache', 'stigmer-server', 'temporal', 'workflow-runner']);
		assert.deepEqual(complete('server', 'logs', '-c', 'redis'), ['redis-cache']);
		assert.deepEqual(complete('server', 'logs', '--component', ''), ['agent-runner', 'redis-cache', 'stigmer-server', 'temporal', 'workflow-runner']);
		assert.deepEqual(complete('server', 'logs', '--fo'), ['--follow']);
		assert.deepEqual(complete('server', 'logs', '-n', '5', '--no-f'), ['--no-follow']);
		assert.deepEqual(complete('server', 'logs', '--since', ''), [], 'a value flag takes a value, not a command');
		assert.deepEqual(complete('dash', '--o'), ['--once']);
		assert.deepEqual(complete('completion', 'f'), ['fish']);
		assert.deepEqual(complete('--v'), ['--version']);
	});

	test('each verb offers exactly the flags its --help lists: --no-color, never --color', async () => {
		for (const [verb, documented] of DOCUMENTED) {
			const offered = complete(...verb, '-');
			assert.deepEqual(offered, offers(documented), `stigmer ${verb.join(' ')} -<Tab>`);
			const help = await runCli(home, [...verb, '--help']);
			assert.deepEqual(offered, [...new Set([...helpSpellings(help.stdout), ...HELP_FLAGS])].sort(), `stigmer ${verb.join(' ')}: what --help lists`);
		}

		assert.deepEqual(complete('server', 'start', '--c'), [], '--color is not a documented spelling');
		assert.deepEqual(complete('server', 'logs', '--no-a'), [], '--all defaults on; --no-all is not documented');
		assert.deepEqual(complete('completion', '--c'), [], 'the hidden --components is not offered');
		const top = await runCli(home, ['--help']);
		assert.deepEqual(complete('-'), helpSpellings(top.stdout.slice(top.stdout.indexOf('Options:'))), 'stigmer -<Tab>: the top-level options of the usage');
	});
});

describe('zsh', {skip: which('zsh') === undefined && 'zsh is not installed'}, () => {
	test('sourced after compinit, it registers _stigmer and completes verbs and components', () => {
		const out = inShell('zsh', [
			'-f',
			'-c',
			`autoload -U compinit && compinit -u -d ${JSON.stringify(path.join(dir, 'zcompdump'))}
source ${JSON.stringify(scripts['zsh'])}
print -r -- "comps=\${_comps[stigmer]}"
print -r -- "verbs=\${(j: :)\${(f)"$(__stigmer_candidates stigmer st server)"}}"
print -r -- "components=\${(j: :)\${(f)"$(__stigmer_candidates stigmer '' server start)"}}"`,
		]);
		assert.match(out, /^comps=_stigmer$/m);
		assert.match(out, /^verbs=start stop status run logs$/m);
		assert.match(out, /^components=.*\bredis-cache\b/m);
	});

	test('each verb offers exactly the flags its --help lists', () => {
		const lines = DOCUMENTED.map(([verb], i) => `print -r -- "${i}=\${(j: :)\${(f)"$(__stigmer_candidates stigmer - ${verb.join(' ')})"}}"`);
		const out = inShell('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -d ${JSON.stringify(path.join(dir, 'zcompdump3'))}\nsource ${JSON.stringify(scripts['zsh'])}\n${lines.join('\n')}`]);
		for (const [i, [verb, documented]] of DOCUMENTED.entries()) {
			const offered = new RegExp(`^${i}=(.*)$`, 'm').exec(out)?.[1];
			assert.deepEqual(words(offered ?? ''), offers(documented), `stigmer ${verb.join(' ')} -<Tab>`);
		}
	});

	test('saved on fpath as _stigmer, compinit picks it up', () => {
		const fpath = path.join(dir, 'zfuncs');
		fs.mkdirSync(fpath, {recursive: true});
		fs.copyFileSync(scripts.zsh, path.join(fpath, '_stigmer'));
		const out = inShell('zsh', ['-f', '-c', `fpath=(${JSON.stringify(fpath)} $fpath); autoload -U compinit && compinit -u -d ${JSON.stringify(path.join(dir, 'zcompdump2'))}; print -r -- "comps=\${_comps[stigmer]}"`]);
		assert.match(out, /^comps=_stigmer$/m);
	});
});

describe('fish', {skip: which('fish') === undefined && 'fish is not installed'}, () => {
	const complete = (line: string) => words(inShell('fish', ['--no-config', '-c', `source ${JSON.stringify(scripts['fish'])}; complete -C ${JSON.stringify(line)}`]));

	test('complete -C gives verbs, flags and component names', () => {
		assert.deepEqual(complete('stigmer server st'), ['start', 'status', 'stop']);
		assert.deepEqual(complete('stigmer '), ['completion', 'config', 'dash', 'export', 'help', 'server']);
		assert.deepEqual(complete('stigmer server start redis'), ['redis-cache']);
		assert.deepEqual(complete('stigmer server logs -c stigmer-'), ['stigmer-server']);
		assert.deepEqual(complete('stigmer server logs --fol'), ['--follow']);
	});

	test('each verb offers exactly the flags its --help lists', () => {
		for (const [verb, documented] of DOCUMENTED) {
			assert.deepEqual(complete(`stigmer ${verb.join(' ')} -`), offers(documented), `stigmer ${verb.join(' ')} -<Tab>`);
		}

		assert.deepEqual(complete('stigmer dash --no'), ['--no-color']);
	});
});
