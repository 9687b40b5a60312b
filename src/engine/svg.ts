// SVG has no intrinsic raster: Chromium's createImageBitmap refuses it, so it is drawn through an <img>, which
// needs a DOM (the offscreen document draws for its model worker). TF-free.
import { fitWithin } from './fit';
import { ImageError } from './image-error';

export async function rasterizeSvg(blob: Blob): Promise<ImageBitmap> {
  if (typeof Image === 'undefined') throw new ImageError('decode-failed', 'SVG images need a DOM to be drawn');
  const url = URL.createObjectURL(blob);
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new ImageError('decode-failed', 'The SVG image could not be drawn'));
      img.src = url;
    });
    const w = img.naturalWidth || 512, h = img.naturalHeight || 512;
    const { width, height } = fitWithin(w, h, 1024);
    const c = new OffscreenCanvas(width, height);
    c.getContext('2d')!.drawImage(img, 0, 0, width, height);
    return await createImageBitmap(c);
  } finally {
    URL.revokeObjectURL(url);
  }
}

