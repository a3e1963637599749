/**
 * The signed-in API key, kept in sessionStorage: it lasts as long as the browser tab and
 * is gone when the tab closes or the user signs out.
 */
const STORAGE_KEY = 'hookyard.apiKey';
const listeners = new Set<() => void>();

export const session = {
  key: (): string | null => sessionStorage.getItem(STORAGE_KEY),
  signIn(key: string): void {
    sessionStorage.setItem(STORAGE_KEY, key);
    for (const listener of listeners) listener();
  },
  signOut(): void {
    sessionStorage.removeItem(STORAGE_KEY);
    for (const listener of listeners) listener();
  },
  /** Calls `listener` on sign-in and sign-out; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
