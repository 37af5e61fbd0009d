/**
 * Public API of the extension's webviews: the diff panel, the tool inspector view, and the
 * builders of their view models from core reports.
 */
export { showDiffPanel, DiffPanel, DIFF_PANEL_VIEW_TYPE } from './diffPanel';
export type { DiffPanelActions, DiffPanelSource } from './diffPanel';
export { InspectorViewProvider } from './inspectorView';
export { buildDiffPanelContent, buildDiffViewModel, buildInspectorViewModel, VIEW_LIMITS, type DiffPanelContent } from './viewModel';
export type { DiffViewModel, InspectorViewModel } from '../../webview/model';
