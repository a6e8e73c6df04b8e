// The dashboard's idle memory (docs/dashboard.md). V8 doubles its young generation (two semi-spaces)
// whenever enough objects survive its scavenges, up to 2 × 16 MB, and Node 20's V8 never gives those
// pages back: no collection shrinks it, not even a forced one. Start-up alone (loading Ink, the first
// status, the log backlog, the first paints) reached that ceiling, so an idle dashboard held 32 MB of
// empty young generation (113 MB where importing Ink, React and chokidar costs 75; its live heap is
// 15 MB). Stopping the growth before Ink loads keeps the young generation at 2 MB: idle RSS ~92 MB,
// the same CPU under the 5,000 lines/s bench (bench/dash.bench.mjs; more, smaller scavenges).
import v8 from 'node:v8';

/** From now on the young generation keeps its size: V8 reads the growth factor at each scavenge, so this works at run time. */
export function capYoungGeneration(): void {
	v8.setFlagsFromString('--semi-space-growth-factor=1');
}
