/** Mensajes de sistema (español): se guardan como clave + parámetros y se muestran en el idioma de quien lee. */
export default {
  'system.queued': 'Gracias, tenemos todo lo necesario. Su conversación {id} está en la cola; queremos responder en menos de {time}.',
  'system.assigned': '{name} se encarga ahora de su conversación.',
  'system.waiting': 'Todos nuestros ingenieros están ocupados en este momento. Conserva su lugar en la cola y le responderemos aquí.',
  'system.contract_question.platform':
    'El soporte no responde preguntas sobre contratos, precios o facturación. Por favor, contacte a su gerente de cuenta, que le ayudará con gusto. Esta conversación se ha cerrado.',
  'system.contract_question.login':
    'El soporte no responde preguntas sobre contratos, precios o facturación en este chat. Si su empresa usa la plataforma, inicie sesión y consulte a quien administra la cuenta de su empresa; para planes y precios, visite nuestro sitio web. Esta conversación se ha cerrado.',
  'system.contract_question.website':
    'El soporte no responde preguntas sobre contratos, precios o facturación en este chat. Para planes y precios, use el contacto comercial de este sitio; si su empresa ya usa la plataforma, quien administra la cuenta de su empresa puede ayudarle. Esta conversación se ha cerrado.',
  'system.escalated': 'Recibimos su escalamiento y un líder de soporte se ha sumado.',
  'system.resolved': 'Esta conversación se marcó como resuelta.',
  'system.reopened': 'Esta conversación se reabrió.',
  'system.transferred_project': 'Este asunto se refiere a un proyecto en curso, así que se pasó al equipo del proyecto.',
  'system.transferred': 'Su conversación se pasó a otro equipo, que continuará aquí.',
  // R12c: a change an agent made in the realm under the customer's grant.
  'system.grant_used': '{agent}, de soporte, {grantAction} el pipeline {pipeline} con el acceso que usted concedió.',
  'param.grantAction.pause': 'pausó',
  'param.grantAction.resume': 'reanudó',
  'param.grantAction.restart': 'reinició',
  'time.minutes': '{n} minutos',
  'time.hours': '{n} horas',
  'time.days': '{n} días',
} as const satisfies Record<string, string>;
