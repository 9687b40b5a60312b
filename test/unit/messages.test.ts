// Run-time validation of every cross-context message, and settings sanitising.
import { describe, expect, it, vi } from 'vitest';

// settings.ts imports webextension-polyfill, which throws when loaded outside an extension. Only the browser API
// is mocked (sanitizeSettings never touches it); schemas and catalog are real.
vi.mock('webextension-polyfill', () => ({ default: {} }));

import { BackendChoiceSchema, BackendPrefSchema, ImageSourceSchema, SOURCE_KINDS, parse } from '../../src/shared/protocol';
import { BackgroundToContentSchema, BackgroundToHostSchema, ContentToBackgroundSchema, HostToBackgroundSchema, PopupToBackgroundSchema, type AnyMessage } from '../../src/shared/messages';
import { DEFAULT_SETTINGS, sanitizeSettings } from '../../src/shared/settings';
import { catalog } from '../../src/shared/catalog';

const choice = {
  backend: 'wasm',
  reason: 'fastest on the probe workload',
  timings: { webgpu: 12.5, wasm: 8.25 },
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130',
} as const;
const source = { url: 'https://example.com/cat.jpg', kind: 'img' } as const;

const VALID = {
  'popup/reclassify': { type: 'popup/reclassify', tabId: 12 },
  'popup/preload': { type: 'popup/preload' },
  'bg/classify': {
    type: 'bg/classify', target: 'offscreen', requestId: 'r-1', source, modelId: 'mobilenet-v1-0.75-224',
    backend: 'auto', remembered: choice,
  },
  'bg/preload': { type: 'bg/preload', target: 'offscreen', modelId: 'darknet-tiny-imagenet', backend: 'cpu', remembered: null },
  'offscreen/progress': {
    type: 'offscreen/progress', requestId: 'r-1', phase: 'model', progress: 0.5, message: 'loading weights', queueDepth: 0,
  },
  'bg/resolve-target': { type: 'bg/resolve-target', target: 'content', srcUrl: 'https://example.com/a.png', anyFrame: false },
  'popup/explain': {
    type: 'popup/explain', tabId: 3, jobId: 'j-1', task: 'map', method: 'grad-cam', params: { layer: '' }, classTarget: { kind: 'class', index: 21 },
  },
  'popup/cancel': { type: 'popup/cancel', jobId: 'j-1' },
  'bg/explain': {
    type: 'bg/explain', target: 'offscreen', jobId: 'j-2', task: 'sanity', method: 'integrated-gradients', params: { steps: 32, baseline: 'blurred' },
    classTarget: { kind: 'class', index: 0 }, sanityLayers: 5, image: { requestId: 'r-1', source }, modelId: 'mobilenet-v1-0.75-224', backend: 'wasm', remembered: null,
  },
  'bg/cancel': { type: 'bg/cancel', target: 'offscreen', jobId: 'j-2' },
  'offscreen/job-progress': { type: 'offscreen/job-progress', jobId: 'j-2', progress: 0.25, message: 'Computing…' },
  'popup/train': { type: 'popup/train', hidden: 0 },
  'popup/cancel-training': { type: 'popup/cancel-training' },
  'popup/export': { type: 'popup/export' },
  'popup/import': { type: 'popup/import', data: 'UEsDBA==' },
  'bg/export': { type: 'bg/export', target: 'offscreen', modelId: 'mobilenet-v1-0.75-224' },
  'bg/import': { type: 'bg/import', target: 'offscreen', modelId: 'mobilenet-v1-0.75-224', data: 'UEsDBA==' },
  'popup/classes-changed': { type: 'popup/classes-changed' },
  'bg/add-example': { type: 'bg/add-example', target: 'offscreen', source, classId: 'c-1', modelId: 'mobilenet-v1-0.75-224', backend: 'auto', remembered: null },
  'bg/train': { type: 'bg/train', target: 'offscreen', jobId: 't-1', hidden: 32, modelId: 'mobilenet-v1-0.75-224', backend: 'auto', remembered: null },
  'offscreen/train-progress': { type: 'offscreen/train-progress', jobId: 't-1', phase: 'training', progress: 0.4, epoch: 3, loss: 0.7, valAccuracy: 0.5 },
  'bg/ask-class-name': { type: 'bg/ask-class-name', target: 'content', anyFrame: false },
  'popup/layers': { type: 'popup/layers', tabId: 4 },
  'popup/activations': { type: 'popup/activations', tabId: 4, layers: ['input_1', 'conv_pw_3_relu'] },
  'popup/feature-vis': { type: 'popup/feature-vis', tabId: 4, jobId: 'fv-1', layer: 'conv_pw_6_relu', channel: 17, steps: 256 },
  'bg/layers': { type: 'bg/layers', target: 'offscreen', modelId: 'mobilenet-v1-0.75-224', backend: 'auto', remembered: null },
  'bg/activations': {
    type: 'bg/activations', target: 'offscreen', layers: ['conv1'], image: { requestId: 'r-1', source: null }, classIndex: 249,
    modelId: 'mobilenet-v1-0.75-224', backend: 'wasm', remembered: null,
  },
  'bg/feature-vis': {
    type: 'bg/feature-vis', target: 'offscreen', jobId: 'fv-2', layer: 'conv1', channel: 0, steps: 64, modelId: 'mobilenet-v1-0.75-224', backend: 'auto', remembered: null,
  },
  'popup/lens': { type: 'popup/lens', requestId: 'r-1', query: { kind: 'conv', layer: 'conv1', row: 10, col: 20, channel: 3 } },
  'popup/open-lens': { type: 'popup/open-lens', tabId: 4, requestId: 'r-1' },
  'bg/lens': { type: 'bg/lens', target: 'offscreen', image: { requestId: 'r-1', source: null }, query: { kind: 'dense', classIndex: 21 }, modelId: 'mobilenet-v1-0.75-224', backend: 'auto', remembered: null },
  'popup/class-vis': { type: 'popup/class-vis', tabId: 4, jobId: 'cv-1', classIndex: 281, head: 'imagenet', seed: 2, steps: 96 },
  'bg/class-vis': { type: 'bg/class-vis', target: 'offscreen', jobId: 'cv-2', classIndex: 1, head: 'custom', seed: 0, steps: 8, modelId: 'mobilenet-v1-0.75-224', backend: 'auto', remembered: null },
  'popup/lr-find': { type: 'popup/lr-find', jobId: 'lr-1', hidden: 0 },
  'popup/pixel-linear': { type: 'popup/pixel-linear', jobId: 'px-1', task: 'apply', tabId: 4 },
  'bg/lr-find': { type: 'bg/lr-find', target: 'offscreen', jobId: 'lr-2', hidden: 64, modelId: 'mobilenet-v1-0.75-224', backend: 'auto', remembered: null },
  'bg/pixel-linear': { type: 'bg/pixel-linear', target: 'offscreen', jobId: 'px-2', task: 'train', image: null, modelId: 'mobilenet-v1-0.75-224', backend: 'auto', remembered: null },
  'content/warm-up': { type: 'content/warm-up' },
  'bg/prefetch': { type: 'bg/prefetch', target: 'offscreen', url: 'https://example.com/cat.jpg' },
  'offscreen/release': { type: 'offscreen/release', bytes: 1_225_000_000 },
} satisfies Record<AnyMessage['type'], AnyMessage>;

