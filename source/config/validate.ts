// Parse config.yaml and check it against the schema; every problem is named by file:line:col and key.
import {createRequire} from 'node:module';
import type {Document} from 'yaml';
import {ConfigError} from '../errors.js';
import {CONFIG_VERSION, NAME, getSchemas, type RawConfig} from './schema.js';
import {didYouMean} from '../suggest.js';

/** Names the character rule lets through that data/ already uses for something else: daemon.pid/.log/.err are legacy files. */
const RESERVED_NAMES = ['daemon'] as const;
/** Alias expansions allowed in config.yaml (yaml's own default): a small config needs a handful, a bomb needs millions. */
const MAX_ALIAS_COUNT = 100;

// yaml loads only when a config.yaml exists: it costs more start-up time than `status` may spend.
const require = createRequire(import.meta.url);
type Yaml = typeof import('yaml');
let yamlModule: Yaml | undefined;
/** The yaml module, loaded on first use. */
export const yaml = (): Yaml => (yamlModule ??= require('yaml') as Yaml);

/** Where a problem is in the file, for messages like `config.yaml:4:5: components.redis.prot: …`. */
export type Locator = (keyPath: Array<string | number>, atKey?: boolean) => string;

/** One problem of a config file: the message (starting `file:line:col:`) and the key it is about. */
export type ConfigProblem = {keyPath: Array<string | number>; message: string};

/** What validateText found. */
export type Checked = {config?: RawConfig; raw?: unknown; locate: Locator; problems: ConfigProblem[]; issuePaths: Array<Array<string | number>>};

