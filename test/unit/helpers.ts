// Shared helpers for the unit tests: backend setup, reading the installed model files, decoding the real test
// photos, and parsing the reference top-5 tables of the model mirror's PROVENANCE.md files.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import jpeg from 'jpeg-js';
import { getModel, type ModelEntry } from '../../src/shared/catalog';
import { NetLensModel, type ReadFile } from '../../src/engine/model';
import type { RawPixels } from '../../src/engine/preprocess';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const INSTALLED = path.join(ROOT, 'models/installed');
export const SHARED = path.resolve(ROOT, '../shared');
export const SHARED_MODELS = path.join(SHARED, 'models');
export const PHOTOS_DIR = path.join(SHARED, 'images');
export const TINY_SAMPLES_DIR = path.join(SHARED_MODELS, 'cnn-explainer-tiny-vgg/sample-images');

let backendReady: Promise<string> | null = null;

/**
 * Selects the tfjs backend once per test file: wasm (single-threaded, loaded from node_modules as files) when it
 * initialises in Node, else the pure-JS cpu backend. Returns the backend name actually in use.
 */
export function initBackend(): Promise<string> {
  backendReady ??= (async () => {
    try {
      setWasmPaths(path.join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // fall through to cpu
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return tf.getBackend();
  })();
  return backendReady;
}

/** A Node Buffer's bytes as an ArrayBuffer of exactly that length (Buffers may share a larger pool). */
export function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Reads a catalog path from models/installed, as the offscreen document would fetch it from dist/models. */
export const readInstalled: ReadFile = async (p) => toArrayBuffer(await fs.promises.readFile(path.join(INSTALLED, p)));

export function entryOf(id: string): ModelEntry {
  return getModel(id);
}

export function loadModel(id: string, read: ReadFile = readInstalled): Promise<NetLensModel> {
  return NetLensModel.load(entryOf(id), { read, verify: true });
}

/** The model's label file as installed (independent of what NetLensModel parsed). */
export function labelFile(entry: ModelEntry): string[] {
  if (!entry.labels) throw new Error(`${entry.id} has no labels`);
  return JSON.parse(fs.readFileSync(path.join(INSTALLED, entry.labels.file), 'utf8')) as string[];
}

/** JPEG file → RGB bytes as a PixelSource. */
export function decodeJpeg(file: string): RawPixels & { channels: 3 } {
  const img = jpeg.decode(fs.readFileSync(file), { useTArray: true, formatAsRGBA: false });
  const data = img.data instanceof Uint8Array ? img.data : new Uint8Array(img.data);
  if (data.length !== img.width * img.height * 3) throw new Error(`${file}: expected RGB bytes`);
  return { data, width: img.width, height: img.height, channels: 3 };
}

export interface RefPrediction { name: string; index: number; prob: number }

const CELL = /^(.+?) \(#(\d+)\) (\d+(?:\.\d+)?)%$/;

/**
 * Parses the "Top-5" markdown table of a PROVENANCE.md: rows `| photo | name (#idx) 12.3% | … |` → photo →
 * five reference predictions, probability as a fraction (the tables give percentages rounded to 0.1%).
 */
export function parseTop5Table(markdown: string): Map<string, RefPrediction[]> {
  const start = markdown.search(/^## Top-5/m);
  if (start < 0) throw new Error('no "## Top-5" section');
  const out = new Map<string, RefPrediction[]>();
  for (const line of markdown.slice(start).split('\n').slice(1)) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (!/\.jpe?g$/i.test(cells[0] ?? '')) continue; // header / separator rows
    const preds = cells.slice(1).map((c) => {
      const m = CELL.exec(c);
      if (!m) throw new Error(`unparsable cell "${c}" in row ${cells[0]}`);
      return { name: m[1]!, index: Number(m[2]), prob: Number(m[3]) / 100 };
    });
    if (preds.length !== 5) throw new Error(`row ${cells[0]} has ${preds.length} predictions, expected 5`);
    out.set(cells[0]!, preds);
  }
  return out;
}

export function referenceTop5(modelId: string): Map<string, RefPrediction[]> {
  return parseTop5Table(fs.readFileSync(path.join(SHARED_MODELS, modelId, 'PROVENANCE.md'), 'utf8'));
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
