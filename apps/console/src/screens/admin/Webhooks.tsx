import './texts.ts';
import { useState } from 'preact/hooks';
import { useConsole } from '../../context.ts';
import { fmtDateTime } from '../../ui/format.ts';
import { Problem, useChange, useLoad } from './bits.tsx';
import { integrationsApi, WEBHOOK_EVENTS, type Endpoint } from './integrations.ts';
import { SecretBox, toggle } from './Secret.tsx';

/** Which events, as checkboxes (none checked: every event). */
function Events({ value, onChange, legend }: { value: string[]; onChange(v: string[]): void; legend: string }) {
  return (
    <fieldset class="admin-checks">
      <legend>{legend}</legend>
      {WEBHOOK_EVENTS.map((ev) => (
        <label key={ev} class="check">
          <input type="checkbox" checked={value.includes(ev)} onChange={(e) => onChange(toggle(value, ev, e.currentTarget.checked))} />
          <code class="small">{ev}</code>
        </label>
      ))}
    </fieldset>
  );
}

/** Webhooks (admins): endpoints (URL, events, on/off, secret rotation shown once), each one's delivery log and replay. */
export function WebhooksPanel() {
  const { t } = useConsole();
  const endpoints = useLoad(integrationsApi.endpoints);
  const change = useChange();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [shown, setShown] = useState<{ text: string; secret: string } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [log, setLog] = useState<string | null>(null);

  return (
    <section aria-labelledby="admin-webhooks" class="admin-section">
      <h3 id="admin-webhooks">{t('admin.webhooks.title')}</h3>
      <p class="muted small">{t('admin.webhooks.intro')}</p>
      <Problem t={t} error={endpoints.error} />
      <Problem t={t} error={change.error} />
      {shown ? <SecretBox t={t} text={shown.text} label={t('admin.webhooks.secret')} secret={shown.secret} onDone={() => setShown(null)} /> : null}
      {endpoints.data === null ? (
        <p class="muted">{t('admin.loading')}</p>
      ) : endpoints.data.endpoints.length === 0 ? (
        <p class="empty">{t('admin.webhooks.none')}</p>
      ) : (
        <ul class="admin-list" aria-label={t('admin.webhooks.list')}>
          {endpoints.data.endpoints.map((ep) =>
            editing === ep.id ? (
              <li key={ep.id} class="admin-item admin-item--editing">
                <EndpointEdit
                  ep={ep}
                  busy={change.busy}
                  onCancel={() => setEditing(null)}
                  onSave={async (b) => {
                    if (await change.run(() => integrationsApi.updateEndpoint(ep.id, b))) {
                      setEditing(null);
                      await endpoints.reload();
                    }
                  }}
                />
              </li>
            ) : (
              <li key={ep.id} class="admin-item">
                <div class="admin-item-main">
                  <span class="strong admin-email">{ep.url}</span>
                  <span class={ep.enabled ? 'tag' : 'tag tag--warn'}>{ep.enabled ? t('admin.webhooks.enabled') : t('admin.webhooks.disabled')}</span>
                  {ep.rotating ? <span class="tag">{t('admin.webhooks.rotating')}</span> : null}
                </div>
                {ep.description ? <p class="admin-body small">{ep.description}</p> : null}
                <dl class="admin-dl small">
                  <dt>{t('admin.webhooks.events')}</dt>
                  <dd>{ep.events.length ? ep.events.join(', ') : t('admin.webhooks.allEvents')}</dd>
                  {ep.disabledReason ? (
                    <>
                      <dt>{t('admin.webhooks.disabledReason')}</dt>
                      <dd>{ep.disabledReason}</dd>
                    </>
                  ) : null}
                </dl>
                <div class="row-actions admin-actions">
                  <button type="button" class="btn btn--small" aria-expanded={log === ep.id} aria-label={`${t('admin.webhooks.deliveries')}: ${ep.url}`} onClick={() => setLog(log === ep.id ? null : ep.id)}>
                    {t('admin.webhooks.deliveries')}
                  </button>
                  <button type="button" class="btn btn--small" aria-label={`${t('admin.edit')}: ${ep.url}`} onClick={() => setEditing(ep.id)}>
                    {t('admin.edit')}
                  </button>
                  <button
                    type="button"
                    class="btn btn--small"
                    disabled={change.busy}
                    aria-label={`${ep.enabled ? t('admin.webhooks.disable') : t('admin.webhooks.enable')}: ${ep.url}`}
                    onClick={async () => {
                      if (await change.run(() => integrationsApi.updateEndpoint(ep.id, { enabled: !ep.enabled }))) await endpoints.reload();
                    }}
                  >
                    {ep.enabled ? t('admin.webhooks.disable') : t('admin.webhooks.enable')}
                  </button>
                  <button
                    type="button"
                    class="btn btn--small"
                    disabled={change.busy}
                    aria-label={`${t('admin.webhooks.rotate')}: ${ep.url}`}
                    onClick={async () => {
                      const r = await change.run(() => integrationsApi.rotate(ep.id));
                      if (r) {
                        setShown({ text: t('admin.webhooks.rotated', { url: ep.url }), secret: r.body.secret });
                        await endpoints.reload();
                      }
                    }}
                  >
                    {t('admin.webhooks.rotate')}
                  </button>
                  <button
                    type="button"
                    class="btn btn--small btn--danger"
                    disabled={change.busy}
                    aria-label={`${t('admin.delete')}: ${ep.url}`}
                    onClick={async () => {
                      if (await change.run(() => integrationsApi.deleteEndpoint(ep.id))) {
                        if (log === ep.id) setLog(null);
                        await endpoints.reload();
                      }
                    }}
                  >
                    {t('admin.delete')}
                  </button>
                </div>
                {log === ep.id ? <DeliveryLog ep={ep} /> : null}
              </li>
            ),
          )}
        </ul>
      )}
      <form
        class="admin-form"
        aria-labelledby="admin-webhooks-add"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await change.run(() => integrationsApi.createEndpoint({ url: url.trim(), events, description: description.trim() }));
          if (r) {
            setShown({ text: t('admin.webhooks.created', { url: r.body.endpoint.url }), secret: r.body.secret });
            setUrl('');
            setDescription('');
            setEvents([]);
            await endpoints.reload();
          }
        }}
      >
        <h4 id="admin-webhooks-add">{t('admin.webhooks.add')}</h4>
        <div class="admin-fields">
          <label class="field">
            <span>{t('admin.webhooks.url')}</span>
            <input type="url" required maxLength={2000} placeholder="https://" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t('admin.webhooks.description')}</span>
            <input maxLength={500} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </label>
        </div>
        <Events value={events} onChange={setEvents} legend={t('admin.webhooks.eventsHint')} />
        <button type="submit" class="btn btn--primary" disabled={change.busy}>
          {t('admin.add')}
        </button>
      </form>
    </section>
  );
}

