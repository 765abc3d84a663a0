import type { Dashboard } from '../../src/dashboard'
import { useDashboard } from './useDashboard'

export function App() {
  const state = useDashboard()
  switch (state.status) {
    case 'loading':
      return <p className="notice">Loading the dashboard…</p>
    case 'empty':
      return <p className="notice">No data yet. Write to me in the chat below and I will fill this dashboard.</p>
    case 'failed':
      return <p className="notice">Could not load the dashboard: {state.message}</p>
    case 'ready':
      return <DashboardView dashboard={state.dashboard} />
  }
}

function DashboardView({ dashboard }: { dashboard: Dashboard }) {
  const { group, room, posts, messages } = dashboard
  const busiest = Math.max(1, ...Object.values(posts.byType))
  return (
    <main>
      <header>
        <h1 data-testid="title">
          {group.name} · #{room.slug}
        </h1>
        <p className="muted">
          Updated <time dateTime={dashboard.generatedAt}>{new Date(dashboard.generatedAt).toLocaleString()}</time>
        </p>
      </header>

      <section className="stats">
        <Stat id="members" label="members" value={group.members.length} />
        <Stat id="posts" label="posts" value={posts.total} />
        <Stat id="photos" label="photos" value={posts.byType.image ?? 0} />
        <Stat id="messages" label={`messages in #${room.slug}`} value={messages.total} />
        <Stat id="documents" label="tabs" value={dashboard.documents} />
      </section>

      <section>
        <h2>Feed by type</h2>
        <ul className="bars">
          {Object.entries(posts.byType).map(([type, count]) => (
            <li key={type}>
              <span>{type}</span>
              <span className="bar" style={{ width: `${(100 * count) / busiest}%` }} />
              <span>{count}</span>
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h2>Members</h2>
        <ul className="members" data-testid="members">
          {group.members.map((m) => (
            <li key={m.handle} title={`@${m.handle}`}>
              {m.displayName}
              {m.role !== 'MEMBER' && <span className="muted"> {m.role.toLowerCase()}</span>}
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h2>Latest messages</h2>
        {messages.recent.length === 0 ? (
          <p className="muted">Nobody has written in #{room.slug} yet.</p>
        ) : (
          <ol className="messages" data-testid="recent-messages">
            {messages.recent.map((m) => (
              <li key={m.id}>
                <strong>{m.author}</strong>
                {m.inTab && <span className="muted"> (in a tab)</span>}: {m.body}
              </li>
            ))}
          </ol>
        )}
      </section>
    </main>
  )
}

function Stat({ id, label, value }: { id: string; label: string; value: number }) {
  return (
    <div className="stat" data-testid={`stat-${id}`}>
      <strong>{value}</strong>
      <span>{label}</span>
    </div>
  )
}
