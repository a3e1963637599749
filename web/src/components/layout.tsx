/** The frame of every signed-in screen: navigation (by role), who is signed in, sign out. */
import { Suspense } from 'react';
import { NavLink, Outlet } from 'react-router';
import { roleAllows, useMe } from '../api/me';
import { session } from '../api/session';

export function Layout() {
  const me = useMe();
  const role = me.data?.role;
  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <strong className="brand">Hookyard</strong>
        <nav aria-label="Main">
          <NavLink to="/integrations">Integrations</NavLink>
          <NavLink to="/automations">Automations</NavLink>
          <NavLink to="/entities">Entities</NavLink>
          <NavLink to="/custom-attributes">Custom attributes</NavLink>
          {roleAllows(role, 'admin') && <NavLink to="/api-keys">API keys</NavLink>}
        </nav>
        <span className="who">
          {me.data && (
            <>
              {me.data.org.name} · <span data-testid="role">{role}</span>
            </>
          )}
          <button type="button" onClick={() => session.signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p>Loading…</p>}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
