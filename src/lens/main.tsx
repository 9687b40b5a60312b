// The Lens page entry: one result, full page. Wiring only.
import { render } from 'preact';
import { assertContext } from '../shared/context';
import { extensionConnector, scopedToResult } from '../popup/connector';
import { loadSettings } from '../shared/settings';
import { applyTheme } from '../ui/theme';
import { createViewModel } from '../popup/viewmodel';
import { LensApp } from '../features/lens/popup/LensApp';
import { createLensVm } from '../features/lens/popup/lens-vm';
import { createLooksVm } from '../features/looks/popup/looks-vm';
import '../features/looks/popup/looks.css';
import '../popup/popup.css';
import '../features/lens/popup/lens.css';

assertContext('lens');
void loadSettings().then((s) => applyTheme(s.theme));
const params = new URLSearchParams(location.search);
const requestId = params.get('result') ?? '';
const connector = scopedToResult(extensionConnector, requestId);
const vm = createViewModel(connector);
const tab = params.get('tab');
const looks = createLooksVm(connector, requestId, () => (tab && /^\d+$/.test(tab) ? Number(tab) : null));
render(<LensApp vm={vm} lens={createLensVm(connector, requestId, vm)} looks={looks} />, document.getElementById('app')!);
