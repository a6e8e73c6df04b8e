// Structured lines made readable (docs/logs.md): one real line per logger, table-driven.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {test} from 'node:test';
import {prettyLine, readableLine} from '../../source/logs/readable.js';
import {safeText} from '../../source/logs/sanitize.js';
import {CLI, cleanEnv, logsHome} from '../helpers.js';

type Case = {logger: string; line: string; shown: string};

const CASES: Case[] = [
	// zerolog (github.com/rs/zerolog, the stigmer server): `message`, RFC 3339 `time`, `error`, `caller`.
	{logger: 'zerolog', line: '{"level":"info","time":"2026-11-26T03:47:53.420Z","message":"shutting down (received SIGTERM), draining 3 workflows"}', shown: 'INFO  shutting down (received SIGTERM), draining 3 workflows'},
	{logger: 'zerolog with error and caller', line: '{"level":"error","error":"dial tcp 127.0.0.1:7233: connect: connection refused","caller":"/src/server/temporal.go:88","time":"2026-11-26T03:47:53Z","message":"temporal unreachable"}', shown: 'ERROR temporal unreachable error="dial tcp 127.0.0.1:7233: connect: connection refused" caller=/src/server/temporal.go:88'},
	{logger: 'zerolog epoch seconds, fields', line: '{"level":"debug","port":7234,"tls":false,"time":1795664861,"message":"listening"}', shown: 'DEBUG listening port=7234 tls=false'},
	// zap production encoder (go.uber.org/zap): float `ts`, `caller` before `msg`, `stacktrace`.
	{logger: 'zap', line: '{"level":"warn","ts":1795664861.123456,"caller":"poller/poll.go:42","msg":"slow poll","queue":"default","latency":"1.2s"}', shown: 'WARN  slow poll caller=poller/poll.go:42 queue=default latency=1.2s'},
	{logger: 'zap error with stacktrace', line: '{"level":"error","ts":1795664861.1,"caller":"x.go:1","msg":"failed","error":"boom","stacktrace":"main.run\\n\\t/src/main.go:12"}', shown: 'ERROR failed error=boom caller=x.go:1 stacktrace="main.run\\n\\t/src/main.go:12"'},
	// Temporal server (zap with its own keys).
	{logger: 'Temporal', line: '{"level":"info","ts":"2026-11-26T03:47:41.123Z","msg":"Started","service":"frontend","address":"127.0.0.1:7233","logging-call-at":"service.go:168"}', shown: 'INFO  Started service=frontend address=127.0.0.1:7233 logging-call-at=service.go:168'},
	// pino: numeric level, epoch-ms `time`, `pid` and `hostname`, nested `err` object.
	{logger: 'pino', line: '{"level":30,"time":1795664861123,"pid":4121,"hostname":"dev","msg":"request completed","req":{"method":"GET","url":"/health"},"responseTime":3}', shown: 'INFO  request completed pid=4121 hostname=dev req={"method":"GET","url":"/health"} responseTime=3'},
	{logger: 'pino error', line: '{"level":50,"time":1795664861123,"pid":4121,"hostname":"dev","err":{"type":"Error","message":"ECONNRESET"},"msg":"upstream failed"}', shown: 'ERROR upstream failed err={"type":"Error","message":"ECONNRESET"} pid=4121 hostname=dev'},
	// logrus JSONFormatter: `level` spelled out ("warning"), `msg`, `time` last.
	{logger: 'logrus', line: '{"component":"runner","level":"warning","msg":"retrying in 5s","time":"2026-11-26T04:47:41+01:00"}', shown: 'WARN  retrying in 5s component=runner'},
	// bunyan: numeric level, `v`, `name`.
	{logger: 'bunyan', line: '{"name":"agent","hostname":"dev","pid":12,"level":40,"msg":"low disk","time":"2026-11-26T03:47:41.123Z","v":0}', shown: 'WARN  low disk name=agent hostname=dev pid=12 v=0'},
	// ECS (`@timestamp`, `log.level`, `message`).
	{logger: 'ECS', line: '{"@timestamp":"2026-11-26T03:47:41.123Z","log.level":"error","message":"disk full","ecs.version":"1.6.0"}', shown: 'ERROR disk full ecs.version=1.6.0'},
	// Time that is not a time stays in the text; no level, no message.
	{logger: 'no level, unreadable time', line: '{"time":"yesterday","event":"login","user":"ann"}', shown: 'time=yesterday event=login user=ann'},
	{logger: 'unknown level word', line: '{"level":"dpanic","msg":"x"}', shown: 'DPANIC x'},
	// Not JSON objects: unchanged.
	{logger: 'plain text', line: '2026-11-26T03:47:41Z INFO {"not":"json at the start"}', shown: '2026-11-26T03:47:41Z INFO {"not":"json at the start"}'},
	{logger: 'broken JSON', line: '{"level":"info","msg":"cut off', shown: '{"level":"info","msg":"cut off'},
	{logger: 'JSON array', line: '[1,2,3]', shown: '[1,2,3]'},
	{logger: 'brace text', line: '{ this is not json }', shown: '{ this is not json }'},
];

