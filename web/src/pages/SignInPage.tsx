import { useState, type FormEvent } from 'react';
import { Header } from '../app/Header';
import { navigate } from '../app/router';
import { claims, setToken } from '../app/session';
import { RestClient } from '../sdk/rest/RestClient';
import { ErrorCode, SwitchboardError } from '../sdk/errors';
import type { Role } from '../sdk/types';

const ID_PATTERN = '[A-Za-z0-9._:@\\-]{1,128}';

/**
 * Dev sign-in: pick an org, a user and a role, and get a token from `POST /v1/dev/token`.
 * It only works when the server runs with `--dev`; otherwise the server answers 404 and we say so.
 */
export function SignInPage() {
  const existing = claims();
  const [org, setOrg] = useState(existing?.org ?? 'demo');
  const [sub, setSub] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('client');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<SwitchboardError | null>(null);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const id = sub.trim() || `${role}-${Math.random().toString(36).slice(2, 7)}`;
    try {
      const rest = new RestClient({ getToken: () => null });
      const token = await rest.devToken({
        org: org.trim(),
        sub: id,
        role,
        name: name.trim() || id,
      });
      setToken(token);
      navigate(role === 'client' ? '/client' : '/staff');
    } catch (err) {
      setError(err instanceof SwitchboardError ? err : SwitchboardError.network(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page" data-testid="signin-page">
      <Header />
      <main className="main main--narrow" id="main">
        <form
          className="card signin"
          onSubmit={(e) => void submit(e)}
          aria-labelledby="signin-title"
        >
          <h1 id="signin-title">Dev sign-in</h1>
          <p className="muted">
            For development servers started with <code>--dev</code>. Each tab can be a different
            person.
          </p>
          <label className="field">
            <span>Organisation</span>
            <input
              value={org}
              onChange={(e) => setOrg(e.target.value)}
              required
              pattern={ID_PATTERN}
              autoComplete="organization"
              data-testid="signin-org"
            />
          </label>
          <label className="field">
            <span>User id</span>
            <input
              value={sub}
              onChange={(e) => setSub(e.target.value)}
              pattern={ID_PATTERN}
              placeholder="leave empty for a random one"
              autoComplete="username"
              data-testid="signin-sub"
            />
          </label>
          <label className="field">
            <span>Display name</span>
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={80}
              autoComplete="name"
              data-testid="signin-name"
            />
          </label>
          <fieldset className="field roles">
            <legend>Role</legend>
            {(
              [
                ['client', 'Client', 'places calls'],
                ['staff', 'Staff', 'answers calls'],
                ['admin', 'Admin', 'staff who also sees the whole org'],
              ] as const
            ).map(([value, label, hint]) => (
              <label key={value} className={`role${role === value ? ' role--on' : ''}`}>
                <input
                  type="radio"
                  name="role"
                  value={value}
                  checked={role === value}
                  onChange={() => setRole(value)}
                  data-testid={`signin-role-${value}`}
                />
                <span>
                  <strong>{label}</strong> <span className="muted small">{hint}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {error && (
            <p className="error" role="alert" data-testid="signin-error">
              {error.code === ErrorCode.DevModeOff
                ? error.friendly
                : `Sign-in failed: ${error.friendly}`}
            </p>
          )}
          <button
            type="submit"
            className="btn btn--primary btn--wide"
            disabled={busy}
            data-testid="signin-submit"
          >
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </main>
    </div>
  );
}
