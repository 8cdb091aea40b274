/** A central de ajuda do widget (português): carregada só com o seu chunk (resultados, artigo, sugestões). */
export default {
  'help.popular': 'Respostas mais procuradas',
  'help.results': 'Respostas para “{q}”',
  'help.found': '{count} respostas encontradas',
  'help.none': 'Nenhum artigo corresponde. Escolha uma opção acima para nos perguntar.',
  'help.suggested': 'Estas respostas podem ajudar',
  'help.suggestedCount': '{count} respostas sugeridas abaixo da descrição',
  'help.answered': 'Isto me respondeu',
  'help.needHelp': 'Ainda preciso de ajuda',
  'help.thanks': 'Que bom que ajudou. Nenhuma conversa foi aberta.',
  'help.home': 'Voltar ao início',
  'help.pick': 'Do que você precisa? O que você digitou vai junto.',
  'help.notFound': 'Este artigo não foi encontrado. Ele pode ter mudado de lugar ou não estar disponível aqui.',
  'help.error': 'Não foi possível acessar a central de ajuda. Tente de novo em instantes.',
  'help.retry': 'Tentar de novo',
  'help.opensNewTab': '(abre em nova aba)',
} as const satisfies Record<string, string>;
