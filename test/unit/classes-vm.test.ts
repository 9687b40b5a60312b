// The "My classes" view model, driven through a mock connector (the only thing mocked): what it says when there
// is too little to train on, that every change is followed by a fresh read and by 'popup/classes-changed', how
// training state from storage.session drives its signals, and that a popup reopened mid-run reattaches.
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { ClassSummary, ExampleThumb, HeadInfo, TeachStatus, TrainingState } from '../../src/popup/connector';
import { mockConnector as typedMock } from '../support/connector';
import type { Replies } from '../../src/shared/messages';
import { HIDDEN_UNITS, STALE_MS, createClassesVm } from '../../src/features/teach/popup/classes-vm';
import { readiness } from '../../src/features/teach/contract';

vi.mock('webextension-polyfill', () => ({ default: {} }));

const summary = { classNames: ['cats', 'dogs'], examples: 8, valAccuracy: 0.75, confusion: [[2, 0], [1, 1]], epochs: 14, ms: 2300, embedMs: 900 };

/** An in-memory dataset behind the connector's teaching methods; the order of calls is recorded. */
function mockConnector(init: { classes?: [string, number][]; training?: TrainingState | null; status?: TeachStatus | null; head?: HeadInfo | null } = {}) {
  const calls: string[] = [];
  let classes: ClassSummary[] = (init.classes ?? []).map(([name, count], i) => ({ id: `c${i}`, name, count, createdAt: i }));
  let examples: ExampleThumb[] = classes.flatMap((c) => Array.from({ length: c.count }, (_, k) => ({ id: `${c.id}-e${k}`, classId: c.id, thumbnail: `data:image/jpeg;base64,${c.id}${k}`, url: 'https://x/y.jpg', at: k })));
  let training = init.training ?? null;
  let onTraining: ((s: TrainingState | null) => void) | null = null;
  let onStatus: ((s: TeachStatus | null) => void) | null = null;
  const recount = () => { classes = classes.map((c) => ({ ...c, count: examples.filter((e) => e.classId === c.id).length })); };
  const c = {
    classes: vi.fn(async () => { calls.push('classes'); return classes.map((x) => ({ ...x })); }),
    examples: vi.fn(async (classId?: string) => examples.filter((e) => !classId || e.classId === classId)),
    createClass: vi.fn(async (name: string) => {
      calls.push(`create:${name}`);
      const x = { id: `c${classes.length + 10}`, name, createdAt: 100 + classes.length };
      classes.push({ ...x, count: 0 });
      return x;
    }),
    renameClass: vi.fn(async (id: string, name: string) => { calls.push(`rename:${id}:${name}`); classes = classes.map((x) => (x.id === id ? { ...x, name } : x)); }),
    deleteClass: vi.fn(async (id: string) => { calls.push(`delete:${id}`); classes = classes.filter((x) => x.id !== id); examples = examples.filter((e) => e.classId !== id); }),
    deleteExample: vi.fn(async (id: string) => { calls.push(`delete-example:${id}`); examples = examples.filter((e) => e.id !== id); recount(); }),
    head: vi.fn(async () => init.head ?? null),
    classesChanged: vi.fn(async () => { calls.push('classes-changed'); }),
    train: vi.fn(async (hidden: number): Promise<Replies['popup/train']> => {
      calls.push(`train:${hidden}`);
      training = { status: 'running', jobId: 'job1', phase: 'embedding', progress: 0, at: Date.now() };
      return { ok: true };
    }),
    trainingState: vi.fn(async () => training),
    cancelTraining: vi.fn(async (): Promise<Replies['popup/cancel-training']> => {
      calls.push('cancel-training');
      return training?.status === 'running' ? { ok: true } : { ok: false, error: { code: 'bad-request', message: 'No training is running.' } };
    }),
    watchTraining: vi.fn((cb: (s: TrainingState | null) => void) => { onTraining = cb; return () => { onTraining = null; }; }),
    teachStatus: vi.fn(async () => init.status ?? null),
    watchTeachStatus: vi.fn((cb: (s: TeachStatus | null) => void) => { onStatus = cb; return () => { onStatus = null; }; }),
  };
  return {
    c, calls,
    /** what the background does: store the new state, which storage.onChanged reports */
    emitTraining(s: TrainingState | null) { training = s; onTraining?.(s); },
    emitStatus(s: TeachStatus | null) { onStatus?.(s); },
    addExample(classId: string) { examples.push({ id: `${classId}-new${examples.length}`, classId, thumbnail: 'data:,', url: 'https://x/z.jpg', at: 99 }); recount(); },
    watching: () => onTraining !== null,
  };
}

