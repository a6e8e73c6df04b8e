// docs/cli.md: help on every level (stdout, exit 0), and a mistyped verb or flag exits 2 with the closest guess.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {closest, editDistance} from '../../source/suggest.js';
import {runCli, show} from '../helpers.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-help-'));
after(() => fs.rmSync(home, {recursive: true, force: true}));

const VERBS = [['server', 'start'], ['server', 'stop'], ['server', 'status'], ['server', 'logs'], ['dash'], ['config', 'check'], ['config', 'schema'], ['completion']];

test('every verb prints its own usage on stdout, exit 0, for --help, -h and `help VERB`', async () => {
	for (const verb of VERBS) {
		const forms = [[...verb, '--help'], [...verb, '-h'], ['help', ...verb]];
		const texts = new Set<string>();
		for (const args of forms) {
			const r = await runCli(home, args);
			assert.equal(r.code, 0, `${args.join(' ')}:\n${show(r)}`);
			assert.equal(r.stderr, '', `${args.join(' ')} writes nothing to stderr`);
			assert.match(r.stdout, new RegExp(`^\\s*Usage: stigmer ${verb.join(' ')}\\b`), `${args.join(' ')} prints ${verb.join(' ')}'s own usage`);
			texts.add(r.stdout);
		}

		assert.equal(texts.size, 1, `${verb.join(' ')}: --help, -h and help print the same text`);
	}

	assert.deepEqual(fs.readdirSync(home), [], 'help touches nothing in the home');
});

test('top level and groups: --help, -h, help, `server --help`, `help server` print usage on stdout, exit 0', async () => {
	for (const args of [['--help'], ['-h'], ['help']]) {
		const r = await runCli(home, args);
		assert.equal(r.code, 0, show(r));
		assert.match(r.stdout, /^Usage: stigmer <command>/);
		for (const verb of ['server start', 'server logs', 'dash', 'config check', 'config schema', 'completion', 'help COMMAND']) {
			assert.ok(r.stdout.includes(`stigmer ${verb}`), `${args.join(' ')} lists ${verb}`);
		}

		assert.doesNotMatch(r.stdout, /internal-|server restart/, 'hidden verbs stay hidden');
	}

	for (const args of [['server', '--help'], ['server', '-h'], ['help', 'server']]) {
		const r = await runCli(home, args);
		assert.equal(r.code, 0, show(r));
		assert.match(r.stdout, /^Usage: stigmer server <command>/);
		assert.match(r.stdout, /stigmer server start/);
		assert.doesNotMatch(r.stdout, /stigmer dash/, 'only the group\'s verbs');
	}
});

test('no arguments: usage on stderr, exit 2 (help was not asked for)', async () => {
	const r = await runCli(home, []);
	assert.equal(r.code, 2, show(r));
	assert.equal(r.stdout, '');
	assert.match(r.stderr, /Usage: stigmer <command>/);
});

