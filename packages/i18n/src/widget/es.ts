// Textos del widget en español (R11): el catálogo entero. La app carga es-home.ts con la primera
// pantalla y es-more.ts cuando se abre otra; las mismas claves que pt y en (verificado en las pruebas).
import home from './es-home.ts';
import more from './es-more.ts';

const es: Record<string, string> = { ...home, ...more };

export default es;
