// Receptive-field boxes along a chain of windowed layers, TF-free (the view and the tests use it too).
// Per layer with kernel k, stride s and padding p before the first row: size' = size + (k − 1)·jump,
// offset' = offset − p·jump, jump' = jump·s. Output cell i then sees input rows offset + i·jump … + size − 1.
// TF's 'same' padding puts floor(total/2) before, where total = max((out − 1)·s + k − in, 0).

export interface LayerGeometry { layer: string; kernel: number; stride: number; padding: 'same' | 'valid'; inSize: number; outSize: number }
export interface Field { layer: string; size: number; jump: number; offset: number; outSize: number }

export function padBefore(g: Pick<LayerGeometry, 'kernel' | 'stride' | 'padding' | 'inSize' | 'outSize'>): number {
  if (g.padding === 'valid') return 0;
  return Math.floor(Math.max((g.outSize - 1) * g.stride + g.kernel - g.inSize, 0) / 2);
}

export function fieldsOf(chain: LayerGeometry[]): Field[] {
  let size = 1, jump = 1, offset = 0;
  return chain.map((g) => {
    offset -= padBefore(g) * jump;
    size += (g.kernel - 1) * jump;
    jump *= g.stride;
    return { layer: g.layer, size, jump, offset, outSize: g.outSize };
  });
}

/** The box an output cell can see, in input pixels, clipped to the image (inclusive ends). */
export function boxOf(f: Pick<Field, 'size' | 'jump' | 'offset'>, row: number, col: number, height: number, width: number) {
  const clip = (a: number, n: number) => Math.min(n - 1, Math.max(0, a));
  const y = f.offset + row * f.jump, x = f.offset + col * f.jump;
  return { x0: clip(x, width), y0: clip(y, height), x1: clip(x + f.size - 1, width), y1: clip(y + f.size - 1, height) };
}
