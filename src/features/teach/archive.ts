// One file for a user's taught classes: the dataset (classes, examples with thumbnails and embeddings) and the
// trained head, zipped with fflate. Reading is strict: anything missing, malformed or made for another backbone
// is refused with a message, before anything is written.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { RequestError } from '../../engine/jobs';
import { base64ToFloats, floatsToBase64, sha256Hex } from '../../shared/codecs';
import type { Example, HeadInfo, UserClass } from '../../shared/db';

const ARCHIVE_FORMAT = 'netlens-classes';
const ARCHIVE_VERSION = 1;

export interface HeadArtifacts { modelTopology: unknown; weightSpecs: { name: string; shape: number[]; dtype: string }[]; weightData: ArrayBuffer }
export interface Bundle { modelId: string; classes: UserClass[]; examples: Example[]; head: { info: HeadInfo; artifacts: HeadArtifacts } | null }

/** A classes file that cannot be imported, with the reason in words the user can act on. */
export class ArchiveError extends RequestError { constructor(message: string) { super(message); this.name = 'ArchiveError'; } }



export async function packArchive(b: Bundle): Promise<Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  files['examples.json'] = strToU8(JSON.stringify(b.examples.map((e) => ({
    id: e.id, classId: e.classId, url: e.url, at: e.at, thumbnail: e.thumbnail,
    embeddings: Object.fromEntries(Object.entries(e.embeddings).map(([k, v]) => [k, floatsToBase64(v)])),
  }))));
  files['classes.json'] = strToU8(JSON.stringify(b.classes));
  if (b.head) {
    files['head/model.json'] = strToU8(JSON.stringify({ modelTopology: b.head.artifacts.modelTopology, weightSpecs: b.head.artifacts.weightSpecs, info: b.head.info }));
    files['head/weights.bin'] = new Uint8Array(b.head.artifacts.weightData);
  }
  const checksums: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(files)) checksums[name] = await sha256Hex(bytes);
  files['manifest.json'] = strToU8(JSON.stringify({ format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, modelId: b.modelId, classes: b.classes.length, examples: b.examples.length, hasHead: Boolean(b.head), checksums }, null, 2));
  return zipSync(files, { level: 6 });
}

const isStr = (x: unknown, max = 10_000_000): x is string => typeof x === 'string' && x.length <= max;
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

export async function unpackArchive(bytes: Uint8Array, expectModelId: string, modelName = expectModelId): Promise<Bundle> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch {
    throw new ArchiveError('This file is not a NetLens classes file (it is not a readable zip archive).');
  }
  const json = (name: string): unknown => {
    const f = files[name];
    if (!f) throw new ArchiveError(`This NetLens file is incomplete: ${name} is missing.`);
    try { return JSON.parse(strFromU8(f)); } catch { throw new ArchiveError(`This NetLens file is damaged: ${name} is not valid JSON.`); }
  };
  const manifest = json('manifest.json') as Record<string, unknown>;
  if (manifest.format !== ARCHIVE_FORMAT) throw new ArchiveError('This file is not a NetLens classes file.');
  if (manifest.version !== ARCHIVE_VERSION) throw new ArchiveError(`This NetLens file has version ${String(manifest.version)}; this NetLens reads version ${ARCHIVE_VERSION}.`);
  if (manifest.modelId !== expectModelId) throw new ArchiveError(`These classes were taught on ${String(manifest.modelId)}, but the current model is ${modelName}. Switch to that model first, then import.`);
  const checksums = (manifest.checksums ?? {}) as Record<string, unknown>;
  for (const [name, f] of Object.entries(files)) {
    if (name === 'manifest.json') continue;
    if (checksums[name] !== (await sha256Hex(f))) throw new ArchiveError(`This NetLens file is damaged: ${name} does not match its checksum.`);
  }
  for (const name of Object.keys(checksums)) if (!files[name]) throw new ArchiveError(`This NetLens file is incomplete: ${name} is missing.`);

  const classes = json('classes.json');
  if (!Array.isArray(classes) || !classes.every((c) => c && isStr(c.id, 100) && isStr(c.name, 60) && c.name.trim() && isNum(c.createdAt))) throw new ArchiveError('This NetLens file is damaged: the class list is not valid.');
  const ids = new Set(classes.map((c: UserClass) => c.id));
  const rawExamples = json('examples.json');
  if (!Array.isArray(rawExamples)) throw new ArchiveError('This NetLens file is damaged: the example list is not valid.');
  const examples: Example[] = rawExamples.map((e, i) => {
    if (!e || !isStr(e.id, 100) || !ids.has(e.classId) || !isStr(e.url, 4000) || !isNum(e.at) || !isStr(e.thumbnail) || !/^data:image\/(jpeg|png|webp);base64,/.test(e.thumbnail) || typeof e.embeddings !== 'object') {
      throw new ArchiveError(`This NetLens file is damaged: example ${i + 1} is not valid.`);
    }
    return { id: e.id, classId: e.classId, url: e.url, at: e.at, thumbnail: e.thumbnail, embeddings: Object.fromEntries(Object.entries(e.embeddings as Record<string, string>).filter(([, v]) => isStr(v)).map(([k, v]) => [k, base64ToFloats(v)])) };
  });
  let head: Bundle['head'] = null;
  if (manifest.hasHead) {
    const m = json('head/model.json') as { modelTopology: unknown; weightSpecs: HeadArtifacts['weightSpecs']; info: HeadInfo };
    const weights = files['head/weights.bin'];
    if (!weights || !m.info || !Array.isArray(m.weightSpecs) || m.info.modelId !== expectModelId) throw new ArchiveError('This NetLens file is damaged: the trained head is not valid.');
    if (!m.info.classIds.every((id) => ids.has(id))) throw new ArchiveError('This NetLens file is damaged: the head names classes that are not in it.');
    const expected = m.weightSpecs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
    if (expected !== weights.byteLength) throw new ArchiveError('This NetLens file is damaged: the head’s weights have the wrong size.');
    head = { info: m.info, artifacts: { modelTopology: m.modelTopology, weightSpecs: m.weightSpecs, weightData: weights.slice().buffer } };
  }
  return { modelId: expectModelId, classes: classes as UserClass[], examples, head };
}
