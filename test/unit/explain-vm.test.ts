// The Explain view model's "Compare all" and faithfulness actions, driven through a typed mock connector: what
// it asks the model host for (methods, their parameters, the substrate), how it decodes the answer, and how it
// cancels.
import { signal } from '@preact/signals';
import { describe, expect, test, vi } from 'vitest';
import type { TabState } from '../../src/features/classify/contract';
import type { ExplainResult } from '../../src/features/explain/contract';
import { METHODS_LIST } from '../../src/features/explain/catalog';
import { createExplainVm } from '../../src/features/explain/popup/explain-vm';
import { DEFAULT_EXPLAIN, type ExplainSettings } from '../../src/shared/settings';
import { floatsToBase64 } from '../../src/shared/codecs';
import type { PopupConnector } from '../../src/popup/connector';
import { mockConnector } from '../support/connector';

vi.mock('webextension-polyfill', () => ({ default: {} }));

const tab: TabState = {
  status: 'done', requestId: 'r1',
  result: {
    requestId: 'r1', modelId: 'm1', modelName: 'Model One', backend: 'cpu', backendReason: 'test', predictions: [{ index: 21, className: 'kite', prob: 0.9 }],
    elapsedMs: 1, totalMs: 2, image: { width: 4, height: 4, originalWidth: 4, originalHeight: 4 }, thumbnail: 'data:image/png;base64,', source: { kind: 'img', url: 'https://x/y.jpg' }, at: 0,
  },
};
const random = { seeds: 10, substrate: 'black' as const, deletion: { mean: 0.2, sd: 0.01 }, insertion: { mean: 0.3, sd: 0.02 }, road: { mean: 0.25, sd: 0.01 }, deletionCurve: [0.3, 0.1], insertionCurve: [0.1, 0.3] };
const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(saved: Partial<ExplainSettings> = {}) {
  const requests: Parameters<PopupConnector['explain']>[0][] = [];
  const answers: ((r: Awaited<ReturnType<PopupConnector['explain']>>) => void)[] = [];
  const c = mockConnector({
    explainSettings: async () => ({ ...DEFAULT_EXPLAIN, ...saved }),
    saveExplainSettings: vi.fn(async () => {}),
    labels: async () => ['a', 'kite'],
    onJobProgress: () => () => {},
    cancel: vi.fn(async () => {}),
    explain: (req) => { requests.push(req); return new Promise((r) => answers.push(r)); },
  });
  const vm = createExplainVm(c, () => 7, signal(tab));
  return { vm, c, requests, answers };
}

describe('Compare all in the view model', () => {
  test('asks for every method with its own saved parameters and the chosen substrate; unticked ones are left out', async () => {
    const { vm, requests } = setup({ substrate: 'black', params: { rise: { masks: 200 } } });
    await vm.start();
    vm.runCompare();
    expect(requests[0]).toMatchObject({ task: 'compare', tabId: 7, classTarget: { kind: 'class', index: 21 }, substrate: 'black', sanityLayers: 5 });
    expect(requests[0]!.compareMethods).toEqual(METHODS_LIST.map((m) => m.id));
    expect(requests[0]!.compareParams!.rise).toEqual({ masks: 200, grid: 7, keep: 0.5 });
    vm.cancelCompare();
    vm.toggleCompareMethod('rise', false);
    vm.toggleCompareMethod('lime', false);
    vm.runCompare();
    expect(requests[1]!.compareMethods).toEqual(METHODS_LIST.map((m) => m.id).filter((id) => id !== 'rise' && id !== 'lime'));
    expect(Object.keys(requests[1]!.compareParams!)).not.toContain('rise');
    vm.compareAllMethods(false);
    expect(vm.compareSet.value.size).toBe(0);
  });

  test('decodes the rows\' maps and keeps the class; cancelling cancels the job and goes idle', async () => {
    const { vm, c, requests, answers } = setup();
    await vm.start();
    vm.runCompare();
    const map = { method: 'grad-cam', classTarget: { kind: 'class' as const, index: 21 }, width: 2, height: 1, min: 0, max: 1, signed: false, values: floatsToBase64(Float32Array.from([0, 1])) };
    const result: ExplainResult = {
      jobId: requests[0]!.jobId, method: 'grad-cam', ms: 5, camLayers: [],
      compare: { random, sanityLayers: ['conv_preds'], rows: [{ method: 'grad-cam', ms: 3, map, deletion: 0.1, insertion: 0.6, road: 0.01, spearman: 0.1, deletionRatio: 0.5, insertionRatio: 2, roadRatio: 0.04, rank: 1 }] },
    };
    answers[0]!({ ok: true, result });
    await flush();
    const v = vm.comparison.value;
    expect(v.status).toBe('ready');
    if (v.status !== 'ready') return;
    expect(v.value.className).toBe('kite');
    expect(v.value.classIndex).toBe(21);
    expect(Array.from(v.value.rows[0]!.map.values)).toEqual([0, 1]);
    vm.runCompare();
    expect(vm.comparison.value.status).toBe('running');
    vm.cancelCompare();
    expect(c.cancel).toHaveBeenCalledWith(requests[1]!.jobId);
    expect(vm.comparison.value.status).toBe('idle');
  });

  test('the substrate is saved, clears the last check, and goes with the next check', async () => {
    const { vm, c, requests } = setup();
    await vm.start();
    vm.setSubstrate('blur');
    expect(c.saveExplainSettings).toHaveBeenCalledWith(expect.objectContaining({ substrate: 'blur' }));
    vm.runCheck();
    expect(requests[0]).toMatchObject({ task: 'check', substrate: 'blur' });
    expect(requests[0]!.compareMethods).toBeUndefined();
  });
});
