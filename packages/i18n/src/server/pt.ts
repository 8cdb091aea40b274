/** Mensagens de sistema e modelos de resposta (português). */
import system from '../system/pt.ts';

export default {
  ...system,
  'template.contract': 'Questões sobre o seu contrato são tratadas pelo seu gerente de contas. Por favor, fale diretamente com ele; terá prazer em ajudar.',
  'template.project_team':
    'Este pedido altera a estratégia desenhada para o seu fluxo, por isso cabe à equipe do projeto. Encaminhei-o e a equipe continuará nesta conversa.',
  'template.project_phase': 'Este pipeline ainda está em fase de projeto, por isso a equipe do projeto responderá aqui.',
  'template.external_systems':
    'O comportamento de sistemas e endpoints fora da plataforma é de responsabilidade dos seus fornecedores. Podemos ajudar a verificar o que a plataforma envia e recebe; para o sistema externo, contate o fornecedor.',
} as const satisfies Record<string, string>;
