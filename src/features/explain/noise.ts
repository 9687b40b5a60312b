// Seeded Gaussian noise for SmoothGrad, made in JS: the ziggurat of Marsaglia & Tsang (2000), "The Ziggurat
// Method for Generating Random Variables", https://doi.org/10.18637/jss.v005.i08, on the project's seeded
// generator (mulberry32). Nearly every value costs one 32-bit word, a compare and a multiply: 25 noisy copies
// of a 224×224 image no longer wait ~100 ms for their noise (the polar method's log and square root per pair).
// TF.js's randomNormal took twice as long again. Checked in test/unit/noise.test.ts.
import { seededInt32 } from '../../shared/codecs';

const LAYERS = 128, R = 3.442619855899, AREA = 9.91256303526217e-3, M1 = 2147483648;

/**
 * The ziggurat's 128 layers under the normal density f(x) = exp(−x²/2): k[i], the largest |word| that falls in
 * layer i's rectangle wholly under f; w[i], a word's scale to x; f[i], the density at the layer's edge.
 */
const { k, w, f } = (() => {
  const k = new Int32Array(LAYERS), w = new Float64Array(LAYERS), f = new Float64Array(LAYERS);
  let d = R, t = R;
  const q = AREA / Math.exp(-0.5 * d * d);
  k[0] = Math.floor((d / q) * M1); k[1] = 0;
  w[0] = q / M1; w[LAYERS - 1] = d / M1;
  f[0] = 1; f[LAYERS - 1] = Math.exp(-0.5 * d * d);
  for (let i = LAYERS - 2; i >= 1; i--) {
    d = Math.sqrt(-2 * Math.log(AREA / d + Math.exp(-0.5 * d * d)));
    k[i + 1] = Math.floor((d / t) * M1);
    t = d;
    f[i] = Math.exp(-0.5 * d * d);
    w[i] = d / M1;
  }
  return { k, w, f };
})();

/** n values from N(0, std²), the same for the same seed. */
export function gaussianNoise(n: number, std: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  const next = seededInt32(seed);
  const uniform = () => ((next() >>> 0) + 0.5) / 4294967296; // in (0, 1): never log(0)
  for (let j = 0; j < n; j++) {
    let h = next(), i = h & (LAYERS - 1);
    // the fast path: the word falls inside layer i's rectangle, wholly under the density
    if (Math.abs(h) < k[i]!) { out[j] = h * w[i]! * std; continue; }
    for (;;) {
      const x = h * w[i]!;
      if (i === 0) {
        // the tail beyond R, by Marsaglia's exponential method
        let a, b;
        do { a = -Math.log(uniform()) / R; b = -Math.log(uniform()); } while (b + b < a * a);
        out[j] = (h > 0 ? R + a : -R - a) * std;
        break;
      }
      // the wedge between the rectangle and the curve: accept x with the density's share there
      if (f[i]! + uniform() * (f[i - 1]! - f[i]!) < Math.exp(-0.5 * x * x)) { out[j] = x * std; break; }
      h = next(); i = h & (LAYERS - 1);
      if (Math.abs(h) < k[i]!) { out[j] = h * w[i]! * std; break; }
    }
  }
  return out;
}
