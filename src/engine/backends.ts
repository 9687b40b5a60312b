// Backend selection for the model host. Order of preference: a hardware GPU (WebGPU, then WebGL), then wasm
// (SIMD), then the pure-JS cpu backend. Software GPUs (SwiftShader, llvmpipe, WebGPU fallback adapters) are
// CPU emulation: on a 2-core machine SwiftShader WebGPU was ~50× slower than wasm, so when only software GPUs
// exist we measure them against wasm once and keep the fastest; the result is remembered by the caller.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { Backend, BackendChoice, BackendPref } from '../shared/protocol';
import { resolveWasmThreads } from '../shared/threads';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
});

let wasmThreadsWanted: number | null = null;

/**
 * Chooses wasm's thread count; it takes effect when the wasm backend starts (once per document), later calls
 * change nothing. Threads need shared wasm memory posted to workers, which needs cross-origin isolation (the
 * manifest's COOP/COEP keys); the workers load from files of the extension (see scripts/wasm-threads.mjs), as
 * MV3's CSP forbids the blob: workers TF.js would make. One thread uses the unthreaded SIMD build: no workers.
 */
export function configureWasmThreads(setting: number): void {
  if (wasmThreadsWanted !== null) return;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  wasmThreadsWanted = isolated ? resolveWasmThreads(setting) : 1;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', wasmThreadsWanted > 1);
  if (wasmThreadsWanted > 1) setThreadsCount(wasmThreadsWanted);
}

/** The threads wasm computes with (1 before it started, or when it runs unthreaded). */
export function wasmThreadCount(): number {
  try { return wasmThreadsWanted !== null && wasmThreadsWanted > 1 ? getThreadsCount() : 1; } catch { return 1; }
}

const FALLBACK_ORDER: Backend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

interface GpuProbe { available: boolean; software: boolean; description: string }

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render|microsoft basic/i;

/** "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)…" → "SwiftShader": short enough for the popup. */
function shortName(description: string): string {
  const m = /swiftshader|llvmpipe|softpipe|microsoft basic render/i.exec(description);
  return m ? m[0].replace(/^swiftshader$/i, 'SwiftShader') : description.slice(0, 60);
}

async function probeWebGpu(): Promise<GpuProbe> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return { available: false, software: false, description: 'no navigator.gpu' };
  const adapter = (await gpu.requestAdapter().catch(() => null)) as
    | { isFallbackAdapter?: boolean; info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean } }
    | null;
  if (!adapter) return { available: false, software: false, description: 'no WebGPU adapter' };
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  const software = Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter) || SOFTWARE_RENDERER.test(name);
  return { available: true, software, description: name };
}

function probeWebGl(): GpuProbe {
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return { available: false, software: false, description: 'no WebGL2' };
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { available: true, software: SOFTWARE_RENDERER.test(renderer), description: renderer };
  } catch (e) {
    return { available: false, software: false, description: String(e) };
  }
}

async function activate(backend: Backend): Promise<boolean> {
  if (backend === 'wasm') configureWasmThreads(0); // a no-op when the host chose already
  try {
    if (!(await tf.setBackend(backend))) return false;
    await tf.ready();
    return tf.getBackend() === backend;
  } catch {
    return false;
  }
}

