// The background → content script messages alone: the content script checks what it is sent against these,
// without pulling every other message schema into a script that runs in every frame of every page.
import * as v from 'valibot';
import { contentMessages as classifyContent } from '../features/classify/contract';
import { contentMessages as teachContent } from '../features/teach/contract';

export const BackgroundToContentSchema = v.variant('type', [...classifyContent, ...teachContent]);
