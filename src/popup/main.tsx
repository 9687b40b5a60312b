// Popup entry: wiring only.
import { render } from 'preact';
import { assertContext } from '../shared/context';
import { App } from './App';
import { extensionConnector } from './connector';
import { loadSettings } from '../shared/settings';
import { applyTheme } from '../ui/theme';
import { createViewModel } from './viewmodel';
import './popup.css';

assertContext('popup');
void loadSettings().then((s) => applyTheme(s.theme));
render(<App vm={createViewModel(extensionConnector)} />, document.getElementById('app')!);
