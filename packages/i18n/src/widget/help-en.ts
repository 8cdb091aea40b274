/** The widget's help centre (English): loaded with its chunk only (home results, article view, suggestions). */
export default {
  'help.popular': 'Popular answers',
  'help.results': 'Answers for “{q}”',
  'help.found': '{count} answers found',
  'help.none': 'No article matches that. Pick an option above to ask us.',
  'help.suggested': 'These answers may help',
  'help.suggestedCount': '{count} suggested answers below the description',
  'help.answered': 'This answered it',
  'help.needHelp': 'I still need help',
  'help.thanks': 'Glad that helped. No conversation was opened.',
  'help.home': 'Back to the start',
  'help.pick': 'What do you need? What you typed goes with it.',
  'help.notFound': 'This article was not found. It may have moved, or it is not available here.',
  'help.error': 'The help centre could not be reached. Try again in a moment.',
  'help.retry': 'Try again',
  'help.opensNewTab': '(opens in a new tab)',
} as const satisfies Record<string, string>;
