// SLIC superpixels (Achanta et al., "SLIC Superpixels Compared to State-of-the-Art Superpixel Methods",
// TPAMI 2012, https://infoscience.epfl.ch/record/177415). LIME perturbs these segments and XRAI ranks them,
// so the result must be deterministic (same image → same segments → reproducible explanations) and every
// segment one connected blob (a learner reads a segment as "this part of the picture").
// No npm package for SLIC exists that is small and maintained (only OpenCV bindings), hence our own.

export interface SlicOptions {
  /** Desired number of superpixels; the grid rounds it, so the result is near this, not exactly it. */
  segments: number;
  /** m in the paper: weight of spatial distance against CIELAB colour distance. 10 is the paper's usual. */
  compactness?: number;
  /** k-means rounds; the paper reports 10 is enough for most images. */
  iterations?: number;
}

/**
 * Segments an interleaved H×W×3 image (any numeric range) into superpixels.
 *
 * Colour: the values are stretched to 0..1 by their global min/max (so 0..255 pixels and −1..1 model inputs
 * segment alike), read as sRGB and converted to CIELAB, where Euclidean distance roughly matches perceived
 * difference — that is why compactness 10 (in Lab units, L ∈ 0..100) is a sensible default.
 *
 * Seeds sit on an nx×ny grid, nx = round(√(k·W/H)) (at most k and W), ny = round(k/nx), so count is near k but not exactly k.
 * Labels are 0..count-1, numbered in raster order of each segment's first pixel; each is 4-connected, and
 * none is smaller than a quarter of W·H/(nx·ny) except when the image has only one segment.
 */
export function slic(rgb: ArrayLike<number>, width: number, height: number, opts: SlicOptions): { labels: Int32Array; count: number } {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`slic: width and height must be positive integers, got ${width}×${height}`);
  }
  const n = width * height;
  if (rgb.length !== n * 3) throw new Error(`slic: expected ${n * 3} values (H×W×3), got ${rgb.length}`);
  if (!(opts.segments >= 1)) throw new Error(`slic: segments must be ≥ 1, got ${opts.segments}`);
  const m = opts.compactness ?? 10;
  const iterations = opts.iterations ?? 10;

  const lab = toLab(rgb, n);
  const k = Math.min(n, Math.round(opts.segments));
  const S = Math.sqrt(n / k);
  // Seed grid: nx·ny ≈ k cells shaped like the image. Rounding width/S and height/S separately would give a
  // 1×50 strip 16 seeds for k = 5, because S assumes square cells.
  const nx = Math.max(1, Math.min(width, k, Math.round(Math.sqrt((k * width) / height))));
  const ny = Math.max(1, Math.min(height, Math.round(k / nx)));
  const stepX = width / nx;
  const stepY = height / ny;
  const nc = nx * ny;

  // Centres as [L, a, b, x, y]; seeded on a regular grid, then nudged off edges and noise (paper §3).
  const c = new Float64Array(nc * 5);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const p = lowestGradient(lab, width, height, Math.floor((i + 0.5) * stepX), Math.floor((j + 0.5) * stepY));
      const o = (j * nx + i) * 5;
      c[o] = lab[p * 3]!;
      c[o + 1] = lab[p * 3 + 1]!;
      c[o + 2] = lab[p * 3 + 2]!;
      c[o + 3] = p % width;
      c[o + 4] = Math.floor(p / width);
    }
  }

  // The window must reach every pixel from some seed even when the grid step is longer than S (non-square
  // images), otherwise pixels between windows stay unassigned; connectivity would absorb them, but less well.
  const R = Math.ceil(Math.max(S, stepX, stepY));
  const spatial = (m * m) / (S * S);
  const raw = new Int32Array(n);
  const dist = new Float64Array(n);
  const sums = new Float64Array(nc * 6);
  for (let it = 0; it < iterations; it++) {
    raw.fill(-1);
    dist.fill(Infinity);
    for (let q = 0; q < nc; q++) {
      const o = q * 5;
      const cl = c[o]!, ca = c[o + 1]!, cb = c[o + 2]!, cx = c[o + 3]!, cy = c[o + 4]!;
      const x0 = Math.max(0, Math.floor(cx - R)), x1 = Math.min(width - 1, Math.ceil(cx + R));
      const y0 = Math.max(0, Math.floor(cy - R)), y1 = Math.min(height - 1, Math.ceil(cy + R));
      for (let y = y0; y <= y1; y++) {
        const dy2 = (y - cy) * (y - cy);
        for (let x = x0; x <= x1; x++) {
          const p = y * width + x;
          const dl = lab[p * 3]! - cl, da = lab[p * 3 + 1]! - ca, db = lab[p * 3 + 2]! - cb;
          const d = dl * dl + da * da + db * db + ((x - cx) * (x - cx) + dy2) * spatial;
          if (d < dist[p]!) {
            dist[p] = d;
            raw[p] = q;
          }
        }
      }
    }
    sums.fill(0);
    for (let p = 0; p < n; p++) {
      const q = raw[p]!;
      if (q < 0) continue;
      const o = q * 6;
      sums[o]! += lab[p * 3]!;
      sums[o + 1]! += lab[p * 3 + 1]!;
      sums[o + 2]! += lab[p * 3 + 2]!;
      sums[o + 3]! += p % width;
      sums[o + 4]! += Math.floor(p / width);
      sums[o + 5]! += 1;
    }
    for (let q = 0; q < nc; q++) {
      const cnt = sums[q * 6 + 5]!;
      if (cnt === 0) continue; // an empty cluster keeps its centre rather than jumping to NaN
      for (let f = 0; f < 5; f++) c[q * 5 + f] = sums[q * 6 + f]! / cnt;
    }
  }
  if (iterations < 1) assignGridCell(raw, nx, ny, stepX, stepY, width, height);

  return enforceConnectivity(raw, width, height, Math.max(1, Math.floor(n / nc / 4)));
}

