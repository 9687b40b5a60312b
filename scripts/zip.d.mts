/** Every problem a store would reject the package in `dist` for (empty: none). */
export function problems(dist: string): string[];
