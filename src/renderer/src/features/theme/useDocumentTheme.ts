import { useEffect } from 'react';
import { useAppStore } from '../../app/context';

/** Writes the chosen theme on <html> (theme.css reads it); "system" removes it, so the OS decides. */
export function useDocumentTheme(): void {
  const theme = useAppStore((s) => s.theme);
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', theme);
  }, [theme]);
}
