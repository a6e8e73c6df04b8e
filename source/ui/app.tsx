// The dashboard's layout, nothing else: panels on top, the log pane, a status line and the footer.
import {Box, Text} from 'ink';
import {clip} from './clip.js';
import {useDashboard} from './hooks/use-dashboard.js';
import {useTerminalSize, type Size} from './hooks/use-terminal-size.js';
import {Footer} from './panels/footer.js';
import {HelpOverlay} from './panels/help-overlay.js';
import {LineViewer} from './panels/line-viewer.js';
import {LogPane} from './panels/log-pane.js';
import {CompactPanel, ComponentPanel} from './panels/component-panel.js';
import {StatusLine} from './panels/status-line.js';
import {countdownText, lastExitText} from '../messages.js';
import {panelWindow} from './layout.js';
import {componentColor} from './theme.js';
import {shownText} from './line-view.js';
import {confirmPrompt} from './ui-state.js';
import type {DashDeps, DashLine} from './types.js';

/** Columns of the title line besides the home: `stigmer dash`, spaces and the health badge. */
const TITLE_REST = 28;

export type AppProps = {
	deps: DashDeps;
	/** Fixed size (tests); otherwise the terminal's, following resizes. */
	size?: Size;
	/** Log buffer capacity (tests); LOG_CAPACITY otherwise. */
	capacity?: number;
	onQuit?: () => void;
};

/** A panel's last error as the log pane shows it (a JSON line readable). */
const lastErrorOf = (line: DashLine | undefined): string | undefined => (line === undefined ? undefined : shownText(line));

/** The whole dashboard. */
export function App({deps, size: fixedSize, capacity, onQuit}: AppProps) {
	const size = useTerminalSize(fixedSize);
	const dashboard = useDashboard(deps, size, {capacity, onQuit});
	const names = dashboard.components.map((c) => c.name);
	const nameWidth = Math.max(...names.map((n) => n.length), 6);
	const Panel = dashboard.layout.wide ? ComponentPanel : CompactPanel;
	const first = panelWindow(dashboard.components.length, dashboard.layout.panelSlots, dashboard.ui.selected);
	const healthy = dashboard.stack.report?.healthy;
	// A failing status poll, then a broken config.yaml (shown until it is fixed), outrank an older action's outcome.
	const problem = dashboard.stack.error ?? dashboard.stack.configWarning;
	const message = problem === null ? dashboard.lifecycle.message : {text: problem, tone: 'error' as const};
	const fallback = dashboard.logError ?? dashboard.lifecycle.busy ?? (healthy === undefined ? 'reading status…' : healthy ? 'all enabled components running and ready' : 'not every enabled component is running and ready');
	return (
		<Box flexDirection="column" width={size.columns} height={dashboard.layout.frameHeight}>
			<Text wrap="truncate-end">
				<Text bold>stigmer dash</Text>
				<Text color="gray"> {clip(deps.home.root, size.columns - TITLE_REST)} </Text>
				{healthy === undefined ? null : healthy ? <Text color="green">● healthy</Text> : <Text color="yellow">○ not healthy</Text>}
				{dashboard.stack.report?.target === undefined ? null : <Text color="cyan">  engine: systemd ({dashboard.stack.report.target})</Text>}
			</Text>
			{dashboard.ui.helpOpen ? (
				// The help takes the status line's row too (it has nothing to report while the help is read); the footer stays.
				<HelpOverlay height={dashboard.layout.panelsHeight + dashboard.layout.logHeight + 2} width={size.columns} />
			) : dashboard.ui.opened === null ? (
				<>
					<Box flexDirection={dashboard.layout.wide ? 'row' : 'column'} height={dashboard.layout.panelsHeight}>
						{dashboard.components.slice(first, first + dashboard.layout.panelSlots).map((c, index) => (
							<Panel
								key={c.name}
								status={c}
								selected={first + index === dashboard.ui.selected}
								progress={dashboard.lifecycle.progress[c.name]}
								restarts={c.restarts}
								lastExit={lastExitText(c, dashboard.stack.now)}
								countdown={countdownText(c, dashboard.stack.now)}
								lastError={lastErrorOf(dashboard.lastErrors.get(c.name))}
								color={componentColor(c.name)}
								width={dashboard.layout.panelWidth}
							/>
						))}
					</Box>
					<LogPane
						lines={dashboard.view.lines}
						version={dashboard.view.version}
						start={dashboard.view.start}
						height={dashboard.layout.logHeight}
						width={size.columns}
						query={dashboard.ui.query}
						currentSeq={dashboard.ui.currentSeq}
						header={dashboard.view.header}
						nameWidth={nameWidth}
						wrap={dashboard.ui.wrap}
						follow={dashboard.ui.scroll.follow}
						empty={dashboard.view.empty}
					/>
				</>
			) : (
				<LineViewer line={dashboard.ui.opened.line} top={dashboard.ui.opened.top} width={size.columns} height={dashboard.layout.panelsHeight + dashboard.layout.logHeight + 1} />
			)}
			{dashboard.ui.helpOpen ? null : <StatusLine searching={dashboard.ui.typing} query={dashboard.ui.query} prompt={dashboard.ui.confirming === null ? null : confirmPrompt(dashboard.ui.confirming)} message={message} fallback={fallback} width={size.columns} />}
			<Footer width={size.columns} />
		</Box>
	);
}
