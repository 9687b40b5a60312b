// Firefox suspends an idle event page (extensions.background.idle.timeout, 30 s by default) and would drop the
// model, a running training or explanation with it. While any model request runs, we keep the page awake.
let busy = 0;
let timer: ReturnType<typeof setInterval> | null = null;

function ping(): void {
  // TODO: the mechanism that resets Firefox's idle timer (measured in test/e2e-firefox/suspend.test.ts).
}

export async function whileBusy<T>(work: () => Promise<T>): Promise<T> {
  if (busy++ === 0) timer = setInterval(ping, 5000);
  try {
    return await work();
  } finally {
    if (--busy === 0 && timer) { clearInterval(timer); timer = null; }
  }
}

export const busyRequests = () => busy;