test('a mistyped command or flag exits 2 with the closest guess', async () => {
	const cases: Array<[string[], RegExp]> = [
		[['server', 'strat'], /^stigmer: unknown command "strat"; did you mean "start"\?$/m],
		[['server', 'stauts'], /unknown command "stauts"; did you mean "status"\?/],
		[['strat'], /unknown command "strat"; did you mean "server start"\?/],
		[['dahs'], /unknown command "dahs"; did you mean "dash"\?/],
		[['config', 'chek'], /unknown command "chek"; did you mean "check"\?/],
		[['help', 'server', 'stpo'], /unknown command "stpo"; did you mean "stop"\?/],
		[['server', 'logs', '--folow'], /^stigmer: unknown flag --folow; did you mean --follow\?$/m],
		[['server', 'logs', '--compnent', 'x'], /unknown flag --compnent; did you mean --component\?/],
		[['dash', '--onec'], /unknown flag --onec; did you mean --once\?/],
		[['server', 'status', '--jsn'], /unknown flag --jsn; did you mean --json\?/],
		// The flag as typed, and the documented spelling: meow reads --no-colr as colr, and --color is only the default.
		[['server', 'start', '--no-colr'], /^stigmer: unknown flag --no-colr; did you mean --no-color\?$/m],
		[['server', 'stop', '--no-colour'], /^stigmer: unknown flag --no-colour; did you mean --no-color\?$/m],
		[['server', 'logs', '--no-folow'], /^stigmer: unknown flag --no-folow; did you mean --no-follow\?$/m],
		[['server', 'start', '--colr'], /^stigmer: unknown flag --colr; see stigmer server start --help$/m],
		[['server', 'status', '--foo-bar'], /^stigmer: unknown flag --foo-bar; see stigmer server status --help$/m],
		[['--bogus'], /^stigmer: unknown flag --bogus; see stigmer --help$/m],
		// One letter: only the other case of a real flag is a likely slip; anything else points at --help.
		[['server', 'logs', '-N', '5'], /^stigmer: unknown flag -N; did you mean -n\?$/m],
		[['server', 'status', '-H'], /^stigmer: unknown flag -H; did you mean -h\?$/m],
		[['-V'], /^stigmer: unknown flag -V; did you mean -v\?$/m],
		[['-x'], /^stigmer: unknown flag -x; see stigmer --help$/m],
		[['server', '-x'], /^stigmer: unknown flag -x; see stigmer server --help$/m],
		[['server', 'logs', '-x', '-y'], /^stigmer: unknown flag -x, -y; see stigmer server logs --help$/m],
		[['--hepl'], /unknown flag --hepl; did you mean --help\?/],
		[['--verison'], /unknown flag --verison; did you mean --version\?/],
		[['server', '--bogus'], /unknown flag --bogus/],
		[['server'], /a server subcommand is required/],
		[['xyzzy'], /^stigmer: unknown command "xyzzy"$/m],
	];
	for (const [args, expected] of cases) {
		const r = await runCli(home, args);
		assert.equal(r.code, 2, `${args.join(' ')}:\n${show(r)}`);
		assert.equal(r.stdout, '', `${args.join(' ')}: nothing on stdout`);
		assert.match(r.stderr, expected, args.join(' '));
	}
});

test('an unknown one-letter flag guesses no other letter: every verb names it and points at its --help', async () => {
	for (const verb of VERBS) {
		const r = await runCli(home, [...verb, '-x']);
		assert.equal(r.code, 2, `${verb.join(' ')} -x:\n${show(r)}`);
		assert.equal(r.stdout, '');
		assert.equal(r.stderr.split('\n')[0], `stigmer: unknown flag -x; see stigmer ${verb.join(' ')} --help`, `${verb.join(' ')} -x`);
	}
});

test('closest: a unique prefix, else the fewest edits within a budget; nothing when far', () => {
	assert.equal(editDistance('strat', 'start'), 1, 'an adjacent swap is one edit');
	assert.equal(editDistance('folow', 'follow'), 1);
	assert.equal(editDistance('', 'abc'), 3);
	const table: Array<[string, string[], string | undefined]> = [
		['strat', ['start', 'stop', 'status', 'logs'], 'start'],
		['stat', ['start', 'stop', 'status', 'logs'], 'status'],
		['sta', ['start', 'stop', 'status', 'logs'], undefined],
		['lo', ['start', 'stop', 'status', 'logs'], 'logs'],
		['--comp', ['--component', '--color'], '--component'],
		['xyzzy', ['start', 'stop'], undefined],
		['--bogus', ['--help', '--version'], undefined],
		['-x', ['--help', '-h', '-c', '-n'], undefined],
		['-N', ['--tail', '-n', '-c'], '-n'],
		['--n', ['--tail', '-n'], '-n'],
		['x', ['start', 'stop'], undefined],
	];
	for (const [typed, candidates, expected] of table) {
		assert.equal(closest(typed, candidates), expected, `${typed} among ${candidates.join(',')}`);
	}
});