const LUT_SIZE = 4096;
const SRGB_LINEAR = Float64Array.from({ length: LUT_SIZE + 1 }, (_, i) => {
  const s = i / LUT_SIZE;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
});

/** sRGB → CIELAB (D65) after stretching all values to 0..1 by their global range. */
function toLab(rgb: ArrayLike<number>, n: number): Float64Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n * 3; i++) {
    const v = rgb[i]!;
    if (!Number.isFinite(v)) throw new Error(`slic: value ${v} at index ${i} is not a finite number`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? LUT_SIZE / (hi - lo) : 0; // a flat image is one colour whatever we map it to
  // The sRGB curve through a table with linear interpolation: Math.pow per channel was over half of
  // slic's time at 224×224, and the table's error (< 1e-6) is far below any colour difference that matters.
  const lin = (v: number) => {
    const t = (v - lo) * scale;
    const i = Math.min(LUT_SIZE - 1, Math.floor(t));
    return SRGB_LINEAR[i]! + (SRGB_LINEAR[i + 1]! - SRGB_LINEAR[i]!) * (t - i);
  };
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  const out = new Float64Array(n * 3);
  for (let p = 0; p < n; p++) {
    const r = lin(rgb[p * 3]!), g = lin(rgb[p * 3 + 1]!), b = lin(rgb[p * 3 + 2]!);
    const fx = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
    const fy = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
    const fz = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
    out[p * 3] = 116 * fy - 16;
    out[p * 3 + 1] = 500 * (fx - fy);
    out[p * 3 + 2] = 200 * (fy - fz);
  }
  return out;
}

/** The pixel with the lowest colour gradient in the 3×3 around (x, y); the seed itself wins ties. */
function lowestGradient(lab: Float64Array, w: number, h: number, x: number, y: number): number {
  const grad = (px: number, py: number) => {
    if (px < 1 || py < 1 || px >= w - 1 || py >= h - 1) return Infinity; // needs both neighbours on each axis
    let g = 0;
    for (let ch = 0; ch < 3; ch++) {
      const gx = lab[(py * w + px + 1) * 3 + ch]! - lab[(py * w + px - 1) * 3 + ch]!;
      const gy = lab[((py + 1) * w + px) * 3 + ch]! - lab[((py - 1) * w + px) * 3 + ch]!;
      g += gx * gx + gy * gy;
    }
    return g;
  };
  let best = y * w + x, bestG = grad(x, y);
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const g = grad(x + dx, y + dy);
      if (g < bestG) {
        bestG = g;
        best = (y + dy) * w + x + dx;
      }
    }
  }
  return best;
}

