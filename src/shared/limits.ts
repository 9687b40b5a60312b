/** Largest side an image may keep before it becomes a tensor. Anything bigger is scaled down while still
 * 8-bit (by the browser), so a 12000×12000 photo never becomes a 12000×12000×3 tensor. */
export const MAX_SIDE = 2048;
