import { Header } from '../app/Header';

/** Placeholder: the ops dashboard arrives in a later issue. No fake data here on purpose. */
export function OpsPage() {
  return (
    <div className="page">
      <Header />
      <main className="main main--narrow" id="main">
        <section className="card">
          <h1>Operations</h1>
          <p className="muted">The operations dashboard is not built yet.</p>
        </section>
      </main>
    </div>
  );
}
