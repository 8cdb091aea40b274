/** Mensajes de sistema y plantillas de respuesta (español). */
export default {
  'system.queued': 'Gracias, tenemos todo lo necesario. Su conversación {id} está en la cola; queremos responder en menos de {time}.',
  'system.assigned': '{name} se encarga ahora de su conversación.',
  'system.waiting': 'Todos nuestros ingenieros están ocupados en este momento. Conserva su lugar en la cola y le responderemos aquí.',
  'system.contract_question':
    'El soporte no responde preguntas sobre contratos, precios o facturación. Por favor, contacte a su gerente de cuenta, que le ayudará con gusto. Esta conversación se ha cerrado.',
  'system.escalated': 'Recibimos su escalamiento y un líder de soporte se ha sumado.',
  'system.resolved': 'Esta conversación se marcó como resuelta.',
  'system.reopened': 'Esta conversación se reabrió.',
  'system.transferred_project': 'Este asunto se refiere a un proyecto en curso, así que se pasó al equipo del proyecto.',
  'system.transferred': 'Su conversación se pasó a otro equipo, que continuará aquí.',
  'time.minutes': '{n} minutos',
  'time.hours': '{n} horas',
  'time.days': '{n} días',
  'template.contract': 'Las preguntas sobre su contrato las atiende su gerente de cuenta. Por favor, contáctelo directamente; le ayudará con gusto.',
  'template.project_team':
    'Esta solicitud cambia la estrategia diseñada de su flujo, por lo que corresponde al equipo del proyecto. Se la pasé y continuarán en esta conversación.',
  'template.project_phase': 'Este pipeline todavía está en fase de proyecto, así que el equipo del proyecto le responderá aquí.',
  'template.external_systems':
    'El comportamiento de sistemas y endpoints fuera de la plataforma es responsabilidad de sus proveedores. Podemos ayudarle a revisar lo que la plataforma envía y recibe; para el sistema externo, contacte a su proveedor.',
} as const satisfies Record<string, string>;
