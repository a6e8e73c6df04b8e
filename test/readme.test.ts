// README.md tells the truth about what the code defines: the dashboard's key table, the command table (verbs,
// flags, exit codes, held to the built CLI's --help) and the test command.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {keyTableMarkdown} from '../source/ui/keymap.js';
import {CLI, ROOT} from './helpers.js';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test('README key table is the one generated from the keymap', () => {
	const match = /<!-- keys:[^>]*-->\n([\s\S]*?)\n<!-- \/keys -->/.exec(readme);
	assert.ok(match, 'README.md has the generated key table between its markers');
	assert.equal(match[1], keyTableMarkdown(), 'regenerate the README key table from keyTableMarkdown()');
});

test('README quick start is the two commands, and .ci/run runs the same test command', () => {
	assert.match(readme, /npm install && npm start/);
	assert.match(readme, /npm test/);
	assert.match(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8'), /^npm test$/m);
});

/** The README's command table: rows of [command cell, exit-codes cell]. */
function commandTable(): Array<{command: string; codes: string}> {
	const section = readme.slice(readme.indexOf('## Commands'), readme.indexOf('\n## ', readme.indexOf('## Commands') + 1));
	return section.split('\n').filter((l) => l.startsWith('| `stigmer')).map((l) => {
		// Cells split on | not escaped as \|.
		const cells = l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replaceAll('\\|', '|'));
		return {command: (cells[0] ?? '').replaceAll('`', ''), codes: cells[2] ?? ''};
	});
}

const cliHelp = (args: string[]): string => {
	const r = spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
	assert.equal(r.status, 0, `stigmer ${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
};

test('README command table: every verb of the CLI once, its flags real, its exit codes those of its --help', () => {
	const verbs = [...cliHelp(['--help']).matchAll(/^ {2}stigmer ((?:[a-z]+ )?[a-z]+) {2,}/gm)].map((m) => m[1] ?? '').filter((v) => v !== 'help COMMAND' && !v.startsWith('help'));
	const rows = commandTable();
	const verbOf = (command: string) => verbs.filter((v) => command === `stigmer ${v}` || command.startsWith(`stigmer ${v} `)).sort((a, b) => b.length - a.length)[0];
	assert.deepEqual(rows.map((r) => verbOf(r.command)), verbs, 'one row per verb of `stigmer --help`, in its order');
	for (const {command, codes} of rows) {
		const verb = verbOf(command) ?? '';
		const help = cliHelp([...verb.split(' '), '--help']);
		for (const flag of command.match(/--?[a-z][a-z-]*/g) ?? []) {
			assert.ok(new RegExp(`(^|[\\s,])${flag}([\\s,=]|$)`, 'm').test(help), `README's \`${command}\` shows ${flag}: not in \`stigmer ${verb} --help\``);
		}

		const helpCodes = /Exit codes?:([\s\S]*?)(?:\n\n|$)/.exec(help)?.[1] ?? '';
		assert.ok(helpCodes !== '', `stigmer ${verb} --help lists its exit codes`);
		for (const code of codes.match(/\b\d\b/g) ?? []) {
			assert.match(helpCodes, new RegExp(`(^|\\D)${code}(\\D|$)`), `README gives \`${verb}\` exit code ${code}; its --help does not`);
		}

		for (const code of helpCodes.match(/(?<![\d.:])\b[0-3]\b(?![\d:.]|ms|s\b)/g) ?? []) {
			assert.match(codes, new RegExp(`(^|\\D)${code}(\\D|$)`), `stigmer ${verb} --help gives exit code ${code}; README's row does not`);
		}
	}
});

test('server logs --help and docs/logs.md give --since the same forms', () => {
	const help = cliHelp(['server', 'logs', '--help']);
	const sinceHelp = /--since WHEN([\s\S]*?)\n\s*--/.exec(help)?.[1] ?? '';
	const docs = fs.readFileSync(path.join(ROOT, 'docs', 'logs.md'), 'utf8');
	const sinceDocs = /\| `--since WHEN` \|[^\n]*/.exec(docs)?.[0] ?? '';
	const forms = (text: string) => [...text.matchAll(/(\d+(?:ms|s|m|h)\b|\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?Z?)?|\b\d\d:\d\d\b)/g)].map((m) => m[0]);
	assert.ok(forms(sinceHelp).length >= 6, sinceHelp);
	assert.deepEqual(forms(sinceHelp), forms(sinceDocs));
	assert.match(sinceHelp.replaceAll(/\s+/g, ' '), /03:47 = the last 03:47, local/);
	assert.match(sinceDocs, /03:47` = the last 03:47, local/);
});