function setup(init: Parameters<typeof mockConnector>[0] = {}) {
  const m = mockConnector(init);
  const vm = createClassesVm(typedMock(m.c), { modelId: () => 'm1' });
  return { ...m, vm };
}

const flushAll = () => new Promise((r) => setTimeout(r, 0));
let current: { stop(): void } | null = null;
afterEach(() => { current?.stop(); current = null; vi.restoreAllMocks(); });

describe('too little data', () => {
  test('names the classes short of examples, and says what is missing', () => {
    const r = readiness([
      { id: 'a', name: 'cats', count: 5, createdAt: 0 },
      { id: 'b', name: 'dogs', count: 2, createdAt: 1 },
      { id: 'c', name: 'birds', count: 1, createdAt: 2 },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.short).toEqual(['dogs', 'birds']);
    expect(r.message).toContain('“dogs” has 2');
    expect(r.message).toContain('“birds” has 1');
    expect(r.message).not.toContain('cats');
  });

  test('fewer than two classes: says so, naming the short ones, including empty ones', () => {
    expect(readiness([])).toMatchObject({ ok: false, short: [] });
    const none = readiness([]);
    expect(!none.ok && none.message).toMatch(/at least 2 classes/);
    const one = readiness([{ id: 'a', name: 'cats', count: 7, createdAt: 0 }]);
    expect(one).toMatchObject({ ok: false, short: [] });
    expect(!one.ok && one.message).toMatch(/Create one more class/);
    const empty = readiness([{ id: 'a', name: 'cats', count: 7, createdAt: 0 }, { id: 'b', name: 'dogs', count: 0, createdAt: 1 }]);
    expect(empty).toMatchObject({ ok: false, short: ['dogs'] });
    expect(!empty.ok && empty.message).toContain('“dogs” has 0');
  });

  test('enough: two classes with three each; an empty third class is left out, not blocking', () => {
    const r = readiness([
      { id: 'a', name: 'cats', count: 3, createdAt: 0 },
      { id: 'b', name: 'dogs', count: 4, createdAt: 1 },
      { id: 'c', name: 'birds', count: 0, createdAt: 2 },
    ]);
    expect(r).toEqual({ ok: true, classes: 2, examples: 7, skipped: ['birds'] });
  });

  test('the vm disables training and gives the message; adding examples from the menu enables it', async () => {
    const { vm, c, addExample, emitStatus } = setup({ classes: [['cats', 4], ['dogs', 2]] });
    current = vm;
    await vm.start();
    expect(vm.canTrain.value).toBe(false);
    const r = vm.readiness.value;
    expect(!r.ok && r.message).toContain('“dogs” has 2');
    await vm.train();
    expect(c.train).not.toHaveBeenCalled();
    // An example added through the context menu: the background says so in storage.session, the list is read again.
    addExample('c1');
    emitStatus({ kind: 'added', message: 'Added to “dogs” (3 examples).', className: 'dogs', count: 3, at: Date.now() });
    await flushAll();
    expect(vm.classes.value?.find((x) => x.name === 'dogs')?.count).toBe(3);
    expect(vm.canTrain.value).toBe(true);
    expect(vm.teachStatus.value?.message).toBe('Added to “dogs” (3 examples).');
  });
});

describe('changes to the classes', () => {
  test('the list carries counts and thumbnails, in order', async () => {
    const { vm } = setup({ classes: [['cats', 3], ['dogs', 1]] });
    current = vm;
    await vm.start();
    expect(vm.classes.value?.map((x) => [x.name, x.count, x.examples.length])).toEqual([['cats', 3, 3], ['dogs', 1, 1]]);
    expect(vm.classes.value?.[0]!.examples[0]!.thumbnail).toBe('data:image/jpeg;base64,c00');
  });

  test('rename calls the connector, reads the list again, then sends classes-changed', async () => {
    const { vm, c, calls } = setup({ classes: [['cats', 3], ['dogs', 3]] });
    current = vm;
    await vm.start();
    vm.startEditing('c0');
    expect(vm.editing.value).toBe('c0');
    calls.length = 0;
    expect(await vm.rename('c0', '  kittens ')).toBe(true);
    expect(calls).toEqual(['rename:c0:kittens', 'classes', 'classes-changed']);
    expect(vm.classes.value?.map((x) => x.name)).toEqual(['kittens', 'dogs']);
    expect(vm.editing.value).toBeNull();
    // unchanged, empty or clashing names do not reach the connector
    vm.startEditing('c0');
    expect(await vm.rename('c0', 'kittens')).toBe(true);
    expect(await vm.rename('c0', '   ')).toBe(false);
    expect(vm.error.value).toMatch(/needs a name/);
    expect(await vm.rename('c0', 'DOGS')).toBe(false);
    expect(vm.error.value).toContain('“dogs”');
    expect(c.renameClass).toHaveBeenCalledTimes(1);
    vm.cancelEditing();
    expect(vm.editing.value).toBeNull();
  });

  test('delete asks first, then calls the connector, reads the list, sends classes-changed', async () => {
    const { vm, c, calls } = setup({ classes: [['cats', 3], ['dogs', 3]] });
    current = vm;
    await vm.start();
    vm.askDelete('c1');
    expect(vm.confirming.value).toBe('c1');
    vm.cancelDelete();
    expect(vm.confirming.value).toBeNull();
    expect(c.deleteClass).not.toHaveBeenCalled();
    vm.askDelete('c1');
    calls.length = 0;
    expect(await vm.deleteClass('c1')).toBe(true);
    expect(calls).toEqual(['delete:c1', 'classes', 'classes-changed']);
    expect(vm.classes.value?.map((x) => x.name)).toEqual(['cats']);
    expect(vm.confirming.value).toBeNull();
    expect(vm.canTrain.value).toBe(false);
  });

  test('removing one example drops the count, then classes-changed (the menu shows counts)', async () => {
    const { vm, calls } = setup({ classes: [['cats', 3], ['dogs', 3]] });
    current = vm;
    await vm.start();
    calls.length = 0;
    await vm.deleteExample('c0-e1');
    expect(calls).toEqual(['delete-example:c0-e1', 'classes', 'classes-changed']);
    const cats = vm.classes.value!.find((x) => x.name === 'cats')!;
    expect(cats.count).toBe(2);
    expect(cats.examples.map((e) => e.id)).toEqual(['c0-e0', 'c0-e2']);
  });

  test('create: a new class, then classes-changed; a duplicate name is refused', async () => {
    const { vm, c, calls } = setup({ classes: [['cats', 3]] });
    current = vm;
    await vm.start();
    calls.length = 0;
    expect(await vm.createClass(' dogs ')).toBe(true);
    expect(calls).toEqual(['create:dogs', 'classes', 'classes-changed']);
    expect(vm.classes.value?.map((x) => x.name)).toEqual(['cats', 'dogs']);
    expect(await vm.createClass('Cats')).toBe(false);
    expect(await vm.createClass('')).toBe(false);
    expect(c.createClass).toHaveBeenCalledTimes(1);
  });

  test('a failed change is shown, and the background is not told', async () => {
    const { vm, c } = setup({ classes: [['cats', 3], ['dogs', 3]] });
    current = vm;
    await vm.start();
    c.renameClass.mockRejectedValueOnce(new Error('That class no longer exists.'));
    expect(await vm.rename('c0', 'kittens')).toBe(false);
    expect(vm.error.value).toBe('That class no longer exists.');
    expect(c.classesChanged).not.toHaveBeenCalled();
    expect(vm.editing.value).toBeNull(); // was not editing; stays so
  });
});

describe('training', () => {
  test('train sends the hidden size; running → done updates the signals', async () => {
    const { vm, c, emitTraining } = setup({ classes: [['cats', 4], ['dogs', 4]] });
    current = vm;
    await vm.start();
    expect(vm.canTrain.value).toBe(true);
    vm.setHidden(true);
    await vm.train();
    expect(c.train).toHaveBeenCalledWith(HIDDEN_UNITS);
    expect(vm.training.value).toMatchObject({ status: 'running', phase: 'embedding' });
    expect(vm.running.value).toBe(true);
    expect(vm.canTrain.value).toBe(false);

    emitTraining({ status: 'running', jobId: 'job1', phase: 'embedding', progress: 0.5, at: Date.now() });
    expect(vm.training.value?.progress).toBe(0.5);
    emitTraining({ status: 'running', jobId: 'job1', phase: 'training', progress: 0.1, epoch: 8, loss: 0.4, valAccuracy: 0.5, at: Date.now() });
    expect(vm.training.value).toMatchObject({ phase: 'training', epoch: 8, valAccuracy: 0.5 });

    c.head.mockClear();
    emitTraining({ status: 'done', jobId: 'job1', phase: 'done', progress: 1, summary, at: Date.now() });
    expect(vm.running.value).toBe(false);
    expect(vm.canTrain.value).toBe(true);
    expect(vm.training.value?.summary?.valAccuracy).toBe(0.75);
    expect(vm.training.value?.summary?.confusion).toEqual([[2, 0], [1, 1]]);
    await flushAll();
    expect(c.head).toHaveBeenCalledWith('m1'); // the new head is read
  });

  test('without the hidden layer: 0 units; a refused start is shown as an error', async () => {
    const { vm, c } = setup({ classes: [['cats', 4], ['dogs', 4]] });
    current = vm;
    await vm.start();
    c.train.mockResolvedValueOnce({ ok: false, error: { code: 'bad-request', message: 'Training is already running.' } });
    await vm.train();
    expect(c.train).toHaveBeenCalledWith(0);
    expect(vm.trainError.value).toBe('Training is already running.');
    expect(vm.starting.value).toBe(false);
  });

  test('errors from the model host end the run and are kept', async () => {
    const { vm, emitTraining } = setup({ classes: [['cats', 4], ['dogs', 4]] });
    current = vm;
    await vm.start();
    await vm.train();
    emitTraining({ status: 'error', jobId: 'job1', phase: 'error', progress: 1, error: 'WebGL lost', at: Date.now() });
    expect(vm.running.value).toBe(false);
    expect(vm.training.value).toMatchObject({ status: 'error', error: 'WebGL lost' });
  });

  test('cancel: asks the background to stop the run, which then reports as cancelled (not as an error)', async () => {
    const { vm, calls, emitTraining } = setup({ classes: [['cats', 4], ['dogs', 4]] });
    current = vm;
    await vm.start();
    await vm.cancelTraining(); // nothing running: nothing sent
    expect(calls).not.toContain('cancel-training');
    await vm.train();
    emitTraining({ status: 'running', jobId: 'job1', phase: 'training', progress: 0.4, epoch: 30, at: Date.now() });
    expect(vm.running.value).toBe(true);
    await vm.cancelTraining();
    expect(calls.filter((x) => x === 'cancel-training')).toHaveLength(1);
    emitTraining({ status: 'cancelled', jobId: 'job1', phase: 'cancelled', progress: 1, error: 'Cancelled.', at: Date.now() });
    expect(vm.running.value).toBe(false);
    expect(vm.training.value?.status).toBe('cancelled');
    expect(vm.trainError.value).toBeNull();
    expect(vm.canTrain.value).toBe(true);
  });

  test('reattach: a vm started while training runs shows its progress and follows it', async () => {
    const running: TrainingState = { status: 'running', jobId: 'job9', phase: 'training', progress: 0.3, epoch: 24, loss: 0.2, valAccuracy: 0.9, at: Date.now() };
    const first = setup({ classes: [['cats', 4], ['dogs', 4]], training: running });
    await first.vm.start();
    first.vm.stop(); // the popup closes mid-run
    expect(first.watching()).toBe(false);

    const { vm, c, emitTraining } = setup({ classes: [['cats', 4], ['dogs', 4]], training: running });
    current = vm;
    await vm.start();
    expect(vm.running.value).toBe(true);
    expect(vm.training.value).toMatchObject({ status: 'running', epoch: 24, valAccuracy: 0.9 });
    expect(vm.canTrain.value).toBe(false);
    await vm.train(); // no second run while one is going
    expect(c.train).not.toHaveBeenCalled();
    emitTraining({ status: 'done', jobId: 'job9', phase: 'done', progress: 1, summary, at: Date.now() });
    expect(vm.training.value?.status).toBe('done');
  });

  test('a run that stopped reporting long ago is stale: training can start again', async () => {
    const old: TrainingState = { status: 'running', jobId: 'job3', phase: 'embedding', progress: 0.1, at: Date.now() - STALE_MS - 1000 };
    const { vm } = setup({ classes: [['cats', 4], ['dogs', 4]], training: old });
    current = vm;
    await vm.start();
    expect(vm.stale.value).toBe(true);
    expect(vm.running.value).toBe(false);
    expect(vm.canTrain.value).toBe(true);
  });

  test('the head is stale once the classes it was trained on change', async () => {
    const head: HeadInfo = {
      modelId: 'm1', classIds: ['c0', 'c1'], classNames: ['cats', 'dogs'], embeddingLayer: 'x', dims: 4, hidden: 0,
      trainedAt: 1, examples: 8, valAccuracy: 1, confusion: [[1, 0], [0, 1]], epochs: 3,
    };
    const { vm } = setup({ classes: [['cats', 4], ['dogs', 4]], head });
    current = vm;
    await vm.start();
    expect(vm.head.value?.valAccuracy).toBe(1);
    expect(vm.headStale.value).toBe(false);
    await vm.rename('c1', 'puppies');
    expect(vm.headStale.value).toBe(true);
  });

  test('an old "added" message is not shown', async () => {
    const { vm } = setup({ classes: [['cats', 4]], status: { kind: 'added', message: 'Added to “cats” (4 examples).', at: Date.now() - 3_600_000 } });
    current = vm;
    await vm.start();
    expect(vm.teachStatus.value).toBeNull();
  });
});
