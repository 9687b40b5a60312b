// The Lens's "What it looks for" track: kernels next to Sobel, a channel up close, what a class looks like.
import { useEffect } from 'preact/hooks';
import type { LensVm } from '../../lens/popup/lens-vm';
import { ChannelUpClose } from './ChannelUpClose';
import { ClassVisPanel } from './ClassVisPanel';
import { KernelPlayground } from './KernelPlayground';
import type { LooksVm } from './looks-vm';

export function LooksTrack({ lens, vm, customNames }: { lens: LensVm; vm: LooksVm; customNames: readonly string[] }) {
  const track = lens.track.value, result = lens.result.value;
  useEffect(() => {
    void lens.loadPixels();
    const want = Number(new URLSearchParams(location.search).get('class'));
    if (result) void vm.open(Number.isInteger(want) && new URLSearchParams(location.search).has('class') ? want : result.predictions[0]?.index ?? 0);
  }, [result?.requestId]);
  if (!track || !result) return <p class="muted">Reading the model's layers…</p>;
  return (
    <div class="looks" data-testid="looks">
      {vm.error.value && <p class="error" role="alert">{vm.error.value.message}</p>}
      <KernelPlayground vm={vm} track={track} pixels={lens.pixels.value} />
      <ChannelUpClose vm={vm} track={track} pixels={lens.pixels.value} />
      <ClassVisPanel vm={vm} result={result} labels={lens.labels.value} customNames={customNames} />
    </div>
  );
}
