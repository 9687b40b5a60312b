// An image that could not become pixels, with a code the user's message is chosen by. TF-free.
export class ImageError extends Error {
  constructor(readonly code: 'fetch-failed' | 'http-status' | 'timeout' | 'not-an-image' | 'decode-failed', message: string) {
    super(message);
    this.name = 'ImageError';
  }
}
