/** Mensagens de sistema (português): guardadas como chave + parâmetros e mostradas no idioma de quem lê. */
export default {
  'system.queued': 'Obrigado, temos tudo de que precisamos. A sua conversa {id} está na fila; pretendemos responder em até {time}.',
  'system.assigned': '{name} está agora cuidando da sua conversa.',
  'system.waiting': 'Todos os nossos engenheiros estão ocupados no momento. Você mantém o seu lugar na fila e será atendido aqui.',
  'system.contract_question.platform':
    'O suporte não responde a questões sobre contratos, preços ou faturamento. Por favor, fale com o seu gerente de contas, que terá prazer em ajudar. Esta conversa foi encerrada.',
  'system.contract_question.login':
    'O suporte não responde a questões sobre contratos, preços ou faturamento neste chat. Se a sua empresa usa a plataforma, entre e fale com quem administra a conta da sua empresa; para planos e preços, consulte o nosso site. Esta conversa foi encerrada.',
  'system.contract_question.website':
    'O suporte não responde a questões sobre contratos, preços ou faturamento neste chat. Para planos e preços, use o contato comercial deste site; se a sua empresa já usa a plataforma, quem administra a conta da sua empresa pode ajudar. Esta conversa foi encerrada.',
  'system.escalated': 'O seu escalonamento foi recebido e um líder de suporte foi envolvido.',
  'system.resolved': 'Esta conversa foi marcada como resolvida.',
  'system.reopened': 'Esta conversa foi reaberta.',
  'system.transferred_project': 'Este assunto diz respeito a um projeto em andamento, por isso foi encaminhado à equipe do projeto.',
  'system.transferred': 'A sua conversa foi encaminhada a outra equipe, que continuará aqui.',
  // R12c: a change an agent made in the realm under the customer's grant.
  'system.grant_used': '{agent}, do suporte, {grantAction} o pipeline {pipeline} usando o acesso que você concedeu.',
  'param.grantAction.pause': 'pausou',
  'param.grantAction.resume': 'retomou',
  'param.grantAction.restart': 'reiniciou',
  'time.minutes': '{n} minutos',
  'time.hours': '{n} horas',
  'time.days': '{n} dias',
} as const satisfies Record<string, string>;
