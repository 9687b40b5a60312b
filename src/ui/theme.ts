// Light or dark: the system's choice unless the user picked one in the options. Pages mark <html> and the
// CSS variables in popup.css do the rest.
import type { Settings } from '../shared/settings';

export function applyTheme(theme: Settings['theme']): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}
