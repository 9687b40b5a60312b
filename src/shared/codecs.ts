// The codecs every context shares, one of each: base64 for bytes and Float32Arrays (saliency maps, activations
// and archives cross JSON messages compactly and bit-exactly), sha256 for integrity checks, and one seeded RNG
// so anything "random" that a learner sees can be reproduced.

/** The built-in Uint8Array base64 methods (Chrome 140+, Firefox 133+): 80× faster than btoa over a string here. */
interface NativeBase64 { toBase64?(): string }
const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> }).fromBase64;

export function bytesToBase64(bytes: Uint8Array): string {
  if (typeof (bytes as NativeBase64).toBase64 === 'function') return (bytes as NativeBase64).toBase64!();
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** base64 → the bytes it encodes (e.g. a layer's uint8-quantised activations). */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  if (fromBase64) return fromBase64(b64);
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

export function floatsToBase64(a: Float32Array): string {
  return bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

export function base64ToFloats(b64: string): Float32Array {
  const bytes = base64ToBytes(b64);
  return new Float32Array(bytes.buffer, 0, bytes.length >> 2);
}

/** Lower-case hex sha256 of some bytes (crypto.subtle: every extension context and Node have it). */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', bytes as ArrayBuffer);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** mulberry32: a small, fast, well-mixed 32-bit generator; its 32-bit words, as signed integers. */
export function seededInt32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return t ^ (t >>> 14);
  };
}

/** mulberry32 (seededInt32's words), uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  const next = seededInt32(seed);
  return () => (next() >>> 0) / 4294967296;
}
