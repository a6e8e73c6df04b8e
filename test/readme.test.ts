// README.md tells the truth about what the code defines: the dashboard's key table and the test command.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {keyTableMarkdown} from '../source/ui/keymap.js';
import {ROOT} from './helpers.js';

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
