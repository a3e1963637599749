/** Asks before leaving a screen with unsaved changes: links inside the UI and closing the tab. */
import { useEffect } from 'react';
import { useBlocker } from 'react-router';

export function UnsavedGuard({ dirty }: { dirty: boolean }) {
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname);
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
  if (blocker.state !== 'blocked') return null;
  return (
    <div className="dialog-backdrop">
      <div role="alertdialog" aria-modal="true" aria-labelledby="unsaved-title" className="dialog">
        <h2 id="unsaved-title">Leave without saving?</h2>
        <p>Your changes on this screen are not saved.</p>
        <div className="actions">
          <button type="button" onClick={() => blocker.reset()} autoFocus>
            Stay
          </button>
          <button type="button" className="danger" onClick={() => blocker.proceed()}>
            Leave
          </button>
        </div>
      </div>
    </div>
  );
}