function EndpointEdit({ ep, busy, onSave, onCancel }: { ep: Endpoint; busy: boolean; onSave(b: { url: string; events: string[]; description: string }): void; onCancel(): void }) {
  const { t } = useConsole();
  const [url, setUrl] = useState(ep.url);
  const [description, setDescription] = useState(ep.description);
  const [events, setEvents] = useState<string[]>(ep.events);
  return (
    <form
      class="admin-form"
      aria-label={`${t('admin.edit')}: ${ep.url}`}
      onSubmit={(e) => {
        e.preventDefault();
        onSave({ url: url.trim(), events, description: description.trim() });
      }}
    >
      <div class="admin-fields">
        <label class="field">
          <span>{t('admin.webhooks.url')}</span>
          <input type="url" required maxLength={2000} value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('admin.webhooks.description')}</span>
          <input maxLength={500} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
      </div>
      <Events value={events} onChange={setEvents} legend={t('admin.webhooks.eventsHint')} />
      <div class="row-actions">
        <button type="submit" class="btn btn--primary btn--small" disabled={busy}>
          {t('admin.save')}
        </button>
        <button type="button" class="btn btn--small" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
      </div>
    </form>
  );
}

/** The newest deliveries of one endpoint, each with its result and a replay button. */
function DeliveryLog({ ep }: { ep: Endpoint }) {
  const { t, locale } = useConsole();
  const log = useLoad(() => integrationsApi.deliveries(ep.id));
  const change = useChange();
  const [replayed, setReplayed] = useState<string | null>(null);
  const headingId = `admin-log-${ep.id}`;
  return (
    <section class="admin-section" aria-labelledby={headingId}>
      <div class="admin-item-main">
        <h4 id={headingId}>{t('admin.webhooks.log', { url: ep.url })}</h4>
        <button type="button" class="btn btn--small" onClick={() => void log.reload()}>
          {t('admin.webhooks.refresh')}
        </button>
      </div>
      <Problem t={t} error={log.error} />
      <Problem t={t} error={change.error} />
      {replayed ? (
        <p class="muted small" role="status">
          {t('admin.webhooks.replayed')}
        </p>
      ) : null}
      {log.data === null ? (
        <p class="muted">{t('admin.loading')}</p>
      ) : log.data.deliveries.length === 0 ? (
        <p class="empty">{t('admin.webhooks.noDeliveries')}</p>
      ) : (
        <ul class="admin-list" aria-label={t('admin.webhooks.log', { url: ep.url })}>
          {log.data.deliveries.map((d) => (
            <li key={d.id} class="admin-item">
              <div class="admin-item-main">
                <code class="small">{d.event}</code>
                <span class={d.status === 'failed' ? 'tag tag--warn' : 'tag'}>{t(`admin.webhooks.status.${d.status}`)}</span>
                <span class="muted small">{fmtDateTime(locale, d.createdAt)}</span>
              </div>
              <dl class="admin-dl small">
                <dt>{t('admin.webhooks.id')}</dt>
                <dd>
                  <code>{d.id}</code>
                </dd>
                <dt>{t('admin.webhooks.attempts')}</dt>
                <dd>
                  {d.attempts}
                  {d.lastStatus !== null ? ` · HTTP ${d.lastStatus}` : ''}
                  {d.lastError ? ` · ${d.lastError}` : ''}
                </dd>
              </dl>
              <div class="row-actions admin-actions">
                <button
                  type="button"
                  class="btn btn--small"
                  disabled={change.busy}
                  aria-label={`${t('admin.webhooks.replay')}: ${d.event} ${d.id}`}
                  onClick={async () => {
                    setReplayed(null);
                    if (await change.run(() => integrationsApi.replay(ep.id, d.id))) {
                      setReplayed(d.id);
                      await log.reload();
                    }
                  }}
                >
                  {t('admin.webhooks.replay')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
