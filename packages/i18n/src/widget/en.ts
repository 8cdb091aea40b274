// Widget texts in English (R11): the whole catalog. The app loads en-home.ts with the first screen
// and en-more.ts when another screen opens; same keys as pt and es (checked by the tests).
import home from './en-home.ts';
import more from './en-more.ts';

const en: Record<string, string> = { ...home, ...more };

export default en;
