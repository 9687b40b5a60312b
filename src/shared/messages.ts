// Every cross-context message, assembled from the feature contracts: each union is one valibot schema, so the
// TypeScript types are inferred from the same schemas that validate messages at run time, and every message
// has a reply schema (checked at compile time below, and at run time by checkReply).
// Names say the direction: popup/… popup → background, bg/… background → model host or content script,
// offscreen/… model host → background. Tensors never cross a message: only plain data does.
import * as v from 'valibot';
import * as classify from '../features/classify/contract';
import * as explain from '../features/explain/contract';
import * as layers from '../features/layers/contract';
import * as lens from '../features/lens/contract';
import * as teach from '../features/teach/contract';
import { Count, NoReply, parse } from './protocol';

/** The host's own events, no feature's: an idle host holding much memory asks to be closed (engine/release.ts). */
const hostRuntimeEvents = [v.strictObject({ type: v.literal('offscreen/release'), bytes: Count })] as const;

export const PopupToBackgroundSchema = v.variant('type', [...classify.popupMessages, ...explain.popupMessages, ...layers.popupMessages, ...teach.popupMessages, ...lens.popupMessages]);
export type PopupToBackground = v.InferOutput<typeof PopupToBackgroundSchema>;

export const BackgroundToHostSchema = v.variant('type', [...classify.hostMessages, ...explain.hostMessages, ...layers.hostMessages, ...teach.hostMessages, ...lens.hostMessages]);
export type BackgroundToHost = v.InferOutput<typeof BackgroundToHostSchema>;

export const HostToBackgroundSchema = v.variant('type', [...classify.hostEvents, ...explain.hostEvents, ...teach.hostEvents, ...hostRuntimeEvents]);
export type HostToBackground = v.InferOutput<typeof HostToBackgroundSchema>;

import { BackgroundToContentSchema } from './content-messages';
export { BackgroundToContentSchema };
export type BackgroundToContent = v.InferOutput<typeof BackgroundToContentSchema>;

export const ContentToBackgroundSchema = v.variant('type', [...classify.contentEvents]);
export type ContentToBackground = v.InferOutput<typeof ContentToBackgroundSchema>;

export type AnyMessage = PopupToBackground | BackgroundToHost | HostToBackground | BackgroundToContent | ContentToBackground;

const REPLY_SCHEMAS = { 'offscreen/release': NoReply, ...classify.replies, ...explain.replies, ...layers.replies, ...teach.replies, ...lens.replies };
type ReplySchemas = typeof REPLY_SCHEMAS;
export type Replies = { [K in keyof ReplySchemas]: v.InferOutput<ReplySchemas[K]> };

// Compile-time: every message has a reply schema, and every reply schema a message.
type Missing = Exclude<AnyMessage['type'], keyof Replies> | Exclude<keyof Replies, AnyMessage['type']>;
const everyMessageHasAReply: [Missing] extends [never] ? true : Missing = true;
void everyMessageHasAReply;

/** A reply checked against its schema; a malformed one is null (the caller turns it into an error). */
export function checkReply<K extends keyof Replies>(type: K, value: unknown): Replies[K] | null {
  return parse(REPLY_SCHEMAS[type] as v.GenericSchema, value) as Replies[K] | null;
}

/** A handler table that must cover every message of a union, each returning that message's reply type. */
export type Handlers<U extends AnyMessage, Ctx = void> = {
  [K in U['type']]: (msg: Extract<U, { type: K }>, ctx: Ctx) => Promise<Replies[K]>;
};
