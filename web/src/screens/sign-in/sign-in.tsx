/** Sign in with an API key; the key is checked against the API before it is kept. */
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { ApiError, unwrap } from '../../api/errors';
import { session } from '../../api/session';
import { Field } from '../../components/field';

export function SignIn() {
  const [key, setKey] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      unwrap(await api.GET('/v1/me', { headers: { authorization: `Bearer ${key.trim()}` } }));
      session.signIn(key.trim());
    } catch (error) {
      setErrors({ key: error instanceof ApiError && error.status === 401 ? 'This key is not valid or has been revoked.' : (error as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Hookyard</h1>
      <form onSubmit={submit}>
        <Field label="API key" name="key" errors={errors} hint="A key starting with hyk_. It is kept for this browser tab only.">
          <input type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} required />
        </Field>
        <button type="submit" className="primary" disabled={busy || key.trim() === ''}>
          Sign in
        </button>
      </form>
    </main>
  );
}
