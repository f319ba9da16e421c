import { useEffect, useState, type FormEvent } from 'react';
import { Header } from '../app/Header';
import { navigate } from '../app/router';
import { claims, setToken } from '../app/session';
import { RestClient, ErrorCode, SwitchboardError, type Role } from '@switchboard/client';

const ID_PATTERN = '[A-Za-z0-9._:@\\-]{1,128}';

/** Whether this server offers dev sign-in; `unknown` (probe failed) shows the dev form anyway. */
type DevMode = 'checking' | 'on' | 'off' | 'unknown';

const homeOf = (role: Role): string => (role === 'client' ? '/client' : '/staff');

/**
 * Sign-in. A server started with `--dev` offers dev sign-in (pick an org, a user and a role; the
 * token comes from `POST /v1/dev/token`). Without `--dev` that route does not exist, so the page
 * asks the server first (`GET /healthz`'s `dev_sign_in`, a 200 either way) and, when it is off, says that sign-in comes from the integrating app,
 * with a field where an integrator can paste a JWT.
 */
export function SignInPage() {
  const [dev, setDev] = useState<DevMode>('checking');
  useEffect(() => {
    let live = true;
    void new RestClient({ getToken: () => null }).devSignInAvailable().then((available) => {
      if (live) setDev(available === null ? 'unknown' : available ? 'on' : 'off');
    });
    return () => {
      live = false;
    };
  }, []);

  let body;
  if (dev === 'checking') {
    body = (
      <section className="card signin" data-testid="signin-checking" role="status">
        <p className="muted">Checking how to sign in…</p>
      </section>
    );
  } else if (dev === 'off') {
    body = <IntegratorSignIn />;
  } else {
    body = <DevSignIn onDevModeOff={() => setDev('off')} />;
  }
  return (
    <div className="page" data-testid="signin-page" data-dev={dev}>
      <Header />
      <main className="main main--narrow" id="main">
        {body}
      </main>
    </div>
  );
}

/** Without `--dev`: sign-in belongs to the integrating app; integrators may paste a token. */
function IntegratorSignIn() {
  const [token, setTokenText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const jwt = token.trim();
    const c = claims(jwt);
    if (!c || typeof c.sub !== 'string' || typeof c.org !== 'string') {
      setError('That is not a valid token, or it has expired.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await new RestClient({ getToken: () => null }).checkToken(jwt);
      setToken(jwt);
      navigate(homeOf(c.role));
    } catch (err) {
      const se = err instanceof SwitchboardError ? err : SwitchboardError.network(err);
      setError(
        se.code === ErrorCode.Unauthenticated
          ? 'The server did not accept this token (wrong signature, issuer or audience, or expired).'
          : se.friendly,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card signin" aria-labelledby="signin-title" data-testid="signin-integrator">
      <h1 id="signin-title">Sign in through your app</h1>
      <p>
        Switchboard has no accounts of its own: you are signed in by the app that offers these video
        calls. Go back to that app and open the call from there.
      </p>
      <p className="muted small" data-testid="signin-dev-off">
        Dev sign-in is off on this server (it was not started with <code>--dev</code>).
      </p>
      <form className="signin__token" onSubmit={(e) => void submit(e)}>
        <h2 className="h3">For integrators</h2>
        <label className="field">
          <span>Paste a JWT issued by your app</span>
          <textarea
            value={token}
            onChange={(e) => setTokenText(e.target.value)}
            rows={4}
            required
            spellCheck={false}
            autoComplete="off"
            placeholder="eyJhbGciOi…"
            data-testid="signin-jwt"
          />
        </label>
        <p className="muted small">
          Or open any page with <code>?token=&lt;jwt&gt;</code> in the address.
        </p>
        {error && (
          <p className="error" role="alert" data-testid="signin-jwt-error">
            {error}
          </p>
        )}
        <button
          type="submit"
          className="btn btn--primary btn--wide"
          disabled={busy || !token.trim()}
          data-testid="signin-jwt-submit"
        >
          {busy ? 'Checking…' : 'Sign in with this token'}
        </button>
      </form>
    </section>
  );
}

/** Dev sign-in: pick an org, a user and a role, and get a token from `POST /v1/dev/token`. */
function DevSignIn({ onDevModeOff }: { onDevModeOff: () => void }) {
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
      navigate(homeOf(role));
    } catch (err) {
      const se = err instanceof SwitchboardError ? err : SwitchboardError.network(err);
      // The server turned out to have no dev sign-in (the probe could not tell): say how instead.
      if (se.code === ErrorCode.DevModeOff) onDevModeOff();
      else setError(se);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card signin" onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
      <h1 id="signin-title">Dev sign-in</h1>
      <p className="muted">
        For development servers started with <code>--dev</code>. Each tab can be a different person.
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
          Sign-in failed: {error.friendly}
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
  );
}
