// Small hooks shared by the Layers view's components.
import { useEffect, useState } from 'preact/hooks';

/** The image at `src`, once decoded (null until then). */
export function useImage(src: string | null | undefined): HTMLImageElement | null {
  const [img, setImg] = useState<HTMLImageElement | null>(null);
  useEffect(() => {
    if (!src) { setImg(null); return; }
    let live = true;
    const i = new Image();
    i.onload = () => { if (live) setImg(i); };
    i.src = src;
    return () => { live = false; };
  }, [src]);
  return img;
}

/** True once the element has come near the viewport (and from then on): lets big layers draw on demand. */
export function useSeen(ref: { readonly current: Element | null }): boolean {
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (seen || !el) return;
    if (typeof IntersectionObserver === 'undefined') { setSeen(true); return; }
    const io = new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting)) { setSeen(true); io.disconnect(); } }, { rootMargin: '200px' });
    io.observe(el);
    return () => io.disconnect();
  }, [seen]);
  return seen;
}