/** A small conv-net-shaped workload, timed after one warm-up run (shader compilation is not what we compare). */
async function timeWorkload(): Promise<number> {
  const run = async () => {
    const y = tf.tidy(() => {
      const x = tf.randomUniform([1, 56, 56, 32], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomUniform([3, 3, 32, 32], -0.1, 0.1, 'float32', 2) as tf.Tensor4D;
      return tf.conv2d(tf.relu(tf.conv2d(x, w, 1, 'same')), w, 1, 'same').mean();
    });
    await y.data();
    y.dispose();
  };
  await run();
  const times: number[] = [];
  for (let i = 0; i < 3; i++) { const t0 = performance.now(); await run(); times.push(performance.now() - t0); }
  return times.sort((a, b) => a - b)[1]!;
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

/** Decide the automatic backend for this browser. Leaves TF.js on the chosen backend. */
async function chooseAutomatically(): Promise<BackendChoice> {
  const base = { timings: {} as Record<string, number>, userAgent: navigator.userAgent };
  const [gpu, gl] = [await probeWebGpu(), probeWebGl()];
  if (gpu.available && !gpu.software && (await activate('webgpu'))) {
    return { ...base, backend: 'webgpu', reason: `hardware GPU through WebGPU (${gpu.description})` };
  }
  if (gl.available && !gl.software && (await activate('webgl'))) {
    return { ...base, backend: 'webgl', reason: `hardware GPU through WebGL (${gl.description})${gpu.available ? '' : '; no WebGPU adapter'}` };
  }
  // Only software GPUs (or none): measure them against wasm and keep the fastest.
  const candidates: { backend: Backend; label: string }[] = [];
  if (gpu.available) candidates.push({ backend: 'webgpu', label: `webgpu (${shortName(gpu.description)}, software)` });
  if (gl.available) candidates.push({ backend: 'webgl', label: `webgl (${shortName(gl.description)}, software)` });
  candidates.push({ backend: 'wasm', label: 'wasm SIMD' });
  const measured: { backend: Backend; label: string; t: number }[] = [];
  for (const c of candidates) {
    if (!(await activate(c.backend))) continue;
    const t = await timeWorkload();
    base.timings[c.backend] = Math.round(t * 100) / 100;
    const threads = c.backend === 'wasm' ? wasmThreadCount() : 1;
    measured.push({ ...c, label: threads > 1 ? `${c.label}, ${threads} threads` : c.label, t });
  }
  if (!measured.length) {
    await activate('cpu');
    return { ...base, backend: 'cpu', reason: 'no GPU and no WebAssembly backend could start; using the plain JavaScript cpu backend' };
  }
  measured.sort((a, b) => a.t - b.t);
  const best = measured[0]!;
  const others = measured.slice(1).map((m) => `${m.label} ${ms(m.t)} (${(m.t / best.t).toFixed(1)}× slower)`);
  await activate(best.backend);
  const why = gpu.available || gl.available ? 'no hardware GPU found; ' : 'no GPU available; ';
  return { ...base, backend: best.backend, reason: `${why}${best.label} measured fastest: ${ms(best.t)}${others.length ? ' vs ' + others.join(', ') : ''}` };
}

/**
 * Puts TF.js on the backend the user wants: an explicit choice is tried first and falls back down the list
 * (with the reason saying so); 'auto' uses the remembered choice or measures one.
 */
export async function ensureBackend(pref: BackendPref, remembered: BackendChoice | null): Promise<{ backend: Backend; reason: string; choice: BackendChoice | null }> {
  if (pref === 'auto') {
    if (remembered && (tf.getBackend() === remembered.backend || (await activate(remembered.backend)))) {
      return { backend: remembered.backend, reason: `auto: ${remembered.reason}`, choice: remembered };
    }
    const choice = await chooseAutomatically();
    return { backend: choice.backend, reason: `auto: ${choice.reason}`, choice };
  }
  if (tf.getBackend() === pref || (await activate(pref))) return { backend: pref, reason: 'chosen in settings', choice: null };
  for (const b of FALLBACK_ORDER.slice(FALLBACK_ORDER.indexOf(pref) + 1)) {
    if (await activate(b)) return { backend: b, reason: `${pref} is not available in this browser; fell back to ${b}`, choice: null };
  }
  throw new Error('no TensorFlow.js backend could start');
}

/** The first backend after `failed` in the fallback order that starts. */
export async function fallbackAfter(failed: Backend): Promise<Backend> {
  for (const b of FALLBACK_ORDER.slice(FALLBACK_ORDER.indexOf(failed) + 1)) if (await activate(b)) return b;
  throw new Error('no TensorFlow.js backend could start');
}
