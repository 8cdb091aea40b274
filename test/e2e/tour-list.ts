// The curated screenshots of docs/tour.md: which journey's shot, where it goes, and its caption.
// The journeys write them (JPEG, into $AJUDA_TOUR_DIR) when `pnpm tour` runs the suite.

/** One picture of the tour. */
export interface TourEntry {
  /** The journey (test-output/journeys/<journey>/) and the shot name that journey takes. */
  journey: string;
  shot: string;
  /** Section of docs/tour.md it belongs to. */
  section: string;
  /** One short line: what the picture shows. */
  caption: string;
}

/** The file name in docs/tour/. */
export const tourFile = (e: TourEntry): string => `${e.journey}-${e.shot}.jpg`;

export const TOUR: readonly TourEntry[] = [
  { journey: 'phone', shot: 'platform-2-intake', section: 'The widget on the three pages', caption: 'Signed in on the platform (`/platform`): the intake asks only what support needs.' },
  { journey: 'languages', shot: 'en-1-home', section: 'The widget on the three pages', caption: 'On the marketing site (`/site`, English): what a visitor may ask.' },
  { journey: 'languages', shot: 'es-2-conversation', section: 'The widget on the three pages', caption: 'On the login page (`/login`, Spanish browser): the conversation and its system messages in Spanish.' },
  { journey: 'phone', shot: 'platform-3-reply', section: 'On a phone', caption: 'A phone (390×844, touch): the panel is full-screen; the agent\'s reply is in view above the composer.' },
  { journey: 'phone', shot: 'login-3-reply', section: 'On a phone', caption: 'The login page on a phone: an anonymous visitor\'s conversation.' },
  { journey: 'phone', shot: 'site-3-reply', section: 'On a phone', caption: 'The marketing site on a phone.' },
  { journey: 'keyboard', shot: 'console-2-conversation', section: 'The agent console', caption: 'The console: inbox sorted by SLA urgency, the conversation with its intake card, routing and realm panels.' },
  { journey: 'laptop', shot: 'console-incident', section: 'The agent console', caption: 'An incident at 1366×768: the intake card stays compact, the log keeps room, assignment is in reach.' },
  { journey: 'laptop', shot: 'leads', section: 'The agent console', caption: 'The leads\' view: escalations and breached SLAs across the team.' },
  { journey: 'languages', shot: 'pt-1-home', section: 'Three languages', caption: 'Português: Ana on the platform, from her token\'s locale.' },
  { journey: 'languages', shot: 'pt-3-console', section: 'Three languages', caption: 'João (pt, en) gets the Portuguese conversation, tagged PT.' },
  { journey: 'languages', shot: 'en-2-conversation', section: 'Three languages', caption: 'English: a visitor on the marketing site.' },
  { journey: 'languages', shot: 'es-3-console', section: 'Three languages', caption: 'Español: Sofía (es, en) gets the Spanish conversation, tagged ES.' },
  { journey: 'help', shot: 'home-articles', section: 'The help centre', caption: 'Home on the marketing site (Portuguese), scrolled down: below what a visitor may ask, the answers most useful on this page.' },
  { journey: 'help', shot: 'search-results', section: 'The help centre', caption: 'Searching: “horario” finds “horário” (accents do not matter).' },
  { journey: 'help', shot: 'platform-phone-en-suggested', section: 'The help centre', caption: 'Typing a question on a phone: after a few words and a pause, the top three answers appear under the description.' },
  { journey: 'help', shot: 'login-phone-es-answered', section: 'The help centre', caption: '“Esto me resolvió la duda”: no conversation is opened, and the deflection is counted.' },
  { journey: 'help', shot: 'inert-article', section: 'The help centre', caption: 'An article opened from the host page with Ajuda(\'showArticle\', slug): raw HTML and a javascript: link in its Markdown stay inert text.' },
];