const SCHEMA_OF = {
  'popup/reclassify': PopupToBackgroundSchema,
  'popup/preload': PopupToBackgroundSchema,
  'bg/classify': BackgroundToHostSchema,
  'bg/preload': BackgroundToHostSchema,
  'bg/prefetch': BackgroundToHostSchema,
  'offscreen/release': HostToBackgroundSchema,
  'offscreen/progress': HostToBackgroundSchema,
  'bg/resolve-target': BackgroundToContentSchema,
  'popup/explain': PopupToBackgroundSchema,
  'popup/cancel': PopupToBackgroundSchema,
  'bg/explain': BackgroundToHostSchema,
  'bg/cancel': BackgroundToHostSchema,
  'offscreen/job-progress': HostToBackgroundSchema,
  'popup/train': PopupToBackgroundSchema,
  'popup/cancel-training': PopupToBackgroundSchema,
  'popup/export': PopupToBackgroundSchema,
  'popup/import': PopupToBackgroundSchema,
  'bg/export': BackgroundToHostSchema,
  'bg/import': BackgroundToHostSchema,
  'popup/classes-changed': PopupToBackgroundSchema,
  'bg/add-example': BackgroundToHostSchema,
  'bg/train': BackgroundToHostSchema,
  'offscreen/train-progress': HostToBackgroundSchema,
  'bg/ask-class-name': BackgroundToContentSchema,
  'popup/layers': PopupToBackgroundSchema,
  'popup/activations': PopupToBackgroundSchema,
  'popup/feature-vis': PopupToBackgroundSchema,
  'bg/layers': BackgroundToHostSchema,
  'bg/activations': BackgroundToHostSchema,
  'bg/feature-vis': BackgroundToHostSchema,
  'popup/lens': PopupToBackgroundSchema,
  'popup/open-lens': PopupToBackgroundSchema,
  'bg/lens': BackgroundToHostSchema,
  'popup/class-vis': PopupToBackgroundSchema,
  'bg/class-vis': BackgroundToHostSchema,
  'popup/lr-find': PopupToBackgroundSchema,
  'popup/pixel-linear': PopupToBackgroundSchema,
  'bg/lr-find': BackgroundToHostSchema,
  'bg/pixel-linear': BackgroundToHostSchema,
  'content/warm-up': ContentToBackgroundSchema,
} as const;

