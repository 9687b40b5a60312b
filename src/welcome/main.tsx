// The first-run page: three steps and a few photos to right-click straight away. Wiring and a static view.
import { render } from 'preact';
import { assertContext } from '../shared/context';
import { loadSettings } from '../shared/settings';
import { applyTheme } from '../ui/theme';
import '../popup/popup.css';
import '../features/options/options.css';

assertContext('welcome');
void loadSettings().then((s) => applyTheme(s.theme));

const PHOTOS = [['dog.jpg', 'a dog on a porch, a bicycle beside it'], ['eagle.jpg', 'a young bald eagle on a rock by the water'], ['horses.jpg', 'horses on a hillside']];

function Welcome() {
  return (
    <main class="options welcome" data-testid="welcome">
      <h1><img src="/icons/icon-32.png" alt="" width={24} height={24} /> Welcome to NetLens</h1>
      <p>NetLens shows you what a neural network sees. Everything runs on this computer: nothing you look at leaves it.</p>
      <section aria-labelledby="w-steps">
        <h2 id="w-steps">Three steps</h2>
        <ol class="welcome-steps">
          <li><strong>Classify.</strong> Right-click any photo below (or on any page) and choose <em>Classify with NetLens</em>. The popup opens with what the network thinks it is.</li>
          <li><strong>Explain.</strong> In the popup, open <em>Explain</em> to see where it looked, and how much to trust that map.</li>
          <li><strong>Look inside.</strong> Right-click and choose <em>Look inside with NetLens</em>: follow the image through every layer, with the real numbers.</li>
        </ol>
      </section>
      <section aria-labelledby="w-try">
        <h2 id="w-try">Try it here</h2>
        <ul class="welcome-photos">
          {PHOTOS.map(([f, alt]) => <li key={f}><img src={`/welcome-photos/${f}`} alt={alt} data-testid="welcome-photo" /></li>)}
        </ul>
        <p class="small muted">Photos from Debian's <code>darknet</code> package (upstream: pjreddie/darknet <code>data/</code>), licensed “GPL-3.0+ or MIT or WTFPL”; see <a href="/welcome-photos/README.md">their note</a>.</p>
      </section>
      <p><a href="/src/options/index.html">Options</a> · the NetLens button in the toolbar opens the popup at any time.</p>
    </main>
  );
}

render(<Welcome />, document.getElementById('app')!);
