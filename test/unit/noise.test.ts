// SmoothGrad's Gaussian noise (src/features/explain/noise.ts): the right distribution, the same for the same seed.
import { describe, expect, test } from 'vitest';
import { gaussianNoise } from '../../src/features/explain/noise';

function moments(v: Float32Array) {
  let m = 0, m2 = 0, m4 = 0;
  for (const x of v) { m += x; m2 += x * x; m4 += x ** 4; }
  const n = v.length;
  return { mean: m / n, variance: m2 / n - (m / n) ** 2, kurtosis: (m4 / n) / (m2 / n) ** 2 };
}

/** The largest gap between the sample's CDF and the normal CDF (Kolmogorov–Smirnov D). */
function ksDistance(v: Float32Array, std: number): number {
  const s = Float64Array.from(v).sort();
  // Φ by the Abramowitz–Stegun 7.1.26 erf (error < 1.5e-7)
  const phi = (x: number) => {
    const z = Math.abs(x) / Math.SQRT2, t = 1 / (1 + 0.3275911 * z);
    const erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
    return 0.5 * (1 + Math.sign(x) * erf);
  };
  let d = 0;
  s.forEach((x, i) => { const f = phi(x / std); d = Math.max(d, Math.abs(f - i / s.length), Math.abs(f - (i + 1) / s.length)); });
  return d;
}

describe('Gaussian noise', () => {
  const n = 200_001; // odd: the last pair is cut in half
  const v = gaussianNoise(n, 0.5, 7);

  test('mean 0, the asked variance, a normal\'s kurtosis (3)', () => {
    const m = moments(v);
    expect(v.length).toBe(n);
    expect(Math.abs(m.mean)).toBeLessThan(4 * 0.5 / Math.sqrt(n)); // 4 standard errors
    expect(m.variance).toBeGreaterThan(0.25 * 0.99);
    expect(m.variance).toBeLessThan(0.25 * 1.01);
    expect(m.kurtosis).toBeGreaterThan(2.95);
    expect(m.kurtosis).toBeLessThan(3.05);
  });

  test('its CDF is the normal\'s: Kolmogorov–Smirnov D below the 1 % critical value; a uniform fails it (positive control)', () => {
    const critical = 1.63 / Math.sqrt(n);
    expect(ksDistance(v, 0.5)).toBeLessThan(critical);
    const uniform = Float32Array.from({ length: n }, (_, i) => (i / n - 0.5) * Math.sqrt(12) * 0.5); // same mean and variance
    expect(ksDistance(uniform, 0.5)).toBeGreaterThan(critical);
    expect(ksDistance(v, 0.55)).toBeGreaterThan(critical); // and a 10 % wrong σ shows
  });

  test('the tails: as many values beyond 3σ and 3.5σ as a normal has, on both sides (the ziggurat\'s tail branch)', () => {
    const m = 4_000_000, big = gaussianNoise(m, 2, 11);
    const beyond = (z: number, sign: number) => big.reduce((c, x) => c + (sign * x > z * 2 ? 1 : 0), 0);
    // P(Z > 3) = 1.3499e-3, P(Z > 3.5) = 2.3263e-4 on each side
    for (const [z, p] of [[3, 1.3499e-3], [3.5, 2.3263e-4]] as const) {
      for (const sign of [1, -1]) {
        const expected = m * p, se = Math.sqrt(m * p * (1 - p));
        expect(Math.abs(beyond(z, sign) - expected)).toBeLessThan(5 * se);
      }
    }
  });

  test('the same seed gives the same values; another seed, others; neighbouring values are uncorrelated', () => {
    expect(gaussianNoise(1000, 1, 7)).toEqual(gaussianNoise(1000, 1, 7));
    const a = gaussianNoise(1000, 1, 7), b = gaussianNoise(1000, 1, 8);
    expect(a.filter((x, i) => x === b[i]).length).toBe(0);
    let c = 0;
    for (let i = 1; i < n; i++) c += v[i]! * v[i - 1]!;
    expect(Math.abs(c / (n - 1) / 0.25)).toBeLessThan(4 / Math.sqrt(n));
  });
});
