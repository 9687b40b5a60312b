// Typed storage items: what an older or damaged profile gets back. Absent → the default; a value from an older
// version → migrated; damaged or foreign → the default and a logged warning, never a throw.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { decode, backendChoiceItem, layerTogglesItem, tabStateItem, trainingItem } from '../../src/shared/storage';
import { DEFAULT_EXPLAIN, DEFAULT_SETTINGS, explainSettingsItem, settingsItem } from '../../src/shared/settings';
import { checkReply } from '../../src/shared/messages';

vi.mock('webextension-polyfill', () => ({ default: {} }));

afterEach(() => vi.restoreAllMocks());
const quiet = () => vi.spyOn(console, 'warn').mockImplementation(() => {});

describe('storage items', () => {
  test('absent values give the defaults, silently', () => {
    const warn = quiet();
    expect(decode(settingsItem, undefined)).toEqual(DEFAULT_SETTINGS);
    expect(decode(layerTogglesItem, undefined)).toEqual({});
    expect(decode(trainingItem, undefined)).toBeNull();
    expect(warn).not.toHaveBeenCalled();
  });

  test('a 0.1.0 value reads back as it was (settings gain today’s fields at their defaults)', () => {
    const warn = quiet();
    const settings = { modelId: 'darknet-tiny-imagenet', backend: 'wasm', mode: 'both' };
    expect(decode(settingsItem, settings)).toEqual({ ...settings, theme: 'system', seenCap: 300, wasmThreads: 0 });
    expect(decode(layerTogglesItem, { 'mobilenet-v1-0.75-224': ['conv1_relu', 'conv_preds'] })).toEqual({ 'mobilenet-v1-0.75-224': ['conv1_relu', 'conv_preds'] });
    const explain = { method: 'integrated-gradients', compareMethod: 'grad-cam', params: { 'integrated-gradients': { steps: 64 } }, opacity: 0.4 };
    expect(decode(explainSettingsItem, explain)).toEqual({ ...explain, substrate: 'grey' });
    expect(warn).not.toHaveBeenCalled();
  });

  test('one stale field is repaired alone: the others are kept', () => {
    expect(decode(settingsItem, { modelId: 'darknet-tiny-imagenet', backend: 'webgl2', mode: 'both' })).toEqual({ modelId: 'darknet-tiny-imagenet', backend: 'auto', mode: 'both', theme: 'system', seenCap: 300, wasmThreads: 0 });
    expect(decode(explainSettingsItem, { method: 'deep-taylor', compareMethod: null, params: {}, opacity: 0.3 })).toEqual({ ...DEFAULT_EXPLAIN, opacity: 0.3 });
  });

  test.each([
    ['settings', settingsItem, 'garbage', DEFAULT_SETTINGS],
    ['explain', explainSettingsItem, 7, DEFAULT_EXPLAIN],
    ['layerToggles', layerTogglesItem, 42, {}],
    ['layerToggles', layerTogglesItem, { m: 'conv1' }, {}],
    ['backendChoice', backendChoiceItem, { backend: 'tpu' }, null],
    ['tab:3', tabStateItem(3), { status: 'exploded' }, null],
  ] as const)('a damaged %s gives the default and a warning that names the key', (key, item, raw, fallback) => {
    const warn = quiet();
    expect(decode(item as never, raw)).toEqual(fallback);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(`"${key}"`);
  });
});

describe('replies are checked at run time', () => {
  test('a well-formed reply passes, a failure passes, a malformed one is null', () => {
    expect(checkReply('popup/import', { ok: true, classes: 2, examples: 9 })).toEqual({ ok: true, classes: 2, examples: 9 });
    expect(checkReply('popup/import', { ok: false, error: { code: 'bad-request', message: 'damaged' } })).toEqual({ ok: false, error: { code: 'bad-request', message: 'damaged' } });
    expect(checkReply('popup/import', { ok: true, classes: 'two' })).toBeNull();
    expect(checkReply('popup/import', { ok: false, error: { code: 'weird', message: 'x' } })).toBeNull();
    expect(checkReply('popup/import', undefined)).toBeNull();
  });
});