type Type = keyof typeof VALID;
const TYPES = Object.keys(VALID) as Type[];
const check = (t: Type, m: unknown) => parse(SCHEMA_OF[t], m);

describe('explanation requests are bounded', () => {
  const ok = VALID['popup/explain'];
  it.each([
    ['a negative class', { ...ok, classTarget: { kind: 'class', index: -1 } }],
    ['a fractional class', { ...ok, classTarget: { kind: 'class', index: 1.5 } }],
    ['an unknown task', { ...ok, task: 'train' }],
    ['a non-finite parameter', { ...ok, params: { steps: Infinity } }],
    ['an object as parameter', { ...ok, params: { steps: { $gt: 1 } } }],
    ['too many parameters', { ...ok, params: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`p${i}`, i])) }],
    ['sanity with 0 layers', { ...ok, sanityLayers: 0 }],
  ])('rejects %s', (_what, m) => {
    expect(check('popup/explain', m)).toBeNull();
  });
});

describe('a prefetch names a web address only', () => {
  it.each(['data:image/png;base64,iVBORw0KGgo=', 'blob:https://example.com/0b4e', 'file:///etc/passwd', 'javascript:alert(1)'])('rejects %s', (url) => {
    expect(check('bg/prefetch', { ...VALID['bg/prefetch'], url })).toBeNull();
  });
});

describe('valid messages parse', () => {
  it.each(TYPES)('%s', (t) => {
    expect(check(t, VALID[t])).toEqual(VALID[t]);
  });

  it('nullable fields accept null', () => {
    expect(check('bg/classify', { ...VALID['bg/classify'], remembered: null })).not.toBeNull();
    expect(check('offscreen/progress', { ...VALID['offscreen/progress'], requestId: null, progress: null })).not.toBeNull();
    expect(check('bg/resolve-target', { ...VALID['bg/resolve-target'], srcUrl: null, anyFrame: true })).not.toBeNull();
  });

  it('every image source kind, data: and http: URLs', () => {
    for (const kind of SOURCE_KINDS) expect(parse(ImageSourceSchema, { url: 'data:image/png;base64,iVBORw0KGgo=', kind })).not.toBeNull();
    expect(parse(ImageSourceSchema, { url: 'http://example.com/x.gif', kind: 'css-background' })).not.toBeNull();
    expect(parse(ImageSourceSchema, { url: 'HTTPS://EXAMPLE.COM/X.GIF', kind: 'img' })).not.toBeNull();
  });

  it('every backend preference', () => {
    for (const b of ['auto', 'webgpu', 'webgl', 'wasm', 'cpu']) expect(parse(BackendPrefSchema, b)).toBe(b);
    expect(parse(BackendChoiceSchema, choice)).toEqual(choice);
  });
});

