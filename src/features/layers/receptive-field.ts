// Receptive fields from the architecture alone: how many input pixels (one side) can influence one output
// position of a layer (size), and how far apart in input pixels neighbouring outputs are (jump).
// Per layer with kernel k, stride s and dilation d: size_out = size_in + ((k − 1)·d)·jump_in, jump_out = jump_in·s.
// Padding moves where a field starts, not its size. Merges (Add, Concatenate) take the largest of their inputs;
// global pooling, flatten and dense layers see the whole input.
export interface LayerSpec {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** names of the layers feeding this one (empty for the input) */
  inbound: string[];
}
interface ReceptiveField { size: number; jump: number }

const pair = (v: unknown, fallback: number): [number, number] =>
  Array.isArray(v) ? [Number(v[0] ?? fallback), Number(v[1] ?? v[0] ?? fallback)] : typeof v === 'number' ? [v, v] : [fallback, fallback];

const WINDOWED = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'MaxPooling2D', 'AveragePooling2D', 'Conv2DTranspose']);
const GLOBAL = new Set(['GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Flatten', 'Dense']);

/** Fields for every layer, in the given (topological) order. Only the vertical axis is reported (square kernels). */
export function receptiveFields(layers: LayerSpec[], inputSize: number): Map<string, ReceptiveField | null> {
  const out = new Map<string, ReceptiveField | null>();
  for (const l of layers) {
    const ins = l.inbound.map((n) => out.get(n)).filter((x): x is ReceptiveField => Boolean(x));
    if (l.inbound.length === 0) { out.set(l.name, { size: 1, jump: 1 }); continue; }
    const prev = ins.reduce<ReceptiveField | null>((best, r) => (!best || r.size > best.size ? r : best), null);
    if (!prev) { out.set(l.name, null); continue; }
    if (out.get(l.inbound[0]!) && isWhole(out.get(l.inbound[0]!)!, inputSize)) { out.set(l.name, { size: inputSize, jump: inputSize }); continue; }
    if (GLOBAL.has(l.className)) { out.set(l.name, { size: inputSize, jump: inputSize }); continue; }
    if (WINDOWED.has(l.className)) {
      const [k] = pair(l.config.kernel_size ?? l.config.pool_size, 1);
      const [s] = pair(l.config.strides ?? (l.className.includes('Pooling') ? l.config.pool_size : 1), 1);
      const [d] = pair(l.config.dilation_rate, 1);
      out.set(l.name, { size: prev.size + (k - 1) * d * prev.jump, jump: prev.jump * s });
      continue;
    }
    if (l.className === 'ZeroPadding2D' || l.className === 'Cropping2D') { out.set(l.name, prev); continue; }
    out.set(l.name, prev); // element-wise layers (activations, batch norm, add, dropout, reshape of a 1×1 map…)
  }
  return out;
}

function isWhole(r: ReceptiveField, inputSize: number) { return r.size >= inputSize && r.jump >= inputSize; }

/** Layer specs from a Keras-style model topology (`model.json` → modelTopology), for Sequential and functional models. */
export function specsFromTopology(topology: unknown): LayerSpec[] {
  const t = topology as { model_config?: { class_name: string; config: unknown } };
  const mc = t.model_config ?? (topology as { class_name: string; config: unknown });
  const cfg = mc.config as { layers?: unknown[] } | unknown[];
  const list = (Array.isArray(cfg) ? cfg : cfg.layers ?? []) as { class_name: string; name?: string; config: Record<string, unknown>; inbound_nodes?: unknown[] }[];
  if (mc.class_name === 'Sequential') {
    const specs: LayerSpec[] = [{ name: '__input__', className: 'InputLayer', config: {}, inbound: [] }];
    list.forEach((l, i) => specs.push({ name: String(l.config.name), className: l.class_name, config: l.config, inbound: [i === 0 ? '__input__' : String(list[i - 1]!.config.name)] }));
    return specs;
  }
  return list.map((l) => ({
    name: String(l.name ?? l.config.name),
    className: l.class_name,
    config: l.config,
    inbound: ((l.inbound_nodes?.[0] ?? []) as unknown[][]).map((n) => String(n[0])),
  }));
}
