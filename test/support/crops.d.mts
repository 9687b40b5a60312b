/** Seeded square crops of a photo in shared/images, as JPEG data URLs of out×out pixels. */
export function crops(photo: string, n: number, seed: number, out?: number): string[];
