// One definition per fact (docs/architecture.md): the marker variables are named in source/markers.ts; the TypeScript
// reads them from there, and the supervisor's shell text, which cannot import, must spell the same names.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {MARKER} from '../source/markers.js';
import {ROOT} from './helpers.js';

const SOURCE = path.join(ROOT, 'source');

function sources(dir: string): string[] {
	return fs.readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
		const file = path.join(dir, entry.name);
		return entry.isDirectory() ? sources(file) : /\.tsx?$/.test(entry.name) ? [file] : [];
	});
}

test('the marker names are written once: no TypeScript outside markers.ts spells them as a key or a string', () => {
	const spelled = new RegExp(`['"\`](?:${Object.values(MARKER).join('|')})['"=]|\\b(?:${Object.values(MARKER).join('|')}):`);
	const offenders = sources(SOURCE)
		.filter((file) => !file.endsWith(`${path.sep}markers.ts`) && !file.endsWith(`supervisor${path.sep}text.ts`))
		.flatMap((file) => fs.readFileSync(file, 'utf8').split('\n').map((line, index) => ({file, line, index})))
		.filter(({line}) => !/^\s*(?:\/\/|\*|\/\*)/.test(line) && spelled.test(line))
		.map(({file, line, index}) => `${path.relative(ROOT, file)}:${index + 1}: ${line.trim()}`);
	assert.deepEqual(offenders, []);
});

test('the supervisor shell text spells the marker names of markers.ts', () => {
	const shell = ['common.sh', 'functions.sh', 'main.sh'].map((name) => fs.readFileSync(path.join(SOURCE, 'engine', 'supervisor', name), 'utf8')).join('\n');
	for (const name of [MARKER.home, MARKER.component, MARKER.supervisor]) {
		assert.ok(shell.includes(name), `${name} in engine/supervisor/*.sh`);
	}
});