for (const c of CASES) {
	test(`readable: ${c.logger}`, () => {
		assert.equal(readableLine(c.line), c.shown);
	});
}

test('escapes a JSON line decodes stay harmless after the sanitiser', () => {
	const shown = safeText(readableLine('{"level":"info","msg":"title \\u001b]0;PWNED\\u0007 done","note":"a\\u001b[2Jb"}'), {color: false});
	assert.equal(shown, 'INFO  title \\x1b]0;PWNED\\x07 done note="a\\u001b[2Jb"');
	assert.doesNotMatch(shown, /[\u0000-\u0008\u000A-\u001F]/);
});

test('pretty: a JSON object indented, other text as it is', () => {
	assert.equal(prettyLine('{"level":"info","a":{"b":1}}'), '{\n  "level": "info",\n  "a": {\n    "b": 1\n  }\n}');
	assert.equal(prettyLine('plain {line}'), 'plain {line}');
});

test('server logs: readable on a terminal, as written in a pipe and with --json', async () => {
	const zerolog = '{"level":"warn","time":"2026-11-26T03:47:53.420Z","message":"slow \\u001b]0;PWNED\\u0007 poll","queue":"default"}';
	const {home} = logsHome('stigmer-readable-', {'stigmer-server.log': `${zerolog}\n`});
	const env = cleanEnv({STIGMER_HOME: home, TZ: 'UTC'});
	// `script` gives the command a pseudo-terminal for stdout, as a person's terminal does.
	const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} server logs --no-follow`;
	const onTerminal = spawnSync('script', ['-qec', command, '/dev/null'], {env, encoding: 'utf8', timeout: 20_000});
	assert.equal(onTerminal.status, 0, onTerminal.stderr);
	assert.match(onTerminal.stdout, /03:47:53\.420 stigmer-server\[stdout\] WARN {2}slow \\x1b\]0;PWNED\\x07 poll queue=default\r?\n/, onTerminal.stdout);
	assert.ok(!onTerminal.stdout.includes('\u001B]0;'), 'the decoded escape is shown as text');
	const piped = spawnSync(process.execPath, [CLI, 'server', 'logs', '--no-follow'], {env, encoding: 'utf8', timeout: 20_000});
	assert.equal(piped.status, 0, piped.stderr);
	assert.equal(piped.stdout, `03:47:53.420 stigmer-server[stdout] ${zerolog}\n`);
	const json = spawnSync('script', ['-qec', `${command} --json`, '/dev/null'], {env, encoding: 'utf8', timeout: 20_000});
	// -n 0 (everything, the byte-level merge) reads the same on a terminal, and as written in a pipe.
	const all = spawnSync('script', ['-qec', `${command} -n 0`, '/dev/null'], {env, encoding: 'utf8', timeout: 20_000});
	assert.match(all.stdout, /03:47:53\.420 stigmer-server\[stdout\] WARN {2}slow \\x1b\]0;PWNED\\x07 poll queue=default\r?\n/, all.stdout);
	const allPiped = spawnSync(process.execPath, [CLI, 'server', 'logs', '--no-follow', '-n', '0'], {env, encoding: 'utf8', timeout: 20_000});
	assert.equal(allPiped.stdout, `03:47:53.420 stigmer-server[stdout] ${zerolog}\n`);
	// The terminal carries stderr's info line too: the object is the last line.
	assert.equal((JSON.parse(json.stdout.trim().split('\n').at(-1) ?? '') as {text: string}).text, zerolog, '--json keeps the line on a terminal too');
});
