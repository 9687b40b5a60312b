// The Lens's view model, driven through the typed connector mock: it waits for the result, asks for the track,
// opens the first stage with its default question, moves between stages (clamped at both ends), keeps each
// stage's answer, and a newer question about a stage wins over an older, slower one.
import { signal } from '@preact/signals';
import { describe, expect, test, vi } from 'vitest';
import type { Track, LensQuery } from '../../src/features/lens/contract';
import { createLensVm, defaultQuery } from '../../src/features/lens/popup/lens-vm';
import type { ViewModel } from '../../src/popup/viewmodel';
import type { Replies } from '../../src/shared/messages';
import { mockConnector } from '../support/connector';

vi.mock('webextension-polyfill', () => ({ default: {} }));
vi.stubGlobal('location', { search: '?result=r1&tab=3' });

const stage = (kind: Track['stages'][number]['kind'], layer: string, outShape: number[]) => ({ kind, layer, output: layer, input: '', title: layer, inShape: outShape, outShape, activation: { kind: 'linear' as const } });
const TRACK: Track = {
  modelId: 'm', modelName: 'M', input: { width: 8, height: 8, scale: 1, offset: 0 },
  stages: [stage('pixels', 'input', [8, 8, 3]), stage('conv', 'c1', [4, 6, 5]), stage('receptive-field', 'c1', [4, 6, 5]), stage('dense', 'd', [10]), stage('softmax', 'd', [10])],
  fields: [{ layer: 'c1', size: 3, jump: 2, offset: 0, outSize: 4 }],
};
const RESULT = { requestId: 'r1', modelId: 'm', predictions: [{ index: 7, className: 'seven', prob: 0.9 }] };

function setup() {
  const asked: LensQuery[] = [];
  const pending: ((r: Replies['popup/lens']) => void)[] = [];
  const c = mockConnector({
    lens: vi.fn((_id: string, q: LensQuery) => {
      asked.push(q);
      if (q.kind === 'track') return Promise.resolve({ ok: true as const, track: TRACK, ms: 1 });
      return new Promise<Replies['popup/lens']>((res) => pending.push(res));
    }),
    labels: async () => ['a'],
  });
  const view = signal<{ kind: string; state?: unknown }>({ kind: 'starting' });
  const app = { view, start: vi.fn(async () => {}), stop: vi.fn(), showPage: vi.fn() } as unknown as ViewModel;
  const vm = createLensVm(c, 'r1', app);
  const answer = (i: number, data: unknown) => pending[i]!({ ok: true, data: data as never, ms: 5 });
  return { vm, asked, pending, view, answer };
}
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('lens view model', () => {
  test('default questions: the middle cell, the top class, a field a quarter of the image', () => {
    expect(defaultQuery(TRACK.stages[1]!, TRACK, 7)).toEqual({ kind: 'conv', layer: 'c1', row: 2, col: 3, channel: 0 });
    expect(defaultQuery(TRACK.stages[3]!, TRACK, 7)).toEqual({ kind: 'dense', classIndex: 7 });
    expect(defaultQuery(TRACK.stages[2]!, TRACK, 7)).toEqual({ kind: 'receptive-field', layer: 'c1', row: 2, col: 2 });
  });

  test('waits for the result, then asks for the track and opens stage 1; ← and → are clamped', async () => {
    const { vm, asked, view } = setup();
    await vm.start();
    await flush();
    expect(asked).toEqual([]); // no result yet (still classifying)
    view.value = { kind: 'result', state: { result: RESULT } };
    await flush(); await flush();
    expect(asked.map((q) => q.kind)).toEqual(['track', 'pixels']);
    expect(vm.index.value).toBe(0);
    vm.prev();
    expect(vm.index.value).toBe(0);
    for (let i = 0; i < 10; i++) vm.next();
    expect(vm.index.value).toBe(4);
    expect(asked.map((q) => q.kind)).toEqual(['track', 'pixels', 'conv', 'receptive-field', 'dense', 'softmax']);
    vm.go(1); // already asked: no second request
    expect(asked.length).toBe(6);
  });

  test('a newer question about a stage wins over an older, slower answer', async () => {
    const { vm, asked, view, answer } = setup();
    view.value = { kind: 'result', state: { result: RESULT } };
    await vm.start();
    await flush(); await flush();
    vm.go(1);
    vm.ask({ kind: 'conv', layer: 'c1', row: 0, col: 0, channel: 4 });
    expect(asked.at(-1)).toEqual({ kind: 'conv', layer: 'c1', row: 0, col: 0, channel: 4 });
    answer(2, { kind: 'conv', channel: 4 }); // the newer one answers first
    await flush();
    answer(1, { kind: 'conv', channel: 0 }); // then the older one
    await flush();
    expect((vm.current.value?.data as { channel: number }).channel).toBe(4);
    expect(vm.current.value?.loading).toBe(false);
  });
});
