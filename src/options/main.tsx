// The options page entry: wiring only.
import { render } from 'preact';
import { assertContext } from '../shared/context';
import { OptionsView } from '../features/options/OptionsView';
import { createOptionsVm } from '../features/options/options-vm';
import '../popup/popup.css';
import '../features/options/options.css';

assertContext('options');
render(<OptionsView vm={createOptionsVm()} />, document.getElementById('app')!);