/** With zero iterations there is no k-means; the grid cell each pixel falls in is its cluster. */
function assignGridCell(raw: Int32Array, nx: number, ny: number, sx: number, sy: number, w: number, h: number): void {
  for (let y = 0; y < h; y++) {
    const row = Math.min(ny - 1, Math.floor(y / sy)) * nx;
    for (let x = 0; x < w; x++) raw[y * w + x] = row + Math.min(nx - 1, Math.floor(x / sx));
  }
}

/**
 * k-means labels need not be connected: one cluster can own several islands. Each 4-connected island
 * becomes its own segment, unless it is smaller than minSize — then it joins the finished neighbour it
 * shares the longest border with. Scanning in raster order means every island but the very first has a
 * finished neighbour (above or to the left of its first pixel); the first is fixed up at the end.
 */
function enforceConnectivity(raw: Int32Array, w: number, h: number, minSize: number): { labels: Int32Array; count: number } {
  const n = w * h;
  const out = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let count = 0;
  for (let start = 0; start < n; start++) {
    if (out[start]! >= 0) continue;
    const size = flood(raw, out, queue, start, count, w, h);
    if (size < minSize) {
      const target = longestBorder(out, queue, size, count, w, h);
      if (target >= 0) {
        for (let i = 0; i < size; i++) out[queue[i]!] = target;
        continue;
      }
    }
    count++;
  }
  if (count > 1) {
    // Only label 0 can be a small island left alone; merge it and shift the others down by one.
    let size = 0;
    for (let p = 0; p < n; p++) if (out[p] === 0) queue[size++] = p;
    if (size < minSize) {
      const target = longestBorder(out, queue, size, 0, w, h);
      for (let i = 0; i < size; i++) out[queue[i]!] = target;
      for (let p = 0; p < n; p++) out[p]!--;
      count--;
    }
  }
  return { labels: out, count };
}

/** Breadth-first fill of start's 4-connected same-raw-label island with `label`; its pixels land in queue. */
function flood(raw: Int32Array, out: Int32Array, queue: Int32Array, start: number, label: number, w: number, h: number): number {
  const want = raw[start]!;
  let head = 0, tail = 0;
  queue[tail++] = start;
  out[start] = label;
  while (head < tail) {
    const p = queue[head++]!;
    const x = p % w;
    const visit = (q: number) => {
      if (out[q]! < 0 && raw[q] === want) {
        out[q] = label;
        queue[tail++] = q;
      }
    };
    if (x > 0) visit(p - 1);
    if (x < w - 1) visit(p + 1);
    if (p >= w) visit(p - w);
    if (p < w * (h - 1)) visit(p + w);
  }
  return tail;
}

/** The finished label (≥ 0, ≠ self) touching the island's pixels most often; ties go to the lower label. */
function longestBorder(out: Int32Array, pixels: Int32Array, size: number, self: number, w: number, h: number): number {
  const tally = new Map<number, number>();
  const see = (q: number) => {
    const l = out[q]!;
    if (l >= 0 && l !== self) tally.set(l, (tally.get(l) ?? 0) + 1);
  };
  for (let i = 0; i < size; i++) {
    const p = pixels[i]!;
    const x = p % w;
    if (x > 0) see(p - 1);
    if (x < w - 1) see(p + 1);
    if (p >= w) see(p - w);
    if (p < w * (h - 1)) see(p + w);
  }
  let best = -1, bestN = 0;
  for (const [l, cnt] of tally) {
    if (cnt > bestN || (cnt === bestN && l < best)) {
      best = l;
      bestN = cnt;
    }
  }
  return best;
}
