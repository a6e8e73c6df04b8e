// The lint gate run by `npm test` (issue 12): a small rule set that catches real mistakes.
// typescript-eslint rather than xo: xo's opinionated rule set would rewrite the whole tree.
import {fileURLToPath} from 'node:url';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ignores: ['dist/**', 'source/logs/full/kernel/**', 'node_modules/**']},
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		files: ['**/*.{ts,tsx,mjs,js}'],
		languageOptions: {globals: {...globals.node}},
		rules: {
			curly: ['error', 'all'],
			eqeqeq: ['error', 'smart'],
			'no-fallthrough': 'error',
			// `catch {}` is how the tree says "best effort" (a vanished file, a dead pid).
			'no-empty': ['error', {allowEmptyCatch: true}],
			// Terminal escapes and control bytes are what sanitize/strip regexes are for.
			'no-control-regex': 'off',
			'prefer-const': 'error',
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none'}],
		},
	},
	{
		// A function a reader takes in at once (issue 20): past 80 lines, split it where a name helps.
		files: ['source/**/*.{ts,tsx}'],
		rules: {
			'max-lines-per-function': ['error', {max: 80, skipBlankLines: true, skipComments: true}],
		},
	},
	{
		// The one type-aware rule: a dropped promise is a lost error or a race; cheap here (~15 s whole lint).
		// node:test's test()/describe() promises are awaited by the runner.
		files: ['**/*.{ts,tsx}'],
		languageOptions: {parserOptions: {projectService: true, tsconfigRootDir: fileURLToPath(new URL('.', import.meta.url))}},
		rules: {
			'@typescript-eslint/no-floating-promises': ['error', {allowForKnownSafeCalls: [{from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite']}]}],
		},
	},
);