describe('malformed messages are refused (parse → null)', () => {
  it('unknown type, or a type sent to the wrong schema', () => {
    expect(parse(PopupToBackgroundSchema, { type: 'popup/explode' })).toBeNull();
    expect(parse(PopupToBackgroundSchema, VALID['bg/preload'])).toBeNull();
    expect(parse(BackgroundToHostSchema, VALID['popup/preload'])).toBeNull();
    expect(parse(HostToBackgroundSchema, VALID['bg/resolve-target'])).toBeNull();
    expect(parse(BackgroundToContentSchema, VALID['offscreen/progress'])).toBeNull();
  });

  it.each(TYPES)('%s: not an object, extra key, each field missing', (t) => {
    for (const junk of [null, undefined, 42, 'popup/preload', [], [VALID[t]]]) expect(check(t, junk)).toBeNull();
    expect(check(t, { ...VALID[t], extra: 1 })).toBeNull();
    // may be left out by design
    const optional = ({ 'popup/explain': ['sanityLayers', 'head'], 'bg/explain': ['sanityLayers', 'head'], 'bg/classify': ['layers', 'mode'], 'offscreen/train-progress': ['epoch', 'loss', 'valAccuracy'], 'popup/pixel-linear': ['tabId'] } as Record<string, string[]>)[t] ?? [];
    for (const key of Object.keys(VALID[t])) {
      const m: Record<string, unknown> = { ...VALID[t] };
      delete m[key];
      if (optional.includes(key)) expect(check(t, m), `without ${key}`).not.toBeNull();
      else expect(check(t, m), `without ${key}`).toBeNull();
    }
  });

  it('wrong field types', () => {
    expect(check('popup/reclassify', { type: 'popup/reclassify', tabId: '12' })).toBeNull();
    expect(check('bg/classify', { ...VALID['bg/classify'], target: 'content' })).toBeNull();
    expect(check('bg/classify', { ...VALID['bg/classify'], requestId: '' })).toBeNull();
    expect(check('bg/classify', { ...VALID['bg/classify'], modelId: 'x'.repeat(129) })).toBeNull();
    expect(check('bg/resolve-target', { ...VALID['bg/resolve-target'], anyFrame: 'yes' })).toBeNull();
    expect(check('offscreen/progress', { ...VALID['offscreen/progress'], phase: 'done' })).toBeNull();
    expect(check('offscreen/progress', { ...VALID['offscreen/progress'], progress: 1.5 })).toBeNull();
    expect(check('offscreen/progress', { ...VALID['offscreen/progress'], progress: -0.1 })).toBeNull();
    expect(check('offscreen/progress', { ...VALID['offscreen/progress'], queueDepth: 1.5 })).toBeNull();
    expect(check('offscreen/progress', { ...VALID['offscreen/progress'], message: 'x'.repeat(301) })).toBeNull();
  });

  it('negative, fractional or NaN tabId', () => {
    expect(check('popup/reclassify', { type: 'popup/reclassify', tabId: 0 })).not.toBeNull();
    for (const tabId of [-1, 1.5, NaN, Infinity]) {
      expect(check('popup/reclassify', { type: 'popup/reclassify', tabId }), String(tabId)).toBeNull();
    }
  });

  it.each(['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'blob:https://example.com/0b4e-11',
    'file:///etc/passwd', 'ftp://example.com/a.jpg', 'chrome-extension://abc/x.png', '//example.com/a.jpg', ''])(
    'image URL %j', (url) => {
      expect(parse(ImageSourceSchema, { url, kind: 'img' })).toBeNull();
      expect(check('bg/classify', { ...VALID['bg/classify'], source: { url, kind: 'img' } })).toBeNull();
    });

  it('oversized image URL (> 48 MiB characters)', () => {
    const head = 'data:image/png;base64,';
    const max = 48 * 1024 * 1024;
    expect(parse(ImageSourceSchema, { url: head + 'A'.repeat(max - head.length), kind: 'data-url' })).not.toBeNull();
    expect(parse(ImageSourceSchema, { url: head + 'A'.repeat(max - head.length + 1), kind: 'data-url' })).toBeNull();
  });

  it('bad source kind or extra key in the source', () => {
    expect(parse(ImageSourceSchema, { ...source, kind: 'video' })).toBeNull();
    expect(parse(ImageSourceSchema, { ...source, width: 10 })).toBeNull();
  });

  it('bad backend names', () => {
    for (const b of ['WASM', 'webgl2', 'gpu', '', 'auto ', null, 3]) {
      expect(parse(BackendPrefSchema, b), String(b)).toBeNull();
      expect(check('bg/preload', { ...VALID['bg/preload'], backend: b }), String(b)).toBeNull();
    }
    // a remembered choice can never be 'auto', and must carry the whole record
    expect(parse(BackendChoiceSchema, { ...choice, backend: 'auto' })).toBeNull();
    expect(parse(BackendChoiceSchema, { ...choice, timings: { wasm: 'fast' } })).toBeNull();
    expect(check('bg/classify', { ...VALID['bg/classify'], remembered: { ...choice, extra: true } })).toBeNull();
  });
});

