// Textos do widget em português (R11): o catálogo inteiro. O app carrega pt-home.ts com a primeira
// tela e pt-more.ts quando outra tela abre; as chaves são as mesmas de en e es (verificado nos testes).
import home from './pt-home.ts';
import more from './pt-more.ts';

const pt: Record<string, string> = { ...home, ...more };

export default pt;
