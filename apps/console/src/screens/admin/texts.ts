import en from '@ajuda/i18n/console/admin-area-en';
import es from '@ajuda/i18n/console/admin-area-es';
import pt from '@ajuda/i18n/console/admin-area-pt';
import { addTexts } from '../../i18n.ts';

// The Admin area's own texts travel in its lazy chunk: every module of the area imports this one.
addTexts({ pt, en, es });
