// The size an image is scaled to so that its longer side is at most maxSide. TF-free.
import { MAX_SIDE } from '../shared/limits';

export function fitWithin(width: number, height: number, maxSide = MAX_SIDE): { width: number; height: number; scaled: boolean } {
  const s = Math.max(width, height);
  if (s <= maxSide) return { width, height, scaled: false };
  const f = maxSide / s;
  return { width: Math.max(1, Math.round(width * f)), height: Math.max(1, Math.round(height * f)), scaled: true };
}
