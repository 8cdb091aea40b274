/** Mensagens de sistema e modelos de resposta (português). */
export default {
  'system.queued': 'Obrigado, temos tudo de que precisamos. A sua conversa {id} está na fila; pretendemos responder em até {time}.',
  'system.assigned': '{name} está agora cuidando da sua conversa.',
  'system.waiting': 'Todos os nossos engenheiros estão ocupados no momento. Você mantém o seu lugar na fila e será atendido aqui.',
  'system.contract_question':
    'O suporte não responde a questões sobre contratos, preços ou faturamento. Por favor, fale com o seu gerente de contas, que terá prazer em ajudar. Esta conversa foi encerrada.',
  'system.escalated': 'O seu escalonamento foi recebido e um líder de suporte foi envolvido.',
  'system.resolved': 'Esta conversa foi marcada como resolvida.',
  'system.reopened': 'Esta conversa foi reaberta.',
  'system.transferred_project': 'Este assunto diz respeito a um projeto em andamento, por isso foi encaminhado à equipe do projeto.',
  'system.transferred': 'A sua conversa foi encaminhada a outra equipe, que continuará aqui.',
  'time.minutes': '{n} minutos',
  'time.hours': '{n} horas',
  'time.days': '{n} dias',
  'template.contract': 'Questões sobre o seu contrato são tratadas pelo seu gerente de contas. Por favor, fale diretamente com ele; terá prazer em ajudar.',
  'template.project_team':
    'Este pedido altera a estratégia desenhada para o seu fluxo, por isso cabe à equipe do projeto. Encaminhei-o e a equipe continuará nesta conversa.',
  'template.project_phase': 'Este pipeline ainda está em fase de projeto, por isso a equipe do projeto responderá aqui.',
  'template.external_systems':
    'O comportamento de sistemas e endpoints fora da plataforma é de responsabilidade dos seus fornecedores. Podemos ajudar a verificar o que a plataforma envia e recebe; para o sistema externo, contate o fornecedor.',
} as const satisfies Record<string, string>;
