// Popup entry: wiring only.
import { render } from 'preact';
import { assertContext } from '../shared/context';
import { App } from './App';
import { extensionConnector } from './connector';
import { createViewModel } from './viewmodel';
import './popup.css';

assertContext('popup');
render(<App vm={createViewModel(extensionConnector)} />, document.getElementById('app')!);
