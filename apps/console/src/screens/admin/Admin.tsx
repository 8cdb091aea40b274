import './texts.ts';
import { useConsole, type AdminTab } from '../../context.ts';
import { AgentsPanel } from './Agents.tsx';
import { CannedPanel, RealmsPanel, SlaPanel, TeamsPanel } from './Settings.tsx';
import { adminTabs } from './tabs.ts';
import { TokensPanel } from './Tokens.tsx';
import { WebhooksPanel } from './Webhooks.tsx';
import './admin.css';


/** The Admin area: agents, teams, canned replies, SLA tiers, the realm directory, API tokens and webhooks (admins); a lead's teams. */
export function Admin({ tab }: { tab: AdminTab }) {
  const { t, me, navigate } = useConsole();
  const tabs = adminTabs(me.role);
  const current = tabs.includes(tab) ? tab : tabs[0]!;
  return (
    <main class="admin" id="main" aria-labelledby="admin-title">
      <h2 id="admin-title">{t('admin.title')}</h2>
      {tabs.length > 1 ? (
        <nav class="admin-tabs" aria-label={t('admin.tabs')}>
          {tabs.map((x) => (
            <a
              key={x}
              href={`#/admin/${x}`}
              class={x === current ? 'nav nav--on' : 'nav'}
              aria-current={x === current ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate({ view: 'admin', tab: x });
              }}
            >
              {t(`admin.tab.${x}`)}
            </a>
          ))}
          <a
            href="#/articles"
            class="nav"
            onClick={(e) => {
              e.preventDefault();
              navigate({ view: 'articles', id: null });
            }}
          >
            {t('nav.articles')}
          </a>
        </nav>
      ) : null}
      {current === 'agents' ? <AgentsPanel /> : current === 'teams' ? <TeamsPanel /> : current === 'canned' ? <CannedPanel /> : current === 'sla' ? <SlaPanel /> : current === 'realms' ? <RealmsPanel /> : current === 'tokens' ? <TokensPanel /> : <WebhooksPanel />}
    </main>
  );
}
