// Says plainly when NetLens may not read websites (Firefox lets users withhold or revoke <all_urls>), and asks
// for it with one click. permissions.request needs the click's user gesture, so it is the first thing called.
import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { ALL_SITES, hasSiteAccess } from '../shared/site-access';

export function SiteAccess() {
  const [allowed, setAllowed] = useState<boolean | null>(null);
  const [refused, setRefused] = useState(false);
  useEffect(() => {
    const check = () => { void hasSiteAccess().then(setAllowed); };
    check();
    browser.permissions.onAdded.addListener(check);
    browser.permissions.onRemoved.addListener(check);
    return () => { browser.permissions.onAdded.removeListener(check); browser.permissions.onRemoved.removeListener(check); };
  }, []);
  if (allowed !== false) return null;
  const ask = () => {
    browser.permissions.request(ALL_SITES).then((ok) => { setAllowed(ok); setRefused(!ok); }, () => setRefused(true));
  };
  return (
    <section class="notice site-access" data-testid="site-access" role="alert">
      <p><strong>NetLens may not read websites.</strong> Right-clicking a picture on a website will not work until you allow it;
        pictures embedded in a page as data: URLs and NetLens’s own sample photos still do. Nothing is sent anywhere either way.</p>
      <button type="button" data-testid="grant-site-access" onClick={ask}>Allow NetLens to read websites</button>
      {refused && <p class="small" data-testid="site-access-refused">Not allowed. You can change this later in the browser’s add-on settings.</p>}
    </section>
  );
}
