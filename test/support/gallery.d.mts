// Type declarations for gallery.mjs (the NetLens demo/test gallery server).

export type GalleryKind =
  | 'same-origin'
  | 'cross-origin'
  | 'srcset'
  | 'picture'
  | 'css-background'
  | 'canvas'
  | 'data-url'
  | 'blob'
  | 'iframe';

export interface GalleryItem {
  /** DOM id of the element to right-click on the gallery page (for 'iframe': the <iframe> itself). */
  readonly id: string;
  readonly kind: GalleryKind;
  /** File name in the images directory (e.g. 'dog.jpg') that the element actually shows. */
  readonly image: string;
  /** Human-readable heading of the card. */
  readonly title: string;
  /** Caption explaining the case. */
  readonly note: string;
  /** Only for kind 'iframe': DOM id of the <img> inside the cross-origin frame. */
  readonly frameImageId?: string;
}

export const GALLERY_ITEMS: readonly GalleryItem[];

/** DOM id of the plain text paragraph on the gallery page (right-click on something that is not an image). */
export const NOT_AN_IMAGE_ID: 'not-an-image';

export interface GalleryOptions {
  /** Port of the page server; 0 (default) picks a free one. */
  port?: number;
  /** Port of the cross-origin image server (no CORS headers); 0 (default) picks a free one. */
  crossPort?: number;
  /** Folder with the test photos; default $NETLENS_IMAGES_DIR or <projectRoot>/../shared/images. */
  imagesDir?: string;
}

export interface Gallery {
  /** e.g. 'http://127.0.0.1:8737': the gallery page (/), /images/<name>, and the fault routes
   * /missing.jpg (404), /not-an-image.jpg (200 text/html), /hang.jpg (never answers), /truncated.jpg (half a JPEG),
   * /test.svg, /anim.gif (64×64, red frame then blue), /tiny.png (1×1), /huge.jpg (12000×12000 grey, ~0.5 MB). */
  readonly origin: string;
  /** e.g. 'http://127.0.0.1:8738': /images/<name> and /frame.html, served without CORS headers. */
  readonly crossOrigin: string;
  /** Absolute path of the images directory in use. */
  readonly imagesDir: string;
  /** Every request either server received, in order: its path and its Sec-Fetch-Site / Sec-Fetch-Dest headers. */
  readonly requests: readonly { path: string; site: string; dest: string }[];
  /** Stops both servers, dropping open (keep-alive and hanging) connections. */
  close(): Promise<void>;
}

export function startGallery(options?: GalleryOptions): Promise<Gallery>;
