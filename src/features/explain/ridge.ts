// The surrogate model LIME fits (Ribeiro et al. 2016): a weighted ridge regression from "which segments were
// kept" to the model's score, weighted by how close each perturbed sample is to the original image.
// LIME only ever has a few dozen features, so the (d+1)×(d+1) normal equations are small and exact enough.

/**
 * Minimises Σ_i w_i (y_i − b − x_i·β)² + λ‖β‖² (the intercept b is not penalised), X row-major n×d.
 * With λ = 0 and collinear features the system is singular; a feature whose pivot vanishes gets
 * coefficient 0 instead of a division by ~0 (an explanation must never show NaN or 1e15).
 */
export function weightedRidge(
  X: ArrayLike<number>,
  n: number,
  d: number,
  y: ArrayLike<number>,
  w: ArrayLike<number>,
  lambda: number,
): { coef: Float64Array; intercept: number } {
  if (X.length !== n * d) throw new Error(`weightedRidge: X has ${X.length} values, expected n·d = ${n * d}`);
  if (y.length !== n || w.length !== n) throw new Error(`weightedRidge: y and w need ${n} values, got ${y.length} and ${w.length}`);
  if (!(lambda >= 0)) throw new Error(`weightedRidge: lambda must be ≥ 0, got ${lambda}`);
  const k = d + 1; // column 0 is the intercept
  // Augmented matrix [A | r] with A = Σ w z zᵀ + λ·diag(0, 1, …, 1), r = Σ w y z, z = (1, x).
  const A = new Float64Array(k * (k + 1));
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    if (wi < 0) throw new Error(`weightedRidge: weight ${i} is negative (${wi})`);
    if (wi === 0) continue;
    row[0] = 1;
    for (let j = 0; j < d; j++) row[j + 1] = X[i * d + j]!;
    const yi = y[i]!;
    for (let a = 0; a < k; a++) {
      const wa = wi * row[a]!;
      for (let b = a; b < k; b++) A[a * (k + 1) + b]! += wa * row[b]!;
      A[a * (k + 1) + k]! += wa * yi;
    }
  }
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < a; b++) A[a * (k + 1) + b] = A[b * (k + 1) + a]!; // only the upper triangle was summed
    if (a > 0) A[a * (k + 1) + a]! += lambda;
  }
  const sol = solve(A, k);
  return { coef: sol.slice(1), intercept: sol[0]! };
}

/** Gaussian elimination with partial pivoting on an augmented k×(k+1) matrix (modified in place). */
function solve(A: Float64Array, k: number): Float64Array {
  const s = k + 1;
  let scale = 0;
  for (let a = 0; a < k; a++) scale = Math.max(scale, Math.abs(A[a * s + a]!));
  const tiny = 1e-12 * (scale || 1);
  const pivotOf = new Int32Array(k).fill(-1); // which row holds column c's pivot, −1 if singular
  let r = 0;
  for (let col = 0; col < k && r < k; col++) {
    let best = r;
    for (let i = r + 1; i < k; i++) if (Math.abs(A[i * s + col]!) > Math.abs(A[best * s + col]!)) best = i;
    if (Math.abs(A[best * s + col]!) <= tiny) continue; // no usable pivot: this unknown is set to 0 below
    if (best !== r) {
      for (let j = 0; j < s; j++) {
        const t = A[r * s + j]!;
        A[r * s + j] = A[best * s + j]!;
        A[best * s + j] = t;
      }
    }
    for (let i = r + 1; i < k; i++) {
      const f = A[i * s + col]! / A[r * s + col]!;
      if (f === 0) continue;
      for (let j = col; j < s; j++) A[i * s + j]! -= f * A[r * s + j]!;
    }
    pivotOf[col] = r++;
  }
  const x = new Float64Array(k);
  for (let col = k - 1; col >= 0; col--) {
    const pr = pivotOf[col]!;
    if (pr < 0) continue;
    let acc = A[pr * s + k]!;
    for (let j = col + 1; j < k; j++) acc -= A[pr * s + j]! * x[j]!;
    x[col] = acc / A[pr * s + col]!;
  }
  return x;
}

/** LIME's default sample weight: an exponential kernel on the distance to the original, sqrt(exp(−d²/width²)). */
export function limeKernel(distance: number, width = 0.25): number {
  return Math.sqrt(Math.exp(-(distance * distance) / (width * width)));
}

/**
 * LIME's distance from a perturbation z (1 = segment kept, 0 = hidden) to the original (all kept):
 * 1 − cos(z, 1). The all-zero vector has no direction; it gets distance 1, as scikit-learn's cosine distance (which LIME calls) gives it.
 */
export function cosineDistanceToOnes(z: ArrayLike<number>): number {
  let sum = 0, sq = 0;
  for (let i = 0; i < z.length; i++) {
    sum += z[i]!;
    sq += z[i]! * z[i]!;
  }
  if (sq === 0) return 1;
  return 1 - sum / (Math.sqrt(sq) * Math.sqrt(z.length));
}
