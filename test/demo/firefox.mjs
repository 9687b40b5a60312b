// `npm start -- --firefox`: the demo gallery in Firefox with NetLens installed as a temporary add-on, through
// `web-ext run` (headless when there is no display). With --smoke it exits 0 once web-ext reports the add-on
// installed. FIREFOX_PATH picks the binary (default /usr/bin/firefox-esr).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export async function runFirefox({ root, dist, galleryUrl, smoke, shutdown }) {
  const exe = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
  if (!fs.existsSync(exe)) {
    console.error(`start: Firefox not found at ${exe}.\n  Install it with \`apt-get install firefox-esr\` (Debian, as root), or set FIREFOX_PATH.`);
    return shutdown(1);
  }
  const headless = smoke || !(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  const args = ['run', '--source-dir', dist, `--firefox=${exe}`, '--start-url', galleryUrl, '--no-input', ...(headless ? ['--arg=--headless'] : [])];
  console.log(`start: web-ext ${args.join(' ')}${headless ? '\n  (no display: Firefox runs headless; `xvfb-run -a npm start -- --firefox` shows a window)' : ''}`);
  const child = spawn(path.join(root, 'node_modules', '.bin', 'web-ext'), args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // web-ext starts Firefox as its own child: stop the whole process group, so no Firefox is left behind.
  const stop = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } };
  let installed = false;
  const watch = (chunk) => {
    const text = String(chunk);
    if (!smoke) process.stdout.write(text);
    if (!installed && /Installed .* as a temporary add-on/i.test(text)) {
      installed = true;
      console.log(smoke ? 'smoke: NetLens installed in Firefox; gallery ok' : `start: NetLens is installed in Firefox. Right-click any picture on ${galleryUrl} and choose "Classify with NetLens". Ctrl-C stops.`);
      if (smoke) stop(); // the exit handler below shuts the gallery down
    }
  };
  child.stdout.on('data', watch);
  child.stderr.on('data', watch);
  child.on('exit', (code) => { if (!installed) console.error(`start: web-ext exited (${code}) before NetLens was installed.`); void shutdown(installed ? 0 : 1); });
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (smoke) setTimeout(() => { if (!installed) { console.error('smoke: FAILED: web-ext did not install NetLens within 60 s'); stop(); } }, 60_000);
}
