// Hand-made image kernels, and how a learned first-layer filter compares with them. TF-free: the page applies
// a kernel to the image itself, in well under 50 ms for 224×224.
//
// Learned filters see three colour channels; a hand-made kernel sees one grey value. A filter's grey-equivalent
// is what it does to a grey image (R = G = B = g): w_R·g + w_G·g + w_B·g, i.e. its three colour weights summed
// at each of the 3×3 positions. Filters are compared with a kernel by the cosine of the angle between those
// nine numbers and the kernel's nine (1 = the same pattern, −1 = the same pattern inverted).

export const KERNELS: Record<string, { label: string; k: number[] }> = {
  'sobel-x': { label: 'Sobel x (vertical edges)', k: [-1, 0, 1, -2, 0, 2, -1, 0, 1] },
  'sobel-y': { label: 'Sobel y (horizontal edges)', k: [-1, -2, -1, 0, 0, 0, 1, 2, 1] },
  laplacian: { label: 'Laplacian (all edges)', k: [0, 1, 0, 1, -4, 1, 0, 1, 0] },
  box: { label: 'Box blur', k: [1, 1, 1, 1, 1, 1, 1, 1, 1].map((v) => v / 9) },
  gaussian: { label: 'Gaussian blur', k: [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16) },
  sharpen: { label: 'Sharpen', k: [0, -1, 0, -1, 5, -1, 0, -1, 0] },
  emboss: { label: 'Emboss', k: [-2, -1, 0, -1, 1, 1, 0, 1, 2] },
};

/** The grey image (0–255) of a model input [h][w][3]: the mean of the three resized pixel values. */
export function greyOf(input: Float32Array, width: number, height: number, pre: { scale: number; offset: number }): Float32Array {
  const g = new Float32Array(width * height);
  for (let i = 0; i < g.length; i++) g[i] = ((input[i * 3]! + input[i * 3 + 1]! + input[i * 3 + 2]!) / 3 - pre.offset) / pre.scale;
  return g;
}

/** A 3×3 kernel over a grey image, stride 1, zero padding (the output has the image's size). */
export function convolve3x3(img: Float32Array, width: number, height: number, k: readonly number[]): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    let s = 0;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= height) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if (xx >= 0 && xx < width) s += img[yy * width + xx]! * k[(dy + 1) * 3 + dx + 1]!;
      }
    }
    out[y * width + x] = s;
  }
  return out;
}

/** Filter `f` of a [kh, kw, 3, n] kernel tensor (flat), as its grey-equivalent kh×kw weights. */
export function greyEquivalent(filters: Float32Array, shape: readonly [number, number, number, number], f: number): number[] {
  const [kh, kw, cin, n] = shape;
  const out: number[] = [];
  for (let i = 0; i < kh * kw; i++) {
    let s = 0;
    for (let c = 0; c < cin; c++) s += filters[(i * cin + c) * n + f]!;
    out.push(s);
  }
  return out;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let ab = 0, aa = 0, bb = 0;
  a.forEach((v, i) => { ab += v * b[i]!; aa += v * v; bb += b[i]! * b[i]!; });
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** Every filter, most like the kernel first (a kernel made of one constant, like a blur, compares by shape too). */
export function rankFilters(filters: Float32Array, shape: readonly [number, number, number, number], kernel: readonly number[]): { filter: number; similarity: number }[] {
  if (shape[0] !== 3 || shape[1] !== 3) return [];
  return Array.from({ length: shape[3] }, (_, f) => ({ filter: f, similarity: cosine(greyEquivalent(filters, shape, f), kernel) }))
    .sort((a, b) => b.similarity - a.similarity);
}

/** "+1 0 −1 …" from a typed list of nine numbers, or null when it is not nine finite numbers. */
export function parseKernel(text: string): number[] | null {
  const nums = text.trim().split(/[\s,;]+/).filter(Boolean).map(Number);
  return nums.length === 9 && nums.every(Number.isFinite) ? nums : null;
}