/** Parse and schema-check the YAML text; throws the first problem as a ConfigError. Migrates nothing (loadConfig does, under the lock). */
export function parseConfig(file: string, text: string): {config: RawConfig; locate: Locator} {
	const checked = validateText(file, text);
	const first = checked.problems[0];
	if (first !== undefined || checked.config === undefined) {
		const more = checked.problems.length - 1;
		throw new ConfigError(`${first?.message ?? `${file}: invalid config`}${more > 0 ? ` (and ${more} more: \`stigmer config check\` lists them all)` : ''}`);
	}

	return {config: checked.config, locate: checked.locate};
}

/** Every problem of the YAML text against the schema; `config` is set when there are none. Pure apart from naming `file`. */
export function validateText(file: string, text: string): Checked {
	const {LineCounter, parseDocument} = yaml();
	const {configSchema} = getSchemas();
	const lineCounter = new LineCounter();
	const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true});
	const at = (offset: number) => {
		const {line, col} = lineCounter.linePos(offset);
		return `${file}:${line}:${col}`;
	};

	const locate: Locator = (keyPath, atKey = false) => at(offsetOf(doc, keyPath, atKey));
	if (doc.errors.length > 0) {
		return {locate, issuePaths: [], problems: doc.errors.map((error) => ({keyPath: [], message: `${at(error.pos[0])}: invalid YAML: ${error.message.split('\n')[0]}`}))};
	}

	let raw: unknown;
	try {
		raw = doc.toJS({maxAliasCount: MAX_ALIAS_COUNT}) ?? {};
	} catch (error: unknown) {
		// yaml throws a ReferenceError for an alias without its anchor, or past the bound (a "billion laughs" document).
		const message = (error as Error).message.split('\n')[0] ?? '';
		const unresolved = /^Unresolved alias.*: (.*)$/.exec(message)?.[1];
		const where = at(aliasOffset(doc, unresolved));
		const why = unresolved === undefined ? `aliases expand past ${MAX_ALIAS_COUNT} (a config needs a handful)` : `alias *${unresolved} names no anchor before it`;
		return {locate, issuePaths: [], problems: [{keyPath: [], message: `${where}: invalid YAML: ${why}`}]};
	}

	const named = nameProblems(raw, locate);
	const parsed = configSchema.safeParse(raw);
	if (named.length > 0 || !parsed.success) {
		// Name problems first (loadConfig reports the first), then the schema's, less what the name rule said already.
		const problems: ConfigProblem[] = [...named];
		const issuePaths: Array<Array<string | number>> = named.map((p) => p.keyPath);
		for (const issue of parsed.success ? [] : parsed.error.issues) {
			const keyPath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
			if (named.some((p) => p.keyPath.every((k, i) => String(keyPath[i]) === String(k)))) {
				continue;
			}

			if (issue.code === 'unrecognized_keys') {
				for (const key of issue.keys) {
					const full = [...keyPath, key];
					issuePaths.push(full);
					problems.push({keyPath: full, message: `${locate(full, true)}: unknown key "${dotted(full)}"${hintFor(keyPath, key)}`});
				}
			} else if (issue.code === 'invalid_key') {
				// A refused key (an env name): pointed at, and shown quoted, since it may hold a newline.
				issuePaths.push(keyPath);
				const why = issue.issues[0]?.message ?? issue.message;
				problems.push({keyPath, message: `${locate(keyPath, true)}: ${dotted(keyPath.slice(0, -1))}: ${JSON.stringify(String(keyPath.at(-1)))}: ${why}`});
			} else {
				issuePaths.push(keyPath);
				problems.push({keyPath, message: `${locate(keyPath)}: ${dotted(keyPath) || 'config'}: ${issue.message}${describeValue(raw, keyPath)}`});
			}
		}

		return {raw, locate, problems, issuePaths};
	}

	const version = parsed.data.version ?? 0;
	if (version > CONFIG_VERSION) {
		const message = `${locate(['version'])}: version: ${version} is newer than this stigmer understands (${CONFIG_VERSION}); upgrade stigmer`;
		return {raw, locate, problems: [{keyPath: ['version'], message}], issuePaths: [['version']]};
	}

	return {config: parsed.data, raw, locate, problems: [], issuePaths: []};
}

/** The raw config without the keys at `paths`, if the schema then accepts it. */
export function salvage(raw: unknown, paths: Array<Array<string | number>>): RawConfig | undefined {
	if (raw === undefined || raw === null || typeof raw !== 'object') {
		return undefined;
	}

	const copy = structuredClone(raw) as Record<string | number, unknown>;
	for (const keyPath of paths) {
		let node: unknown = copy;
		for (const key of keyPath.slice(0, -1)) {
			node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
		}

		const last = keyPath.at(-1);
		if (last !== undefined && node && typeof node === 'object') {
			delete (node as Record<string | number, unknown>)[last];
		}
	}

	const parsed = getSchemas().configSchema.safeParse(copy);
	return parsed.success ? parsed.data : undefined;
}
/** docs/config.md's name rule, checked before the schema so `../x` or `daemon` is named with the rule, not a generic record error. */
function nameProblems(raw: unknown, locate: Locator): ConfigProblem[] {
	const components = raw && typeof raw === 'object' ? (raw as {components?: unknown}).components : undefined;
	if (!components || typeof components !== 'object' || Array.isArray(components)) {
		return [];
	}

	const problems: ConfigProblem[] = [];
	for (const name of Object.keys(components)) {
		const keyPath = ['components', name];
		const shown = JSON.stringify(name.length > 70 ? `${name.slice(0, 67)}...` : name);
		if (!NAME.test(name)) {
			problems.push({keyPath, message: `${locate(keyPath, true)}: components: invalid component name ${shown}: a name is 1-64 characters of a-z, 0-9, "-" and "_"`});
		} else if ((RESERVED_NAMES as readonly string[]).includes(name)) {
			problems.push({keyPath, message: `${locate(keyPath, true)}: components: the name "${name}" is reserved (data/${name}.pid and data/logs/${name}.log are stigmer's legacy files); choose another name`});
		}
	}

	return problems;
}

/** Where the alias named `source` is (the first alias of all when undefined): alias errors carry no position of their own. */
function aliasOffset(doc: Document, source: string | undefined): number {
	const {isAlias, visit} = yaml();
	let offset = 0;
	visit(doc, {
		Alias(_key, node) {
			if (isAlias(node) && (source === undefined || node.source === source)) {
				offset = node.range?.[0] ?? 0;
				return visit.BREAK;
			}

			return undefined;
		},
	});
	return offset;
}

function offsetOf(doc: Document, keyPath: Array<string | number>, atKey: boolean): number {
	const {isMap, isPair, isScalar} = yaml();
	let node: unknown = doc.contents;
	let offset = 0;
	for (const key of keyPath) {
		if (!isMap(node) && !(node && typeof node === 'object' && 'items' in node)) {
			break;
		}

		const items = (node as {items: unknown[]}).items;
		const item = isMap(node)
			? items.find((pair) => isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(key))
			: items[Number(key)];
		if (item === undefined) {
			break;
		}

		if (isPair(item)) {
			const keyNode = item.key as {range?: [number, number, number]};
			const valueNode = item.value as {range?: [number, number, number]} | null;
			offset = (atKey || !valueNode?.range ? keyNode.range?.[0] : valueNode.range[0]) ?? offset;
			node = item.value;
		} else {
			offset = (item as {range?: [number, number, number]}).range?.[0] ?? offset;
			node = item;
		}
	}

	return offset;
}

function dotted(keyPath: Array<string | number>): string {
	return keyPath.map(String).join('.');
}

function describeValue(raw: unknown, keyPath: Array<string | number>): string {
	let value: unknown = raw;
	for (const key of keyPath) {
		value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
	}

	return value === undefined ? '' : ` (got ${typeof value === 'number' ? String(value) : JSON.stringify(value)})`;
}

/** `; did you mean "port"?` for a key close to a known one (as the CLI does for flags), else the keys that fit here. */
function hintFor(parent: Array<string | number>, key: string): string {
	const known = parent.length === 0 ? ['version', 'components'] : parent[0] === 'components' && parent.length === 2 ? Object.keys(getSchemas().componentSchema.shape) : [];
	const guess = didYouMean(key, known);
	return guess === '' && known.length > 0 ? `; expected one of: ${known.join(', ')}` : guess;
}
