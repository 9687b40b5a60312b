// One model host's runtime: its session (backend, model, caches) and its job registry, wired to the platform
// that carries messages out (the offscreen document on Chrome; a Firefox event page the same way).
import type { HostToBackground } from '../shared/messages';
import { JobRegistry } from './jobs';
import { IdleRelease } from './release';
import type { ReadFile } from './model';
import { Session } from './session';

export interface HostPlatform {
  /** reads a file of the models folder */
  read: ReadFile;
  /** sends a progress report to the background (best effort) */
  post(msg: HostToBackground): void;
}

export interface ModelHostRuntime { session: Session; jobs: JobRegistry; post: HostPlatform['post']; release: IdleRelease }

export function createModelHost(platform: HostPlatform): ModelHostRuntime {
  const session = new Session(platform.read, (p) => platform.post({ type: 'offscreen/progress', ...p }));
  const jobs = new JobRegistry((p) => platform.post({ type: 'offscreen/job-progress', ...p }));
  const release = new IdleRelease((bytes) => platform.post({ type: 'offscreen/release', bytes }), { busy: () => session.queue.depth > 0 || jobs.size > 0 });
  return { session, jobs, post: platform.post, release };
}
