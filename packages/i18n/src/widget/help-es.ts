/** El centro de ayuda del widget (español): se carga solo con su chunk (resultados, artículo, sugerencias). */
export default {
  'help.popular': 'Respuestas más consultadas',
  'help.results': 'Respuestas para «{q}»',
  'help.found': '{count} respuestas encontradas',
  'help.none': 'Ningún artículo coincide. Elige una opción de arriba para preguntarnos.',
  'help.suggested': 'Estas respuestas pueden ayudarte',
  'help.suggestedCount': '{count} respuestas sugeridas debajo de la descripción',
  'help.answered': 'Esto me resolvió la duda',
  'help.needHelp': 'Todavía necesito ayuda',
  'help.thanks': 'Nos alegra que te haya ayudado. No se abrió ninguna conversación.',
  'help.home': 'Volver al inicio',
  'help.pick': '¿Qué necesitas? Lo que escribiste va incluido.',
  'help.notFound': 'No se encontró este artículo. Puede haberse movido o no estar disponible aquí.',
  'help.error': 'No se pudo acceder al centro de ayuda. Inténtalo de nuevo en un momento.',
  'help.retry': 'Reintentar',
  'help.opensNewTab': '(se abre en una pestaña nueva)',
} as const satisfies Record<string, string>;