describe('sanitizeSettings', () => {
  const classifier = catalog.models.find((m) => m.task === 'classifier' && m.id !== catalog.defaultModel)!;
  const backbone = catalog.models.find((m) => m.task === 'backbone')!;

  it('defaults are a real classifier and auto', () => {
    expect(DEFAULT_SETTINGS).toEqual({ modelId: catalog.defaultModel, backend: 'auto', mode: 'imagenet', theme: 'system', seenCap: 300, wasmThreads: 0 });
    expect(catalog.models.find((m) => m.id === DEFAULT_SETTINGS.modelId)?.task).toBe('classifier');
  });

  it('keeps valid settings', () => {
    expect(sanitizeSettings({ modelId: classifier.id, backend: 'wasm' })).toEqual({ modelId: classifier.id, backend: 'wasm', mode: 'imagenet', theme: 'system', seenCap: 300, wasmThreads: 0 });
    expect(sanitizeSettings({ modelId: classifier.id, backend: 'wasm', theme: 'dark', seenCap: 12 })).toMatchObject({ theme: 'dark', seenCap: 12 });
    expect(sanitizeSettings({ modelId: classifier.id, theme: 'neon', seenCap: -3 })).toMatchObject({ theme: 'system', seenCap: 300, wasmThreads: 0 });
  });

  it.each([undefined, null, 'mobilenet', 7, [], {}, { modelId: 5, backend: 'quantum' }])('garbage %j → defaults', (raw) => {
    expect(sanitizeSettings(raw)).toEqual(DEFAULT_SETTINGS);
  });

  it('the wasm thread count is kept when a whole number 0–16, and is automatic (0) otherwise', () => {
    expect(sanitizeSettings({ modelId: classifier.id, wasmThreads: 3 }).wasmThreads).toBe(3);
    expect(sanitizeSettings({ modelId: classifier.id, wasmThreads: 1 }).wasmThreads).toBe(1);
    for (const bad of [17, -1, 2.5, '4', null]) expect(sanitizeSettings({ modelId: classifier.id, wasmThreads: bad }).wasmThreads).toBe(0);
  });

  it('the classification mode is kept when valid', () => {
    expect(sanitizeSettings({ modelId: classifier.id, backend: 'wasm', mode: 'both' })).toMatchObject({ modelId: classifier.id, backend: 'wasm', mode: 'both' });
    expect(sanitizeSettings({ modelId: classifier.id, backend: 'wasm', mode: 'dogs' }).mode).toBe('imagenet');
  });

  it('one bad field does not reset the other', () => {
    expect(sanitizeSettings({ modelId: classifier.id, backend: 'quantum' })).toMatchObject({ modelId: classifier.id, backend: 'auto', mode: 'imagenet', theme: 'system', seenCap: 300 });
    expect(sanitizeSettings({ modelId: classifier.id })).toMatchObject({ modelId: classifier.id, backend: 'auto', mode: 'imagenet' });
    expect(sanitizeSettings({ modelId: 5, backend: 'cpu' })).toMatchObject({ modelId: DEFAULT_SETTINGS.modelId, backend: 'cpu', mode: 'imagenet' });
  });

  it('unknown or backbone model id → default model, backend kept', () => {
    expect(sanitizeSettings({ modelId: 'no-such-model', backend: 'cpu' })).toMatchObject({ modelId: DEFAULT_SETTINGS.modelId, backend: 'cpu', mode: 'imagenet' });
    expect(backbone.id).toBe('mobilenet-v2-1.0-224-notop');
    expect(sanitizeSettings({ modelId: backbone.id, backend: 'webgl' })).toMatchObject({ modelId: DEFAULT_SETTINGS.modelId, backend: 'webgl', mode: 'imagenet' });
  });

  it('returns a fresh object, not the shared defaults', () => {
    const s = sanitizeSettings(null);
    s.backend = 'cpu';
    expect(DEFAULT_SETTINGS.backend).toBe('auto');
  });
});
