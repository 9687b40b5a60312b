// Firefox test builds only (vite --mode firefox-test): Chrome's test hooks on the event page's globalThis, plus
// what the suspension test needs: switching the keep-alive off, and a model-host request that computes for `ms`
// without calling any extension API (no progress reports), to measure what Firefox does at the idle timeout.
import type { ModelHostRuntime } from '../engine/host-runtime';
import { expose as exposeHost } from '../offscreen/test-hooks';
import { busyRequests, setKeepAlive, whileBusy } from './keep-alive';

export function expose(runtime: ModelHostRuntime): void {
  exposeHost(runtime);
  const silentRequest = (ms: number) => whileBusy(() => runtime.session.serve(async () => {
    for (const end = Date.now() + ms; Date.now() < end;) {
      for (const t = Date.now(); Date.now() - t < 20;) { /* compute */ }
      await new Promise((r) => setTimeout(r, 0));
    }
    return { ok: true as const };
  }));
  Object.assign((globalThis as { __netlens?: object }).__netlens!, { keepAlive: setKeepAlive, busyRequests, silentRequest });
}
