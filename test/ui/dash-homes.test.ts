// The dashboard tests' temp homes (helpers/dash.ts) are stopped and removed after their test or suite.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {before, describe, it} from 'node:test';
import {startedHome, suiteCleanup, tempHome} from '../helpers/dash.js';
import {isAlive, processesByComponent} from '../helpers.js';

/** The pids of a home's running components. */
const pidsOf = (home: string) => Object.values(processesByComponent(home)).flat();

describe('helpers/dash.ts temp homes', () => {
	let suiteHome = '';
	let suitePids: number[] = [];

	describe('a suite that starts a stack in its before hook', () => {
		before(async () => {
			suiteHome = await startedHome(homes);
			suitePids = pidsOf(suiteHome);
		});
		const homes = suiteCleanup();

		it('has its home and its stack while it runs', () => {
			assert.ok(fs.existsSync(suiteHome), suiteHome);
			assert.ok(suitePids.length > 0 && suitePids.every((pid) => isAlive(pid)), `running: ${suitePids.join(', ')}`);
		});
	});

	it('after the suite: its stack is stopped and its home removed', () => {
		assert.ok(suiteHome !== '' && suitePids.length > 0, 'the suite above made a home');
		assert.equal(fs.existsSync(suiteHome), false, `${suiteHome} is removed`);
		assert.deepEqual(suitePids.filter((pid) => isAlive(pid)), [], 'no process of it is left');
	});

	it('tempHome(t): removed when the test that made it ends', async (t) => {
		let made = '';
		await t.test('makes a home', async (sub) => {
			made = await tempHome(sub);
			assert.ok(fs.existsSync(made), made);
		});
		assert.ok(made !== '');
		assert.equal(fs.existsSync(made), false, `${made} is removed`);
	});
});
