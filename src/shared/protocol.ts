// The vocabulary every message is built from: ids, image sources, backends, errors and the reply envelope.
// Feature contracts (src/features/*/contract.ts) declare their messages with these; src/shared/messages.ts
// assembles them into the unions that are validated at run time.
import * as v from 'valibot';
import { WASM_THREADS_LIMIT } from './threads';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type Backend = (typeof BACKENDS)[number];
export const BackendPrefSchema = v.picklist(['auto', ...BACKENDS]);
export type BackendPref = v.InferOutput<typeof BackendPrefSchema>;

export const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
export const TabId = v.pipe(v.number(), v.integer(), v.minValue(0));
export const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
export const Num = v.number();
export const Text = (max: number) => v.pipe(v.string(), v.maxLength(max));
// A data: URL of a downscaled capture is a few MB at most; anything bigger is refused before parsing.
const MAX_URL_CHARS = 48 * 1024 * 1024;
// The extension's own files (the welcome page's photos) are a source too, but no other extension's.
const ownOrigin = (): string | null => (globalThis as { chrome?: { runtime?: { getURL?(p: string): string } } }).chrome?.runtime?.getURL?.('') ?? null;
const ImageUrl = v.pipe(v.string(), v.maxLength(MAX_URL_CHARS), v.check((u) => /^(https?:|data:)/i.test(u) || (ownOrigin() !== null && u.startsWith(ownOrigin()!)), 'image URL must be http(s), data: or one of NetLens\'s own files'));

export const SOURCE_KINDS = ['img', 'srcset', 'picture', 'css-background', 'canvas', 'blob', 'data-url', 'menu'] as const;
export const ImageSourceSchema = v.strictObject({ url: ImageUrl, kind: v.picklist(SOURCE_KINDS) });
export type ImageSource = v.InferOutput<typeof ImageSourceSchema>;

export const BackendChoiceSchema = v.strictObject({
  backend: v.picklist(BACKENDS),
  reason: Text(500),
  // ms per probe workload, for the backends that were measured
  timings: v.record(v.string(), v.number()),
  userAgent: Text(500),
});
export type BackendChoice = v.InferOutput<typeof BackendChoiceSchema>;
export const BackendInfoSchema = v.object({ backend: v.picklist(BACKENDS), reason: v.string() });

/** WebAssembly threads: 0 = automatic (the machine's cores, capped), 1 = unthreaded, up to WASM_THREADS_LIMIT. */
export const WasmThreadsSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(WASM_THREADS_LIMIT));

/** Which model, on which backend: every request to the model host carries these. */
export const ModelFields = {
  modelId: Id, backend: BackendPrefSchema, remembered: v.nullable(BackendChoiceSchema),
  /** wasm threads (0 = automatic); it takes effect when the model host starts wasm */
  threads: v.optional(WasmThreadsSchema),
};
/** The classification a request is about: its input is cached by request id; the source re-fetches it if not. */
export const ImageRefSchema = v.strictObject({ requestId: Id, source: v.nullable(ImageSourceSchema) });
export const LayerName = v.pipe(v.string(), v.minLength(1), v.maxLength(100));
export const LayerList = v.pipe(v.array(LayerName), v.maxLength(300));

const ERROR_CODES = [
  'no-image', 'tainted', 'fetch-failed', 'http-status', 'timeout', 'not-an-image', 'decode-failed',
  'model-load-failed', 'backend-failed', 'interrupted', 'bad-request', 'cancelled', 'no-result', 'internal', 'no-permission',
] as const;
type ErrorCode = (typeof ERROR_CODES)[number];
export const NetLensErrorSchema = v.object({ code: v.picklist(ERROR_CODES), message: v.string() });
export type NetLensError = v.InferOutput<typeof NetLensErrorSchema>;

export type Failure = { ok: false; error: NetLensError };

/** The schema of a reply: `{ ok: true, ...fields }` or a failure. */
export function reply<E extends v.ObjectEntries>(fields: E) {
  return v.variant('ok', [v.object({ ok: v.literal(true), ...fields }), v.object({ ok: v.literal(false), error: NetLensErrorSchema })]);
}
/** A message that gets no answer (a progress report). */
export const NoReply = v.undefined();

export function fail(code: ErrorCode, message: string): Failure {
  return { ok: false, error: { code, message } };
}

export function parse<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> | null {
  const r = v.safeParse(schema, input);
  return r.success ? r.output : null;
}

/** The loading phases a classification passes through, as the popup shows them. */
export const PHASES = ['capture', 'queued', 'backend', 'model', 'classify'] as const;
export type Phase = (typeof PHASES)[number];
