// Teaching's part of the content script: the in-page prompt for a new class's name.
import { fail } from '../../shared/protocol';
import type { Replies } from '../../shared/messages';

/** A small prompt for a new class name, drawn by us in a closed shadow root (the page can neither style nor read it). */
export function askClassName(): Promise<Replies['bg/ask-class-name']> {
  return new Promise((resolve) => {
    const host = document.createElement('netlens-prompt');
    const root = host.attachShadow({ mode: 'closed' });
    root.innerHTML = `<style>
      :host { all: initial; position: fixed; z-index: 2147483647; inset: 0; display: grid; place-items: center; background: rgba(15, 12, 40, .35); font: 14px system-ui, sans-serif; }
      form { background: #fff; color: #1e1b4b; padding: 16px 18px; border-radius: 10px; box-shadow: 0 10px 40px rgba(0,0,0,.25); min-width: 280px; }
      h2 { font-size: 15px; margin: 0 0 10px; } input { width: 100%; box-sizing: border-box; font: inherit; padding: 6px 8px; border: 1px solid #c7d2fe; border-radius: 6px; }
      .row { display: flex; gap: 8px; justify-content: flex-end; margin-top: 12px; } button { font: inherit; padding: 5px 12px; border-radius: 6px; border: 1px solid #c7d2fe; background: #fff; cursor: pointer; }
      button[type=submit] { background: #4338ca; color: #fff; border-color: #4338ca; }
    </style><form><h2>New NetLens class</h2><label>Name <input name="n" maxlength="60" autocomplete="off" required></label>
      <div class="row"><button type="button" data-x>Cancel</button><button type="submit">Add</button></div></form>`;
    const form = root.querySelector('form')!, input = root.querySelector('input')!;
    const done = (name: string | null) => { host.remove(); resolve(name ? { ok: true, name } : fail('cancelled', 'No class name given.')); };
    form.addEventListener('submit', (e) => { e.preventDefault(); done(input.value.trim() || null); });
    root.querySelector('[data-x]')!.addEventListener('click', () => done(null));
    host.addEventListener('keydown', (e) => { if ((e as KeyboardEvent).key === 'Escape') done(null); });
    document.documentElement.append(host);
    input.focus();
  });
}
